"""Push delivery benchmark (not part of `make test`):
`.venv/bin/python -m tests.bench.push [N] [--db sqlite|postgres|both] [--dispatchers K]`.

N deliveries (default 10,000) come due at the same moment for N subscriptions on the loopback push
service, which checks VAPID and decrypts every message (in two processes of its own, so it is not
what limits the run). One `werkmaat worker --dispatchers K` (default: one per core) sends them, on
SQLite and on PostgreSQL (when reachable). Printed, measured in this same run: the raw pywebpush
encryption rate on one core and on all cores at once, the VAPID signing rate, and per database the
end-to-end messages per second with its ratio to the raw all-core rate, the delay of the first
message after the due time, lateness p50/p99, and how many messages were posted twice (should be 0).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import conftest  # noqa: E402
from pushservice import PushService, PushServiceProcesses  # noqa: E402


def _real_clock() -> None:
    """conftest starts the tests' fake clock; a benchmark compares the due time written by one process
    with arrival times seen by another, on the machine's clock, as in production."""
    import time_machine

    while time_machine.traveller_stack:
        time_machine.travel(0).stop()


_real_clock()

RAW_SECONDS = 3.0
DUE_IN = 1.0  # once everything is stored, the reminder comes due this much later


def _encrypt_rate(seconds: float) -> float:
    """pywebpush's own encryption (new ephemeral key and salt per message, aes128gcm), one process."""
    from pywebpush import WebPusher

    sub = PushService().subscribe()
    pusher = WebPusher(sub)
    data = json.dumps({"title": "Morgen: Productie", "body": "Om 08:00. Neem mee: veiligheidsschoenen."}).encode()
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        pusher.encode(data, "aes128gcm")
        n += 1
    return n / (time.perf_counter() - start)


def _sign_rate(seconds: float) -> float:
    from py_vapid import Vapid02

    key = Vapid02()
    key.generate_keys()
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        key.sign({"aud": "https://fcm.googleapis.com", "exp": int(time.time()) + 3600, "sub": "mailto:a@b.be"})
        n += 1
    return n / (time.perf_counter() - start)


def raw_rates(cores: int, seconds: float = RAW_SECONDS) -> tuple[float, float, float]:
    """(encryptions/s on one core, on `cores` processes at once, VAPID signatures/s on one core)."""
    one = _encrypt_rate(seconds)
    with multiprocessing.get_context("spawn").Pool(cores) as pool:
        together = sum(pool.map(_encrypt_rate, [seconds] * cores))
    return one, together, _sign_rate(seconds)


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def cpu_seconds(pids: list[int]) -> float:
    """CPU time (user + system) used so far by these processes and their children still running."""
    ticks = os.sysconf("SC_CLK_TCK")
    total, seen, todo = 0.0, set(), list(pids)
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
            for task in Path(f"/proc/{pid}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue
    return total


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far, from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    ticks = os.sysconf("SC_CLK_TCK")
    idle = fields[3] + fields[4]
    return (sum(fields[:8]) - idle) / ticks, sum(fields[:8]) / ticks


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def run_once(database_url: str, name: str, count: int, dispatchers: int, raw_all: float) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="werkmaat-pushbench-"))
    service = PushServiceProcesses(PushService(), processes=2)
    subs = [service.subscribe() for _ in range(count)]
    service.start()  # the processes are forked with every subscription's keys
    env = conftest.server_env(database_url, tmp, 8000, WERKMAAT_PUSH_HOSTS=service.host,
                              WERKMAAT_DISPATCH_INTERVAL="0.2")
    # The real clock, as in production: the due time and the arrival times are on the same one.
    for name_ in ("WERKMAAT_TEST_MODE", "WERKMAAT_TEST_NOW", "WERKMAAT_TEST_NOW_SET"):
        env.pop(name_, None)
    subprocess.run([conftest.WERKMAAT, "migrate"], env=env, check=True, capture_output=True)
    (tmp / "subs.json").write_text(json.dumps(subs))
    log_path = tmp / "worker.log"
    log = open(log_path, "w")  # noqa: SIM115
    worker = subprocess.Popen([conftest.WERKMAAT, "worker", "--dispatchers", str(dispatchers)], env=env,
                              stdout=log, stderr=subprocess.STDOUT)
    while log_path.read_text().count("running") < dispatchers:
        time.sleep(0.1)
    seeding = time.time()
    seed = subprocess.run([sys.executable, str(conftest.ROOT / "tests" / "tools" / "seed_push.py"),
                           str(tmp / "subs.json"), str(DUE_IN)], env=env, check=True, cwd=conftest.ROOT,
                          capture_output=True, text=True)
    due = float(seed.stdout.split("due_at=")[1].split()[0])
    print(f"  seeded {count} workers, subscriptions and recipients in {time.time() - seeding:.1f} s", flush=True)
    while time.time() < due:
        time.sleep(0.01)
    load_at_due = load_average()
    pusher_pids = [child.pid for child in service._children]
    cpu_at_due = cpu_seconds([worker.pid]), cpu_seconds(pusher_pids)
    machine_at_due = machine_cpu()
    timeline, next_mark = [], due + 1.0
    try:
        while service.count() < count and time.time() - due < 600:
            time.sleep(0.05)
            if time.time() >= next_mark:
                timeline.append(service.count())
                next_mark += 1.0
        cpu_worker = cpu_seconds([worker.pid]) - cpu_at_due[0]
        cpu_service = cpu_seconds(pusher_pids) - cpu_at_due[1]
        machine = machine_cpu()
        machine_busy = (machine[0] - machine_at_due[0]) / max(machine[1] - machine_at_due[1], 1e-9)
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            worker.kill()
        service.stop()
    firsts: dict[str, float] = {}
    for r in service.received:
        firsts[r.subscription_id] = min(r.at, firsts.get(r.subscription_id, r.at))
    received = sorted(firsts.values())
    lateness = [t - due for t in received]
    rate = len(received) / max(received[-1] - due, 1e-9)
    figures = {"database": name, "received": len(received), "rate": rate, "ratio": rate / raw_all,
               "first": received[0] - due, "last": received[-1] - due, "p50": statistics.median(lateness),
               "p99": percentile(lateness, 0.99), "posted_twice": sum(service.attempts.values()) - len(firsts),
               "marked_twice": _marked_twice(env), "rejected": len(service.service.rejected), "load": load_at_due,
               "cpu_worker_us": cpu_worker / count * 1e6, "cpu_service_us": cpu_service / count * 1e6,
               "machine_busy": machine_busy, "timeline": timeline}
    print(f"{name}: received {figures['received']}/{count}, {rate:,.0f} msg/s end to end "
          f"= {figures['ratio']:.2f} of raw all-core encryption; first message {figures['first']:.2f} s after the "
          f"due time, last {figures['last']:.1f} s; lateness p50 {figures['p50']:.1f} s, p99 {figures['p99']:.1f} s; "
          f"posted twice: {figures['posted_twice']}, marked sent twice: {figures['marked_twice']}; rejected by "
          f"the push service: {figures['rejected']}; CPU per message: dispatchers {figures['cpu_worker_us']:.0f} us, "
          f"push service {figures['cpu_service_us']:.0f} us (load average at the due time: {load_at_due}; the machine's CPU "
          f"{machine_busy:.0%} busy meanwhile); received after each second: {' '.join(map(str, timeline))}", flush=True)
    return figures


