"""The Home's reads, written out by hand (issue 14): Piccolo's query builder cost more than the
queries, and the Home asked a dozen of them one after another. Two statements for a worker's Home
in the usual case (three when a series may have days not stored yet), none per item, each by the
person's own indexed rows, on `db.point_read` (inline on SQLite, a kept connection on PostgreSQL).
They return what the services they stand in for return, value for value:

- `facts`: the unread count (`home.services.unread_count`), the home's coordinates, whether a live
  series of theirs is not stored up to the last day, and for a worker their latest reports
  (`schedule.attendance.list_reports`) and the sick reports that reach the Home's days
  (`with_absences`, the Home's "sick until"; split by `split_reports`);
- `own_items`: `schedule.services.read_items(first, last, person_id=p, include_participants=False,
  viewer=p)`, with a flag per item whether the worker asked a ride to it.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any, NamedTuple
from uuid import UUID

import msgspec

from backend.db import point_read
from backend.schedule import recurrence
from backend.schedule import services as schedule
from backend.schedule.schemas import AttendanceOut, ItemOut, ReportOut
from backend.schedule.tables import ScheduleItem, ScheduleSeries

# Live series the person is planned in that are not stored up to a day: the LIKE finds the id in
# the JSON text of `participants` (the exact check follows in Python, as `_live_series` does).
# - The OR is two whole terms, each with `ended_at IS NULL`, so that SQLite answers each from the
#   partial index of live series by `expanded_until` (a MULTI-INDEX OR): only the few series not
#   expanded far enough are read, not every series of every organisation (with 1,000 series
#   115 -> 2.4 us).
# - The CASE is for SQLite: a LIKE on a bound parameter as a term of its own makes SQLite prepare
#   the statement again at every run, to try its LIKE optimisation (29 against 4 us here).
_LIVE = (
    '((s.ended_at IS NULL AND s.expanded_until IS NULL) OR (s.ended_at IS NULL AND s.expanded_until < {})) '
    'AND CASE WHEN TRUE THEN CAST(s.participants AS TEXT) LIKE {} END'
)
_SERIES = 'SELECT * FROM "schedule_series" s WHERE ' + _LIVE

# The person's stored items overlapping [start, end) with their place, their own attendance and
# whether they asked a ride to it (`items_out` with `viewer`). A person is planned on an item once
# (participant's key), so the join gives each item once. Of the workplace and the attendance only
# whether there is one is read as a flag (no id to convert).
# The plannings are found by the copy of the item's start they carry, in the index by person and
# start: an item overlapping [start, end) starts at most MAX_DURATION before `start`. A planning
# without the copy is found too, and the item's own times decide. The OR is written as two whole
# terms so that SQLite answers each from the index (a MULTI-INDEX OR; with `person` outside the OR
# it walked all of the person's entries): for 336 plannings 305 -> 28 us, with the attendance
# index of the same migration.
_ITEMS = (
    'SELECT i.id, i.series, i.title, i.kind, i.starts_at, i.ends_at, i.workplace, i.address, '
    'i.latitude, i.longitude, i.contact_name, i.contact_phone, i.bring, i.note, i.cancelled_at, '
    'CASE WHEN w.id IS NULL THEN 0 ELSE 1 END AS wp_found, w.name AS wp_name, w.street AS wp_street, '
    'w.postcode AS wp_postcode, w.city AS wp_city, w.latitude AS wp_latitude, w.longitude AS wp_longitude, '
    'CASE WHEN a.id IS NULL THEN 0 ELSE 1 END AS a_found, a.status AS a_status, '
    'a.checked_in_at AS a_checked_in_at, a.updated_at AS a_updated_at, a.received_at AS a_received_at, '
    'CASE WHEN EXISTS (SELECT 1 FROM "ride_request" q WHERE q.worker = {} AND q.item = i.id) '
    'THEN 1 ELSE 0 END AS asked '
    'FROM "participant" p JOIN "schedule_item" i ON i.id = p.item '
    'LEFT JOIN "workplace" w ON w.id = i.workplace '
    'LEFT JOIN "attendance" a ON a.item = i.id AND a.person = {} '
    'WHERE ((p.person = {} AND p.starts_at >= {} AND p.starts_at < {}) OR (p.person = {} AND p.starts_at IS NULL)) '
    'AND i.ends_at > {} AND i.starts_at < {} '
    'ORDER BY i.starts_at'
)

REPORTS_LIMIT = 20
_LATEST = 'SELECT x.id FROM "absence_report" x WHERE x.person = {} ORDER BY x.created_at DESC LIMIT ' \
          + str(REPORTS_LIMIT)
_FACT_COLUMNS = (
    '(SELECT COUNT(*) FROM "recipient" r JOIN "reminder" m ON m.id = r.reminder '
    'WHERE r.person = {} AND r.read_at IS NULL AND m.due_at <= {} AND m.cancelled_at IS NULL) AS unread, '
    'CASE WHEN EXISTS (SELECT 1 FROM "schedule_series" s WHERE ' + _LIVE + ') THEN 1 ELSE 0 END AS series, '
    'h.person AS home_person, h.latitude AS home_latitude, h.longitude AS home_longitude '
    'FROM (SELECT 1 AS one) x LEFT JOIN "home" h ON h.person = {}'
)
_FACTS = 'SELECT ' + _FACT_COLUMNS

# The worker's Home: the facts and the reports in one statement (one round trip fewer on
# PostgreSQL). The report rows come first (part 0): SQLite takes a compound's column types from its
# first SELECT, so their UUIDs and dates are converted as a table's; the facts row (part 1)
# follows with NULL for the report columns, and the report rows have NULL for the facts'.
_FACTS_AND_REPORTS = (
    'SELECT 0 AS part, r.id, r.person, r.kind, r.first_day, r.last_day, r.minutes_late, r.item, r.note, '
    f'r.created_at, r.seen_at, CASE WHEN r.id IN ({_LATEST}) THEN 1 ELSE 0 END AS recent, '
    'NULL AS unread, NULL AS series, NULL AS home_person, NULL AS home_latitude, NULL AS home_longitude '
    'FROM "absence_report" r WHERE r.person = {} '
    f'AND (r.id IN ({_LATEST}) OR (r.kind = {{}} AND r.first_day <= {{}} AND r.last_day >= {{}})) '
    'UNION ALL SELECT 1 AS part, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '
    + _FACT_COLUMNS + ' ORDER BY part, created_at DESC'
)


def _db():
    return ScheduleItem._meta.db


def _json(value: Any) -> Any:
    return msgspec.json.decode(value) if isinstance(value, str | bytes) else value


async def live_series(person_id: UUID, short_of: dt.date) -> list[ScheduleSeries]:
    """`schedule.services._live_series(person_id=..., short_of=...)` filtered in SQL."""
    rows = await point_read(_db(), _SERIES, short_of, f"%{person_id}%")
    out = []
    for row in rows:
        if str(person_id) not in _json(row["participants"]):
            continue
        out.append(ScheduleSeries(**row, _exists_in_db=True))
    return out


def _item(row: dict, person_id: UUID) -> ItemOut:
    item = SimpleNamespace(
        id=row["id"], series=row["series"], title=row["title"], kind=row["kind"], starts_at=row["starts_at"],
        ends_at=row["ends_at"], workplace=row["workplace"], address=row["address"], latitude=row["latitude"],
        longitude=row["longitude"], contact_name=row["contact_name"], contact_phone=row["contact_phone"],
        bring=_json(row["bring"]), note=row["note"])
    wp = SimpleNamespace(name=row["wp_name"], street=row["wp_street"], postcode=row["wp_postcode"],
                         city=row["wp_city"], latitude=row["wp_latitude"], longitude=row["wp_longitude"]) \
        if row["wp_found"] else None
    attendance = [AttendanceOut(person_id=person_id, status=row["a_status"], checked_in_at=row["a_checked_in_at"],
                                updated_at=row["a_updated_at"], received_at=row["a_received_at"])] \
        if row["a_found"] else []
    return schedule._item_out(item, wp, cancelled=row["cancelled_at"] is not None, participant_ids=[],
                              attendance=attendance)


async def own_items(person_id: UUID, first: dt.date, last: dt.date,
                    series_possible: bool = True) -> tuple[list[ItemOut], set[UUID]]:
    """The person's items overlapping the local days `first`..`last`, exactly as `read_items` gives
    them to the person themself; and the ids of those they asked a ride to. `series_possible`
    False: `facts`, read before, found no live series of theirs short of `last`."""
    # Series first, rows second, as in `read_items`: a day stored in between is then found as a row.
    series = await live_series(person_id, last) if series_possible else []
    start, end = recurrence.day_bounds(first, last)
    rows = await point_read(_db(), _ITEMS, person_id, person_id, person_id, start - schedule.MAX_DURATION, end,
                            person_id, start, end)
    asked = {r["id"] for r in rows if r["asked"]}
    if not series:
        return [_item(r, person_id) for r in rows], asked
    ids = [r["id"] for r in rows]
    virtual, stored_meanwhile = await schedule._virtual_items(series, first, last, False)
    late = [i for i in stored_meanwhile if i not in set(ids)]
    if late:  # stored between the two reads: as `read_items` does it
        stored = await schedule.items_out(ids + late, include_participants=False, viewer=person_id)
        stored = [i for i in stored if i.ends_at > start and i.starts_at < end]
        asked = None  # unknown for the late ones: the caller asks
    else:
        stored = [_item(r, person_id) for r in rows]
    return (sorted(stored + virtual, key=lambda i: i.starts_at) if virtual else stored), asked


def _report(row: dict, name: str) -> ReportOut:
    return ReportOut(id=row["id"], person_id=row["person"], person_name=name, kind=row["kind"],
                     first_day=row["first_day"], last_day=row["last_day"], minutes_late=row["minutes_late"],
                     item_id=row["item"], note=row["note"], created_at=row["created_at"], seen_at=row["seen_at"])


def split_reports(rows: list[dict], name: str, first: dt.date, last: dt.date) -> tuple[list[ReportOut], list[dict]]:
    """Of report rows (newest first): the latest, as `ReportOut` (`name`: the person's "first
    last"), and the sick reports that reach the days `first`..`last`."""
    latest = [_report(r, name) for r in rows if r["recent"]]
    sick = [r for r in rows if r["kind"] == "sick" and r["first_day"] <= last and r["last_day"] >= first]
    return latest, sick


class Facts(NamedTuple):
    unread: int  # messages due by `at`, not opened, not called off
    home: tuple[float | None, float | None] | None  # the home's coordinates, None without a home row
    series: bool  # a live series may have days of theirs not stored up to `short_of`
    reports: list[dict]  # with `reports_from`: their report rows (for `split_reports`), else []


async def facts(person_id: UUID, at: dt.datetime, short_of: dt.date,
                reports_from: dt.date | None = None) -> Facts:
    """What the Home needs besides the items, in one statement. `series`: `live_series` then reads
    the series (read before the items, as `own_items` wants). `reports_from`: also the person's
    latest reports and their sick reports that reach a day from `reports_from` to `short_of`."""
    fact_args = (person_id, at, short_of, f"%{person_id}%", person_id)
    if reports_from is None:
        rows = await point_read(_db(), _FACTS, *fact_args)
    else:
        rows = await point_read(_db(), _FACTS_AND_REPORTS, person_id, person_id, person_id, "sick", short_of,
                                reports_from, *fact_args)
    row = rows[-1]
    home = (row["home_latitude"], row["home_longitude"]) if row["home_person"] is not None else None
    return Facts(int(row["unread"] or 0), home, bool(row["series"]), rows[:-1])
