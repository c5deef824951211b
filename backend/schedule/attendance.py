"""Check-in ("Ik ben er"), attendance corrections with history, sick and late reports."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from backend.accounts.auth import Actor
from backend.accounts.tables import Person
from backend.coaching.flags import worker_changed
from backend.errors import Forbidden, InvalidInput, NotFound
from backend.mobility.rides import on_sick_report as cancel_rides_of_sick_days
from backend.reminders.services import notify_coach_of_report
from backend.schedule import recurrence
from backend.schedule.schemas import (
    AttendanceChangeOut,
    AttendanceCorrection,
    AttendanceDetail,
    AttendanceOut,
    LateReportIn,
    ReportOut,
    SickReportIn,
)
from backend.schedule.services import ensure_expanded, now, require_coach, visible_item
from backend.schedule.tables import AbsenceReport, Attendance, AttendanceChange, Participant, ScheduleItem

# Checking in more than this long after the start counts as late.
LATE_AFTER = dt.timedelta(minutes=5)
MAX_SICK_DAYS = 60


async def _set_attendance(item_id: UUID, person_id: UUID, status: str, by: UUID | None, note: str,
                          checked_in_at: dt.datetime | None = None) -> Attendance:
    """Insert or change the attendance row and record the change."""
    key = f"{item_id}:{person_id}"
    stamp = now()
    async with Attendance._meta.db.transaction():
        row = await Attendance.objects().where(Attendance.key == key).first()
        old = row.status if row else None
        if row is None:
            row = Attendance(item=item_id, person=person_id, key=key, status=status, checked_in_at=checked_in_at,
                             updated_by=by, updated_at=stamp)
            await row.save()
        else:
            values = {Attendance.status: status, Attendance.updated_by: by, Attendance.updated_at: stamp}
            if checked_in_at is not None:
                values[Attendance.checked_in_at] = checked_in_at
            await Attendance.update(values).where(Attendance.id == row.id)
        await AttendanceChange.insert(AttendanceChange(attendance=row.id, changed_by=by, changed_at=stamp,
                                                       old_status=old, new_status=status, note=note[:500]))
    return await Attendance.objects().where(Attendance.key == key).first()


async def check_in(actor: Actor, item_id: UUID) -> AttendanceOut:
    """The worker taps "Ik ben er": recorded with server time; only for their own item of today."""
    item = await visible_item(actor, item_id)
    if actor.role != "worker" or not await Participant.exists().where(
        (Participant.item == item.id) & (Participant.person == actor.id)
    ):
        raise Forbidden("check_in_own_only")
    current = now()
    if recurrence.to_local(item.starts_at).date() != recurrence.local_today(current):
        raise InvalidInput.field("itemId", "check_in_today_only")
    if item.cancelled_at is not None:
        raise InvalidInput.field("itemId", "item_cancelled")
    existing = await Attendance.objects().where(Attendance.key == f"{item.id}:{actor.id}").first()
    if existing is not None and existing.checked_in_at is not None:
        row = existing  # checking in twice keeps the first time
    else:
        status = "late" if current > item.starts_at + LATE_AFTER else "present"
        row = await _set_attendance(item.id, actor.id, status, actor.id, "check-in", checked_in_at=current)
        await worker_changed(actor.id)
    return AttendanceOut(person_id=row.person, status=row.status, checked_in_at=row.checked_in_at,
                         updated_at=row.updated_at)


async def correct_attendance(actor: Actor, item_id: UUID, person_id: UUID, data: AttendanceCorrection) -> AttendanceDetail:
    """A coach sets present, late, absent or excused; every change is kept with who and when."""
    require_coach(actor)
    item = await visible_item(actor, item_id)
    if not await Participant.exists().where((Participant.item == item.id) & (Participant.person == person_id)):
        raise NotFound()
    await _set_attendance(item.id, person_id, data.status, actor.id, data.note.strip())
    await worker_changed(person_id)
    return await attendance_detail(actor, item.id, person_id)


async def attendance_detail(actor: Actor, item_id: UUID, person_id: UUID) -> AttendanceDetail:
    require_coach(actor)
    item = await visible_item(actor, item_id)
    row = await Attendance.objects().where(Attendance.key == f"{item.id}:{person_id}").first()
    if row is None:
        if not await Participant.exists().where((Participant.item == item.id) & (Participant.person == person_id)):
            raise NotFound()
        return AttendanceDetail(person_id=person_id, status=None, checked_in_at=None, history=[])
    changes = await AttendanceChange.objects().where(AttendanceChange.attendance == row.id).order_by(
        AttendanceChange.changed_at).order_by(AttendanceChange.id)
    return AttendanceDetail(person_id=person_id, status=row.status, checked_in_at=row.checked_in_at, history=[
        AttendanceChangeOut(changed_by=c.changed_by, changed_at=c.changed_at, old_status=c.old_status,
                            new_status=c.new_status, note=c.note) for c in changes])


# --- reports ------------------------------------------------------------------------------------

async def _subject(actor: Actor, person_id: UUID | None) -> Person:
    """Whom a report is about: the worker themself, or a worker of the coach's organisation."""
    if actor.role == "worker":
        if person_id is not None and person_id != actor.id:
            raise Forbidden("report_own_only")
        return await Person.objects().where(Person.id == actor.id).first()
    if actor.role not in ("coach", "admin"):
        raise Forbidden()
    if person_id is None:
        raise InvalidInput.field("personId", "field_required")
    person = await Person.objects().where(Person.id == person_id).first()
    if person is None or person.role != "worker" or (
        actor.role != "admin" and person.organisation != actor.organisation_id
    ):
        raise NotFound()
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
    if actor.role == "worker" and first < today - dt.timedelta(days=7):
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
    if actor.role == "worker":
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
    if actor.role == "worker":
        await notify_coach_of_report(person.id, "late", f"+{data.minutes} min. {report.note}".strip().rstrip("."))
    await worker_changed(person.id)
    return await _report_out(report, person)


async def list_reports(actor: Actor, unseen_only: bool, person_id: UUID | None, limit: int) -> list[ReportOut]:
    """Reports the asker may see: a coach their organisation's, a worker their own."""
    query = AbsenceReport.objects().order_by(AbsenceReport.created_at, ascending=False).limit(limit)
    if actor.role == "worker":
        query = query.where(AbsenceReport.person == actor.id)
    elif actor.role == "coach":
        query = query.where(AbsenceReport.organisation == actor.organisation_id)
    elif actor.role != "admin":
        raise Forbidden()
    if person_id is not None:
        query = query.where(AbsenceReport.person == person_id)
    if unseen_only:
        query = query.where(AbsenceReport.seen_at.is_null())
    reports = await query
    people = {p.id: p for p in await Person.objects().where(Person.id.is_in([r.person for r in reports]))} \
        if reports else {}
    return [await _report_out(r, people.get(r.person)) for r in reports]


async def mark_report_seen(actor: Actor, report_id: UUID) -> ReportOut:
    require_coach(actor)
    report = await AbsenceReport.objects().where(AbsenceReport.id == report_id).first()
    if report is None or (actor.role != "admin" and report.organisation != actor.organisation_id):
        raise NotFound()
    await AbsenceReport.update({AbsenceReport.seen_at: now(), AbsenceReport.seen_by: actor.id}).where(
        AbsenceReport.id == report.id)
    return await _report_out(await AbsenceReport.objects().where(AbsenceReport.id == report.id).first())
