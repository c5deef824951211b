"""Automatic reminders from the schedule: the evening before and some minutes before each item, per
planned worker, in their language, naming the place.

`plan_automatic_reminders` is the one place that decides which of them should exist. Each run (the
`plan-automatic-reminders` job, and at once for one person after a sick report or an attendance
change) compares that with what is stored: it creates what is missing, withdraws what is no longer
right (the item moved or was cancelled, the person left it or is excused from it, the organisation
turned them off), brings back what it withdrew once it is right again, and updates the text and
times of pending ones. Unique source keys (kind, item, person, start) make this safe in every process.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from uuid import UUID

from backend.organisations.tables import Workplace
from backend.reminders.schemas import OrganisationReminderSettings
from backend.schedule import recurrence
from backend.schedule.tables import AbsenceReport, Attendance, Participant, ScheduleItem
from notifications import reminders as core
from notifications.tables import NotificationSettings, Recipient, Reminder

log = logging.getLogger("werkmaat.reminders")

AUTO_WINDOW = dt.timedelta(hours=36)
# A reminder whose moment passed this short a while ago (an item planned at 18:20 for tomorrow) still
# goes out; the evening reminder of an item planned the morning after is left out.
PLAN_LATE = dt.timedelta(hours=1)
# The evening reminder says "Morgen" and shares its Topic (and notification tag) with the "Straks"
# one: it must have gone out before that one is due, and before the item's day begins. It expires
# this long before the "Straks" reminder, so that quiet hours that hold it past then (or a retry) drop
# it instead of letting it replace the newer message on the phone.
EVENING_MARGIN = dt.timedelta(minutes=2)
# What the reminder says is withdrawn and why, kept in its params: only these are brought back.
WITHDRAWN = "withdrawn"
_CHUNK = 400
STORED_SPAN = dt.timedelta(days=2)


@dataclass(frozen=True)
class Planned:
    """One automatic reminder as it should be."""

    key: str
    kind: str
    person: UUID
    organisation: UUID
    due: dt.datetime
    expires: dt.datetime
    starts: dt.datetime
    params: dict

    def still_to_send(self, now: dt.datetime) -> bool:
        """Worth creating now: before it expires, and (evening) not long after its moment."""
        if self.expires <= now:
            return False
        return self.kind != "evening_before" or self.due >= now - PLAN_LATE


def source_key(kind: str, item_id: UUID, person: UUID, starts: dt.datetime) -> str:
    return f"auto:{kind}:{item_id}:{person}:{int(starts.timestamp())}"


def _key_parts(key: str) -> tuple[UUID, UUID] | None:
    """(item, person) of a source key; None for a key of another shape."""
    parts = key.split(":")
    if len(parts) != 5:
        return None
    try:
        return UUID(parts[2]), UUID(parts[3])
    except ValueError:
        return None


def evening_expiry(starts: dt.datetime, before: dt.datetime) -> dt.datetime:
    """When the evening reminder stops being true: before the 'Straks' one, and at the latest when
    the item's day begins (after midnight "Morgen" would be wrong)."""
    midnight = recurrence.day_bounds(recurrence.to_local(starts).date(), recurrence.to_local(starts).date())[0]
    return min(before - EVENING_MARGIN, midnight)


def place_text(item: dict, workplace: dict | None) -> str:
    """Where the item is, as a worker reads it: the workplace's name and its address (the item's own
    address when the coach gave one), or just the address."""
    if workplace is None:
        return (item.get("address") or "").strip()
    address = (item.get("address") or "").strip() or ", ".join(
        part for part in (workplace["street"].strip(), f"{workplace['postcode']} {workplace['city']}".strip())
        if part)
    name = workplace["name"].strip()
    if not name or name.lower() in address.lower():
        return address
    return f"{name}, {address}" if address else name


async def _organisation_settings(org_ids: list[UUID]) -> dict[UUID, tuple[bool, str, int]]:
    """(automatic, evening_before_at, minutes_before) per organisation, defaults for those without."""
    default = OrganisationReminderSettings()
    found = {org: (default.automatic, default.evening_before_at, default.minutes_before) for org in org_ids}
    for chunk in _chunks(org_ids):
        for row in await NotificationSettings.select(
            NotificationSettings.organisation, NotificationSettings.automatic,
            NotificationSettings.evening_before_at, NotificationSettings.minutes_before,
        ).where(NotificationSettings.organisation.is_in(chunk)):
            found[row["organisation"]] = (row["automatic"], row["evening_before_at"], row["minutes_before"])
    return found


