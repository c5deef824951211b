"""Warnings before planning: a worker who is already planned at that time.

Planning the same weekly series twice, or a training on top of a worker's shift, is almost always
a mistake, but not always (a short coach meeting during a shift is fine). So saving never refuses
it; the form first asks what the plan would clash with (`POST /api/schedule/items/conflicts` or
`/series/conflicts`, with the very body it is about to save), shows every clash, and saves only
when the coach says "Toch opslaan". The check reads what is planned (stored rows and series days
beyond the stored horizon) and never writes.
"""

from __future__ import annotations

import asyncio
import bisect
import datetime as dt
from dataclasses import dataclass
from uuid import UUID

from backend.access import Actor
from backend.accounts.tables import Person
from backend.schedule import recurrence
from backend.schedule.schemas import ConflictOut, ConflictsOut, ItemCreate, SeriesCreate
from backend.schedule.services import (
    _check_series_times,
    _check_span,
    _organisation,
    _place_values,
    now,
    read_items,
    require_coach,
    resolve_workers,
)

# A series is checked over its first 26 weeks from today (or from its first day, if later): a
# duplicate or a clash with a fixed pattern shows within that, and a series without an end date
# would otherwise mean checking for ever.
SERIES_CHECK_DAYS = 182
# Enough to see what is wrong; a group planned on top of a group's series is one line per worker.
MAX_CONFLICTS = 50


@dataclass
class _Clash:
    worker: UUID
    first: object  # the earliest ItemOut that clashes
    count: int = 0


def series_spans(weekdays: set[int], start_time: str, end_time: str, valid_from: dt.date,
                 valid_until: dt.date | None, today: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
    """The instants a new series will occupy within the checked window."""
    first = max(valid_from, today)
    last = first + dt.timedelta(days=SERIES_CHECK_DAYS - 1)
    if valid_until is not None:
        last = min(last, valid_until)
    if last < first:
        return []
    return [(o.starts_at, o.ends_at) for o in recurrence.occurrences(
        weekdays, recurrence.parse_hhmm(start_time), recurrence.parse_hhmm(end_time), first, last)]


# Up to this many workers their own items are read one worker at a time (the usual plan is for one);
# a bigger group reads the organisation's items once.
PER_WORKER_READS = 5


async def _planned(organisation_id: UUID, workers: list[UUID], first: dt.date, last: dt.date) -> list:
    """The items (with participants) of the organisation in which one of `workers` may be planned."""
    if len(workers) > PER_WORKER_READS:
        return await read_items(first, last, organisation_id=organisation_id, include_participants=True)
    found = await asyncio.gather(*(read_items(first, last, organisation_id=organisation_id, person_id=w,
                                              include_participants=True) for w in workers))
    unique = {item.id: item for items in found for item in items}  # an item of two of them, once
    return list(unique.values())


async def find_conflicts(organisation_id: UUID, worker_ids: list[UUID],
                         spans: list[tuple[dt.datetime, dt.datetime]], *, title: str = "",
                         series_times: tuple[str, str] | None = None) -> list[ConflictOut]:
    """Items (not cancelled) of the organisation in which one of `worker_ids` is planned and that
    overlap one of `spans` (touching ends do not count: 08:00-12:00 then 12:00-16:00 is fine).

    One entry per worker and clashing series (or one-off item), with the first day and how many
    days clash. `same_series` marks a series planned again: same title and the same times."""
    if not spans or not worker_ids:
        return []
    spans = sorted(spans)
    starts = [s for s, _ in spans]
    # Spans of one plan never overlap one another (one day each, at most 24 hours), so their ends
    # are sorted too: the last span that starts before an item ends is the one to compare with.
    first_day = recurrence.to_local(spans[0][0]).date()
    last_day = recurrence.to_local(max(e for _, e in spans)).date()
    workers = set(worker_ids)
    items = await _planned(organisation_id, list(workers), first_day, last_day)
    clashes: dict[tuple[UUID, UUID], _Clash] = {}
    for item in items:
        if item.cancelled:
            continue
        people = workers.intersection(item.participant_ids)
        if not people:
            continue
        index = bisect.bisect_left(starts, item.ends_at)
        if index == 0 or spans[index - 1][1] <= item.starts_at:
            continue
        for person in people:
            clash = clashes.setdefault((person, item.series_id or item.id), _Clash(person, item))
            clash.count += 1
    if not clashes:
        return []
    names = {p["id"]: f"{p['first_name']} {p['last_name']}".strip() for p in await Person.select(
        Person.id, Person.first_name, Person.last_name).where(Person.id.is_in(list({c.worker for c in clashes.values()})))}
    order = {w: i for i, w in enumerate(worker_ids)}
    out = []
    for clash in sorted(clashes.values(), key=lambda c: (order.get(c.worker, 0), c.first.starts_at)):
        item = clash.first
        same = (series_times is not None and item.series_id is not None
                and (item.local_start, item.local_end) == series_times
                and item.title.strip().casefold() == title.strip().casefold())
        out.append(ConflictOut(worker_id=clash.worker, worker_name=names.get(clash.worker, ""), item_id=item.id,
                               series_id=item.series_id, title=item.title, kind=item.kind,
                               local_date=item.local_date, local_start=item.local_start,
                               local_end=item.local_end, count=clash.count, same_series=same))
    return out[:MAX_CONFLICTS]


async def item_conflicts(actor: Actor, data: ItemCreate) -> ConflictsOut:
    """What `POST /api/schedule/items` with this body would clash with (checked like saving it)."""
    require_coach(actor)
    org_id = _organisation(actor)
    starts_at, ends_at = recurrence.assume_local(data.starts_at), recurrence.assume_local(data.ends_at)
    _check_span(starts_at, ends_at)
    workers = await resolve_workers(actor, org_id, data.worker_ids, data.group_id)
    await _place_values(org_id, data.place)
    return ConflictsOut(conflicts=await find_conflicts(org_id, workers, [(starts_at, ends_at)]))


async def series_conflicts(actor: Actor, data: SeriesCreate) -> ConflictsOut:
    """What `POST /api/schedule/series` with this body would clash with in its first 26 weeks."""
    require_coach(actor)
    org_id = _organisation(actor)
    _check_series_times(data.start_time, data.end_time, data.valid_from, data.valid_until)
    workers = await resolve_workers(actor, org_id, data.worker_ids, data.group_id)
    await _place_values(org_id, data.place)
    spans = series_spans(set(data.weekdays), data.start_time, data.end_time, data.valid_from, data.valid_until,
                         recurrence.local_today(now()))
    return ConflictsOut(conflicts=await find_conflicts(org_id, workers, spans, title=data.title,
                                                       series_times=(data.start_time, data.end_time)))
