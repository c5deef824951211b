"""What is about a person in rows that do not name them as their subject: messages to others about
them, messages to them alone, schedule items and series only they are planned in, the geocoder's
cache of their home address. Erasure reaches these here; the export shows them here.

- A message about the person (`Reminder.subject`: a sick or late report to the coach, a ride notice
  to a buddy, a one-worker digest) goes with the person's own rows through the policy walk
  (`policy.POLICIES["reminder"]`). A message naming them besides others (`ReminderMention`: a
  digest of several workers, a ride notice naming the driver) loses their line, or goes when the
  whole message is about them. A message sent to them alone goes too (its words were for them:
  a coach's reminder, a test push); a weekly reminder rule forgets them, and ends when no one is left.
- A schedule item or series whose only participant is the person keeps its times and kind (the
  hours in the impact report), and loses its free text: title, place, contact and note.
- The geocoder's cache rows of their home address go (address and exact coordinates).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from uuid import UUID

import msgspec

from backend.accounts.tables import Person
from backend.mobility import geocoding
from backend.mobility.tables import Home
from backend.organisations.tables import Workplace
from backend.schedule.tables import Participant, ScheduleItem, ScheduleSeries
from notifications import payload
from notifications.tables import Delivery, Recipient, Reminder, ReminderMention, ReminderRule

CHUNK = 500  # SQLite limits the parameters of one statement
STAFF = ("coach", "admin")
AS_MESSAGES = ("reminder", "reminder_mention")  # exported by `export_copies`, not as raw rows
PLACE_AND_TEXT = {"title": "", "address": "", "latitude": None, "longitude": None, "contact_name": "",
                  "contact_phone": "", "note": ""}


def _chunks(values: list) -> list[list]:
    return [values[i:i + CHUNK] for i in range(0, len(values), CHUNK)]


def _json(value: Any) -> Any:
    if isinstance(value, (str, bytes)):
        try:
            return msgspec.json.decode(value)
        except msgspec.DecodeError:
            return None
    return value


# --- which rows ---------------------------------------------------------------------------------

async def only_their_items(person_id: UUID) -> list[UUID]:
    """Schedule items the person is the only participant of."""
    mine = list(dict.fromkeys(r["item"] for r in await Participant.select(Participant.item).where(
        Participant.person == person_id)))
    shared: set[UUID] = set()
    for chunk in _chunks(mine):
        shared |= {r["item"] for r in await Participant.select(Participant.item).where(
            Participant.item.is_in(chunk) & (Participant.person != person_id))}
    return [item for item in mine if item not in shared]


async def only_their_series(person_id: UUID) -> list[UUID]:
    rows = await ScheduleSeries.select(ScheduleSeries.id, ScheduleSeries.participants)
    return [r["id"] for r in rows if [str(p) for p in (_json(r["participants"]) or [])] == [str(person_id)]]


async def home_addresses(person_id: UUID) -> list[str]:
    return [r["address"] for r in await Home.select(Home.address).where(Home.person == person_id) if r["address"]]


async def _sent_to_them_alone(person_id: UUID) -> list[UUID]:
    theirs = list(dict.fromkeys(r["reminder"] for r in await Recipient.select(Recipient.reminder).where(
        Recipient.person == person_id)))
    shared: set[UUID] = set()
    for chunk in _chunks(theirs):
        shared |= {r["reminder"] for r in await Recipient.select(Recipient.reminder).where(
            Recipient.reminder.is_in(chunk) & (Recipient.person != person_id))}
    return [r for r in theirs if r not in shared]


# --- erasure ------------------------------------------------------------------------------------

async def delete_reminders(ids: list[UUID]) -> int:
    """Reminders with their inbox rows, deliveries and mentions."""
    for chunk in _chunks(list(dict.fromkeys(ids))):
        recipients = [r["id"] for r in await Recipient.select(Recipient.id).where(Recipient.reminder.is_in(chunk))]
        for part in _chunks(recipients):
            await Delivery.delete().where(Delivery.recipient.is_in(part))
        await Recipient.delete().where(Recipient.reminder.is_in(chunk))
        await ReminderMention.delete().where(ReminderMention.reminder.is_in(chunk))
        await Reminder.delete().where(Reminder.id.is_in(chunk))
    return len(set(ids))


def _without_line(body: str, line: str) -> str:
    lines = body.split("\n")
    if line in lines:
        lines.remove(line)
    return "\n".join(lines)


async def erase_messages(person_id: UUID) -> dict[str, int]:
    """Messages naming the person besides others lose their line; messages sent to them alone go;
    weekly reminder rules forget them. (Messages about them go through the policy walk.)"""
    counts: dict[str, int] = {}
    gone: list[UUID] = []
    edited = 0
    mentions = await ReminderMention.select(ReminderMention.reminder, ReminderMention.line).where(
        ReminderMention.person == person_id)
    for mention in mentions:
        if not mention["line"]:
            gone.append(mention["reminder"])
            continue
        row = await Reminder.select(Reminder.body).where(Reminder.id == mention["reminder"]).first()
        if row is None:
            continue
        body = _without_line(row["body"], mention["line"])
        if not body.strip():
            gone.append(mention["reminder"])
        else:
            await Reminder.update({Reminder.body: body}).where(Reminder.id == mention["reminder"])
            edited += 1
    await ReminderMention.delete().where(ReminderMention.person == person_id)
    gone += await _sent_to_them_alone(person_id)
    counts["reminder_mention"] = len(mentions)
    counts["reminder_edited"] = edited
    counts["reminder_deleted"] = await delete_reminders(gone)
    rules = 0
    for rule in await ReminderRule.select(ReminderRule.id, ReminderRule.recipients):
        people = [str(p) for p in (_json(rule["recipients"]) or [])]
        if str(person_id) not in people:
            continue
        rest = [p for p in people if p != str(person_id)]
        values: dict = {ReminderRule.recipients: rest}
        if not rest:
            values.update({ReminderRule.title: "", ReminderRule.body: "",
                           ReminderRule.ended_at: dt.datetime.now(dt.timezone.utc)})
        await ReminderRule.update(values).where(ReminderRule.id == rule["id"])
        rules += 1
    counts["reminder_rule"] = rules
    return counts


async def erase_free_text(person_id: UUID) -> dict[str, int]:
    """Blank the free text of schedule items and series only the person is planned in, and drop the
    geocoder's cache of their home address. Run before their home row is deleted."""
    items = await only_their_items(person_id)
    addresses = await home_addresses(person_id)
    for chunk in _chunks(items):
        addresses += [r["address"] for r in await ScheduleItem.select(ScheduleItem.address).where(
            ScheduleItem.id.is_in(chunk)) if r["address"]]
        await ScheduleItem.update({getattr(ScheduleItem, k): v for k, v in PLACE_AND_TEXT.items()}).where(
            ScheduleItem.id.is_in(chunk))
    series = await only_their_series(person_id)
    for chunk in _chunks(series):
        await ScheduleSeries.update({getattr(ScheduleSeries, k): v for k, v in PLACE_AND_TEXT.items()}).where(
            ScheduleSeries.id.is_in(chunk))
    return {"schedule_item_text": len(items), "schedule_series_text": len(series),
            "geocode_cache": await geocoding.forget(addresses)}


