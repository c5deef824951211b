"""Check-in ("Ik ben er"), attendance corrections with history, sick and late reports."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

import msgspec

from backend.access import (
    Actor,
    Role,
    acts_for_worker,
    can_check_in,
    can_see_record,
    records_scope,
    require_staff,
    visible_or_404,
)
from backend.accounts.tables import Person
from backend.coaching.flags import worker_changed
from backend.errors import Conflict, Forbidden, InvalidInput, NotFound
from backend.mobility.rides import on_sick_report as cancel_rides_of_sick_days
from backend.reminders.services import notify_coach_of_report, on_absence_changed
from backend.schedule import recurrence
from backend.schedule.schemas import (
    AttendanceChangeOut,
    AttendanceCorrection,
    AttendanceDetail,
    AttendanceOut,
    ItemOut,
    LateReportIn,
    ReportOut,
    SickReportIn,
)
from backend.schedule.services import ensure_expanded, now, visible_item
from backend.schedule.tables import AbsenceReport, Attendance, AttendanceChange, Participant, ScheduleItem

# Checking in more than this long after the start counts as late.
LATE_AFTER = dt.timedelta(minutes=5)
# Check-in opens this long before the start and closes at the end: a tap outside that span says
# nothing about whether the person came, so it is refused rather than counted.
OPENS_BEFORE = dt.timedelta(minutes=60)
# A tap sent later (no signal in the basement) counts from when it was tapped, if that moment is
# plausible: not later than it arrived (beyond this much clock difference), at most this old.
CLOCK_SKEW = dt.timedelta(minutes=2)
MAX_TAP_AGE = dt.timedelta(hours=12)
MAX_SICK_DAYS = 60


async def _set_attendance(item_id: UUID, person_id: UUID, status: str, by: UUID | None, note: str,
                          checked_in_at: dt.datetime | None = None,
                          received_at: dt.datetime | None = None) -> Attendance:
    """Insert or change the attendance row and record the change."""
    key = f"{item_id}:{person_id}"
    stamp = now()
    async with Attendance._meta.db.transaction():
        row = await Attendance.objects().where(Attendance.key == key).first()
        old = row.status if row else None
        if row is None:
            row = Attendance(item=item_id, person=person_id, key=key, status=status, checked_in_at=checked_in_at,
                             received_at=received_at, updated_by=by, updated_at=stamp)
            await row.save()
        else:
            values = {Attendance.status: status, Attendance.updated_by: by, Attendance.updated_at: stamp}
            if checked_in_at is not None:
                values[Attendance.checked_in_at] = checked_in_at
                values[Attendance.received_at] = received_at
            await Attendance.update(values).where(Attendance.id == row.id)
        await AttendanceChange.insert(AttendanceChange(attendance=row.id, changed_by=by, changed_at=stamp,
                                                       old_status=old, new_status=status, note=note[:500]))
    return await Attendance.objects().where(Attendance.key == key).first()


def check_in_window(item: ScheduleItem) -> tuple[dt.datetime, dt.datetime]:
    """From when until when "Ik ben er" is accepted for an item."""
    return item.starts_at - OPENS_BEFORE, item.ends_at


def tap_moment(received: dt.datetime, opens: dt.datetime, tapped_at: dt.datetime | None,
               sent_at: dt.datetime | None) -> dt.datetime | None:
    """When the worker tapped, in server time, or None when the phone's claim is not plausible.

    With `sent_at` only the phone's own interval between tap and sending is used (received minus
    that interval), so a phone clock that is wrong does not shift the check-in; without it the tap
    is taken as it is, allowing a little clock difference."""
    if tapped_at is None:
        return None
    try:
        tapped_at = recurrence.assume_local(tapped_at)
        sent = recurrence.assume_local(sent_at) if sent_at is not None else None
    except (OverflowError, ValueError):
        return None  # year 1 or 9999 with an offset: no moment a phone taps at
    if sent is not None:
        waited = sent - tapped_at
        if waited < -CLOCK_SKEW or waited > MAX_TAP_AGE:
            return None  # tapped after it was sent (the clock jumped in between), or too long ago
        tapped = received - max(waited, dt.timedelta(0))
    else:
        if tapped_at > received + CLOCK_SKEW:
            return None
        tapped = min(tapped_at, received)
    if received - tapped > MAX_TAP_AGE or tapped < opens:
        return None
    return tapped


def _when(instant: dt.datetime, current: dt.datetime) -> tuple[str, dict[str, str]]:
    """The message key suffix and parameters naming a moment: the time alone when it is today."""
    local = recurrence.to_local(instant)
    if local.date() == recurrence.local_today(current):
        return "today", {"time": local.strftime("%H:%M")}
    return "day", {"time": local.strftime("%H:%M"), "day": local.strftime("%d/%m")}


async def check_in(actor: Actor, item_id: UUID, tapped_at: dt.datetime | None = None,
                   sent_at: dt.datetime | None = None) -> AttendanceOut:
    """The worker taps "Ik ben er" for their own item, from an hour before the start until the end.

    The moment that counts is the tap when the phone sent one that is plausible (see `tap_moment`),
    else the moment the server received it; on time or late is decided by that moment."""
    item = await visible_item(actor, item_id)
    participates = await Participant.exists().where((Participant.item == item.id) & (Participant.person == actor.id))
    if not can_check_in(actor, participates=participates):
        raise Forbidden("check_in_own_only")
    if item.cancelled_at is not None:
        raise InvalidInput.field("itemId", "item_cancelled")
    existing = await Attendance.objects().where(Attendance.key == f"{item.id}:{actor.id}").first()
    if existing is not None and existing.checked_in_at is not None:
        return _attendance_out(existing)  # checking in twice keeps the first time
    received = now()
    opens, closes = check_in_window(item)
    tapped = tap_moment(received, opens, tapped_at, sent_at)
    moment = tapped or received
    if moment < opens:
        suffix, params = _when(opens, received)
        raise Conflict(f"check_in_opens_{suffix}", **params)
    if moment > closes:
        suffix, params = _when(closes, received)
        raise Conflict(f"check_in_ended_{suffix}", **params)
    status = "late" if moment > item.starts_at + LATE_AFTER else "present"
    row = await _set_attendance(item.id, actor.id, status, actor.id, _check_in_note(received, tapped, tapped_at),
                                checked_in_at=moment, received_at=received)
    await worker_changed(actor.id)
    return _attendance_out(row)


def _check_in_note(received: dt.datetime, tapped: dt.datetime | None, claimed: dt.datetime | None) -> str:
    """What the history tells the coach about where the check-in's time came from."""
    def local(at: dt.datetime) -> str:
        return recurrence.to_local(at).strftime("%H:%M")

    if tapped is not None and received - tapped >= dt.timedelta(minutes=1):
        return (f"check-in: getikt om {local(tapped)}, ontvangen om {local(received)} / "
                f"tapped at {local(tapped)}, received at {local(received)}")
    if tapped is None and claimed is not None:
        claim = claimed.isoformat(timespec="minutes")
        return (f"check-in: tijd van de telefoon ({claim}) niet aannemelijk, ontvangst telt / "
                f"phone's time ({claim}) not plausible, receipt counts")
    return "check-in"


