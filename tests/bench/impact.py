"""Impact report benchmark (not part of `make test`): `.venv/bin/python -m tests.bench.impact`.

One organisation with 200 workers and a year of history (about 2,600 items, 52,000 plannings,
47,000 attendances, 1,000 milestones); prints the latency of the report for the whole year (JSON
and CSV) and for one month, on SQLite and on PostgreSQL when reachable.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import conftest  # noqa: E402
from tests.bench.__main__ import bench_server, on_both_databases, report, timed  # noqa: E402

WORKERS = 200
REQUESTS = 30


def bench(database_url: str, name: str) -> None:
    with bench_server(database_url) as (server, coach, org):
        seeded = subprocess.run([sys.executable, str(conftest.ROOT / "tests/tools/seed_impact_bench.py"), org,
                                 str(WORKERS)], env=server.command_env(), capture_output=True, text=True, check=True)
        print(f"{name}: {seeded.stdout.strip()}")
        year = {"from": "2025-01-01", "to": "2025-12-31"}
        report("impact report, a year (JSON)", timed(lambda: coach.get("/api/reports/impact", params=year), REQUESTS))
        report("impact report, a year (CSV)",
               timed(lambda: coach.get("/api/reports/impact", params=year | {"format": "csv"}), REQUESTS))
        month = {"from": "2025-03-01", "to": "2025-03-31"}
        report("impact report, a month (JSON)", timed(lambda: coach.get("/api/reports/impact", params=month), REQUESTS))


if __name__ == "__main__":
    on_both_databases(bench)
