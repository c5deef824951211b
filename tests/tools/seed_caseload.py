"""Seed a year of history for one coach's caseload straight into a database (benchmarks only).

Usage: DATABASE_URL=... python tests/tools/seed_caseload.py COACH_EMAIL [WORKERS]
Per worker: a shift on four days a week for a year (in groups of 20, as series make them), with
attendance (mostly present, some late, absent or excused), an evening-before reminder per shift
(most read), a coach note a week, a signed-in device, and the LDE milestones.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import random
import sys
import uuid

import backend  # noqa: F401  (sets PICCOLO_CONF)
from backend.accounts.tables import Person, Session
from backend.coaching.tables import Milestone, Note, WorkerFile
from backend.piccolo_conf import DB
from backend.schedule.tables import Attendance, Participant, ScheduleItem
from notifications.tables import Recipient, Reminder

UTC = dt.timezone.utc
GROUP = 20
STEPS = ["Intake", "Basisopleiding", "Werkervaring", "VCA- of heftruckattest", "Stage", "Doorgestroomd"]


async def insert_all(table, rows: list, chunk: int = 400) -> None:
    for start in range(0, len(rows), chunk):
        await table.insert(*rows[start:start + chunk])


async def seed(coach_email: str, count: int) -> None:
    if DB.engine_type == "postgres":
        await DB.start_connection_pool()
    rnd = random.Random(7)
    coach = await Person.objects().where(Person.email == coach_email).first()
    org = coach.organisation
    now = dt.datetime.now(UTC).replace(microsecond=0)
    year_ago = now - dt.timedelta(days=365)
    workers = [Person(organisation=org, role="worker", first_name=f"Werker{i:03d}", last_name="Bench", coach=coach.id,
                      created_at=year_ago) for i in range(count)]
    await insert_all(Person, workers)
    await insert_all(Session, [Session(person=w.id, token_hash=uuid.uuid4().hex + uuid.uuid4().hex, kind="invite",
                                       last_seen_at=now - dt.timedelta(hours=rnd.randint(1, 300)),
                                       expires_at=now + dt.timedelta(days=100)) for w in workers])
    await insert_all(WorkerFile, [WorkerFile(person=w.id, organisation=org, programme="lde", started_on=year_ago.date(),
                                             status="active", status_since=year_ago.date()) for w in workers])
    stones = []
    for w in workers:
        reached = rnd.randint(0, 5)
        stones += [Milestone(person=w.id, organisation=org, position=i, title=title,
                             status="reached" if i < reached else "planned",
                             reached_on=(year_ago + dt.timedelta(days=40 * (i + 1))).date() if i < reached else None)
                   for i, title in enumerate(STEPS)]
    await insert_all(Milestone, stones)
    items, participants, marks, reminders, recipients = [], [], [], [], []
    day = year_ago.date()
    while day <= (now + dt.timedelta(days=14)).date():
        if day.isoweekday() <= 4:
            start = dt.datetime.combine(day, dt.time(7, 0), tzinfo=UTC)
            for g in range(0, count, GROUP):
                item = ScheduleItem(organisation=org, title="Productie", kind="shift", starts_at=start,
                                    ends_at=start + dt.timedelta(hours=8), created_by=coach.id)
                items.append(item)
                for w in workers[g:g + GROUP]:
                    participants.append(Participant(item=item.id, person=w.id, key=f"{item.id}:{w.id}",
                                                    starts_at=start))
                    if start + dt.timedelta(hours=8) < now:
                        roll = rnd.random()
                        status = "present" if roll < 0.8 else "late" if roll < 0.87 else "absent" if roll < 0.94 \
                            else "excused"
                        checked = start + dt.timedelta(minutes=rnd.randint(-10, 20)) if status in ("present", "late") \
                            else None
                        marks.append(Attendance(item=item.id, person=w.id, key=f"{item.id}:{w.id}", status=status,
                                                checked_in_at=checked))
                    if start < now:
                        due = start - dt.timedelta(hours=13)
                        reminder = Reminder(organisation=org, source="auto", template="evening_before",
                                            params={"title": "Productie", "time": "08:00"}, topic="bench",
                                            due_at=due, expires_at=start, fanned_out=True)
                        reminders.append(reminder)
                        recipients.append(Recipient(reminder=reminder.id, person=w.id, key=f"{reminder.id}:{w.id}",
                                                    push_status="sent",
                                                    read_at=due + dt.timedelta(hours=1) if rnd.random() < 0.9 else None))
        day += dt.timedelta(days=1)
    await insert_all(ScheduleItem, items)
    await insert_all(Participant, participants)
    await insert_all(Attendance, marks)
    await insert_all(Reminder, reminders)
    await insert_all(Recipient, recipients)
    notes = [Note(person=w.id, organisation=org, author=coach.id, body="Wekelijks gesprek: het gaat goed.",
                  kind="contact" if week % 2 else "note", created_at=year_ago + dt.timedelta(days=7 * week))
             for w in workers for week in range(52)]
    await insert_all(Note, notes)
    print(f"seeded {count} workers: {len(items)} items, {len(participants)} participants, {len(marks)} attendance, "
          f"{len(recipients)} reminders, {len(notes)} notes, {len(stones)} milestones", flush=True)
    if DB.engine_type == "postgres":
        await DB.close_connection_pool()


if __name__ == "__main__":
    asyncio.run(seed(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 200))