def _attendance_out(row: Attendance) -> AttendanceOut:
    return AttendanceOut(person_id=row.person, status=row.status, checked_in_at=row.checked_in_at,
                         updated_at=row.updated_at, received_at=row.received_at)


async def correct_attendance(actor: Actor, item_id: UUID, person_id: UUID, data: AttendanceCorrection) -> AttendanceDetail:
    """A coach sets present, late, absent or excused; every change is kept with who and when."""
    require_staff(actor)
    item = await visible_item(actor, item_id)
    if not await Participant.exists().where((Participant.item == item.id) & (Participant.person == person_id)):
        raise NotFound()
    await _set_attendance(item.id, person_id, data.status, actor.id, data.note.strip())
    await on_absence_changed(person_id)
    await worker_changed(person_id)
    return await attendance_detail(actor, item.id, person_id)


async def attendance_detail(actor: Actor, item_id: UUID, person_id: UUID) -> AttendanceDetail:
    require_staff(actor)
    item = await visible_item(actor, item_id)
    row = await Attendance.objects().where(Attendance.key == f"{item.id}:{person_id}").first()
    if row is None:
        if not await Participant.exists().where((Participant.item == item.id) & (Participant.person == person_id)):
            raise NotFound()
        return AttendanceDetail(person_id=person_id, status=None, checked_in_at=None, history=[])
    changes = await AttendanceChange.objects().where(AttendanceChange.attendance == row.id).order_by(
        AttendanceChange.changed_at).order_by(AttendanceChange.id)
    return AttendanceDetail(person_id=person_id, status=row.status, checked_in_at=row.checked_in_at,
                            received_at=row.received_at, history=[
        AttendanceChangeOut(changed_by=c.changed_by, changed_at=c.changed_at, old_status=c.old_status,
                            new_status=c.new_status, note=c.note) for c in changes])


