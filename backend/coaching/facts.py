"""What the rules and the caseload need, read for many workers at once: a fixed number of queries
(grouped in the database where possible), never one query per worker."""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from piccolo.query.functions.aggregate import Count, Max

from backend.access import Role
from backend.accounts.tables import Person, Session
from backend.coaching.rules import Facts, day_state
from backend.coaching.tables import Note, WorkerFile
from backend.db import run_sql
from backend.schedule import recurrence
from backend.schedule.tables import AbsenceReport, Attendance, Participant, ScheduleItem
from notifications.tables import Recipient, Reminder

UTC = dt.timezone.utc
WORK_KINDS = ["shift", "training"]
# How far back the rules look for planned days (enough for 30 planned days with gaps).
LOOKBACK = dt.timedelta(days=120)
ATTENDANCE_WINDOW = dt.timedelta(days=28)
UNREAD_WINDOW = dt.timedelta(days=30)
CHECK_IN_WINDOW = dt.timedelta(days=28)
# Up to this many workers, read their own rows; more, read the organisation's window.
FEW = 20
# "Next shift" looks this far ahead.
AHEAD = dt.timedelta(days=62)


def work_items(orgs: list[UUID], first: dt.datetime, last: dt.datetime, ended_by: dt.datetime | None = None):
    """A subquery of the organisations' shifts and trainings starting between `first` and `last`.

    Item queries go through this (the `starts_at` index) and keep the workers asked for in Python,
    rather than reading all of each person's rows: a year of history must not slow the caseload.
    `orgs` is not put in the SQL on purpose: SQLite would then walk the organisation index, through
    all of its history, instead of the time window."""
    del orgs  # see the docstring
    condition = ((ScheduleItem.starts_at >= first) & (ScheduleItem.starts_at <= last)
                 & ScheduleItem.cancelled_at.is_null() & ScheduleItem.kind.is_in(WORK_KINDS))
    if ended_by is not None:
        condition &= ScheduleItem.ends_at <= ended_by
    return ScheduleItem.select(ScheduleItem.id).where(condition)


def as_datetime(value: Any) -> dt.datetime | None:
    """Aggregates over timestamps come back as text on SQLite; make them aware datetimes."""
    if value is None:
        return None
    if not isinstance(value, dt.datetime):
        value = dt.datetime.fromisoformat(str(value))
    return value if value.tzinfo else value.replace(tzinfo=UTC)


async def last_seen(scope) -> dict[UUID, dt.datetime | None]:
    rows = await Session.select(Session.person, Max(Session.last_seen_at, alias="at")).where(
        Session.person.is_in(scope)).group_by(Session.person)
    return {row["person"]: as_datetime(row["at"]) for row in rows}


async def unread_counts(people: set[UUID], orgs: list[UUID], now: dt.datetime) -> dict[UUID, int]:
    """Reminders that came due in the last 30 days, not cancelled, that the worker has not read.

    Read through the recent reminders (the `due_at` index; see `work_items` for why not by
    organisation), keeping the workers asked for in Python; for a few workers, their own rows."""
    del orgs
    query = Recipient.select(Recipient.person, Count(alias="n")).where(
        Recipient.read_at.is_null() & Recipient.reminder.is_in(Reminder.select(Reminder.id).where(
            (Reminder.due_at > now - UNREAD_WINDOW) & (Reminder.due_at <= now)
            & Reminder.cancelled_at.is_null()))).group_by(Recipient.person)
    if len(people) <= FEW:
        query = query.where(Recipient.person.is_in(list(people)))
    return {row["person"]: row["n"] for row in await query if row["person"] in people}


async def last_contacts(scope, now: dt.datetime) -> dict[UUID, dt.datetime]:
    """The latest contact per worker: a 'contact' note, an acknowledged coach reminder, a quick reply,
    a help request, an own report."""
    found: dict[UUID, dt.datetime] = {}

    def keep(person: UUID, value: Any) -> None:
        at = as_datetime(value)
        if at is not None and at <= now and (person not in found or at > found[person]):
            found[person] = at

    for row in await Note.select(Note.person, Max(Note.created_at, alias="at")).where(
            Note.person.is_in(scope) & (Note.kind == "contact") & (Note.created_at <= now)).group_by(Note.person):
        keep(row["person"], row["at"])
    for row in await Recipient.select(Recipient.person, Max(Recipient.acknowledged_at, alias="at")).where(
            Recipient.person.is_in(scope) & Recipient.acknowledged_at.is_not_null()
            & (Recipient.acknowledged_at <= now) & Recipient.reminder.source.is_in(["coach", "rule"])
    ).group_by(Recipient.person):
        keep(row["person"], row["at"])
    # A quick reply to any message, and a help request ("Ik heb hulp nodig"): the worker reached out.
    for row in await Recipient.select(Recipient.person, Max(Recipient.replied_at, alias="at")).where(
            Recipient.person.is_in(scope) & Recipient.replied_at.is_not_null() & (Recipient.replied_at <= now)
    ).group_by(Recipient.person):
        keep(row["person"], row["at"])
    for row in await Reminder.select(Reminder.subject, Max(Reminder.created_at, alias="at")).where(
            Reminder.subject.is_in(scope) & (Reminder.source == "help") & (Reminder.created_at <= now)
    ).group_by(Reminder.subject):
        keep(row["subject"], row["at"])
    for row in await AbsenceReport.select(AbsenceReport.person, AbsenceReport.created_by,
                                          Max(AbsenceReport.created_at, alias="at")).where(
            AbsenceReport.person.is_in(scope) & (AbsenceReport.created_at <= now)).group_by(
            AbsenceReport.person, AbsenceReport.created_by):
        if row["created_by"] == row["person"]:
            keep(row["person"], row["at"])
    for row in await WorkerFile.select(WorkerFile.person, WorkerFile.last_contact_at).where(
            WorkerFile.person.is_in(scope) & WorkerFile.last_contact_at.is_not_null()):
        keep(row["person"], row["last_contact_at"])
    return found


