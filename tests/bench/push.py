"""Push delivery benchmark (not part of `make test`): `.venv/bin/python -m tests.bench.push [N]`.

N deliveries (default 10,000) come due at the same moment for N subscriptions on the loopback push
service (which checks VAPID and decrypts every message). One `werkmaat worker` process on SQLite
sends them. Prints end-to-end messages per second, p50/p99 lateness, and for comparison the raw
pywebpush encrypt+sign rate on one core, and how many messages were posted twice (should be 0).
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import conftest  # noqa: E402
from pushservice import PushService  # noqa: E402


def raw_rate(seconds: float = 3.0) -> tuple[float, float]:
    """Messages per second that pywebpush can encrypt, and VAPID JWTs per second it can sign."""
    from py_vapid import Vapid02
    from pywebpush import WebPusher

    service = PushService()
    sub = service.subscribe()
    pusher = WebPusher(sub)
    data = json.dumps({"title": "Morgen: Productie", "body": "Om 08:00. Neem mee: veiligheidsschoenen."}).encode()
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        pusher.encode(data, "aes128gcm")
        n += 1
    encrypt = n / (time.perf_counter() - start)
    key = Vapid02()
    key.generate_keys()
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        key.sign({"aud": "https://fcm.googleapis.com", "exp": int(time.time()) + 3600, "sub": "mailto:a@b.be"})
        n += 1
    return encrypt, n / (time.perf_counter() - start)


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def main(count: int) -> None:
    encrypt, sign = raw_rate()
    print(f"raw pywebpush on one core: encrypt {encrypt:,.0f} msg/s, VAPID sign {sign:,.0f}/s")
    tmp = Path(tempfile.mkdtemp(prefix="werkmaat-pushbench-"))
    service = PushService().start()
    env = conftest.server_env(f"sqlite:///{tmp / 'bench.db'}", tmp, 8000, WERKMAAT_PUSH_HOSTS=service.host,
                              WERKMAAT_DISPATCH_INTERVAL="0.2")
    subprocess.run([conftest.WERKMAAT, "migrate"], env=env, check=True, capture_output=True)
    subs = [service.subscribe() for _ in range(count)]
    (tmp / "subs.json").write_text(json.dumps(subs))
    # The worker runs first, as in a deployment; the deliveries then come due all at once.
    log_path = tmp / "worker.log"
    log = open(log_path, "w")  # noqa: SIM115
    worker = subprocess.Popen([conftest.WERKMAAT, "worker"], env=env, stdout=log, stderr=subprocess.STDOUT)
    while "Worker running" not in log_path.read_text():
        time.sleep(0.1)
    seeding = time.time()
    seed = subprocess.run([sys.executable, str(conftest.ROOT / "tests" / "tools" / "seed_push.py"),
                           str(tmp / "subs.json")], env=env, check=True, cwd=conftest.ROOT, capture_output=True,
                          text=True)
    due = float(seed.stdout.split("due_at=")[1].split()[0])
    print(f"seeded {count} workers and subscriptions in {time.time() - seeding:.1f} s; all due at once")
    try:
        while len({r.subscription_id for r in service.received}) < count and time.time() - due < 600:
            time.sleep(0.1)
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
        service.stop()
    firsts: dict[str, float] = {}
    for r in service.received:
        firsts[r.subscription_id] = min(r.at, firsts.get(r.subscription_id, r.at))
    duplicates = len(service.received) - len(firsts)
    received = sorted(firsts.values())
    first, last = received[0], received[-1]
    lateness = [t - due for t in received]
    print(f"received {len(received)}/{count}: {len(received) / max(last - due, 1e-9):,.0f} msg/s end to end "
          f"(due to last message {last - due:.1f} s; first after {first - due:.1f} s)")
    print(f"lateness after due time: p50 {statistics.median(lateness):.1f} s, p99 {percentile(lateness, 0.99):.1f} s")
    print(f"posted twice: {duplicates}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