async def with_absences(actor: Actor, items: list[ItemOut]) -> list[ItemOut]:
    """A worker's own items with `absence` filled in: "sick" on the days of their sick reports
    (also for an item planned after the report), "excused" when their coach excused them.

    An item they checked in for, or whose attendance a coach set otherwise, is no absence: they
    came after all, or the coach's word stands."""
    if actor.role != Role.WORKER or not items:
        return items
    first, last = min(i.local_date for i in items), max(i.local_date for i in items)
    reports = await AbsenceReport.select(AbsenceReport.first_day, AbsenceReport.last_day).where(
        (AbsenceReport.person == actor.id) & (AbsenceReport.kind == "sick")
        & (AbsenceReport.first_day <= last) & (AbsenceReport.last_day >= first))
    return mark_absences(actor.id, items, reports)


def mark_absences(person_id: UUID, items: list[ItemOut], reports: list[dict]) -> list[ItemOut]:
    """`with_absences` once the person's sick reports (rows with `first_day`, `last_day`) that reach
    the items' days are read."""
    sick_days = {r["first_day"] + dt.timedelta(days=n) for r in reports
                 for n in range((r["last_day"] - r["first_day"]).days + 1)}
    result = []
    for item in items:
        mine = next((a for a in item.attendance if a.person_id == person_id), None)
        absence = None
        if mine is not None and mine.status == "excused":
            absence = "sick" if item.local_date in sick_days else "excused"
        elif mine is None and item.local_date in sick_days and not item.cancelled:
            absence = "sick"
        result.append(item if item.absence == absence else msgspec.structs.replace(item, absence=absence))
    return result


# --- reports ------------------------------------------------------------------------------------

async def _subject(actor: Actor, person_id: UUID | None) -> Person:
    """Whom a report is about: the worker themself, or a worker of the coach's organisation."""
    if actor.role == Role.WORKER:
        if person_id is not None and person_id != actor.id:
            raise Forbidden("report_own_only")
        return await Person.objects().where(Person.id == actor.id).first()
    require_staff(actor)
    if person_id is None:
        raise InvalidInput.field("personId", "field_required")
    person = await Person.objects().where(Person.id == person_id).first()
    if person is None:
        raise NotFound()
    visible_or_404(acts_for_worker(actor, person))
    return person


async def _report_out(report: AbsenceReport, person: Person | None = None) -> ReportOut:
    person = person or await Person.objects().where(Person.id == report.person).first()
    return ReportOut(id=report.id, person_id=report.person,
                     person_name=f"{person.first_name} {person.last_name}".strip() if person else "",
                     kind=report.kind, first_day=report.first_day, last_day=report.last_day,
                     minutes_late=report.minutes_late, item_id=report.item, note=report.note,
                     created_at=report.created_at, seen_at=report.seen_at)


