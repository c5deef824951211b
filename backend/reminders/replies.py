"""Quick replies and "Ik heb hulp nodig": the worker answers in one tap, the coach reads it in their
own language (issue 15, part 4).

Quick replies
    Each inbox message can be answered with one of five fixed replies (`REPLIES`): "OK", "Ik kom",
    "Ik kom niet", "Ik begrijp het niet", "Bel me". A reply is a key, never free text, so the coach
    reads it in their own language whatever language the worker reads. One reply per message and
    person: **a different reply later replaces the earlier one** (a worker may change "Ik kom" into
    "Ik kom niet"; the coach sees the latest with its time), the same reply again changes nothing
    (its time stays). Only the recipient replies to their own message; for anyone else the message
    does not exist (404). "OK" also acknowledges the message, as the old OK button did. A reply
    marks the message read and counts as contact for the "no contact" flag.

Help requests
    The worker's Home asks what kind of help (`HELP_KINDS`: work, ride, health, other) and tells
    the worker's coach at once: an urgent push and an inbox message in the coach's language
    ("Ahmed vraagt hulp: vervoer"). Tapping again within `HELP_REPEAT` sends nothing new: the answer
    says `repeated` and when the first one went (one message per kind per five minutes). A help
    request counts as contact too.

Both go through the phone's outbox with an `Idempotency-Key`, so a reply tapped offline is sent once.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal
from uuid import UUID

from backend.access import Actor, Role, require_role
from backend.accounts.tables import Person
from backend.errors import Conflict, NotFound
from backend.i18n import translate
from backend.schemas import CamelStruct, InputStruct
from notifications import reminders as core
from notifications.tables import Recipient, Reminder

REPLIES = ("ok", "coming", "not_coming", "unclear", "call_me")
HELP_KINDS = ("work", "ride", "health", "other")
HELP_REPEAT = dt.timedelta(minutes=5)
HELP_TTL = dt.timedelta(hours=12)

ReplyKey = Literal["ok", "coming", "not_coming", "unclear", "call_me"]
HelpKind = Literal["work", "ride", "health", "other"]


class ReplyIn(InputStruct):
    reply: ReplyKey


class ReplyOut(CamelStruct):
    id: UUID
    reply: str
    replied_at: dt.datetime


class HelpIn(InputStruct):
    kind: HelpKind


class HelpOut(CamelStruct):
    kind: str
    sent_at: dt.datetime
    # True when the same kind was asked less than five minutes ago: nothing new was sent.
    repeated: bool


def reply_text(reply: str | None, language: str) -> str:
    """The reply in words, e.g. "Ik kom" (empty without a reply)."""
    return translate(f"reply.{reply}", language) if reply in REPLIES else ""


def help_kind_text(kind: str, language: str) -> str:
    return translate(f"help_kind_{kind}", language) if kind in HELP_KINDS else kind


# --- quick replies -------------------------------------------------------------------------------

async def reply(actor: Actor, recipient_id: UUID, data: ReplyIn) -> ReplyOut:
    """Store the asker's reply to one of their own inbox messages (404 for anyone else's)."""
    row = await Recipient.select(Recipient.id, Recipient.read_at, Recipient.reply, Recipient.replied_at,
                                 Recipient.acknowledged_at).where(
        (Recipient.id == recipient_id) & (Recipient.person == actor.id)
        & (Recipient.reminder.due_at <= core.utcnow()) & Recipient.reminder.cancelled_at.is_null()).first()
    if row is None:
        raise NotFound()
    if row["reply"] == data.reply and row["replied_at"] is not None:
        return ReplyOut(id=recipient_id, reply=data.reply, replied_at=row["replied_at"])
    now = core.utcnow()
    values = {Recipient.reply: data.reply, Recipient.replied_at: now, Recipient.read_at: row["read_at"] or now}
    if data.reply == "ok" and row["acknowledged_at"] is None:
        values[Recipient.acknowledged_at] = now
    await Recipient.update(values).where(Recipient.id == recipient_id)
    await _contact_changed(actor)
    return ReplyOut(id=recipient_id, reply=data.reply, replied_at=now)


async def _contact_changed(actor: Actor) -> None:
    if actor.role == Role.WORKER:
        from backend.coaching.flags import worker_changed  # the coaching package reads replies too

        await worker_changed(actor.id)


# --- help requests -------------------------------------------------------------------------------

def _help_key(worker: UUID, kind: str, at: dt.datetime) -> str:
    """One key per worker, kind and five-minute slot: two taps at once make one message."""
    slot = int(at.timestamp() // HELP_REPEAT.total_seconds())
    return f"help:{worker}:{kind}:{slot}"


async def ask_help(actor: Actor, data: HelpIn) -> HelpOut:
    """'Ik heb hulp nodig': an urgent push and inbox message to the worker's coach, in the coach's
    language. Workers only (403 for others); 409 when the worker has no coach yet."""
    require_role(actor, Role.WORKER)
    worker = await Person.select(Person.coach, Person.organisation, Person.first_name).where(
        Person.id == actor.id).first()
    if worker is None or worker["coach"] is None:
        raise Conflict("help_no_coach")
    now = core.utcnow()
    earlier = await Reminder.select(Reminder.created_at).where(
        (Reminder.source == "help") & (Reminder.subject == actor.id) & (Reminder.template == f"help_{data.kind}")
        & (Reminder.created_at > now - HELP_REPEAT) & (Reminder.created_at <= now)).order_by(
        Reminder.created_at, ascending=False).first()
    if earlier is not None:
        return HelpOut(kind=data.kind, sent_at=earlier["created_at"], repeated=True)
    made = await core.create_reminder(core.NewReminder(
        recipients=[worker["coach"]], due_at=now, expires_at=now + HELP_TTL, source="help",
        template=f"help_{data.kind}", params={"name": worker["first_name"], "kind": data.kind}, urgent=True,
        organisation=worker["organisation"], created_by=actor.id, url=f"/#/people/{actor.id}",
        subject=actor.id, source_key=_help_key(actor.id, data.kind, now)))
    if made is None:  # a copy tapped at the same moment got there first
        return HelpOut(kind=data.kind, sent_at=now, repeated=True)
    stored = await Reminder.select(Reminder.created_at).where(Reminder.id == made).first()
    await _contact_changed(actor)
    return HelpOut(kind=data.kind, sent_at=stored["created_at"], repeated=False)


# --- what the coach sees ---------------------------------------------------------------------------

async def last_replies(people: list[UUID], since: dt.datetime, language: str) -> dict[UUID, dict]:
    """Per worker, their latest quick reply since `since`: {reply, text, at, title}."""
    if not people:
        return {}
    from notifications import payload

    from piccolo.columns.combination import WhereRaw
    from piccolo.engine.sqlite import SQLiteEngine

    if isinstance(Recipient._meta.db, SQLiteEngine):
        # Through the `replied_at` index (a few recent replies), not the person index: SQLite would
        # otherwise walk every message of each worker, a year of them. `+` keeps SQLite off that index.
        whose = WhereRaw(f'+"recipient"."person" IN ({", ".join(["{}"] * len(people))})', *people)
    else:
        whose = Recipient.person.is_in(people)
    rows = await Recipient.select(
        Recipient.person, Recipient.reply, Recipient.replied_at, Recipient.reminder.title.as_alias("title"),
        Recipient.reminder.template.as_alias("template"), Recipient.reminder.params.as_alias("params"),
        Recipient.reminder.body.as_alias("body"),
    ).where(whose & Recipient.replied_at.is_not_null() & (Recipient.replied_at > since)
            & Recipient.reminder.cancelled_at.is_null()).order_by(Recipient.replied_at).output(load_json=True)
    found: dict[UUID, dict] = {}
    for r in rows:
        title, _ = payload.render(r["template"], r["params"] or {}, r["title"], r["body"], language)
        found[r["person"]] = {"reply": r["reply"], "text": reply_text(r["reply"], language),
                              "at": r["replied_at"], "title": title}
    return found


async def help_timeline(person: UUID, before: dt.datetime, limit: int, lang: str) -> list:
    """The worker's help requests on their timeline, in the reader's language."""
    from backend.coaching.schemas import TimelineEntry

    rows = await Reminder.select(Reminder.id, Reminder.created_at, Reminder.params).where(
        (Reminder.source == "help") & (Reminder.subject == person) & (Reminder.created_at < before)).order_by(
        Reminder.created_at, ascending=False).limit(limit).output(load_json=True)
    return [TimelineEntry(at=r["created_at"], kind="help", ref_id=str(r["id"]), detail="",
                          title=translate("timeline_help", lang,
                                          kind=help_kind_text((r["params"] or {}).get("kind", ""), lang)))
            for r in rows]
