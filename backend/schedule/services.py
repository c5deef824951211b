"""Planning: one-off items, weekly series with their expansion, groups, and who sees which item."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any
from uuid import UUID, uuid5

import msgspec

from backend.access import (
    Actor,
    Role,
    can_manage_organisation,
    can_plan_for_group,
    can_see_schedule_item,
    is_staff,
    organisation_scope,
    records_scope,
    require_staff,
    visible_or_404,
)
from backend.accounts.tables import Person
from backend.errors import Forbidden, InvalidInput, NotFound
from backend.organisations.tables import Workplace
from backend.schedule import recurrence
from backend.schedule.schemas import (
    AttendanceOut,
    GroupCreate,
    GroupOut,
    ItemCreate,
    ItemOut,
    ItemUpdate,
    PlaceIn,
    PlaceOut,
    SeriesCreate,
    SeriesOut,
    SeriesUpdate,
)
from backend.schedule.tables import (
    Attendance,
    Group,
    GroupMember,
    Participant,
    ScheduleItem,
    ScheduleSeries,
)

MAX_DURATION = dt.timedelta(hours=24)
# Series are kept expanded (one row per day) this far ahead of today: by the `expand-series` job and
# when a series is made or changed. A read further out computes the occurrences in memory ("virtual"
# items, read-only) and never writes: a week in 2029 must not insert three years of rows.
HORIZON = dt.timedelta(weeks=8)
MAX_RANGE_DAYS = 62
MAX_SERIES_DAYS = 366
# Namespace of occurrence ids: the id of a series' day is uuid5(namespace, '<series>:<day>'), the same
# whether the day is still computed in memory or already stored, so a link or an offline copy keeps
# pointing at the same day when the horizon reaches it.
OCCURRENCES = UUID("5c0f3a52-8d1e-4f43-9a57-2b7b1c3e9d10")


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def horizon_end(at: dt.datetime | None = None) -> dt.date:
    """The last local day up to which series are stored as rows."""
    return recurrence.local_today(at or now()) + HORIZON


def occurrence_key(series_id: UUID, day: dt.date) -> str:
    return f"{series_id}:{day.isoformat()}"


def occurrence_id(key: str) -> UUID:
    return uuid5(OCCURRENCES, key)


# Planning is for staff (coaches and admins); kept under this name for the schedule's callers.
require_coach = require_staff


# --- participants -------------------------------------------------------------------------------

async def resolve_workers(actor: Actor, org_id: UUID, worker_ids: list[UUID], group_id: UUID | None) -> list[UUID]:
    """The workers to plan: listed ones and a group's members, all of the organisation."""
    ids: list[UUID] = list(dict.fromkeys(worker_ids))
    if group_id is not None:
        group = await Group.objects().where(Group.id == group_id).first()
        if group is None or group.organisation != org_id:
            raise NotFound()
        if not can_plan_for_group(actor, group):
            raise Forbidden("group_not_yours")
        members = await GroupMember.select(GroupMember.person).where(GroupMember.group == group_id)
        ids += [m["person"] for m in members if m["person"] not in ids]
    if not ids:
        raise InvalidInput.field("workerIds", "workers_required")
    found = await Person.select(Person.id).where(
        Person.id.is_in(ids) & (Person.organisation == org_id) & (Person.role == Role.WORKER)
        & (Person.active == True)  # noqa: E712
    )
    known = {row["id"] for row in found}
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise InvalidInput("invalid_input", field_errors=[
            ("workerIds", "worker_unknown", {"id": str(unknown[0])})])
    return ids


