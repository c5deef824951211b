"""Caseload benchmark (not part of `make test`): `.venv/bin/python -m tests.bench.caseload [WORKERS]`.

A coach with 200 workers (default) and a year of history (shifts, attendance, reminders, notes,
milestones), on SQLite and on PostgreSQL (when reachable). Prints p50/p95 of GET /api/coaching/caseload
over real HTTP to `werkmaat serve` on loopback (one request at a time), the time of one run of
the flag rules for everyone, and the Home (GET /api/me/today) of the worker with the most items.
Target (issue 14): p95 under 50 ms on both databases.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import conftest  # noqa: E402
from tests.bench import machine  # noqa: E402
from tests.bench.__main__ import bench_server, on_both_databases, percentile, timed  # noqa: E402

REQUESTS = 100
TARGET_P95_MS = 50.0


def bench(database_url: str, name: str, workers: int) -> None:
    with bench_server(database_url, WERKMAAT_SCHEDULER="off") as (server, coach, _):
        start = time.perf_counter()
        seeded = subprocess.run([sys.executable, str(conftest.ROOT / "tests" / "tools" / "seed_caseload.py"),
                                 "bench@x.be", str(workers)], env=server.env, cwd=conftest.ROOT, check=True,
                                capture_output=True, text=True, timeout=1800)
        print(f"{name}: {seeded.stdout.strip()} in {time.perf_counter() - start:.0f} s")
        start = time.perf_counter()
        flags = server.werkmaat("coaching-flags").stdout.strip().splitlines()[-1]
        print(f"  flag rules for everyone (werkmaat coaching-flags, incl. start-up): "
              f"{time.perf_counter() - start:.1f} s ({flags})")
        rows = coach.get("/api/coaching/caseload").json()
        assert len(rows) == workers, len(rows)
        # One of those workers on their phone: the Home with a year of plannings and check-ins behind it.
        worker = max(rows, key=lambda r: r["plannedItems"])
        invite = coach.post(f"/api/people/{worker['personId']}/invites", json={})
        assert invite.status_code in (200, 201), invite.text
        phone = conftest.Client(server.url)
        assert phone.redeem(token=conftest.token_of(invite.json())).status_code == 200
        timed(lambda: phone.get("/api/me/today"), 5)
        samples = timed(lambda: phone.get("/api/me/today"), REQUESTS * 3)
        plannings = int(seeded.stdout.split(" participants")[0].split()[-1]) // workers
        print(f"  {'GET /api/me/today (a year of history)':<44} n={len(samples):<4} "
              f"p50={statistics.median(samples):6.1f} ms p95={percentile(samples, 0.95):6.1f} ms "
              f"(a worker with about {plannings} plannings)")
        for label, path in ((f"GET /api/coaching/caseload ({workers})", "/api/coaching/caseload"),
                            ("GET /api/coaching/caseload?flagged=true", "/api/coaching/caseload?flagged=true")):
            timed(lambda: coach.get(path), 5)  # warm up
            samples = timed(lambda: coach.get(path), REQUESTS)
            p95 = percentile(samples, 0.95)
            print(f"  {label:<44} n={len(samples):<4} p50={statistics.median(samples):6.1f} ms "
                  f"p95={p95:6.1f} ms  target p95 < {TARGET_P95_MS:.0f} ms: "
                  f"{'met' if p95 < TARGET_P95_MS else 'MISSED'}")


if __name__ == "__main__":
    print(f"Machine: {machine()}")
    workers = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    on_both_databases(lambda url, name: bench(url, name, workers))
