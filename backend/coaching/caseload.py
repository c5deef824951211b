"""The caseload: one row per worker with the figures a coach scans, in a fixed number of queries."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Awaitable, Callable
from uuid import UUID

from piccolo.columns.combination import WhereRaw
from piccolo.engine.sqlite import SQLiteEngine

from backend.access import Actor, Role, require_staff
from backend.accounts.tables import Person
from backend.coaching import facts
from backend.coaching.access import name_of
from backend.coaching.flags import _detail, reason, utcnow
from backend.coaching.schemas import CaseloadRow, FlagOut, LastReplyOut, PersonRef, StageOut
from backend.coaching.tables import Flag
from backend.db import one_snapshot
from backend.errors import InvalidInput
from backend.reminders.replies import last_replies

# The caseload shows a worker's latest quick reply of this long ago at most.
REPLY_WINDOW = dt.timedelta(days=14)

# How each worker gets to work tomorrow: "ride", "transit", "none" or "unknown". Rides and transit
# plug in here (`set_tomorrow_provider`); until then every worker is "unknown".
TomorrowProvider = Callable[[list[UUID], dt.datetime], Awaitable[dict[UUID, str]]]


async def _unknown(person_ids: list[UUID], now: dt.datetime) -> dict[UUID, str]:
    return {}


_tomorrow: TomorrowProvider = _unknown


def set_tomorrow_provider(provider: TomorrowProvider) -> None:
    """Wire the rides/transit domain in: an async function (worker ids, now) -> {id: ride|transit|none}."""
    global _tomorrow
    _tomorrow = provider


def flag_out(row: dict, language: str) -> FlagOut:
    detail = _detail(row["detail"])
    return FlagOut(id=row["id"], person_id=row["person"], rule=row["rule"], reason=reason(row["rule"], detail, language),
                   detail=detail, opened_at=facts.as_datetime(row["opened_at"]),
                   cleared_at=facts.as_datetime(row["cleared_at"]), closed_at=facts.as_datetime(row.get("closed_at")),
                   close_note=row.get("close_note") or "")


def stage_of(milestones: list[dict]) -> StageOut:
    ordered = sorted(milestones, key=lambda m: m["position"])
    reached = [m for m in ordered if m["status"] == "reached"]
    upcoming = next((m for m in ordered if m["status"] in ("planned", "in_progress")), None)
    return StageOut(last_reached=reached[-1]["title"] if reached else None,
                    next=upcoming["title"] if upcoming else None, reached=len(reached), total=len(ordered))


async def caseload(actor: Actor, coach_id: UUID | None, query: str, flagged: bool,
                   now: dt.datetime | None = None) -> list[CaseloadRow]:
    """A coach's own workers; an admin's (or a coach's with `coach`) workers of one coach or all."""
    require_staff(actor)
    now = now or utcnow()
    if actor.role == Role.COACH:
        condition = Person.organisation == actor.organisation_id
        condition &= Person.coach == (coach_id or actor.id)
    else:
        condition = Person.coach == coach_id if coach_id else Person.id.is_not_null()
    if query:
        needle = query.strip()
        if len(needle) > 100:
            raise InvalidInput.field("q", "field_too_long", n=100)
        condition &= name_contains(needle)
    async with one_snapshot(Person._meta.db):
        return await _rows(actor, condition, flagged, now)


def name_contains(needle: str) -> WhereRaw:
    """First or last name contains `needle` literally, case-insensitively: `%` and `_` are letters
    here, not LIKE's wildcards (searching "a_b" must not find "axb")."""
    escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    # SQLite's LIKE ignores the case of ASCII letters; PostgreSQL needs ILIKE. Neither has a default
    # escape character that both share, so it is named.
    like = "LIKE" if isinstance(Person._meta.db, SQLiteEngine) else "ILIKE"
    pattern = f"%{escaped}%"
    return WhereRaw(f"(\"person\".\"first_name\" {like} {{}} ESCAPE '\\' "
                    f"OR \"person\".\"last_name\" {like} {{}} ESCAPE '\\')", pattern, pattern)


async def _rows(actor: Actor, condition, flagged: bool, now: dt.datetime) -> list[CaseloadRow]:
    workers = await facts.caseload_workers(condition)
    if not workers:
        return []
    scope = facts.worker_ids(condition)
    people, orgs = {w["id"] for w in workers}, list({w["organisation"] for w in workers})
    ids = [w["id"] for w in workers]
    # Independent reads, at once: PostgreSQL runs them on pooled connections, so the answer takes
    # about as long as the slowest one; SQLite runs them one after another on the snapshot's connection.
    items, marks, unread, stone_rows, flag_rows, tomorrow, replied = await asyncio.gather(
        facts.item_figures(now), facts.attendance_marks(now), facts.unread_counts(people, orgs, now),
        facts.select('SELECT CAST("milestone"."person" AS TEXT) AS "person", "milestone"."position" AS "position", '
                     '"milestone"."title" AS "title", "milestone"."status" AS "status" FROM "milestone" '
                     'WHERE "milestone"."person" IN ({})', scope.querystrings[0]),
        Flag.select(Flag.id, Flag.person, Flag.rule, Flag.detail, Flag.opened_at, Flag.cleared_at).where(
            Flag.person.is_in(scope) & Flag.closed_at.is_null()).order_by(Flag.opened_at).run(),
        _tomorrow(ids, now),
        last_replies(ids, now - REPLY_WINDOW, actor.language))
    stones: dict[str, list[dict]] = {}
    for m in stone_rows:
        stones.setdefault(m["person"], []).append(m)
    open_flags: dict[UUID, list[FlagOut]] = {}
    for f in flag_rows:
        open_flags.setdefault(f["person"], []).append(flag_out(f, actor.language))
    rows = []
    no_stage = stage_of([])
    for w in workers:
        person = w["id"]
        if flagged and not open_flags.get(person):
            continue
        key = str(person)
        planned, next_at = items.get(key, (0, None))
        attended, excused, checked_in_at = marks.get(key, (0, 0, None))
        counted = planned - excused
        worker_stones = stones.get(key)
        rows.append(CaseloadRow(
            person_id=person, first_name=w["first_name"], last_name=w["last_name"],
            coach=PersonRef(id=w["coach"], name=name_of(w["coach_first"], w["coach_last"])) if w["coach"] else None,
            buddy=PersonRef(id=w["buddy"], name=name_of(w["buddy_first"], w["buddy_last"])) if w["buddy"] else None,
            planned_items=planned, attended_items=attended, excused_items=excused,
            attendance_rate=round(attended / counted, 3) if counted > 0 else None,
            last_check_in_at=checked_in_at, last_app_open_at=facts.as_datetime(w["seen"]),
            unread_reminders=unread.get(person, 0), open_reports=w["reports"] or 0,
            next_shift_at=next_at, tomorrow=tomorrow.get(person, "unknown"),
            stage=stage_of(worker_stones) if worker_stones else no_stage, status="active" if w["status"] is None else w["status"],
            flags=open_flags.get(person, []),
            last_reply=LastReplyOut(**replied[person]) if person in replied else None))
    return rows