async def _place_values(org_id: UUID, place: PlaceIn | None) -> dict[str, Any]:
    if place is None:
        return {"workplace": None, "address": "", "latitude": None, "longitude": None}
    if (place.latitude is None) != (place.longitude is None):
        raise InvalidInput.field("place.latitude" if place.latitude is None else "place.longitude",
                                 "coordinates_pair")
    for name in ("latitude", "longitude"):
        value = getattr(place, name)
        if value is not None and not math.isfinite(value):
            raise InvalidInput.field(f"place.{name}", f"{name}_range")
    if place.workplace_id is not None:
        workplace = await Workplace.objects().where(Workplace.id == place.workplace_id).first()
        if workplace is None or workplace.organisation != org_id:
            raise InvalidInput.field("place.workplaceId", "workplace_unknown")
        return {"workplace": workplace.id, "address": place.address.strip(),
                "latitude": place.latitude, "longitude": place.longitude}
    return {"workplace": None, "address": place.address.strip(), "latitude": place.latitude,
            "longitude": place.longitude}


def _check_span(starts_at: dt.datetime, ends_at: dt.datetime, start_field: str = "startsAt",
                end_field: str = "endsAt") -> None:
    if ends_at <= starts_at:
        raise InvalidInput.field(end_field, "end_before_start")
    if ends_at - starts_at > MAX_DURATION:
        raise InvalidInput.field(end_field, "longer_than_a_day")


def _organisation(actor: Actor) -> UUID:
    if actor.organisation_id is None:
        raise InvalidInput.field("organisationId", "organisation_required")
    return actor.organisation_id


# --- one-off items ------------------------------------------------------------------------------

async def create_item(actor: Actor, data: ItemCreate) -> ItemOut:
    require_coach(actor)
    org_id = _organisation(actor)
    starts_at, ends_at = recurrence.assume_local(data.starts_at), recurrence.assume_local(data.ends_at)
    _check_span(starts_at, ends_at)
    if not data.title.strip():
        raise InvalidInput.field("title", "blank")
    workers = await resolve_workers(actor, org_id, data.worker_ids, data.group_id)
    place = await _place_values(org_id, data.place)
    item = ScheduleItem(organisation=org_id, created_by=actor.id, title=data.title.strip(), kind=data.kind,
                        starts_at=starts_at, ends_at=ends_at, contact_name=data.contact_name.strip(),
                        contact_phone=data.contact_phone.strip(), bring=list(data.bring),
                        note=data.note.strip(), **place)
    async with ScheduleItem._meta.db.transaction():
        await item.save()
        await Participant.insert(*[Participant(item=item.id, person=w, key=f"{item.id}:{w}", starts_at=starts_at)
                                   for w in workers])
    return (await items_out([item.id], include_participants=True))[0]


# --- series -------------------------------------------------------------------------------------

def series_out(s: ScheduleSeries) -> SeriesOut:
    return SeriesOut(id=s.id, title=s.title, kind=s.kind, weekdays=[int(d) for d in s.weekdays.split(",")],
                     start_time=s.start_time, end_time=s.end_time, valid_from=s.valid_from,
                     valid_until=s.valid_until, participant_ids=[UUID(p) for p in _json(s.participants)],
                     ended=s.ended_at is not None)


def _json(value: Any) -> Any:
    return msgspec.json.decode(value) if isinstance(value, str | bytes) else value


def _check_series_times(start_time: str, end_time: str, valid_from: dt.date, valid_until: dt.date | None) -> None:
    if start_time == end_time:
        raise InvalidInput.field("endTime", "end_before_start")
    if valid_until is not None:
        if valid_until < valid_from:
            raise InvalidInput.field("validUntil", "until_before_from")
        if (valid_until - valid_from).days > MAX_SERIES_DAYS * 3:
            raise InvalidInput.field("validUntil", "series_too_long")


