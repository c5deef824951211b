"""Seed a year of history for the impact report benchmark: WORKERS workers of one organisation in
groups of 20, each group one shift a weekday (a training on Fridays) with attendance, five
milestones and a worker file each. Batched inserts. Usage: DATABASE_URL=... python ... ORG WORKERS"""

from __future__ import annotations

import asyncio
import datetime as dt
import random
import sys
import uuid
from zoneinfo import ZoneInfo

import backend  # noqa: F401  (sets PICCOLO_CONF)
from backend.accounts.tables import Person
from backend.coaching.tables import Milestone, WorkerFile
from backend.piccolo_conf import DB
from backend.schedule.tables import Attendance, Participant, ScheduleItem

BRUSSELS = ZoneInfo("Europe/Brussels")
JOBS = ["productie", "logistiek", "schoonmaak", "groen", "horeca"]


async def insert(table, rows: list) -> None:
    for start in range(0, len(rows), 500):
        await table.insert(*rows[start:start + 500])


async def seed(org: str, count: int) -> None:
    if DB.engine_type == "postgres":
        await DB.start_connection_pool()
    rng = random.Random(6)
    people = [Person(id=uuid.uuid4(), organisation=org, role="worker", first_name=f"B{i}") for i in range(count)]
    await insert(Person, people)
    items, participants, attendance = [], [], []
    day = dt.date(2025, 1, 1)
    while day <= dt.date(2025, 12, 31):
        if day.isoweekday() <= 5:
            for g in range(0, count, 20):
                start = dt.datetime.combine(day, dt.time(8), BRUSSELS)
                item = ScheduleItem(id=uuid.uuid4(), organisation=org, title="Shift",
                                    kind="training" if day.isoweekday() == 5 else "shift", starts_at=start,
                                    ends_at=start + dt.timedelta(hours=8))
                items.append(item)
                for p in people[g:g + 20]:
                    key = f"{item.id}:{p.id}"
                    participants.append(Participant(item=item.id, person=p.id, key=key))
                    if rng.random() < 0.9:
                        attendance.append(Attendance(id=uuid.uuid4(), item=item.id, person=p.id, key=key,
                                                     status="present"))
        day += dt.timedelta(days=1)
    await insert(ScheduleItem, items)
    await insert(Participant, participants)
    await insert(Attendance, attendance)
    files, milestones = [], []
    for p in people:
        moved = rng.random() < 0.3
        files.append(WorkerFile(person=p.id, organisation=org, status="moved_on" if moved else "active",
                                started_on=dt.date(2024, rng.randint(1, 12), 1),
                                status_since=dt.date(2025, rng.randint(1, 12), rng.randint(1, 28)),
                                moved_on_to=rng.choice(JOBS) if moved else ""))
        for n, title in enumerate(["Intake", "Basisopleiding", "Werkervaring", "VCA-attest", "Stage"]):
            milestones.append(Milestone(person=p.id, organisation=org, title=title, status="reached",
                                        reached_on=dt.date(2025, 1 + n * 2, rng.randint(1, 28))))
    await insert(WorkerFile, files)
    await insert(Milestone, milestones)
    if DB.engine_type == "postgres":
        # Statistics as autovacuum would have them a minute after a bulk load.
        await Person.raw("ANALYZE")
    print(f"{len(items)} items, {len(participants)} plannings, {len(attendance)} attendances")
    if DB.engine_type == "postgres":
        await DB.close_connection_pool()


if __name__ == "__main__":
    asyncio.run(seed(sys.argv[1], int(sys.argv[2])))