async def planned_days(people: set[UUID], orgs: list[UUID], now: dt.datetime,
                       since: dt.datetime) -> dict[UUID, dict[dt.date, str]]:
    """Per worker, per planned working day that ended between `since` and `now`: its state."""
    window = work_items(orgs, since, now, ended_by=now)
    items_query = Participant.select(
        Participant.person, Participant.item.id.as_alias("item"), Participant.item.starts_at.as_alias("starts_at"),
    ).where(Participant.item.is_in(window))
    marks_query = Attendance.select(Attendance.person, Attendance.item, Attendance.status,
                                    Attendance.checked_in_at).where(Attendance.item.is_in(window))
    if len(people) <= FEW:
        # One worker after a check-in or note: their own rows (person index) are cheapest.
        items_query = items_query.where(Participant.person.is_in(list(people)))
        marks_query = marks_query.where(Attendance.person.is_in(list(people)))
    items = [r for r in await items_query if r["person"] in people]
    marks = await marks_query
    state_of = {}
    for m in marks:
        present = m["checked_in_at"] is not None or m["status"] in ("present", "late")
        state_of[(m["person"], m["item"])] = "present" if present else m["status"]
    per_day: dict[UUID, dict[dt.date, list[str]]] = {}
    for row in items:
        day = recurrence.to_local(as_datetime(row["starts_at"])).date()
        per_day.setdefault(row["person"], {}).setdefault(day, []).append(
            state_of.get((row["person"], row["item"]), "none"))
    return {person: {day: day_state(states) for day, states in days.items()} for person, days in per_day.items()}


async def facts_for(workers: list[dict], scope, now: dt.datetime) -> dict[UUID, Facts]:
    """Facts of the rules for the workers in `scope` (a subquery of person ids)."""
    days = await planned_days({w["id"] for w in workers}, list({w["organisation"] for w in workers}), now,
                              now - LOOKBACK)
    seen = await last_seen(scope)
    unread = await unread_counts({w["id"] for w in workers}, list({w["organisation"] for w in workers}), now)
    contacts = await last_contacts(scope, now)
    return {w["id"]: Facts(created_at=as_datetime(w["created_at"]), days=days.get(w["id"], {}),
                           last_seen_at=seen.get(w["id"]), unread=unread.get(w["id"], 0),
                           last_contact_at=contacts.get(w["id"]))
            for w in workers}


# --- caseload figures -------------------------------------------------------------------------
# Hand-written SELECTs (through Piccolo's engine): one grouped row per worker, the worker's id as
# text (`CAST(... AS TEXT)`, the same spelling on both databases) so that no row pays for a UUID.

async def select(sql: str, *args: Any) -> list[dict]:
    """Rows of a hand-written SELECT (`{}` for each argument) as dicts, on either database."""
    return await run_sql(Person._meta.db, sql, *args)


# A shift or training that was not cancelled (its `WORK_KINDS` follow as arguments).
WORK_ITEM = ('"schedule_item"."cancelled_at" IS NULL AND "schedule_item"."kind" IN ('
             + ", ".join("{}" for _ in WORK_KINDS) + ")")


async def item_figures(now: dt.datetime) -> dict[str, tuple[int, dt.datetime | None]]:
    """Per worker (id as text): (planned items that ended in the last 28 days, start of the next
    item in the coming 62 days), from one walk through both windows (the `starts_at` index; see
    `work_items` for why not by organisation)."""
    first, after, last = now - ATTENDANCE_WINDOW, now + dt.timedelta(microseconds=1), now + AHEAD
    # CROSS JOIN: SQLite walks the items of the window first (PostgreSQL plans it as any join).
    rows = await select(
        'SELECT CAST("participant"."person" AS TEXT) AS "person", '
        'SUM(CASE WHEN "schedule_item"."starts_at" >= {} AND "schedule_item"."starts_at" <= {} '
        'AND "schedule_item"."ends_at" <= {} THEN 1 ELSE 0 END) AS "planned", '
        'MIN(CASE WHEN "schedule_item"."starts_at" >= {} AND "schedule_item"."starts_at" <= {} '
        'THEN "schedule_item"."starts_at" END) AS "next_at" '
        'FROM "schedule_item" CROSS JOIN "participant" '
        'WHERE "participant"."item" = "schedule_item"."id" AND "schedule_item"."starts_at" >= {} '
        f'AND "schedule_item"."starts_at" <= {{}} AND {WORK_ITEM} '
        'GROUP BY "participant"."person"',
        first, now, now, after, last, min(first, after), max(now, last), *WORK_KINDS)
    return {row["person"]: (row["planned"] or 0, as_datetime(row["next_at"])) for row in rows}


