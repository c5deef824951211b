"""Benchmarks (not part of `make test`): `make bench` or `.venv/bin/python -m tests.bench`.

Starts a real server per database (SQLite file, and PostgreSQL when reachable), fills a coach's
caseload and prints latency figures of the hot foundation endpoints. Real argon2 costs are used.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import conftest  # noqa: E402  (the test helpers: server start-up, clients)

REQUESTS = 300
CASELOAD = 200


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def timed(fn, n: int) -> list[float]:
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        response = fn()
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code < 400, response.text
    return samples


@contextmanager
def bench_server(database_url: str, **env: str) -> Iterator[tuple["conftest.LiveServer", "conftest.Client", str]]:
    """A server on a fresh data directory with one organisation and its coach (bench@x.be) signed in:
    (server, coach client, organisation id). The server is stopped afterwards."""
    server = conftest.start_server(database_url, Path(tempfile.mkdtemp(prefix="werkmaat-bench-")), **env)
    try:
        admin = conftest.Client(server.url)
        admin.login(conftest.ADMIN_EMAIL, conftest.ADMIN_PASSWORD)
        org = admin.post("/api/organisations", json={"name": "Bench", "city": "Genk"}).json()["id"]
        conftest.create_person(admin, role="coach", firstName="Bench", email="bench@x.be",
                               password=conftest.COACH_PASSWORD, organisationId=org)
        coach = conftest.Client(server.url)
        coach.login("bench@x.be", conftest.COACH_PASSWORD)
        yield server, coach, org
    finally:
        conftest.stop_server(server)


def on_both_databases(bench: Callable[[str, str], None]) -> None:
    """`bench(database_url, name)` on a fresh SQLite file, then on PostgreSQL when it is reachable."""
    bench(f"sqlite:///{tempfile.mkdtemp(prefix='werkmaat-bench-')}/bench.db", "SQLite")
    try:
        url = conftest.create_pg_database()
    except BaseException as exc:  # noqa: BLE001 - pytest.skip raises outside pytest
        print(f"PostgreSQL skipped: {exc}")
        return
    try:
        bench(url, "PostgreSQL")
    finally:
        conftest.drop_pg_database(url)


def report(label: str, samples: list[float]) -> None:
    print(f"  {label:<38} n={len(samples):<4} p50={statistics.median(samples):6.1f} ms "
          f"p95={percentile(samples, 0.95):6.1f} ms")


def bench(database_url: str, name: str) -> None:
    with bench_server(database_url, WERKMAAT_ARGON2_FAST="0") as (server, coach, _):
        start = time.perf_counter()
        invites = [coach.post("/api/people", json={"role": "worker", "firstName": f"W{i}"}).json()["invite"]
                   for i in range(CASELOAD)]
        create_ms = (time.perf_counter() - start) * 1000 / CASELOAD
        phone = conftest.Client(server.url)
        phone.redeem(token=conftest.token_of(invites[0]))
        print(f"{name}:")
        print(f"  {'create worker + invite (QR)':<38} mean={create_ms:6.1f} ms")
        report("GET /api/me (worker)", timed(lambda: phone.get("/api/me"), REQUESTS))
        report(f"GET /api/people ({CASELOAD} workers)", timed(lambda: coach.get("/api/people?role=worker"), 100))
        report("POST /api/auth/login (argon2id)", timed(
            lambda: conftest.Client(server.url).login("bench@x.be", conftest.COACH_PASSWORD), 30))
        report("GET /health", timed(lambda: phone.get("/health"), REQUESTS))


if __name__ == "__main__":
    on_both_databases(bench)