async def create_series(actor: Actor, data: SeriesCreate) -> SeriesOut:
    require_coach(actor)
    org_id = _organisation(actor)
    if not data.title.strip():
        raise InvalidInput.field("title", "blank")
    _check_series_times(data.start_time, data.end_time, data.valid_from, data.valid_until)
    workers = await resolve_workers(actor, org_id, data.worker_ids, data.group_id)
    place = await _place_values(org_id, data.place)
    series = ScheduleSeries(
        organisation=org_id, created_by=actor.id, title=data.title.strip(), kind=data.kind,
        weekdays=",".join(str(d) for d in sorted(set(data.weekdays))), start_time=data.start_time,
        end_time=data.end_time, valid_from=data.valid_from, valid_until=data.valid_until,
        contact_name=data.contact_name.strip(), contact_phone=data.contact_phone.strip(),
        bring=list(data.bring), note=data.note.strip(), participants=[str(w) for w in workers], **place)
    await series.save()
    await expand_series(series.id, horizon_end())
    return series_out(series)


def _last_day(series: ScheduleSeries, until: dt.date) -> dt.date:
    """The last day a series may have up to `until`: its end, and never more than 3 years."""
    return min(until, series.valid_until or until, series.valid_from + dt.timedelta(days=MAX_SERIES_DAYS * 3))


def _occurrences_of(series: ScheduleSeries, first: dt.date, last: dt.date) -> list[recurrence.Occurrence]:
    weekdays = {int(d) for d in series.weekdays.split(",")}
    return recurrence.occurrences(weekdays, recurrence.parse_hhmm(series.start_time),
                                  recurrence.parse_hhmm(series.end_time), first, last)


def _occurrence_row(series: ScheduleSeries, occ: recurrence.Occurrence) -> ScheduleItem:
    key = occurrence_key(series.id, occ.day)
    return ScheduleItem(
        id=occurrence_id(key), organisation=series.organisation, series=series.id, occurrence_key=key,
        created_by=series.created_by, title=series.title, kind=series.kind, starts_at=occ.starts_at,
        ends_at=occ.ends_at, workplace=series.workplace, address=series.address, latitude=series.latitude,
        longitude=series.longitude, contact_name=series.contact_name, contact_phone=series.contact_phone,
        bring=_json(series.bring), note=series.note)


async def _insert_occurrence(series: ScheduleSeries, occ: recurrence.Occurrence) -> bool:
    """Store one occurrence and its participants; False when its day is already stored."""
    # The id is derived from the key: a day stored meanwhile by another process (the job, a request)
    # conflicts on both, and is skipped whichever constraint reports it.
    # One transaction: a reader never sees the day without the people planned in it.
    async with ScheduleItem._meta.db.transaction():
        inserted = await ScheduleItem.insert(_occurrence_row(series, occ)).on_conflict(
            action="DO NOTHING").returning(ScheduleItem.id)
        if not inserted:
            return False
        item_id = inserted[0]["id"]
        participants = [UUID(p) for p in _json(series.participants)]
        if participants:
            await Participant.insert(*[Participant(item=item_id, person=p, key=f"{item_id}:{p}",
                                                   starts_at=occ.starts_at)
                                       for p in participants]).on_conflict(action="DO NOTHING")
    return True


async def expand_series(series_id: UUID, until: dt.date) -> int:
    """Create the occurrences of a series up to `until` (inclusive) that do not exist yet.

    Safe to run in several processes at once: occurrence keys are unique and conflicts are skipped.
    """
    series = await ScheduleSeries.objects().where(ScheduleSeries.id == series_id).first()
    if series is None or series.ended_at is not None:
        return 0
    last = _last_day(series, until)
    first = series.valid_from
    if series.expanded_until is not None:
        first = max(first, series.expanded_until + dt.timedelta(days=1))
    if first > last:
        return 0
    created = 0
    for occ in _occurrences_of(series, first, last):
        created += await _insert_occurrence(series, occ)
    await ScheduleSeries.update({ScheduleSeries.expanded_until: last}).where(ScheduleSeries.id == series.id)
    return created