async def excused_pairs(pairs: list[tuple[UUID, UUID, dt.date]]) -> set[tuple[UUID, UUID]]:
    """Of (item, person, local day of the item's start): those the person is excused from.

    The attendance row of the item decides when there is one (a sick report sets 'excused', a coach
    may set it or undo it); without a row, a sick report covering the day excuses (an item planned
    after the report, or a series day stored later)."""
    if not pairs:
        return set()
    status: dict[str, str] = {}
    keys = list({f"{item}:{person}" for item, person, _ in pairs})
    for chunk in _chunks(keys):
        for row in await Attendance.select(Attendance.key, Attendance.status).where(Attendance.key.is_in(chunk)):
            status[row["key"]] = row["status"]
    people = list({person for _, person, _ in pairs})
    first, last = min(day for *_, day in pairs), max(day for *_, day in pairs)
    sick: dict[UUID, list[tuple[dt.date, dt.date]]] = {}
    for chunk in _chunks(people):
        for row in await AbsenceReport.select(AbsenceReport.person, AbsenceReport.first_day,
                                              AbsenceReport.last_day).where(
            (AbsenceReport.kind == "sick") & AbsenceReport.person.is_in(chunk)
            & (AbsenceReport.first_day <= last) & (AbsenceReport.last_day >= first)
        ):
            sick.setdefault(row["person"], []).append((row["first_day"], row["last_day"]))
    excused = set()
    for item, person, day in pairs:
        state = status.get(f"{item}:{person}")
        if state == "excused" or (state is None and any(a <= day <= b for a, b in sick.get(person, ()))):
            excused.add((item, person))
    return excused


async def wanted_reminders(now: dt.datetime, person_id: UUID | None = None) -> tuple[dict[str, Planned], set]:
    """Every automatic reminder that should exist for items starting in the next 36 hours (of one
    person, or everyone), keyed by source key; and the (item, person) pairs left out as excused."""
    query = ScheduleItem.select().where(
        (ScheduleItem.starts_at > now) & (ScheduleItem.starts_at <= now + AUTO_WINDOW)
        & ScheduleItem.cancelled_at.is_null())
    if person_id is not None:
        query = query.where(ScheduleItem.id.is_in(Participant.select(Participant.item).where(
            Participant.person == person_id)))
    items = await query.output(load_json=True)
    if not items:
        return {}, set()
    people: dict[UUID, list[UUID]] = {}
    for chunk in _chunks([i["id"] for i in items]):
        rows = Participant.select(Participant.item, Participant.person).where(Participant.item.is_in(chunk))
        if person_id is not None:
            rows = rows.where(Participant.person == person_id)
        for row in await rows:
            people.setdefault(row["item"], []).append(row["person"])
    settings = await _organisation_settings(list({i["organisation"] for i in items}))
    workplace_ids = list({i["workplace"] for i in items if i["workplace"]})
    workplaces = {w["id"]: w for w in await Workplace.select().where(Workplace.id.is_in(workplace_ids))} \
        if workplace_ids else {}
    excused = await excused_pairs([(i["id"], p, recurrence.to_local(i["starts_at"]).date())
                                   for i in items for p in people.get(i["id"], [])])
    wanted: dict[str, Planned] = {}
    for item in items:
        automatic, evening_at, minutes_before = settings[item["organisation"]]
        if not automatic:
            continue
        starts = item["starts_at"]
        local = recurrence.to_local(starts)
        params = {"title": item["title"], "time": local.strftime("%H:%M"),
                  "place": place_text(item, workplaces.get(item["workplace"])), "bring": item["bring"] or [],
                  "itemId": str(item["id"]), "startsAt": starts.isoformat()}
        before = starts - dt.timedelta(minutes=minutes_before)
        evening = recurrence.local_instant(local.date() - dt.timedelta(days=1), recurrence.parse_hhmm(evening_at))
        moments = [("before_start", before, starts)]
        expiry = evening_expiry(starts, before)
        if evening < expiry:  # else the "Straks" reminder would overtake it before it is even due
            moments.append(("evening_before", evening, expiry))
        for person in people.get(item["id"], []):
            if (item["id"], person) in excused:
                continue
            for kind, due, expires in moments:
                if due >= starts:
                    continue
                key = source_key(kind, item["id"], person, starts)
                wanted[key] = Planned(key=key, kind=kind, person=person, organisation=item["organisation"],
                                      due=due, expires=expires, starts=starts, params=params)
    return wanted, excused


