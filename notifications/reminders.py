"""Creating reminders and recurring rules, the inbox, push subscriptions, and status for coaches.

Plain values in and out, so the web layer, jobs and the CLI share them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from uuid import UUID
from zoneinfo import ZoneInfo

from notifications import payload
from notifications.endpoints import check_endpoint
from notifications.tables import Delivery, PushSubscription, Recipient, Reminder, ReminderMention, ReminderRule

UTC = dt.timezone.utc


def utcnow() -> dt.datetime:
    return dt.datetime.now(UTC)


@dataclass(frozen=True)
class NewReminder:
    recipients: list[UUID]
    due_at: dt.datetime
    expires_at: dt.datetime
    source: str
    title: str = ""
    body: str = ""
    template: str | None = None
    params: dict | None = None
    url: str = "/"
    urgent: bool = False
    event_at: dt.datetime | None = None
    organisation: UUID | None = None
    created_by: UUID | None = None
    source_key: str | None = None
    topic_seed: str | None = None
    rule: UUID | None = None
    # Whom the message is about (erasing them reaches it), and others it names: (person, the line
    # of the body about them, or "" when the whole message is).
    subject: UUID | None = None
    mentions: tuple[tuple[UUID, str], ...] = ()


async def create_reminder(new: NewReminder) -> UUID | None:
    """Store a reminder and its recipients (their inbox rows). With a `source_key` that already
    exists nothing is created and None is returned, so generators may run in many processes."""
    reminder = Reminder(
        organisation=new.organisation, created_by=new.created_by, source=new.source, source_key=new.source_key,
        rule=new.rule, subject=new.subject, title=new.title, body=new.body, template=new.template,
        params=new.params or {},
        url=new.url, urgent=new.urgent, event_at=new.event_at, due_at=new.due_at, expires_at=new.expires_at,
        topic="")
    reminder.topic = payload.topic_for(new.topic_seed or f"reminder:{reminder.id}")
    async with Reminder._meta.db.transaction():
        inserted = await Reminder.insert(reminder).on_conflict(action="DO NOTHING").returning(Reminder.id)
        if not inserted:
            return None
        unique = list(dict.fromkeys(new.recipients))
        for start in range(0, len(unique), 500):  # SQLite limits the parameters of one statement
            await Recipient.insert(*[Recipient(reminder=reminder.id, person=p, key=f"{reminder.id}:{p}")
                                     for p in unique[start:start + 500]])
        if new.mentions:
            await ReminderMention.insert(*[ReminderMention(reminder=reminder.id, person=p, line=line)
                                           for p, line in new.mentions])
    return reminder.id


async def cancel_reminder(reminder_id: UUID) -> None:
    await Reminder.update({Reminder.cancelled_at: utcnow()}).where(
        (Reminder.id == reminder_id) & Reminder.cancelled_at.is_null())


# --- inbox --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class InboxEntry:
    id: UUID
    reminder_id: UUID
    title: str
    body: str
    url: str
    urgent: bool
    due_at: dt.datetime
    read_at: dt.datetime | None
    acknowledged_at: dt.datetime | None
    reply: str | None = None
    # "Written in Dutch" in the reader's language when the text (or part of it) is the coach's Dutch.
    mark: str = ""
    # The language of the title and of the body ("" for the reader's own), so the screen marks them up.
    title_language: str = ""
    body_language: str = ""


async def inbox(person_id: UUID, language: str, limit: int = 50, unread_only: bool = False) -> list[InboxEntry]:
    """Reminders that have come due for this person, newest first, in their language."""
    query = Recipient.select(
        Recipient.id, Recipient.read_at, Recipient.acknowledged_at, Recipient.reply,
        *Recipient.reminder.all_columns(),
    ).where(
        (Recipient.person == person_id) & (Recipient.reminder.due_at <= utcnow())
        & Recipient.reminder.cancelled_at.is_null()
    ).order_by(Recipient.reminder.due_at, ascending=False).limit(limit).output(load_json=True)
    if unread_only:
        query = query.where(Recipient.read_at.is_null())
    entries = []
    for row in await query:
        title, body, mark = payload.render_parts(row["reminder.template"], row["reminder.params"] or {},
                                                 row["reminder.title"], row["reminder.body"], language)
        entries.append(InboxEntry(id=row["id"], reminder_id=row["reminder.id"], title=title, body=body,
                                  url=row["reminder.url"], urgent=row["reminder.urgent"],
                                  due_at=row["reminder.due_at"], read_at=row["read_at"],
                                  acknowledged_at=row["acknowledged_at"], reply=row["reply"], mark=mark,
                                  **payload.languages_of(row["reminder.template"], row["reminder.params"] or {},
                                                         language)))
    return entries


async def mark(person_id: UUID, recipient_id: UUID, acknowledge: bool) -> bool:
    """Opening marks read; 'OK' marks acknowledged (and read). False when it is not theirs."""
    row = await Recipient.select(Recipient.id, Recipient.read_at).where(
        (Recipient.id == recipient_id) & (Recipient.person == person_id)).first()
    if row is None:
        return False
    now = utcnow()
    values = {Recipient.read_at: row["read_at"] or now}
    if acknowledge:
        values[Recipient.acknowledged_at] = now
    await Recipient.update(values).where(Recipient.id == recipient_id)
    return True


# --- subscriptions ------------------------------------------------------------------------------

async def subscribe(person_id: UUID, session_id: UUID | None, endpoint: str, p256dh: str, auth: str,
                    user_agent: str, extra_hosts: tuple[str, ...]) -> UUID:
    """Store a browser's subscription; one per device (a newer one replaces the device's older one).

    An endpoint already registered to another person is never moved to the asker, keys or not: the
    other person's subscription ends (reason "registered by another person", so their devices list
    says why pushes stopped) and the asker gets a new subscription of their own. Nothing of the old
    one carries over (its deliveries, its last success), and pushes for the other person stop at once.
    Endpoints are unique, so the ended row gives up its endpoint for a marker.
    """
    check_endpoint(endpoint, extra_hosts)
    now = utcnow()
    async with PushSubscription._meta.db.transaction():
        if session_id is not None:
            await PushSubscription.update({PushSubscription.deactivated_at: now,
                                           PushSubscription.deactivation_reason: "replaced on this device"}).where(
                (PushSubscription.session_id == session_id) & (PushSubscription.endpoint != endpoint)
                & PushSubscription.deactivated_at.is_null())
        existing = await PushSubscription.select(PushSubscription.id, PushSubscription.person).where(
            PushSubscription.endpoint == endpoint).first()
        if existing and existing["person"] != person_id:
            await PushSubscription.update({
                PushSubscription.endpoint: f"ended:{existing['id']}",
                PushSubscription.deactivated_at: now,
                PushSubscription.deactivation_reason: "registered by another person",
            }).where((PushSubscription.id == existing["id"]) & PushSubscription.deactivated_at.is_null())
            await PushSubscription.update({PushSubscription.endpoint: f"ended:{existing['id']}"}).where(
                PushSubscription.id == existing["id"])  # an already ended one keeps its own reason
            existing = None
        if existing:
            await PushSubscription.update({
                PushSubscription.session_id: session_id, PushSubscription.p256dh: p256dh,
                PushSubscription.auth: auth, PushSubscription.user_agent: user_agent[:200],
                PushSubscription.deactivated_at: None, PushSubscription.deactivation_reason: ""}).where(
                PushSubscription.id == existing["id"])
            return existing["id"]
        sub = PushSubscription(person=person_id, session_id=session_id, endpoint=endpoint, p256dh=p256dh,
                               auth=auth, user_agent=user_agent[:200])
        await sub.save()
        return sub.id


async def unsubscribe(person_id: UUID, endpoint: str) -> bool:
    done = await PushSubscription.update({PushSubscription.deactivated_at: utcnow(),
                                          PushSubscription.deactivation_reason: "unsubscribed"}).where(
        (PushSubscription.person == person_id) & (PushSubscription.endpoint == endpoint)
        & PushSubscription.deactivated_at.is_null()).returning(PushSubscription.id)
    return bool(done)


async def deactivate_for_session(session_id: UUID) -> None:
    """A device that signs out (or is revoked) gets no more pushes."""
    await PushSubscription.update({PushSubscription.deactivated_at: utcnow(),
                                   PushSubscription.deactivation_reason: "signed out"}).where(
        (PushSubscription.session_id == session_id) & PushSubscription.deactivated_at.is_null())


async def active_subscriptions(person_id: UUID) -> int:
    return await PushSubscription.count().where(
        (PushSubscription.person == person_id) & PushSubscription.deactivated_at.is_null())


# --- status for coaches -------------------------------------------------------------------------

@dataclass(frozen=True)
class RecipientStatus:
    recipient_id: UUID
    person_id: UUID
    state: str
    push_status: str
    error: str
    pushed_at: dt.datetime | None
    late_seconds: int | None
    read_at: dt.datetime | None
    acknowledged_at: dt.datetime | None
    reply: str | None = None
    replied_at: dt.datetime | None = None


def state_of(push_status: str, read_at, acknowledged_at) -> str:
    """The furthest a reminder got: acknowledged, read, sent, failed, expired, inbox or queued."""
    if acknowledged_at:
        return "acknowledged"
    if read_at:
        return "read"
    if push_status == "none":
        return "inbox"
    return push_status


async def recipient_statuses(reminder_ids: list[UUID]) -> dict[UUID, list[RecipientStatus]]:
    """Per reminder, the state of each recipient (one query for all the reminders asked)."""
    result: dict[UUID, list[RecipientStatus]] = {rid: [] for rid in reminder_ids}
    if not reminder_ids:
        return result
    for r in await Recipient.select().where(Recipient.reminder.is_in(list(reminder_ids))):
        result.setdefault(r["reminder"], []).append(RecipientStatus(
            recipient_id=r["id"], person_id=r["person"],
            state=state_of(r["push_status"], r["read_at"], r["acknowledged_at"]), push_status=r["push_status"],
            error=r["push_error"], pushed_at=r["pushed_at"], late_seconds=r["late_seconds"], read_at=r["read_at"],
            acknowledged_at=r["acknowledged_at"], reply=r["reply"], replied_at=r["replied_at"]))
    return result


# --- recurring rules ----------------------------------------------------------------------------

RULE_HORIZON = dt.timedelta(days=2)
RULE_TTL = dt.timedelta(hours=12)


async def expand_rules(now: dt.datetime | None = None) -> int:
    """Turn recurring coach reminders into dated reminders for the next two days (idempotent)."""
    now = now or utcnow()
    horizon = now + RULE_HORIZON
    created = 0
    rules = await ReminderRule.select().where(
        ReminderRule.ended_at.is_null()
        & (ReminderRule.expanded_until.is_null() | (ReminderRule.expanded_until < horizon))
    ).output(load_json=True)
    for rule in rules:
        tz = ZoneInfo(rule["timezone"])
        weekdays = {int(d) for d in rule["weekdays"].split(",")}
        hour, minute = (int(x) for x in rule["at_time"].split(":"))
        start = max(rule["valid_from"], rule["expanded_until"] or rule["valid_from"], now - dt.timedelta(hours=1))
        day = start.astimezone(tz).date()
        while True:
            moment = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=tz).astimezone(UTC)
            if moment > horizon or (rule["valid_until"] and moment > rule["valid_until"]):
                break
            if day.isoweekday() in weekdays and moment >= start:
                made = await create_reminder(NewReminder(
                    recipients=[UUID(p) for p in rule["recipients"]], due_at=moment, expires_at=moment + RULE_TTL,
                    source="rule", title=rule["title"], body=rule["body"], organisation=rule["organisation"],
                    template=rule.get("template"), params=rule.get("params") or None,
                    created_by=rule["created_by"], source_key=f"rule:{rule['id']}:{day.isoformat()}",
                    topic_seed=f"rule:{rule['id']}", rule=rule["id"], url="/#/inbox"))
                created += made is not None
            day += dt.timedelta(days=1)
        await ReminderRule.update({ReminderRule.expanded_until: horizon}).where(ReminderRule.id == rule["id"])
    return created


async def purge(now: dt.datetime | None = None, keep: dt.timedelta = dt.timedelta(days=90)) -> int:
    """Forget finished deliveries and dead subscriptions after `keep`; inbox rows stay."""
    cutoff = (now or utcnow()) - keep
    old = await Delivery.delete().where(
        Delivery.status.is_in(["sent", "failed", "expired", "gone"]) & (Delivery.next_attempt_at < cutoff)
    ).returning(Delivery.id)
    dead = await PushSubscription.select(PushSubscription.id).where(PushSubscription.deactivated_at < cutoff)
    for sub in dead:
        if not await Delivery.exists().where(Delivery.subscription == sub["id"]):
            await PushSubscription.delete().where(PushSubscription.id == sub["id"])
    return len(old)
