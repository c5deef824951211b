"""Helpers of the coaching tests: fresh workers, items on given local days, database look-ups."""

from __future__ import annotations

import datetime as dt
import sqlite3
import uuid
from zoneinfo import ZoneInfo

from conftest import Client, create_person, pg_fetch, token_of

BRUSSELS = ZoneInfo("Europe/Brussels")


def fresh_worker(personas, **extra) -> tuple[str, str, Client]:
    """A worker of coach A with a unique last name (for `?q=`), signed in on a phone."""
    last = f"Case{uuid.uuid4().hex[:8]}"
    created = create_person(personas["coach_a"], role="worker", firstName="Karim", lastName=last, **extra)
    phone = Client(personas.server.url)
    assert phone.redeem(token=token_of(created["invite"])).status_code == 200
    return created["person"]["id"], last, phone


def local(day_offset: int, hour: int, minute: int = 0) -> dt.datetime:
    today = dt.datetime.now(BRUSSELS).date() + dt.timedelta(days=day_offset)
    return dt.datetime.combine(today, dt.time(hour, minute), tzinfo=BRUSSELS)


def plan_item(coach: Client, worker_id: str, start: dt.datetime, hours: float = 3, kind: str = "shift",
              title: str = "Atelier") -> str:
    response = coach.post("/api/schedule/items", json={
        "title": title, "kind": kind, "workerIds": [worker_id], "startsAt": start.isoformat(),
        "endsAt": (start + dt.timedelta(hours=hours)).isoformat()})
    assert response.status_code == 201, response.text
    return response.json()["id"]


def mark(coach: Client, item_id: str, worker_id: str, status: str) -> None:
    response = coach.put(f"/api/schedule/items/{item_id}/attendance/{worker_id}", json={"status": status})
    assert response.status_code == 200, response.text


def caseload_row(coach: Client, last_name: str) -> dict:
    rows = coach.get("/api/coaching/caseload", params={"q": last_name})
    assert rows.status_code == 200, rows.text
    assert len(rows.json()) == 1, rows.json()
    return rows.json()[0]


def db_rows(server, sql: str) -> list[dict]:
    """Read the server's database directly (for what no API shows, e.g. the audit log)."""
    if server.db == "sqlite":
        path = server.database_url.removeprefix("sqlite:///")
        with sqlite3.connect(path) as conn:
            conn.row_factory = sqlite3.Row
            return [dict(r) for r in conn.execute(sql).fetchall()]
    return [dict(r) for r in pg_fetch(server.database_url, sql)]


def run_flags(server, now: dt.datetime | None = None, digest: bool = False) -> str:
    """The rules for every worker, at a faked moment (the command's --now)."""
    args = ["coaching-flags"]
    if now is not None:
        args += ["--now", now.astimezone(dt.timezone.utc).isoformat()]
    if digest:
        args.append("--digest")
    return server.werkmaat(*args).stdout
