"""The `werkmaat` command: migrations on empty databases, generated secrets, idempotent demo data."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess

import httpx
import pytest

from conftest import WERKMAAT, create_pg_database, drop_pg_database, pg_fetch, server_env, start_server, stop_server
from transit_feeds import SMALL, write_feed

EXPECTED_TABLES = {"organisation", "workplace", "person", "session", "invite", "sign_in_throttle",
                   "migration"}


def run(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([WERKMAAT, *args], env=env, capture_output=True, text=True, timeout=180)


def pg_tables(url: str) -> set[str]:
    rows = pg_fetch(url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    return {r["tablename"] for r in rows}


def test_every_migration_runs_forwards_on_empty_sqlite(tmp_path):
    db = tmp_path / "fresh.db"
    env = server_env(f"sqlite:///{db}", tmp_path, 8000)
    result = run(env, "migrate")
    assert result.returncode == 0, result.stdout + result.stderr
    with sqlite3.connect(db) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert EXPECTED_TABLES <= tables
    again = run(env, "migrate")
    assert again.returncode == 0 and "already complete" in again.stdout


def test_every_migration_runs_forwards_on_empty_postgresql(tmp_path):
    url = create_pg_database()
    try:
        env = server_env(url, tmp_path, 8000)
        result = run(env, "migrate")
        assert result.returncode == 0, result.stdout + result.stderr
        assert EXPECTED_TABLES <= pg_tables(url)
    finally:
        drop_pg_database(url)


def test_secret_key_is_created_once_with_mode_0600(tmp_path):
    env = server_env(f"sqlite:///{tmp_path / 'x.db'}", tmp_path, 8000)
    assert run(env, "migrate").returncode == 0
    secret = tmp_path / "secret_key"
    assert secret.exists()
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    first = secret.read_text()
    assert len(first.strip()) >= 40
    assert run(env, "migrate").returncode == 0
    assert secret.read_text() == first, "kept, not regenerated"


def test_default_database_is_sqlite_in_data_dir(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("WERKMAAT_") and k != "DATABASE_URL"}
    env["WERKMAAT_DATA_DIR"] = str(tmp_path / "data")
    assert run(env, "migrate").returncode == 0
    assert (tmp_path / "data" / "werkmaat.db").exists()


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_demo_is_idempotent_and_prints_working_links(tmp_path, backend):
    url = f"sqlite:///{tmp_path / 'demo.db'}" if backend == "sqlite" else create_pg_database()
    try:
        server = start_server(url, tmp_path / "data")
        try:
            first = server.werkmaat("demo").stdout
            second = server.werkmaat("demo").stdout
            links = [line.split()[-1] for line in second.splitlines() if "/welkom#" in line]
            assert len(links) == 14, second  # ten workers and four buddies
            assert "sofie.peeters@demo.werkmaat.be" in first
            password = first.split("password '")[1].split("'")[0]
            admin = httpx.Client(base_url=server.url)
            admin.get("/api/config")
            csrf = {"X-CSRF-Token": admin.cookies["werkmaat_csrf"]}
            assert admin.post("/api/auth/login", headers=csrf, json={
                "email": "admin@demo.werkmaat.be", "password": password}).status_code == 200
            people = admin.get("/api/people").json()
            roles = sorted(p["role"] for p in people if p["organisationId"])
            assert roles.count("worker") == 10 and roles.count("buddy") == 4 and roles.count("coach") == 2
            orgs = admin.get("/api/organisations").json()
            assert len(orgs) == 1
            workplaces = admin.get(f"/api/organisations/{orgs[0]['id']}/workplaces").json()
            assert len(workplaces) == 2
            for wp in workplaces:  # real coordinates in Limburg
                assert 50.6 < wp["latitude"] < 51.4 and 5.0 < wp["longitude"] < 6.0
            # The links of the second run work; the first run's were replaced.
            phone = httpx.Client(base_url=server.url)
            phone.get("/api/config")
            redeemed = phone.post("/api/auth/invite", headers={"X-CSRF-Token": phone.cookies["werkmaat_csrf"]},
                                  json={"token": links[0].split("#")[1]})
            assert redeemed.status_code == 200 and redeemed.json()["role"] == "worker"
            # The demo's fictional bus lines take the worker to their next shifts and the training.
            assert "Demo bus lines D1 and D2" in first and "Demo bus" not in second
            commute = phone.get("/api/me/commute").json()
            assert commute["homeKnown"] and commute["items"], commute
            for item in commute["items"]:
                assert item["journeys"] and item["leaveHomeAt"], item
                legs = [leg for j in item["journeys"] for leg in j["legs"] if leg["kind"] == "ride"]
                assert {leg["line"] for leg in legs} <= {"D1", "D2"}
            # With real timetables loaded, the demo adds no fictional lines to them.
            assert server.werkmaat("transit", "delete", "demo").returncode == 0
            real = write_feed(tmp_path / "real.zip", SMALL)
            assert server.werkmaat("transit", "import", str(real), "--name", "real").returncode == 0
            assert "Demo bus" not in server.werkmaat("demo").stdout
            listed = server.werkmaat("transit", "list").stdout
            assert "real:" in listed and "demo:" not in listed
        finally:
            stop_server(server)
    finally:
        if backend == "postgres":
            drop_pg_database(url)


def test_create_admin_refuses_short_password_and_duplicates(tmp_path):
    env = server_env(f"sqlite:///{tmp_path / 'a.db'}", tmp_path, 8000)
    short = run(env, "create-admin", "--email", "a@b.be", "--password", "short")
    assert short.returncode != 0 and "te kort" in short.stderr
    assert run(env, "create-admin", "--email", "a@b.be", "--password", "long-enough-1").returncode == 0
    dup = run(env, "create-admin", "--email", "a@b.be", "--password", "long-enough-1")
    assert dup.returncode != 0 and "bestaat al" in dup.stderr
    assert run(env, "create-admin", "--email", "a@b.be", "--password", "long-enough-2", "--reset").returncode == 0
