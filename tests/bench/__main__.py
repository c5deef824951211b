"""Request benchmarks (not part of `make test`): `make bench` or `.venv/bin/python -m tests.bench`.

1. Throughput, as the ratio to a bare Litestar JSON handler measured in the same run with the same
   uvicorn settings (`tests.bench.bare_app` through `backend.cli.run_uvicorn`): one server process
   per database on the demo data, scheduler off, 8 keep-alive connections for a fixed time each
   (`tests.bench.load`). The figures are taken in ROUNDS interleaved rounds (bare, /api/me, Home,
   /health, then again) and the median round is printed, since the machine may be shared.
   Targets (issue 14): GET /api/me >= 30 % of bare on PostgreSQL and >= 20 % on SQLite, with p95
   under 20 ms; the worker's Home answer (GET /api/me/today) >= 15 % on both.
2. Latency of single requests one after another, real argon2 costs: create worker + invite, the
   people list of 200 workers, password sign-in.

`python -m tests.bench [SECONDS]` sets the measuring time per figure (default 5 s).
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
from tests.bench import BareServer, LoadResult, load, machine, median_run, percentile, start_bare_server  # noqa: E402

REQUESTS = 300
CASELOAD = 200
ROUNDS = 3
CONNECTIONS = 8
TARGETS = {  # (path, database) -> least share of the bare handler's rate
    ("/api/me", "SQLite"): 0.20, ("/api/me", "PostgreSQL"): 0.30,
    ("/api/me/today", "SQLite"): 0.15, ("/api/me/today", "PostgreSQL"): 0.15,
}
ME_P95_MS = 20.0


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


# --- 1. throughput against the bare handler --------------------------------------------------------

def demo_worker_cookies(server: "conftest.LiveServer") -> dict[str, str]:
    """Load the demo data and sign a phone in as its first worker; the phone's cookies."""
    out = server.werkmaat("demo").stdout
    link = next(line.split()[-1] for line in out.splitlines() if "/welkom#" in line)
    phone = conftest.Client(server.url)
    signed_in = phone.redeem(token=link.split("#", 1)[1])
    assert signed_in.status_code == 200 and signed_in.json()["role"] == "worker", signed_in.text
    return dict(phone.cookies.items())


def throughput(database_url: str, name: str, seconds: float, bare: "BareServer") -> dict[str, list[LoadResult]]:
    server = conftest.start_server(database_url, Path(tempfile.mkdtemp(prefix="werkmaat-bench-")),
                                   WERKMAAT_SCHEDULER="off")
    try:
        cookies = demo_worker_cookies(server)
        import httpx

        has_home = httpx.get(server.url + "/api/me/today", cookies=cookies, timeout=10).status_code == 200
        figures: list[tuple[str, str, str, dict | None, int]] = [
            ("bare Litestar handler", bare.url, "/bare", None, bare.process.pid),
            ("GET /api/me (worker)", server.url, "/api/me", cookies, server.process.pid),
        ]
        if has_home:
            figures.append(("GET /api/me/today (Home)", server.url, "/api/me/today", cookies, server.process.pid))
        figures.append(("GET /health", server.url, "/health", None, server.process.pid))
        runs: dict[str, list[LoadResult]] = {path: [] for _, _, path, _, _ in figures}
        for _ in range(ROUNDS):
            for label, url, path, jar, pid in figures:
                runs[path].append(load(label, url, path, cookies=jar, connections=CONNECTIONS, seconds=seconds,
                                       server_pid=pid))
        print(f"{name}: {CONNECTIONS} connections, one server process, demo data, scheduler off; "
              f"median of {ROUNDS} rounds of {seconds:.0f} s")
        if not has_home:
            print("  GET /api/me/today is not there yet: Home not measured")
        bare_rates = [r.rate for r in runs["/bare"]]
        for path, results in runs.items():
            result = median_run(results)
            if path == "/bare":
                print(result.line())
                continue
            # The ratio of each round to the bare handler of the same round, then the median.
            ratio = statistics.median(r.rate / b for r, b in zip(results, bare_rates))
            target = TARGETS.get((path, name))
            verdict = ""
            if target is not None:
                verdict = f"  target >= {target:.0%}: {'met' if ratio >= target else 'MISSED'}"
            if path == "/api/me":
                p95 = result.percentile(0.95)
                verdict += f"; p95 {'<' if p95 < ME_P95_MS else '>='} {ME_P95_MS:.0f} ms"
            cpu_ratio = statistics.median(b.cpu_ms_per_request / r.cpu_ms_per_request
                                          for r, b in zip(results, runs["/bare"]))
            print(result.line() + f"\n    {'':<24} ratio to bare: {ratio:.1%} by req/s (median of rounds), "
                  f"{cpu_ratio:.1%} by server CPU per request{verdict}")
        return runs
    finally:
        conftest.stop_server(server)


# --- 2. single-request latency -----------------------------------------------------------------------

def latency(database_url: str, name: str) -> None:
    with bench_server(database_url, WERKMAAT_ARGON2_FAST="0", WERKMAAT_SCHEDULER="off") as (server, coach, _):
        start = time.perf_counter()
        invites = [coach.post("/api/people", json={"role": "worker", "firstName": f"W{i}"}).json()["invite"]
                   for i in range(CASELOAD)]
        create_ms = (time.perf_counter() - start) * 1000 / CASELOAD
        phone = conftest.Client(server.url)
        phone.redeem(token=conftest.token_of(invites[0]))
        print(f"{name}: single requests one after another")
        print(f"  {'create worker + invite (QR)':<38} mean={create_ms:6.1f} ms")
        report("GET /api/me (worker)", timed(lambda: phone.get("/api/me"), REQUESTS))
        report(f"GET /api/people ({CASELOAD} workers)", timed(lambda: coach.get("/api/people?role=worker"), 100))
        report("POST /api/auth/login (argon2id)", timed(
            lambda: conftest.Client(server.url).login("bench@x.be", conftest.COACH_PASSWORD), 30))
        report("GET /health", timed(lambda: phone.get("/health"), REQUESTS))


def main(seconds: float) -> None:
    print(f"Machine: {machine()}")
    bare = start_bare_server(conftest.free_port())
    try:
        on_both_databases(lambda url, name: throughput(url, name, seconds, bare))
    finally:
        bare.stop()
    on_both_databases(latency)
    print(f"Machine afterwards: {machine()}")


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 5.0)