def _marked_twice(env: dict) -> int:
    code = ("import asyncio, backend\nfrom backend.piccolo_conf import DB\nfrom notifications.tables import Delivery\n"
            "async def main():\n    if DB.engine_type == 'postgres': await DB.start_connection_pool()\n"
            "    print(await Delivery.count().where(Delivery.send_count > 1))\n"
            "    if DB.engine_type == 'postgres': await DB.close_connection_pool()\nasyncio.run(main())\n")
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=conftest.ROOT, capture_output=True, text=True)
    return int(out.stdout.strip().splitlines()[-1]) if out.returncode == 0 else -1


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.push")
    parser.add_argument("count", nargs="?", type=int, default=10_000)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--dispatchers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args(argv)
    cores = os.cpu_count() or 1
    print(f"load average before: {load_average()} ({cores} cores)", flush=True)
    one, together, sign = raw_rates(cores)
    print(f"raw pywebpush: encrypt {one:,.0f} msg/s on one core, {together:,.0f} msg/s on {cores} cores at once; "
          f"VAPID sign {sign:,.0f}/s on one core", flush=True)
    results = []
    if args.db in ("sqlite", "both"):
        url = f"sqlite:///{tempfile.mkdtemp(prefix='werkmaat-pushbench-')}/bench.db"
        results.append(run_once(url, "SQLite", args.count, args.dispatchers, together))
    if args.db in ("postgres", "both"):
        try:
            url = conftest.create_pg_database()
        except BaseException as exc:  # noqa: BLE001 - pytest.skip raises outside pytest
            print(f"PostgreSQL skipped: {exc}")
        else:
            try:
                results.append(run_once(url, "PostgreSQL", args.count, args.dispatchers, together))
            finally:
                conftest.drop_pg_database(url)
    for r in results:
        met = r["rate"] >= 1500 and r["ratio"] >= 0.5 and r["first"] <= 1.0 and r["p99"] < 10 and not r["posted_twice"]
        print(f"target on {r['database']} (>= 1,500 msg/s, >= 0.5 of raw all-core, first <= 1 s, p99 < 10 s, "
              f"0 posted twice): {'met' if met else 'NOT met'}")
    print(f"load average after: {load_average()}")
    return results


if __name__ == "__main__":
    main()