# --- export -------------------------------------------------------------------------------------

async def _people(ids: set[UUID]) -> dict[UUID, dict]:
    found: dict[UUID, dict] = {}
    for chunk in _chunks([i for i in ids if i is not None]):
        for p in await Person.select(Person.id, Person.role, Person.first_name, Person.last_name).where(
                Person.id.is_in(chunk)):
            found[p["id"]] = p
    return found


def _staff_name(people: dict[UUID, dict], person_id: UUID | None) -> str:
    p = people.get(person_id) if person_id else None
    return f"{p['first_name']} {p['last_name']}".strip() if p and p["role"] in STAFF else ""


def _redactor(others: list[dict]):
    """Takes the first and last names of people who are not staff out of a text (GDPR art. 15(4):
    a copy must not give away others; a ride notice names the driver)."""
    names = sorted({n for p in others for n in (p["first_name"], p["last_name"]) if len(n.strip()) > 1},
                   key=len, reverse=True)
    if not names:
        return lambda text: text
    pattern = re.compile(r"\b(" + "|".join(re.escape(n) for n in names) + r")\b")
    return lambda text: pattern.sub("…", text)


async def export_copies(person: dict) -> dict[str, Any]:
    """The person's inbox, the messages about them sent to others (their line only, when a message
    names several), their schedule items in full and the geocoder's answer for their home."""
    person_id, language = person["id"], person["language"] or "nl"
    inbox_rows = await Recipient.select(
        Recipient.read_at, Recipient.acknowledged_at, Recipient.reply, Recipient.replied_at,
        *Recipient.reminder.all_columns()).where(
        Recipient.person == person_id).order_by(Recipient.reminder.due_at).output(load_json=True)
    about = await Reminder.select().where(Reminder.subject == person_id).order_by(Reminder.due_at).output(
        load_json=True)
    named = await ReminderMention.select(ReminderMention.line, *ReminderMention.reminder.all_columns()).where(
        ReminderMention.person == person_id).output(load_json=True)
    reminder_ids = [r["reminder.id"] for r in inbox_rows] + [r["id"] for r in about] + [r["reminder.id"] for r in named]
    mentioned: dict[UUID, list[UUID]] = {}
    sent_to: dict[UUID, list[UUID]] = {}
    for chunk in _chunks(list(dict.fromkeys(reminder_ids))):
        for m in await ReminderMention.select(ReminderMention.reminder, ReminderMention.person).where(
                ReminderMention.reminder.is_in(chunk) & (ReminderMention.person != person_id)):
            mentioned.setdefault(m["reminder"], []).append(m["person"])
        for r in await Recipient.select(Recipient.reminder, Recipient.person).where(
                Recipient.reminder.is_in(chunk) & (Recipient.person != person_id)):
            sent_to.setdefault(r["reminder"], []).append(r["person"])
    people = await _people({p for ps in [*mentioned.values(), *sent_to.values()] for p in ps}
                           | {r["reminder.created_by"] for r in inbox_rows} | {r["created_by"] for r in about})

    def text(row: dict, prefix: str = "") -> tuple[str, str]:
        get = lambda k: row[prefix + k]  # noqa: E731
        title, body = payload.render(get("template"), get("params") or {}, get("title"), get("body"), language)
        others = [people[p] for p in mentioned.get(get("id"), []) if p in people and people[p]["role"] not in STAFF]
        redact = _redactor(others)
        return redact(title), redact(body)

    def recipients(reminder_id: UUID) -> list[dict]:
        return [{"role": people[p]["role"], "name": _staff_name(people, p)}
                for p in sent_to.get(reminder_id, []) if p in people]

    inbox = []
    for r in inbox_rows:
        title, body = text(r, "reminder.")
        inbox.append({"title": title, "body": body, "dueAt": r["reminder.due_at"], "readAt": r["read_at"],
                      "acknowledgedAt": r["acknowledged_at"], "cancelledAt": r["reminder.cancelled_at"],
                      "reply": r["reply"], "repliedAt": r["replied_at"],  # a quick reply (a fixed key)
                      "from": _staff_name(people, r["reminder.created_by"]), "source": r["reminder.source"]})
    messages = []
    for r in about:
        title, body = text(r)
        messages.append({"title": title, "body": body, "dueAt": r["due_at"], "source": r["source"],
                         "sentTo": recipients(r["id"])})
    for r in named:
        title, _ = text(r, "reminder.")
        messages.append({"title": title, "body": r["line"], "dueAt": r["reminder.due_at"],
                         "source": r["reminder.source"], "sentTo": recipients(r["reminder.id"])})
    return {"inbox": inbox, "messagesAboutThem": messages, "schedule": await _schedule(person_id),
            "geocoded": await geocoding.cached(await home_addresses(person_id))}