async def ensure_expanded(until: dt.date, organisation_id: UUID | None = None,
                          person_id: UUID | None = None) -> int:
    """Expand every live series (of an organisation, or including a person) that stops short of `until`.

    This writes: it is for actions that need the rows (a sick report, ride requests) and for the
    horizon job. Reads use `read_items`, which never writes."""
    query = ScheduleSeries.select(ScheduleSeries.id, ScheduleSeries.participants).where(
        ScheduleSeries.ended_at.is_null()
        & (ScheduleSeries.expanded_until.is_null() | (ScheduleSeries.expanded_until < until))
    )
    if organisation_id is not None:
        query = query.where(ScheduleSeries.organisation == organisation_id)
    created = 0
    for row in await query:
        if person_id is not None and str(person_id) not in _json(row["participants"]):
            continue
        created += await expand_series(row["id"], until)
    return created


async def expand_horizon(at: dt.datetime | None = None) -> int:
    """The `expand-series` job: every live series stored up to `horizon_end`, rolling day by day."""
    return await ensure_expanded(horizon_end(at))


async def visible_series(actor: Actor, series_id: UUID) -> ScheduleSeries:
    require_coach(actor)
    series = await ScheduleSeries.objects().where(ScheduleSeries.id == series_id).first()
    if series is None:
        raise NotFound()
    visible_or_404(can_manage_organisation(actor, series.organisation))
    return series


async def update_series(actor: Actor, series_id: UUID, data: SeriesUpdate) -> SeriesOut:
    """Change a series from now on: future occurrences not changed by hand are made again."""
    series = await visible_series(actor, series_id)
    if series.ended_at is not None:
        raise InvalidInput.field("seriesId", "series_ended")
    values: dict[Any, Any] = {}
    for name in ("title", "kind", "start_time", "end_time", "contact_name", "contact_phone", "note"):
        value = getattr(data, name)
        if value is not msgspec.UNSET:
            values[getattr(ScheduleSeries, name)] = value.strip() if isinstance(value, str) else value
    if data.title is not msgspec.UNSET and not data.title.strip():
        raise InvalidInput.field("title", "blank")
    if data.weekdays is not msgspec.UNSET:
        values[ScheduleSeries.weekdays] = ",".join(str(d) for d in sorted(set(data.weekdays)))
    if data.bring is not msgspec.UNSET:
        values[ScheduleSeries.bring] = list(data.bring)
    if data.valid_until is not msgspec.UNSET:
        values[ScheduleSeries.valid_until] = data.valid_until
    if data.place is not msgspec.UNSET:
        for key, value in (await _place_values(series.organisation, data.place)).items():
            values[getattr(ScheduleSeries, key)] = value
    start = values.get(ScheduleSeries.start_time, series.start_time)
    end = values.get(ScheduleSeries.end_time, series.end_time)
    until = values.get(ScheduleSeries.valid_until, series.valid_until)
    _check_series_times(start, end, series.valid_from, until)
    cutoff = now()
    # Occurrences that remain (started, changed by hand, attended) keep their unique key, so the
    # new expansion from today skips exactly those days.
    values[ScheduleSeries.expanded_until] = max(series.valid_from, recurrence.local_today(cutoff)) \
        - dt.timedelta(days=1)
    async with ScheduleSeries._meta.db.transaction():
        await _drop_future_occurrences(series.id, cutoff)
        await ScheduleSeries.update(values).where(ScheduleSeries.id == series.id)
    await expand_series(series.id, horizon_end())
    return series_out(await ScheduleSeries.objects().where(ScheduleSeries.id == series.id).first())


async def _drop_future_occurrences(series_id: UUID, cutoff: dt.datetime) -> None:
    """Delete occurrences that start after `cutoff`, were not changed by hand and have no attendance."""
    rows = await ScheduleItem.select(ScheduleItem.id).where(
        (ScheduleItem.series == series_id) & (ScheduleItem.starts_at > cutoff) & (ScheduleItem.modified == False)  # noqa: E712
    )
    ids = [r["id"] for r in rows]
    if not ids:
        return
    attended = {r["item"] for r in await Attendance.select(Attendance.item).where(Attendance.item.is_in(ids))}
    drop = [i for i in ids if i not in attended]
    if drop:
        await Participant.delete().where(Participant.item.is_in(drop))
        await ScheduleItem.delete().where(ScheduleItem.id.is_in(drop))


