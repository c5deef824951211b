"""The Home's statements read their rows through indexes on SQLite (EXPLAIN QUERY PLAN on a migrated,
empty database): none walks a whole table, and each uses the index made for it (issue 14). A worker
with a year of history, or a deployment with many organisations, then costs the Home what a new
worker costs. No timing is asserted here; the figures are in the benchmarks."""

from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess
import uuid

import pytest

from conftest import WERKMAAT, server_env

from backend.accounts.auth import _SESSION_LOOKUP
from backend.home import reads

NOW = dt.datetime(2026, 12, 3, 22, 50, tzinfo=dt.timezone.utc)
# Scans that are not of a table: the one-row subquery the facts hang on, and SQLite's constant row.
NOT_A_TABLE = {"SCAN CONSTANT ROW", "SCAN x"}


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    path = tmp_path_factory.mktemp("plans") / "plans.db"
    env = server_env(f"sqlite:///{path}", path.parent, 8000)
    result = subprocess.run([WERKMAAT, "migrate"], env=env, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stdout + result.stderr
    con = sqlite3.connect(path)
    yield con
    con.close()


def plan(con: sqlite3.Connection, sql: str, *args) -> list[str]:
    compiled = sql.replace("{}", "?")
    values = [str(a) if isinstance(a, uuid.UUID) else a for a in args]
    return [row[3] for row in con.execute("EXPLAIN QUERY PLAN " + compiled, values)]


def assert_no_table_scan(steps: list[str]) -> None:
    scans = [s for s in steps if s.startswith("SCAN ") and s not in NOT_A_TABLE]
    assert not scans, steps


def test_session_lookup_by_token_and_keys(migrated):
    steps = plan(migrated, _SESSION_LOOKUP, "ab" * 32, NOW)
    assert_no_table_scan(steps)
    assert any("session" in s and "token_hash=?" in s for s in steps), steps


def test_facts_reports_and_unread_count(migrated):
    person = uuid.uuid4()
    day = NOW.date()
    steps = plan(migrated, reads._FACTS_AND_REPORTS, person, person, person, "sick", day, day - dt.timedelta(days=2),
                 person, NOW, day, f"%{person}%", person)
    assert_no_table_scan(steps)
    assert any("recipient_person_read" in s and "read_at=?" in s for s in steps), \
        "the unread count reads only the unread: " + repr(steps)
    assert any("schedule_series_live_until" in s for s in steps), "only series not expanded far enough: " + repr(steps)


def test_items_of_a_few_days_by_the_plannings_start(migrated):
    person = uuid.uuid4()
    start, end = NOW, NOW + dt.timedelta(days=7)
    steps = plan(migrated, reads._ITEMS, person, person, person, start - dt.timedelta(days=1), end, person, start, end)
    assert_no_table_scan(steps)
    assert any("participant_person_starts" in s and "starts_at>" in s for s in steps), steps
    assert any("attendance_item_person" in s and "item=? AND person=?" in s for s in steps), steps


def test_live_series_of_a_person(migrated):
    person = uuid.uuid4()
    steps = plan(migrated, reads._SERIES, NOW.date(), f"%{person}%")
    assert_no_table_scan(steps)
    assert any("schedule_series_live_until" in s for s in steps), steps