async def attendance_marks(now: dt.datetime) -> dict[str, tuple[int, int, dt.datetime | None]]:
    """Per worker (id as text): (attended, excused) items that ended in the last 28 days and the
    latest check-in in the last four weeks (older ones show as none), from one walk."""
    first, ended = now - ATTENDANCE_WINDOW, now
    check_first, check_last = now - CHECK_IN_WINDOW, now + dt.timedelta(days=1)
    counted = ('"schedule_item"."starts_at" >= {} AND "schedule_item"."starts_at" <= {} '
               'AND "schedule_item"."ends_at" <= {}')
    rows = await select(
        'SELECT CAST("attendance"."person" AS TEXT) AS "person", '
        f'SUM(CASE WHEN {counted} AND "attendance"."status" IN ({{}}, {{}}) THEN 1 ELSE 0 END) AS "attended", '
        f'SUM(CASE WHEN {counted} AND "attendance"."status" = {{}} THEN 1 ELSE 0 END) AS "excused", '
        'MAX(CASE WHEN "schedule_item"."starts_at" >= {} AND "schedule_item"."starts_at" <= {} '
        'THEN "attendance"."checked_in_at" END) AS "checked_in_at" '
        'FROM "schedule_item" CROSS JOIN "attendance" '
        'WHERE "attendance"."item" = "schedule_item"."id" AND "schedule_item"."starts_at" >= {} '
        f'AND "schedule_item"."starts_at" <= {{}} AND {WORK_ITEM} '
        'GROUP BY "attendance"."person"',
        first, ended, ended, "present", "late", first, ended, ended, "excused", check_first, check_last,
        min(first, check_first), max(ended, check_last), *WORK_KINDS)
    return {row["person"]: (row["attended"] or 0, row["excused"] or 0, as_datetime(row["checked_in_at"]))
            for row in rows}


async def caseload_workers(condition) -> list[dict]:
    """`workers_query(condition)` in the caseload's order, with per worker: the latest app open
    (`seen`), unseen absence reports (`reports`) and the file's status (`status`, None without one)."""
    where = (Person.role == Role.WORKER) & (Person.active == True) & condition  # noqa: E712
    return await select(
        'SELECT ALL "person"."id" AS "id", "person"."first_name" AS "first_name", '
        '"person"."last_name" AS "last_name", "person"."organisation" AS "organisation", '
        '"person"."coach" AS "coach", "person"."buddy" AS "buddy", '
        '"person$coach"."first_name" AS "coach_first", "person$coach"."last_name" AS "coach_last", '
        '"person$buddy"."first_name" AS "buddy_first", "person$buddy"."last_name" AS "buddy_last", '
        '(SELECT MAX("session"."last_seen_at") FROM "session" WHERE "session"."person" = "person"."id") AS "seen", '
        '(SELECT COUNT(*) FROM "absence_report" WHERE "absence_report"."person" = "person"."id" '
        'AND "absence_report"."seen_at" IS NULL) AS "reports", '
        '(SELECT "worker_file"."status" FROM "worker_file" WHERE "worker_file"."person" = "person"."id") AS "status" '
        'FROM "person" LEFT JOIN "person" "person$coach" ON ("person"."coach" = "person$coach"."id") '
        'LEFT JOIN "person" "person$buddy" ON ("person"."buddy" = "person$buddy"."id") '
        'WHERE {} ORDER BY "person"."first_name" ASC, "person"."last_name" ASC', where.querystring)


def workers_query(condition):
    """Active workers matching `condition`, with their coach's and buddy's names."""
    return Person.select(
        Person.id, Person.first_name, Person.last_name, Person.created_at, Person.organisation, Person.coach,
        Person.buddy, Person.coach.first_name.as_alias("coach_first"), Person.coach.last_name.as_alias("coach_last"),
        Person.buddy.first_name.as_alias("buddy_first"), Person.buddy.last_name.as_alias("buddy_last"),
    ).where((Person.role == Role.WORKER) & (Person.active == True) & condition)  # noqa: E712


def worker_ids(condition):
    """A subquery of the ids of active workers matching `condition`."""
    return Person.select(Person.id).where((Person.role == Role.WORKER) & (Person.active == True) & condition)  # noqa: E712