async def end_series(actor: Actor, series_id: UUID) -> SeriesOut:
    """Stop a series: its future occurrences are cancelled (kept, so workers see the change)."""
    series = await visible_series(actor, series_id)
    stamp = now()
    async with ScheduleSeries._meta.db.transaction():
        await ScheduleSeries.update({ScheduleSeries.ended_at: stamp}).where(ScheduleSeries.id == series.id)
        await ScheduleItem.update({ScheduleItem.cancelled_at: stamp}).where(
            (ScheduleItem.series == series.id) & (ScheduleItem.starts_at > stamp)
            & ScheduleItem.cancelled_at.is_null())
    return series_out(await ScheduleSeries.objects().where(ScheduleSeries.id == series.id).first())


# --- reading items ------------------------------------------------------------------------------

async def items_out(item_ids: list[UUID], include_participants: bool, viewer: UUID | None = None) -> list[ItemOut]:
    """Items with place names, participants and attendance; a worker sees only their own attendance."""
    if not item_ids:
        return []
    items = await ScheduleItem.objects().where(ScheduleItem.id.is_in(item_ids)).order_by(ScheduleItem.starts_at) \
        .output(load_json=True)
    workplace_ids = {i.workplace for i in items if i.workplace}
    workplaces = {w.id: w for w in await Workplace.objects().where(Workplace.id.is_in(list(workplace_ids)))} \
        if workplace_ids else {}
    participants: dict[UUID, list[UUID]] = {}
    for row in await Participant.select(Participant.item, Participant.person).where(Participant.item.is_in(item_ids)):
        participants.setdefault(row["item"], []).append(row["person"])
    attendance_query = Attendance.objects().where(Attendance.item.is_in(item_ids))
    if viewer is not None:
        attendance_query = attendance_query.where(Attendance.person == viewer)
    attendance: dict[UUID, list[AttendanceOut]] = {}
    for a in await attendance_query:
        attendance.setdefault(a.item, []).append(AttendanceOut(person_id=a.person, status=a.status,
                                                               checked_in_at=a.checked_in_at,
                                                               updated_at=a.updated_at,
                                                               received_at=a.received_at))
    return [_item_out(i, workplaces.get(i.workplace), cancelled=i.cancelled_at is not None,
                      participant_ids=participants.get(i.id, []) if include_participants else [],
                      attendance=attendance.get(i.id, [])) for i in items]


def _workplace_address(wp: Workplace) -> str:
    """"Straat 1, 3600 Genk", or what there is of it."""
    town = f"{wp.postcode} {wp.city}".strip()
    return f"{wp.street}, {town}" if wp.street and town else (wp.street or town)


def _item_out(i: ScheduleItem, wp: Workplace | None, *, cancelled: bool, participant_ids: list[UUID],
              attendance: list[AttendanceOut], virtual: bool = False) -> ItemOut:
    address = i.address or (_workplace_address(wp) if wp else "")
    place = PlaceOut(workplace_id=i.workplace, name=wp.name if wp else "", address=address,
                     latitude=i.latitude if i.latitude is not None else (wp.latitude if wp else None),
                     longitude=i.longitude if i.longitude is not None else (wp.longitude if wp else None))
    local_start, local_end = recurrence.to_local(i.starts_at), recurrence.to_local(i.ends_at)
    return ItemOut(
        id=i.id, series_id=i.series, title=i.title, kind=i.kind, starts_at=i.starts_at, ends_at=i.ends_at,
        local_date=local_start.date(), local_start=recurrence.hhmm(local_start),
        local_end=recurrence.hhmm(local_end), place=place, contact_name=i.contact_name,
        contact_phone=i.contact_phone, bring=list(i.bring or []), note=i.note, cancelled=cancelled,
        participant_ids=participant_ids, attendance=attendance, virtual=virtual)


