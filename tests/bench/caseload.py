"""Caseload benchmark (not part of `make test`): `.venv/bin/python -m tests.bench.caseload [WORKERS]`.

A coach with 200 workers (default) and a year of history (shifts, attendance, reminders, notes,
milestones), on SQLite and on PostgreSQL (when reachable). Prints p50/p95 of GET /api/coaching/caseload
over real HTTP to `werkmaat serve` on loopback, and the time of one run of the flag rules for everyone.
Target: p95 under 150 ms.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import conftest  # noqa: E402
from tests.bench.__main__ import percentile, timed  # noqa: E402

REQUESTS = 100


def bench(database_url: str, name: str, workers: int) -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="werkmaat-caseload-"))
    server = conftest.start_server(database_url, data_dir, WERKMAAT_SCHEDULER="off")
    try:
        admin = conftest.Client(server.url)
        admin.login(conftest.ADMIN_EMAIL, conftest.ADMIN_PASSWORD)
        org = admin.post("/api/organisations", json={"name": "Bench", "city": "Genk"}).json()["id"]
        conftest.create_person(admin, role="coach", firstName="Bench", email="bench@x.be",
                               password=conftest.COACH_PASSWORD, organisationId=org)
        start = time.perf_counter()
        seeded = subprocess.run([sys.executable, str(conftest.ROOT / "tests" / "tools" / "seed_caseload.py"),
                                 "bench@x.be", str(workers)], env=server.env, cwd=conftest.ROOT, check=True,
                                capture_output=True, text=True, timeout=1800)
        print(f"{name}: {seeded.stdout.strip()} in {time.perf_counter() - start:.0f} s")
        start = time.perf_counter()
        flags = server.werkmaat("coaching-flags").stdout.strip()
        print(f"  flag rules for everyone (werkmaat coaching-flags, incl. start-up): "
              f"{time.perf_counter() - start:.1f} s ({flags})")
        coach = conftest.Client(server.url)
        coach.login("bench@x.be", conftest.COACH_PASSWORD)
        rows = coach.get("/api/coaching/caseload").json()
        assert len(rows) == workers, len(rows)
        for label, path in ((f"GET /api/coaching/caseload ({workers})", "/api/coaching/caseload"),
                            ("GET /api/coaching/caseload?flagged=true", "/api/coaching/caseload?flagged=true")):
            timed(lambda: coach.get(path), 5)  # warm up
            samples = timed(lambda: coach.get(path), REQUESTS)
            print(f"  {label:<44} n={len(samples):<4} p50={statistics.median(samples):6.1f} ms "
                  f"p95={percentile(samples, 0.95):6.1f} ms")
    finally:
        conftest.stop_server(server)


def main(workers: int) -> None:
    bench(f"sqlite:///{tempfile.mkdtemp()}/bench.db", "SQLite", workers)
    try:
        url = conftest.create_pg_database()
    except BaseException as exc:  # noqa: BLE001 - pytest.skip raises outside pytest
        print(f"PostgreSQL skipped: {exc}")
        return
    try:
        bench(url, "PostgreSQL", workers)
    finally:
        conftest.drop_pg_database(url)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
