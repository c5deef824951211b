"""Shared fixtures: a real Werkmaat server (uvicorn, own process) on SQLite and on PostgreSQL,
HTTP clients that handle the CSRF cookie, and signed-in personas.

Every test that uses `live_server` (directly or through `personas`) runs once per database.
On CI (`CI=true`) an unreachable PostgreSQL fails the run instead of skipping it.
"""

from __future__ import annotations

import itertools
import os
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import datetime as dt

import httpx
import pytest

import clock

# One fake clock for the whole run, whatever the machine's time (tests/clock.py).
clock.install()

# Browser fixtures (Chromium, phone contexts, axe) live beside this file.
pytest_plugins = ["browser_fixtures"]

ROOT = Path(__file__).resolve().parent.parent
WERKMAAT = str(Path(sys.executable).parent / "werkmaat")
PG_ADMIN_DSN = os.environ.get("WERKMAAT_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
ADMIN_EMAIL = "admin@test.werkmaat.be"
ADMIN_PASSWORD = "admin-password-123"
COACH_PASSWORD = "coach-password-123"

_addresses = itertools.count(1)


def fresh_address() -> str:
    """A distinct client address per client, sent as X-Forwarded-For through the trusted loopback
    proxy, so sign-in throttling of one test never locks out another."""
    n = next(_addresses)
    return f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"


def wait_until(fn, timeout: float = 20.0, what: str = "condition"):
    """Poll `fn` every 0.1 s until it returns something true (returned), or fail after `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = fn()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"{what} not reached in time")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- PostgreSQL ----------------------------------------------------------------------------------

def run_async(coro):
    """Run a coroutine to completion from sync test code, in a thread of its own: the sync
    Playwright driver keeps an event loop running in the main thread once a browser is open."""
    import asyncio
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def pg_fetch(url: str, sql: str):
    import asyncpg

    async def run():
        conn = await asyncpg.connect(url, timeout=5)
        try:
            return await conn.fetch(sql)
        finally:
            await conn.close()

    return run_async(run())


def _pg_execute(sql: str, dsn: str = PG_ADMIN_DSN) -> None:
    pg_fetch(dsn, sql)


def create_pg_database(template: str | None = None) -> str:
    """A fresh database per test session, so parallel runs and reruns never collide (a copy of the
    database `template` when given)."""
    name = f"werkmaat_test_{uuid.uuid4().hex[:12]}"
    try:
        _pg_execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ''))
    except Exception as exc:  # noqa: BLE001
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"PostgreSQL at {PG_ADMIN_DSN} is required on CI and unreachable: {exc}")
        pytest.skip(f"PostgreSQL unreachable: {exc}")
    return PG_ADMIN_DSN.rsplit("/", 1)[0] + "/" + name


def drop_pg_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    try:
        _pg_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    except Exception:  # noqa: BLE001 - best effort clean-up
        pass


@dataclass
class Kept:
    """What one test process keeps for the whole run, per database: the database and its server.

    `database_url` and `live_server` are parametrised by database at session scope, so pytest tears
    them down whenever the next test is of the other database, which with `--dist loadfile` is at
    almost every file. Kept here instead, each is made once per process and ended at the end of
    the run (a server start is a `create-admin` and a `serve` process: 3-5 s)."""
    databases: dict = field(default_factory=dict)  # "sqlite" / "postgres" -> url
    servers: dict = field(default_factory=dict)  # url -> LiveServer
    checked: dict = field(default_factory=dict)  # a server's log path -> how much of it was checked for errors


@pytest.fixture(scope="session")
def kept(push_service, geocoder_service):
    """Ended after everything that uses it, before the push service and geocoder its servers use."""
    kept = Kept()
    yield kept
    problems = []
    for server in kept.servers.values():
        stop_server(server)
        problems += unhandled_errors(kept, server)
    for url in [*kept.databases.values(), *_templates.values()]:
        if not url.startswith("sqlite"):
            drop_pg_database(url)
    assert not problems, "\n".join(problems)


def unhandled_errors(kept: Kept, server: LiveServer) -> list[str]:
    """No request may ever end in an unhandled error: the part of the log not checked before."""
    log = server.log()
    new, kept.checked[server.log_path] = log[kept.checked.get(server.log_path, 0):], len(log)
    return [new[-5000:]] if "Unhandled error" in new else []


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def database_url(request, kept, tmp_path_factory) -> str:
    if request.param not in kept.databases:
        kept.databases[request.param] = (f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'werkmaat.db'}"
                                         if request.param == "sqlite" else create_pg_database())
    return kept.databases[request.param]


# --- the server ----------------------------------------------------------------------------------

@dataclass
class LiveServer:
    url: str
    database_url: str
    data_dir: Path
    env: dict
    process: subprocess.Popen
    log_path: Path
    # The server's clock minus the test run's clock (zero unless started or moved to another instant).
    clock_offset: dt.timedelta = dt.timedelta(0)

    @property
    def db(self) -> str:
        return "sqlite" if self.database_url.startswith("sqlite") else "postgres"

    def now(self) -> dt.datetime:
        """What this server's clock says now (UTC)."""
        return clock.now() + self.clock_offset

    def set_clock(self, instant: dt.datetime) -> None:
        """Move this server's clock to `instant` (it ticks on from there). Forward moves only: the
        scheduler inside the server would otherwise wait for a moment that has already been."""
        self.clock_offset = instant - clock.now()
        response = httpx.put(self.url + "/api/test/clock", json={"now": self.now().isoformat()}, timeout=10)
        assert response.status_code == 200, response.text

    def command_env(self) -> dict:
        """The server's environment, with the clock of a new process set to the server's now."""
        return {**self.env, **clock.env_for(self.now())}

    def werkmaat(self, *args: str, check: bool = True, input: str | None = None) -> subprocess.CompletedProcess:
        return subprocess.run([WERKMAAT, *args], env=self.command_env(), capture_output=True, text=True,
                              check=check, input=input, timeout=120)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def server_env(database_url: str, data_dir: Path, port: int, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WERKMAAT_")}
    env.update({
        "DATABASE_URL": database_url,
        "WERKMAAT_DATA_DIR": str(data_dir),
        "WERKMAAT_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "WERKMAAT_TRUSTED_PROXIES": "127.0.0.1/32",
        "WERKMAAT_ARGON2_FAST": "1",
        "WERKMAAT_LOGIN_SLOWDOWN": "0.02",
        "PYTHONUNBUFFERED": "1",
        # Never the public Nominatim from a test; tests that geocode point it at a loopback server.
        "WERKMAAT_GEOCODER": "off",
    })
    # The test clock (tests/clock.py): a process started with this environment starts at the run's now.
    env.update(clock.env_for())
    env.update(extra)
    return env


def create_admin(database_url: str, data_dir: Path, env: dict | None = None) -> None:
    """`werkmaat create-admin` (which migrates first) on a database: the admin the tests sign in as."""
    env = env or server_env(database_url, data_dir, free_port())
    subprocess.run([WERKMAAT, "create-admin", "--email", ADMIN_EMAIL, "--password", ADMIN_PASSWORD, "--reset"],
                   env=env, check=True, capture_output=True, timeout=120)


_templates: dict[str, str] = {}  # "sqlite" / "postgres" -> a migrated database with the admin, per process


def migrated_database(kind: str, tmp_path_factory) -> tuple[str, str | None]:
    """A new database of `kind`, migrated and with the admin, as a copy of one made once per test
    process (a PostgreSQL template database, a SQLite file), so that a server at a particular instant
    needs no `create-admin` process of its own. Returns its url and, on PostgreSQL, the url to drop."""
    if kind not in _templates:
        if kind == "sqlite":
            template = f"sqlite:///{tmp_path_factory.mktemp('template') / 'werkmaat.db'}"
        else:
            template = create_pg_database()
        create_admin(template, tmp_path_factory.mktemp("template-data"))
        _templates[kind] = template
    template = _templates[kind]
    if kind == "sqlite":
        path = tmp_path_factory.mktemp("at-sqlite") / "werkmaat.db"
        source, target = sqlite3.connect(template.removeprefix("sqlite:///")), sqlite3.connect(path)
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()
        return f"sqlite:///{path}", None
    url = create_pg_database(template=template.rsplit("/", 1)[1])
    return url, url


def start_server(database_url: str, data_dir: Path, now: dt.datetime | None = None, admin: bool = True,
                 **extra: str) -> LiveServer:
    """A server in its own process; its clock is the run's clock, or starts at `now` and ticks.
    `admin=False`: the database has the admin already (`migrated_database`)."""
    port = free_port()
    data_dir.mkdir(parents=True, exist_ok=True)
    offset = (now - clock.now()) if now is not None else dt.timedelta(0)
    env = server_env(database_url, data_dir, port, **clock.env_for(clock.now() + offset), **extra)
    if admin:
        create_admin(database_url, data_dir, env)
    log_path = data_dir / "server.log"
    log_file = open(log_path, "w")  # noqa: SIM115 - lives as long as the server
    process = subprocess.Popen([WERKMAAT, "serve", "--host", "127.0.0.1", "--port", str(port),
                                "--log-level", "warning"], env=env, stdout=log_file, stderr=subprocess.STDOUT,
                               cwd=ROOT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early:\n{log_path.read_text()}")
        try:
            if httpx.get(url + "/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    else:
        process.kill()
        raise RuntimeError(f"server did not start:\n{log_path.read_text()}")
    server = LiveServer(url=url, database_url=database_url, data_dir=data_dir, env=env, process=process,
                        log_path=log_path)
    # The server's clock started when it read its environment; under libfaketime (each process's wall clock
    # starting anew) that can be seconds behind, so set it exactly now that it answers.
    server.set_clock(clock.now() + offset)
    return server


def stop_server(server: LiveServer) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()


@pytest.fixture(scope="session")
def push_service():
    """The loopback Web Push service (see tests/pushservice.py) the servers may post to."""
    from pushservice import PushService

    service = PushService().start()
    yield service
    service.stop()


@pytest.fixture(scope="session")
def geocoder_service():
    """The loopback Nominatim-compatible geocoder (see tests/nominatim.py) the servers ask."""
    from nominatim import NominatimService

    service = NominatimService().start()
    yield service
    service.stop()


@pytest.fixture
def server_at(database_url, tmp_path_factory):
    """Start servers whose clock starts at a given instant: `server = server_at(instant, **env)`.

    Each has a fresh database of the current kind (its own SQLite file or PostgreSQL database), no
    scheduler unless asked (`WERKMAAT_SCHEDULER="on"`), and is stopped after the test."""
    started: list[tuple[LiveServer, str | None]] = []

    def start(instant: dt.datetime, **extra: str) -> LiveServer:
        url, own = migrated_database("sqlite" if database_url.startswith("sqlite") else "postgres", tmp_path_factory)
        extra.setdefault("WERKMAAT_SCHEDULER", "off")
        server = start_server(url, tmp_path_factory.mktemp("at-data"), now=instant, admin=False, **extra)
        started.append((server, own))
        return server

    yield start
    for server, own in started:
        stop_server(server)
        if own:
            drop_pg_database(own)
        assert "Unhandled error" not in server.log(), server.log()[-5000:]


@pytest.fixture(scope="session")
def live_server(database_url, kept, tmp_path_factory, push_service, geocoder_service) -> LiveServer:
    """The server of this database, shared by the files of this test process (see `Kept`): a file
    that moves a clock or needs an empty database starts its own (`server_at`)."""
    server = kept.servers.get(database_url)
    if server is None:
        server = kept.servers[database_url] = start_server(
            database_url, tmp_path_factory.mktemp("data"), WERKMAAT_PUSH_HOSTS=push_service.host,
            WERKMAAT_DISPATCH_INTERVAL="0.3", WERKMAAT_PLANNING_INTERVAL="1", WERKMAAT_GEOCODER="nominatim",
            WERKMAAT_GEOCODER_URL=geocoder_service.url)
    yield server
    # Checked each time the run turns to the other database, so an error is found near its file.
    problems = unhandled_errors(kept, server)
    assert not problems, problems[0]


# --- clients -------------------------------------------------------------------------------------

class Client(httpx.Client):
    """An HTTP client for one browser-like user: keeps cookies, sends the CSRF header on unsafe
    methods, and comes from its own address."""

    def __init__(self, base_url: str, language: str = "nl", address: str | None = None) -> None:
        # Idle connections are dropped after 2 s, before the server's keep-alive timeout (5 s): else a
        # request may go out on a connection the server is closing ("Server disconnected").
        super().__init__(base_url=base_url, timeout=30, limits=httpx.Limits(keepalive_expiry=2.0), headers={
            "Accept-Language": language, "X-Forwarded-For": address or fresh_address(),
            "User-Agent": "Mozilla/5.0 (Linux; Android 13) Chrome/120.0 Mobile Safari/537.36",
        })
        self.get("/api/config")

    @property
    def csrf(self) -> str:
        return self.cookies.get("werkmaat_csrf", "")

    def request(self, method, url, **kwargs):  # noqa: D401 - httpx signature
        if method.upper() not in ("GET", "HEAD", "OPTIONS"):
            headers = dict(kwargs.pop("headers", None) or {})
            headers.setdefault("X-CSRF-Token", self.csrf)
            kwargs["headers"] = headers
        return super().request(method, url, **kwargs)

    def login(self, email: str, password: str) -> httpx.Response:
        return self.post("/api/auth/login", json={"email": email, "password": password})

    def redeem(self, token: str | None = None, code: str | None = None) -> httpx.Response:
        body = {"token": token} if token else {"code": code}
        return self.post("/api/auth/invite", json=body)


def token_of(invite: dict) -> str:
    return invite["url"].split("#", 1)[1]


@dataclass
class Personas:
    """Signed-in clients and the ids behind them; see `personas` fixture."""

    server: LiveServer
    clients: dict[str, Client] = field(default_factory=dict)
    ids: dict[str, str] = field(default_factory=dict)
    org_a: str = ""
    org_b: str = ""
    workplace_a: str = ""
    workplace_b: str = ""

    def __getitem__(self, name: str) -> Client:
        return self.clients[name]

    def new_client(self, language: str = "nl") -> Client:
        return Client(self.server.url, language=language)


def create_person(coach: Client, **body) -> dict:
    response = coach.post("/api/people", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def build_personas(server: LiveServer) -> Personas:
    """Two organisations. A: coach A, worker A (coach A, buddy A), worker B, buddy A. B: coach B."""
    p = Personas(server=server)
    admin = Client(server.url)
    assert admin.login(ADMIN_EMAIL, ADMIN_PASSWORD).status_code == 200
    p.clients["admin"] = admin
    suffix = uuid.uuid4().hex[:8]
    p.org_a = admin.post("/api/organisations", json={"name": f"Maatwerk A {suffix}", "kind": "maatwerkbedrijf",
                                                     "city": "Genk"}).json()["id"]
    p.org_b = admin.post("/api/organisations", json={"name": f"LDE B {suffix}", "kind": "lde",
                                                     "city": "Hasselt"}).json()["id"]
    p.workplace_a = admin.post(f"/api/organisations/{p.org_a}/workplaces", json={
        "name": "Atelier A", "street": "Henry Fordlaan 8", "postcode": "3600", "city": "Genk",
        "latitude": 50.9533, "longitude": 5.4440}).json()["id"]
    p.workplace_b = admin.post(f"/api/organisations/{p.org_b}/workplaces", json={
        "name": "Atelier B", "city": "Hasselt", "latitude": 50.93, "longitude": 5.33}).json()["id"]
    for name, org in (("coach_a", p.org_a), ("coach_b", p.org_b)):
        email = f"{name}.{suffix}@test.werkmaat.be"
        person = create_person(admin, role="coach", firstName=name.title(), lastName="Coach", email=email,
                               password=COACH_PASSWORD, organisationId=org)["person"]
        p.ids[name] = person["id"]
        client = Client(server.url)
        assert client.login(email, COACH_PASSWORD).status_code == 200
        p.clients[name] = client
    coach_a = p.clients["coach_a"]
    buddy = create_person(coach_a, role="buddy", firstName="Marc", lastName="Buddy", phone="0472 10 20 30")
    p.ids["buddy_a"] = buddy["person"]["id"]
    worker_a = create_person(coach_a, role="worker", firstName="Ahmed", lastName="Worker", phone="0486 12 34 01",
                             buddyId=p.ids["buddy_a"], workplaceId=p.workplace_a)
    worker_b = create_person(coach_a, role="worker", firstName="Fatma", lastName="Other", phone="0486 12 34 02")
    p.ids["worker_a"] = worker_a["person"]["id"]
    p.ids["worker_b"] = worker_b["person"]["id"]
    for name, created in (("buddy_a", buddy), ("worker_a", worker_a), ("worker_b", worker_b)):
        client = Client(server.url)
        assert client.redeem(token=token_of(created["invite"])).status_code == 200
        p.clients[name] = client
    p.clients["anonymous"] = Client(server.url)
    return p


@pytest.fixture(scope="session")
def personas(live_server) -> Personas:
    return build_personas(live_server)


@pytest.fixture
def client(live_server) -> Client:
    return Client(live_server.url)


def pytest_collection_modifyitems(config, items):
    """Slow tests first: with `-n 2 --dist loadfile` their file starts at once on one worker while the
    other worker takes the many short files, instead of one long file running alone at the end."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