# --- occurrences beyond the stored horizon -----------------------------------------------------------

async def _live_series(*, organisation_id: UUID | None = None, person_id: UUID | None = None,
                       short_of: dt.date | None = None) -> list[ScheduleSeries]:
    """Live series (of an organisation, including a person) not stored up to `short_of`."""
    query = ScheduleSeries.objects().where(ScheduleSeries.ended_at.is_null())
    if short_of is not None:
        query = query.where(ScheduleSeries.expanded_until.is_null() | (ScheduleSeries.expanded_until < short_of))
    if organisation_id is not None:
        query = query.where(ScheduleSeries.organisation == organisation_id)
    rows = await query
    if person_id is not None:
        rows = [r for r in rows if str(person_id) in _json(r.participants)]
    return rows


def _unstored_days(series: ScheduleSeries, first: dt.date, last: dt.date) -> list[recurrence.Occurrence]:
    """The series' occurrences from `first` to `last` on days after the stored ones."""
    lo = max(first, series.valid_from)
    if series.expanded_until is not None:
        lo = max(lo, series.expanded_until + dt.timedelta(days=1))
    hi = _last_day(series, last)
    return _occurrences_of(series, lo, hi) if lo <= hi else []


async def _virtual_items(series: list[ScheduleSeries], first: dt.date, last: dt.date,
                         include_participants: bool) -> tuple[list[ItemOut], list[UUID]]:
    """Occurrences of `series` whose day is not stored, overlapping the local days `first`..`last`;
    and the ids of the rows of those days that are stored after all (by the job, meanwhile)."""
    start, end = recurrence.day_bounds(first, last)
    found = [(s, occ) for s in series
             # From the day before: a night shift that starts then still runs into `first`.
             for occ in _unstored_days(s, first - dt.timedelta(days=1), last)
             if occ.ends_at > start and occ.starts_at < end]
    if not found:
        return [], []
    keys = [occurrence_key(s.id, occ.day) for s, occ in found]
    # A day the horizon job stored meanwhile is read from its row, never twice.
    rows = await ScheduleItem.select(ScheduleItem.id, ScheduleItem.occurrence_key).where(
        ScheduleItem.occurrence_key.is_in(keys))
    stored = {r["occurrence_key"] for r in rows}
    workplace_ids = list({s.workplace for s, _ in found if s.workplace})
    workplaces = {w.id: w for w in await Workplace.objects().where(Workplace.id.is_in(workplace_ids))} \
        if workplace_ids else {}
    out = []
    for (s, occ), key in zip(found, keys):
        if key in stored:
            continue
        row = _occurrence_row(s, occ)
        people = [UUID(p) for p in _json(s.participants)] if include_participants else []
        out.append(_item_out(row, workplaces.get(s.workplace), cancelled=False, participant_ids=people,
                             attendance=[], virtual=True))
    return out, [r["id"] for r in rows]


async def find_virtual(actor: Actor, item_id: UUID) -> tuple[ScheduleSeries, recurrence.Occurrence] | None:
    """The series day behind a virtual item's id, when the asker may see it (None otherwise)."""
    if actor.role == Role.BUDDY:  # buddies see items only as rides
        return None
    scope = records_scope(actor)
    series = await _live_series(person_id=scope.person, organisation_id=scope.organisation)
    far = dt.date.max - dt.timedelta(days=2)
    for s in series:
        for occ in _unstored_days(s, s.valid_from, far):
            key = occurrence_key(s.id, occ.day)
            if occurrence_id(key) == item_id:
                stored = await ScheduleItem.exists().where(ScheduleItem.occurrence_key == key)
                return None if stored else (s, occ)
    return None


async def materialise(actor: Actor, item_id: UUID) -> bool:
    """Store the one occurrence behind a virtual id (to cancel or move that day); False if none."""
    found = await find_virtual(actor, item_id)
    if found is None:
        return False
    await _insert_occurrence(*found)
    return True


