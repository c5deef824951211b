"""Benchmarks (not part of `make test`): `make bench` or `.venv/bin/python -m tests.bench`.

Starts a real server per database (SQLite file, and PostgreSQL when reachable), fills a coach's
caseload and prints latency figures of the hot foundation endpoints. Real argon2 costs are used.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

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


def report(label: str, samples: list[float]) -> None:
    print(f"  {label:<38} n={len(samples):<4} p50={statistics.median(samples):6.1f} ms "
          f"p95={percentile(samples, 0.95):6.1f} ms")


def bench(database_url: str, name: str) -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="werkmaat-bench-"))
    server = conftest.start_server(database_url, data_dir, WERKMAAT_ARGON2_FAST="0")
    try:
        admin = conftest.Client(server.url)
        admin.login(conftest.ADMIN_EMAIL, conftest.ADMIN_PASSWORD)
        org = admin.post("/api/organisations", json={"name": "Bench", "city": "Genk"}).json()["id"]
        conftest.create_person(admin, role="coach", firstName="Bench", email="bench@x.be",
                               password=conftest.COACH_PASSWORD, organisationId=org)
        coach = conftest.Client(server.url)
        coach.login("bench@x.be", conftest.COACH_PASSWORD)
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
    finally:
        conftest.stop_server(server)


def main() -> None:
    bench(f"sqlite:///{tempfile.mkdtemp()}/bench.db", "SQLite")
    try:
        url = conftest.create_pg_database()
    except BaseException as exc:  # noqa: BLE001 - pytest.skip raises outside pytest
        print(f"PostgreSQL skipped: {exc}")
        return
    try:
        bench(url, "PostgreSQL")
    finally:
        conftest.drop_pg_database(url)


if __name__ == "__main__":
    main()
