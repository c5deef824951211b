"""Seed many due push deliveries straight into a database (tests and benchmarks only).

Usage: DATABASE_URL=... python tests/tools/seed_push.py SUBSCRIPTIONS.json [DUE_IN_SECONDS]
The file holds a list of browser PushSubscription JSON objects; each gets its own worker and
subscription, and one urgent reminder goes to all of them, due now or DUE_IN_SECONDS from now (so
that a benchmark measures from a due moment when everything is already stored). Prints `due_at=`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import sys
import uuid

import backend  # noqa: F401  (sets PICCOLO_CONF)
from backend.accounts.tables import Person
from backend.organisations.tables import Organisation
from backend.piccolo_conf import DB
from notifications import reminders
from notifications.tables import PushSubscription, Reminder


async def seed(subscriptions: list[dict], due_in: float = 0.0) -> None:
    if DB.engine_type == "postgres":
        await DB.start_connection_pool()
    org = Organisation(name=f"Load {uuid.uuid4().hex[:6]}")
    await org.save()
    people = [Person(organisation=org.id, role="worker", first_name=f"W{i}", language="nl")
              for i in range(len(subscriptions))]
    for start in range(0, len(people), 500):
        await Person.insert(*people[start:start + 500])
    subs = [PushSubscription(person=p.id, endpoint=s["endpoint"], p256dh=s["keys"]["p256dh"], auth=s["keys"]["auth"])
            for p, s in zip(people, subscriptions)]
    for start in range(0, len(subs), 500):
        await PushSubscription.insert(*subs[start:start + 500])
    now = dt.datetime.now(dt.timezone.utc)
    if not due_in:
        print(f"due_at={now.timestamp()}", flush=True)
    # With DUE_IN: stored as due in an hour, then moved to DUE_IN from the moment everything is stored.
    later = now + dt.timedelta(hours=1) if due_in else now
    reminder_id = await reminders.create_reminder(reminders.NewReminder(
        recipients=[p.id for p in people], due_at=later, expires_at=later + dt.timedelta(hours=1), source="coach",
        title="Load test", body="Bericht", urgent=True, organisation=org.id))
    if due_in:
        due = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=due_in)
        await Reminder.update({Reminder.due_at: due, Reminder.expires_at: due + dt.timedelta(hours=1)}).where(
            Reminder.id == reminder_id)
        print(f"due_at={due.timestamp()}", flush=True)
    if DB.engine_type == "postgres":
        await DB.close_connection_pool()


if __name__ == "__main__":
    with open(sys.argv[1]) as fh:
        asyncio.run(seed(json.load(fh), float(sys.argv[2]) if len(sys.argv) > 2 else 0.0))
