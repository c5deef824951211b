"""Ride notices through the reminders layer: each lands in the inbox and goes out by Web Push
(the dispatcher sends it; nothing is sent from a request handler). Texts are rendered in each
recipient's own language when the notice is made."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from backend.accounts.tables import Person
from backend.i18n import weekday_name
from backend.mobility.messages import notice
from backend.mobility.tables import Ride
from backend.schedule import recurrence
from notifications import reminders as core

def day_text(day: dt.date, language: str) -> str:
    """"woensdag 2/12": the weekday from CLDR (Babel) in the person's language, then day/month."""
    return f"{weekday_name(day, language)} {day.day}/{day.month}"


def time_text(instant: dt.datetime) -> str:
    return recurrence.to_local(instant).strftime("%H:%M")


async def send(person_id: UUID | None, key: str, *, url: str, until: dt.datetime, topic: str,
               organisation: UUID | None = None, urgent: bool = True, **params) -> None:
    """One notice to one person, in their language; `day` (a date) in params is written out, and a
    callable param (e.g. an advice's `text`) is called with the person's language."""
    if person_id is None:
        return
    person = await Person.select(Person.language).where(Person.id == person_id).first()
    if person is None:
        return
    language = person["language"] or "nl"
    values = {k: (day_text(v, language) if isinstance(v, dt.date) and not isinstance(v, dt.datetime)
                  else v(language) if callable(v) else v) for k, v in params.items()}
    title, body = notice(key, language, **values)
    subject, mentions = await _about(topic, params)
    now = core.utcnow()
    await core.create_reminder(core.NewReminder(
        recipients=[person_id], due_at=now, expires_at=max(until, now + dt.timedelta(hours=1)), source="ride",
        title=title, body=body, urgent=urgent, organisation=organisation, url=url,
        topic_seed=f"ride:{topic}:{person_id}", subject=subject, mentions=mentions))


async def _about(topic: str, params: dict) -> tuple[UUID | None, tuple[tuple[UUID, str], ...]]:
    """Whom a ride notice is about: the worker of the ride (`topic` is the ride's id), and the
    buddy when the text names them as the driver, so erasing either reaches every copy."""
    try:
        ride_id = UUID(topic)
    except ValueError:
        return None, ()
    ride = await Ride.select(Ride.worker, Ride.buddy).where(Ride.id == ride_id).first()
    if ride is None:
        return None, ()
    mentions = ((ride["buddy"], ""),) if "driver" in params else ()
    return ride["worker"], mentions
