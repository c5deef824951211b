"""Each person's private iCalendar (RFC 5545) feed of their schedule.

The URL holds an unguessable token derived from the person, a version number and the server secret;
renewing bumps the version, so the old URL stops working at once and nothing secret is stored.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
from uuid import UUID

import icalendar

from backend.accounts.tables import Person
from backend.errors import NotFound
from backend.schedule import recurrence
from backend.schedule.schemas import CalendarOut, ItemOut
from backend.schedule.services import read_items
from backend.schedule.tables import CalendarFeed
from backend.settings import get_settings
from backend.i18n import SUPPORTED, translate
from notifications.payload import bring_label

PAST_DAYS = 30
FUTURE_DAYS = 120
ALARM_BEFORE = dt.timedelta(hours=1)

# The words are `calendar.*` in backend/locales; the things to bring are `bring.*`, shared with the push texts.


def _sign(person_id: UUID, version: int) -> bytes:
    key = get_settings().secret_key.encode()
    return hmac.new(key, f"calendar:{person_id}:{version}".encode(), hashlib.sha256).digest()[:18]


def make_token(person_id: UUID, version: int) -> str:
    return base64.urlsafe_b64encode(person_id.bytes + _sign(person_id, version)).decode().rstrip("=")


async def _feed(person_id: UUID) -> CalendarFeed:
    feed = await CalendarFeed.objects().where(CalendarFeed.person == person_id).first()
    if feed is None:
        await CalendarFeed.insert(CalendarFeed(person=person_id, version=1)).on_conflict(action="DO NOTHING")
        feed = await CalendarFeed.objects().where(CalendarFeed.person == person_id).first()
    return feed


def feed_url(person_id: UUID, version: int) -> str:
    return f"{get_settings().public_url}/cal/{make_token(person_id, version)}.ics"


async def calendar_info(person_id: UUID) -> CalendarOut:
    feed = await _feed(person_id)
    return CalendarOut(url=feed_url(person_id, feed.version), renewed_at=feed.renewed_at)


async def renew(person_id: UUID) -> CalendarOut:
    feed = await _feed(person_id)
    await CalendarFeed.update({CalendarFeed.version: CalendarFeed.version + 1,
                               CalendarFeed.renewed_at: dt.datetime.now(dt.timezone.utc)}).where(
        CalendarFeed.id == feed.id)
    return await calendar_info(person_id)


async def person_for_token(token: str) -> Person:
    """The person whose current feed token this is; 404 for anything else (old, forged, garbled)."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        person_id = UUID(bytes=raw[:16])
    except (ValueError, TypeError):
        raise NotFound() from None
    feed = await CalendarFeed.objects().where(CalendarFeed.person == person_id).first()
    if feed is None or not hmac.compare_digest(raw[16:], _sign(person_id, feed.version)):
        raise NotFound()
    person = await Person.objects().where((Person.id == person_id) & (Person.active == True)).first()  # noqa: E712
    if person is None:
        raise NotFound()
    return person


def _description(item: ItemOut, lang: str) -> str:
    lines = []
    if item.bring:
        lines.append(f"{translate('calendar.bring', lang)}: " + ", ".join(bring_label(b, lang) for b in item.bring))
    if item.contact_name or item.contact_phone:
        lines.append(f"{translate('calendar.contact', lang)}: {item.contact_name} {item.contact_phone}".strip())
    if item.note:
        lines.append(item.note)
    return "\n".join(lines)


async def render_feed(person: Person) -> bytes:
    """The feed: the person's items from 30 days back to 120 days ahead, local times with VTIMEZONE."""
    today = recurrence.local_today()
    first, last = today - dt.timedelta(days=PAST_DAYS), today + dt.timedelta(days=FUTURE_DAYS)
    # Days beyond the stored horizon are computed, not stored: a calendar app's poll never writes.
    start, _ = recurrence.day_bounds(first, last)
    items = [i for i in await read_items(first, last, person_id=person.id, include_participants=False,
                                         viewer=person.id) if i.starts_at >= start]
    lang = person.language if person.language in SUPPORTED else "nl"
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Werkmaat//Werkmaat//NL")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", translate("calendar.name", lang))
    cal.add("x-wr-timezone", "Europe/Brussels")
    stamp = dt.datetime.now(dt.timezone.utc)
    for item in items:
        event = icalendar.Event()
        event.add("uid", f"{item.id}@werkmaat")
        event.add("dtstamp", stamp)
        event.add("dtstart", recurrence.to_local(item.starts_at))
        event.add("dtend", recurrence.to_local(item.ends_at))
        event.add("summary", item.title)
        location = ", ".join(p for p in (item.place.name, item.place.address) if p)
        if location:
            event.add("location", location)
        if item.place.latitude is not None and item.place.longitude is not None:
            event.add("geo", (item.place.latitude, item.place.longitude))
        description = _description(item, lang)
        if description:
            event.add("description", description)
        event.add("status", "CANCELLED" if item.cancelled else "CONFIRMED")
        if not item.cancelled:
            alarm = icalendar.Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", f"{translate('calendar.reminder', lang)}: {item.title}")
            alarm.add("trigger", -ALARM_BEFORE)
            event.add_component(alarm)
        cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()
