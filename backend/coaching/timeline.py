"""A worker's timeline: everything about them in time order, newest first, paged by `before`."""

from __future__ import annotations

import datetime as dt
from typing import Awaitable, Callable
from uuid import UUID

from backend.access import Actor
from backend.accounts.tables import Person
from backend.coaching import audit, facts
from backend.coaching.access import name_of, worker_for
from backend.coaching.flags import _detail, reason, utcnow
from backend.coaching.schemas import TimelineEntry, TimelinePage
from backend.coaching.tables import Flag, Milestone, Note, StatusChange
from backend.i18n import translate
from backend.reminders.replies import help_timeline, reply_text
from backend.schedule import recurrence
from backend.schedule.tables import AbsenceReport, Attendance, Participant
from notifications import payload
from notifications.tables import Recipient

# Rides plug in here: async (person id, before, limit, language) -> entries older than `before`.
TimelineSource = Callable[[UUID, dt.datetime, int, str], Awaitable[list[TimelineEntry]]]
_extra_sources: list[TimelineSource] = []


def add_timeline_source(source: TimelineSource) -> None:
    """Wire another domain's events (e.g. rides) into every worker's timeline."""
    _extra_sources.append(source)


async def _items(person: UUID, before: dt.datetime, limit: int, lang: str) -> list[TimelineEntry]:
    rows = await Participant.select(
        Participant.item.id.as_alias("id"), Participant.item.title.as_alias("title"),
        Participant.item.kind.as_alias("kind"), Participant.item.starts_at.as_alias("starts_at"),
        Participant.item.cancelled_at.as_alias("cancelled_at"),
    ).where((Participant.person == person) & (Participant.item.starts_at < before)).order_by(
        Participant.item.starts_at, ascending=False).limit(limit)
    marks = {a["item"]: a for a in await Attendance.select(Attendance.item, Attendance.status).where(
        (Attendance.person == person) & Attendance.item.is_in([r["id"] for r in rows]))} if rows else {}
    out = []
    for r in rows:
        state = "cancelled" if r["cancelled_at"] else (marks[r["id"]]["status"] if r["id"] in marks else "")
        local = recurrence.to_local(facts.as_datetime(r["starts_at"]))
        detail = local.strftime("%H:%M") + (" · " + translate(f"attendance_{state}", lang) if state else "")
        out.append(TimelineEntry(at=r["starts_at"], kind=r["kind"], title=r["title"], detail=detail,
                                 ref_id=str(r["id"])))
    return out


async def _reports(person: UUID, before: dt.datetime, limit: int, lang: str) -> list[TimelineEntry]:
    rows = await AbsenceReport.select().where((AbsenceReport.person == person) & (AbsenceReport.created_at < before)
                                              ).order_by(AbsenceReport.created_at, ascending=False).limit(limit)
    out = []
    for r in rows:
        if r["kind"] == "sick":
            days = r["first_day"].strftime("%d/%m") + (
                "" if r["last_day"] == r["first_day"] else " - " + r["last_day"].strftime("%d/%m"))
        else:
            days = f"+{r['minutes_late']} min"
        out.append(TimelineEntry(at=r["created_at"], kind=r["kind"], title=translate(f"timeline_{r['kind']}", lang),
                                 detail=f"{days}. {r['note']}".strip(), ref_id=str(r["id"])))
    return out


async def _reminders(person: UUID, before: dt.datetime, limit: int, lang: str) -> list[TimelineEntry]:
    now = utcnow()
    rows = await Recipient.select(
        Recipient.id, Recipient.read_at, Recipient.acknowledged_at, Recipient.reply,
        *Recipient.reminder.all_columns(),
    ).where((Recipient.person == person) & (Recipient.reminder.due_at < before) & (Recipient.reminder.due_at <= now)
            & Recipient.reminder.cancelled_at.is_null()).order_by(
        Recipient.reminder.due_at, ascending=False).limit(limit).output(load_json=True)
    out = []
    for r in rows:
        title, _ = payload.render(r["reminder.template"], r["reminder.params"] or {}, r["reminder.title"],
                                  r["reminder.body"], lang)
        state = "acknowledged" if r["acknowledged_at"] else ("read" if r["read_at"] else "unread")
        detail = translate(f"reminder_{state}", lang)
        if r["reply"]:  # the worker's quick reply, in the reader's words
            detail += " · " + translate("timeline_reply", lang, reply=reply_text(r["reply"], lang))
        out.append(TimelineEntry(at=r["reminder.due_at"], kind="reminder", title=title,
                                 detail=detail, ref_id=str(r["id"])))
    return out


async def _notes(person: UUID, before: dt.datetime, limit: int, lang: str) -> list[TimelineEntry]:
    rows = await Note.select(Note.id, Note.body, Note.kind, Note.created_at, Note.author.first_name.as_alias("first"),
                             Note.author.last_name.as_alias("last")).where(
        (Note.person == person) & (Note.created_at < before)).order_by(Note.created_at, ascending=False).limit(limit)
    return [TimelineEntry(at=r["created_at"], kind=r["kind"], detail=r["body"], ref_id=str(r["id"]),
                          title=translate(f"timeline_{r['kind']}", lang, name=name_of(r["first"], r["last"])))
            for r in rows]


async def _changes(person: UUID, before: dt.datetime, limit: int, lang: str) -> list[TimelineEntry]:
    out = []
    for r in await StatusChange.select().where((StatusChange.person == person) & (StatusChange.changed_at < before)
                                               ).order_by(StatusChange.changed_at, ascending=False).limit(limit):
        out.append(TimelineEntry(at=r["changed_at"], kind="status", title=translate(f"status_{r['status']}", lang),
                                 detail=r["detail"], ref_id=str(r["id"])))
    for r in await Flag.select().where((Flag.person == person) & (Flag.opened_at < before)).order_by(
            Flag.opened_at, ascending=False).limit(limit):
        out.append(TimelineEntry(at=r["opened_at"], kind="flag", title=reason(r["rule"], _detail(r["detail"]), lang),
                                 detail=r["close_note"], ref_id=str(r["id"])))
    for r in await Milestone.select().where((Milestone.person == person) & Milestone.reached_on.is_not_null()):
        at = recurrence.local_instant(r["reached_on"], dt.time(12, 0))
        if at < before:
            out.append(TimelineEntry(at=at, kind="milestone", title=r["title"], detail=r["evidence"],
                                     ref_id=str(r["id"])))
    return out


async def timeline(actor: Actor, person_id: UUID, before: dt.datetime | None, limit: int) -> TimelinePage:
    person: Person = await worker_for(actor, person_id)
    before = before or (utcnow() + dt.timedelta(days=2))
    if before.tzinfo is None:
        before = recurrence.assume_local(before)
    lang = actor.language
    entries: list[TimelineEntry] = []
    for source in (_items, _reports, _reminders, _notes, _changes, help_timeline):
        entries += await source(person.id, before, limit, lang)
    for extra in _extra_sources:
        entries += await extra(person.id, before, limit, lang)
    entries.sort(key=lambda e: facts.as_datetime(e.at), reverse=True)
    page = entries[:limit]
    await audit.record(actor, person.id, "view_timeline")
    return TimelinePage(entries=page, next_before=page[-1].at if len(entries) > limit or len(page) == limit else None)