async def plan_automatic_reminders(now: dt.datetime | None = None, person_id: UUID | None = None) -> int:
    """Bring the stored automatic reminders (of one person, or everyone) in line with the schedule.
    Returns how many were created."""
    now = now or core.utcnow()
    wanted, excused = await wanted_reminders(now, person_id)
    query = Reminder.select(Reminder.id, Reminder.source_key, Reminder.params, Reminder.cancelled_at,
                            Reminder.fanned_out, Reminder.due_at, Reminder.expires_at).where(
        (Reminder.source == "auto") & (Reminder.expires_at > now)
        # Bounds the scan by the indexed column: no automatic reminder is due two days before it expires.
        & (Reminder.due_at > now - STORED_SPAN))
    if person_id is not None:
        query = query.where(Reminder.id.is_in(Recipient.select(Recipient.reminder).where(
            Recipient.person == person_id)))
    stored = {r["source_key"]: r for r in await query.output(load_json=True) if r["source_key"]}
    for key, row in stored.items():
        plan = wanted.get(key)
        if row["cancelled_at"] is None and plan is None:
            parts = _key_parts(key)
            await _withdraw(row, "excused" if parts in excused else "changed", now)
        elif row["cancelled_at"] is None:
            await _update(row, plan, now)
        elif plan is not None and (row["params"] or {}).get(WITHDRAWN) and not row["fanned_out"] \
                and plan.still_to_send(now):
            await _bring_back(row, plan, now)
    created = 0
    for key, plan in wanted.items():
        if key in stored or not plan.still_to_send(now):
            continue
        made = await core.create_reminder(core.NewReminder(
            recipients=[plan.person], due_at=max(plan.due, now), expires_at=plan.expires, source="auto",
            template=plan.kind, params=plan.params, urgent=plan.kind == "before_start", event_at=plan.starts,
            organisation=plan.organisation, url="/#/home", source_key=key, subject=plan.person,
            topic_seed=f"item:{plan.params['itemId']}:{plan.person}"))
        created += made is not None
    return created


async def _withdraw(row: dict, reason: str, now: dt.datetime) -> None:
    """Cancel a reminder that is no longer right. One already fanned out is dropped by the dispatcher
    at send time (it re-reads `cancelled_at`), so a push held by quiet hours does not go out either."""
    params = {**(row["params"] or {}), WITHDRAWN: reason}
    await Reminder.update({Reminder.cancelled_at: now, Reminder.params: params}).where(
        (Reminder.id == row["id"]) & Reminder.cancelled_at.is_null())


async def _update(row: dict, plan: Planned, now: dt.datetime) -> None:
    """Follow changes that keep the key: title, place, things to bring, the organisation's times."""
    values: dict = {}
    if row["params"] != plan.params:
        values[Reminder.params] = plan.params
    if abs((row["expires_at"] - plan.expires).total_seconds()) >= 1:
        values[Reminder.expires_at] = plan.expires
    target_due = max(plan.due, now)
    if not row["fanned_out"] and row["due_at"] > now and abs((row["due_at"] - target_due).total_seconds()) >= 1:
        values[Reminder.due_at] = target_due
    if values:
        await Reminder.update(values).where((Reminder.id == row["id"]) & Reminder.cancelled_at.is_null())


async def _bring_back(row: dict, plan: Planned, now: dt.datetime) -> None:
    """A withdrawn reminder that is right again (the excuse was undone, the item moved back)."""
    await Reminder.update({Reminder.cancelled_at: None, Reminder.params: plan.params,
                           Reminder.due_at: max(plan.due, now), Reminder.expires_at: plan.expires}).where(
        (Reminder.id == row["id"]) & Reminder.cancelled_at.is_not_null() & (Reminder.fanned_out == False))  # noqa: E712


async def on_absence_changed(person_id: UUID) -> None:
    """After a sick report or an attendance change: that person's automatic reminders, now (an
    excused day gets none, an excuse undone brings them back). Never fails the action that called
    it; the planning job catches up within its interval."""
    try:
        await plan_automatic_reminders(person_id=person_id)
    except Exception:  # noqa: BLE001 - the report itself must not fail over its reminders
        log.exception("Re-planning the automatic reminders of %s failed", person_id)


def _chunks(values: list, size: int = _CHUNK):
    for start in range(0, len(values), size):
        yield values[start:start + size]