async def read_items(first: dt.date, last: dt.date, *, person_id: UUID | None = None,
                     organisation_id: UUID | None = None, include_participants: bool,
                     viewer: UUID | None = None) -> list[ItemOut]:
    """Items overlapping the local days `first`..`last` (of an organisation, or in which a person is
    planned): stored rows, and series days beyond the stored horizon computed in memory. Never writes."""
    # Series first, rows second: a day stored in between is then found as a row (and skipped above).
    series = await _live_series(organisation_id=organisation_id, person_id=person_id, short_of=last)
    start, end = recurrence.day_bounds(first, last)
    query = ScheduleItem.select(ScheduleItem.id).where((ScheduleItem.ends_at > start) & (ScheduleItem.starts_at < end))
    if organisation_id is not None:
        query = query.where(ScheduleItem.organisation == organisation_id)
    if person_id is not None:
        query = query.where(ScheduleItem.id.is_in(Participant.select(Participant.item).where(
            Participant.person == person_id)))
    ids = [r["id"] for r in await query]
    virtual, stored_meanwhile = await _virtual_items(series, first, last, include_participants)
    late = [i for i in stored_meanwhile if i not in set(ids)]
    stored = await items_out(ids + late, include_participants=include_participants, viewer=viewer)
    if late:  # stored between the two reads: kept if in range (a day moved by hand may not be)
        stored = [i for i in stored if i.ends_at > start and i.starts_at < end]
    return sorted(stored + virtual, key=lambda i: i.starts_at) if virtual else stored


def _range(first: dt.date | None, last: dt.date | None, default_days: int = 7) -> tuple[dt.date, dt.date]:
    first = first or recurrence.local_today()
    last = last or first + dt.timedelta(days=default_days - 1)
    if last < first:
        raise InvalidInput.field("to", "until_before_from")
    if (last - first).days > MAX_RANGE_DAYS:
        raise InvalidInput.field("to", "range_too_long", n=MAX_RANGE_DAYS)
    return first, last


async def my_items(actor: Actor, first: dt.date | None, last: dt.date | None) -> list[ItemOut]:
    """A worker's own items in a date range (default: today and the next six days)."""
    first, last = _range(first, last)
    return await read_items(first, last, person_id=actor.id, include_participants=False, viewer=actor.id)


async def list_items(actor: Actor, worker_id: UUID | None, first: dt.date | None, last: dt.date | None) -> list[ItemOut]:
    """A coach's view of the organisation's items, optionally for one worker."""
    require_coach(actor)
    first, last = _range(first, last)
    org_id = organisation_scope(actor)
    if worker_id is not None:
        worker = await Person.objects().where(Person.id == worker_id).first()
        if worker is None:
            raise NotFound()
        visible_or_404(can_manage_organisation(actor, worker.organisation))
        org_id = worker.organisation
    return await read_items(first, last, organisation_id=org_id, person_id=worker_id, include_participants=True)


async def visible_item(actor: Actor, item_id: UUID) -> ScheduleItem:
    """Coaches see their organisation's items, workers the items they are planned in; else 404."""
    item = await ScheduleItem.objects().where(ScheduleItem.id == item_id).first()
    if item is None:
        raise NotFound()
    participates = actor.role == Role.WORKER and await Participant.exists().where(
        (Participant.item == item.id) & (Participant.person == actor.id))
    visible_or_404(can_see_schedule_item(actor, item, participates=participates))
    return item


async def get_item(actor: Actor, item_id: UUID) -> ItemOut:
    staff = is_staff(actor)
    if not await ScheduleItem.exists().where(ScheduleItem.id == item_id):
        found = await find_virtual(actor, item_id)
        if found is None:
            raise NotFound()
        day = found[1].day
        return next(i for i in (await _virtual_items([found[0]], day, day, staff))[0] if i.id == item_id)
    item = await visible_item(actor, item_id)
    return (await items_out([item.id], include_participants=staff, viewer=None if staff else actor.id))[0]