async def report_sick(actor: Actor, data: SickReportIn) -> ReportOut:
    """'Ik ben ziek' for today or a date range; the planned items of those days become 'excused'."""
    person = await _subject(actor, data.person_id)
    today = recurrence.local_today()
    first = data.first_day or today
    last = data.last_day or first
    if last < first:
        raise InvalidInput.field("lastDay", "until_before_from")
    if (last - first).days + 1 > MAX_SICK_DAYS:
        raise InvalidInput.field("lastDay", "sick_range_too_long", n=MAX_SICK_DAYS)
    if actor.role == Role.WORKER and first < today - dt.timedelta(days=7):
        raise InvalidInput.field("firstDay", "sick_too_far_back")
    report = AbsenceReport(person=person.id, organisation=person.organisation, kind="sick", first_day=first,
                           last_day=last, note=data.note.strip(), created_by=actor.id)
    await report.save()
    await ensure_expanded(last, person_id=person.id)
    start, end = recurrence.day_bounds(first, last)
    items = await ScheduleItem.select(ScheduleItem.id).where(
        ScheduleItem.id.is_in(Participant.select(Participant.item).where(Participant.person == person.id))
        & (ScheduleItem.starts_at >= start) & (ScheduleItem.starts_at < end) & ScheduleItem.cancelled_at.is_null()
    )
    for row in items:
        existing = await Attendance.exists().where(Attendance.key == f"{row['id']}:{person.id}")
        if not existing:
            await _set_attendance(row["id"], person.id, "excused", actor.id, "ziekmelding / sick report")
    await cancel_rides_of_sick_days(person.id, first, last)
    await on_absence_changed(person.id)
    if actor.role == Role.WORKER:  # a coach who reports for a worker needs no message about it
        await notify_coach_of_report(person.id, "sick", _sick_text(first, last, report.note))
    await worker_changed(person.id)
    return await _report_out(report, person)


def _sick_text(first: dt.date, last: dt.date, note: str) -> str:
    days = first.strftime("%d/%m") if first == last else f"{first.strftime('%d/%m')} - {last.strftime('%d/%m')}"
    return f"{days}. {note}".strip().rstrip(".") if note else days


async def report_late(actor: Actor, data: LateReportIn) -> ReportOut:
    """'Ik kom te laat': how many minutes, for today's item (the given one or the next one)."""
    person = await _subject(actor, data.person_id)
    today = recurrence.local_today()
    item_id = data.item_id
    if item_id is not None:
        item = await visible_item(actor, item_id)
        if not await Participant.exists().where((Participant.item == item.id) & (Participant.person == person.id)):
            raise NotFound()
        if recurrence.to_local(item.starts_at).date() != today:
            raise InvalidInput.field("itemId", "late_today_only")
    else:
        start, end = recurrence.day_bounds(today, today)
        row = await ScheduleItem.select(ScheduleItem.id).where(
            ScheduleItem.id.is_in(Participant.select(Participant.item).where(Participant.person == person.id))
            & (ScheduleItem.ends_at > now()) & (ScheduleItem.starts_at < end) & ScheduleItem.cancelled_at.is_null()
        ).order_by(ScheduleItem.starts_at).first()
        item_id = row["id"] if row else None
    report = AbsenceReport(person=person.id, organisation=person.organisation, kind="late", first_day=today,
                           last_day=today, minutes_late=data.minutes, item=item_id, note=data.reason.strip(),
                           created_by=actor.id)
    await report.save()
    if actor.role == Role.WORKER:  # a coach who reports for a worker needs no message about it
        await notify_coach_of_report(person.id, "late", f"+{data.minutes} min. {report.note}".strip().rstrip("."))
    await worker_changed(person.id)
    return await _report_out(report, person)


async def list_reports(actor: Actor, unseen_only: bool, person_id: UUID | None, limit: int) -> list[ReportOut]:
    """Reports the asker may see: a coach their organisation's, a worker their own."""
    query = AbsenceReport.objects().order_by(AbsenceReport.created_at, ascending=False).limit(limit)
    scope = records_scope(actor)
    if scope.person is not None:
        query = query.where(AbsenceReport.person == scope.person)
    if scope.organisation is not None:
        query = query.where(AbsenceReport.organisation == scope.organisation)
    if person_id is not None:
        query = query.where(AbsenceReport.person == person_id)
    if unseen_only:
        query = query.where(AbsenceReport.seen_at.is_null())
    reports = await query
    people = {p.id: p for p in await Person.objects().where(Person.id.is_in([r.person for r in reports]))} \
        if reports else {}
    return [await _report_out(r, people.get(r.person)) for r in reports]


async def mark_report_seen(actor: Actor, report_id: UUID) -> ReportOut:
    require_staff(actor)
    report = await AbsenceReport.objects().where(AbsenceReport.id == report_id).first()
    if report is None:
        raise NotFound()
    visible_or_404(can_see_record(actor, report.person, report.organisation))
    await AbsenceReport.update({AbsenceReport.seen_at: now(), AbsenceReport.seen_by: actor.id}).where(
        AbsenceReport.id == report.id)
    return await _report_out(await AbsenceReport.objects().where(AbsenceReport.id == report.id).first())