async def _schedule(person_id: UUID) -> list[dict]:
    item_ids = list(dict.fromkeys(r["item"] for r in await Participant.select(Participant.item).where(
        Participant.person == person_id)))
    rows: list[dict] = []
    for chunk in _chunks(item_ids):
        rows += await ScheduleItem.select().where(ScheduleItem.id.is_in(chunk)).output(load_json=True)
    workplaces = list({r["workplace"] for r in rows if r["workplace"]})
    places = {w["id"]: w for w in await Workplace.select(Workplace.id, Workplace.name, Workplace.street,
                                                         Workplace.postcode, Workplace.city).where(
        Workplace.id.is_in(workplaces))} if workplaces else {}
    counts: dict[UUID, int] = {}
    for chunk in _chunks(item_ids):
        for p in await Participant.select(Participant.item).where(
                Participant.item.is_in(chunk) & (Participant.person != person_id)):
            counts[p["item"]] = counts.get(p["item"], 0) + 1
    people = await _people({r["created_by"] for r in rows})
    out = []
    for r in sorted(rows, key=lambda r: r["starts_at"]):
        place = places.get(r["workplace"])
        out.append({"id": r["id"], "title": r["title"], "kind": r["kind"], "startsAt": r["starts_at"],
                    "endsAt": r["ends_at"], "cancelledAt": r["cancelled_at"],
                    "workplace": " ".join(filter(None, [place["name"], place["street"], place["postcode"],
                                                        place["city"]])) if place else "",
                    "address": r["address"], "latitude": r["latitude"], "longitude": r["longitude"],
                    "contactName": r["contact_name"], "contactPhone": r["contact_phone"], "bring": r["bring"],
                    "note": r["note"], "plannedBy": _staff_name(people, r["created_by"]),
                    "otherParticipants": counts.get(r["id"], 0)})
    return out