async def _store_if_virtual(actor: Actor, item_id: UUID) -> None:
    """A coach changing one day beyond the horizon: that day (only) becomes a row first."""
    if not await ScheduleItem.exists().where(ScheduleItem.id == item_id):
        await materialise(actor, item_id)


async def update_item(actor: Actor, item_id: UUID, data: ItemUpdate) -> ItemOut:
    """Change one item (move one day of a series, change the place); marks it as changed by hand."""
    require_coach(actor)
    await _store_if_virtual(actor, item_id)
    item = await visible_item(actor, item_id)
    values: dict[Any, Any] = {ScheduleItem.modified: True}
    starts_at = recurrence.assume_local(data.starts_at) if data.starts_at is not msgspec.UNSET else item.starts_at
    ends_at = recurrence.assume_local(data.ends_at) if data.ends_at is not msgspec.UNSET else item.ends_at
    _check_span(starts_at, ends_at)
    values[ScheduleItem.starts_at], values[ScheduleItem.ends_at] = starts_at, ends_at
    for name in ("title", "contact_name", "contact_phone", "note"):
        value = getattr(data, name)
        if value is not msgspec.UNSET:
            values[getattr(ScheduleItem, name)] = value.strip()
    if data.title is not msgspec.UNSET and not data.title.strip():
        raise InvalidInput.field("title", "blank")
    if data.bring is not msgspec.UNSET:
        values[ScheduleItem.bring] = list(data.bring)
    if data.place is not msgspec.UNSET:
        for key, value in (await _place_values(item.organisation, data.place)).items():
            values[getattr(ScheduleItem, key)] = value
    async with ScheduleItem._meta.db.transaction():  # the plannings' copy of the start moves with it
        await ScheduleItem.update(values).where(ScheduleItem.id == item.id)
        await Participant.update({Participant.starts_at: starts_at}).where(Participant.item == item.id)
    return await get_item(actor, item.id)


async def set_cancelled(actor: Actor, item_id: UUID, cancelled: bool) -> ItemOut:
    """Cancel one item (a holiday, a day off) or undo that."""
    require_coach(actor)
    await _store_if_virtual(actor, item_id)
    item = await visible_item(actor, item_id)
    await ScheduleItem.update({ScheduleItem.cancelled_at: now() if cancelled else None,
                               ScheduleItem.modified: True}).where(ScheduleItem.id == item.id)
    return await get_item(actor, item.id)


# --- groups -------------------------------------------------------------------------------------

async def _group_out(group: Group) -> GroupOut:
    members = await GroupMember.select(GroupMember.person).where(GroupMember.group == group.id)
    return GroupOut(id=group.id, name=group.name, owner_id=group.owner, member_ids=[m["person"] for m in members])


async def create_group(actor: Actor, data: GroupCreate) -> GroupOut:
    require_coach(actor)
    org_id = _organisation(actor)
    if not data.name.strip():
        raise InvalidInput.field("name", "blank")
    members = await resolve_workers(actor, org_id, data.member_ids, None) if data.member_ids else []
    group = Group(organisation=org_id, owner=actor.id, name=data.name.strip())
    async with Group._meta.db.transaction():
        await group.save()
        if members:
            await GroupMember.insert(*[GroupMember(group=group.id, person=m, key=f"{group.id}:{m}") for m in members])
    return await _group_out(group)


async def list_groups(actor: Actor) -> list[GroupOut]:
    require_coach(actor)
    query = Group.objects().order_by(Group.name)
    org_id = organisation_scope(actor)
    if org_id is not None:
        query = query.where(Group.organisation == org_id)
    groups = await query
    members: dict = {}
    if groups:
        for row in await GroupMember.select(GroupMember.group, GroupMember.person).where(
                GroupMember.group.is_in([g.id for g in groups])):
            members.setdefault(row["group"], []).append(row["person"])
    return [GroupOut(id=g.id, name=g.name, owner_id=g.owner, member_ids=members.get(g.id, [])) for g in groups]
