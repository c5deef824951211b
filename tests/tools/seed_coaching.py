"""Seed workers, schedule items, attendance, worker files and milestones straight into a database
(tests only), for data sets whose report figures are computed by hand.

Usage: DATABASE_URL=... python tests/tools/seed_coaching.py < spec.json; prints {"name": "uuid"}.
Spec: {"organisation": id, "workers": ["W1", ...],
       "items": [{"kind": "shift", "start": "2026-03-02 08:00", "end": "2026-03-02 16:00",
                  "cancelled": false, "participants": ["W1"], "attendance": {"W1": "present"}}],
       "files": {"W1": {"status": "moved_on", "since": "2026-03-15", "started": "2025-03-01",
                        "movedOnTo": "productie"}},
       "milestones": [{"person": "W1", "title": "Intake", "status": "reached", "reachedOn": "2026-03-03"}],
       "notes": [{"person": "W1", "body": "..."}]}
Local times are Europe/Brussels.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import sys
import uuid
from zoneinfo import ZoneInfo

import backend  # noqa: F401  (sets PICCOLO_CONF)
from backend.accounts.tables import Person, Session
from backend.coaching.tables import AuditEntry, Milestone, Note, WorkerFile
from backend.piccolo_conf import DB
from backend.schedule.tables import Attendance, Participant, ScheduleItem

BRUSSELS = ZoneInfo("Europe/Brussels")


def local(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=BRUSSELS).astimezone(dt.timezone.utc)


def day(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


async def seed(spec: dict) -> dict[str, str]:
    if DB.engine_type == "postgres":
        await DB.start_connection_pool()
    org = spec["organisation"]
    ids: dict[str, str] = {}
    for name in spec.get("workers", []):
        person = Person(organisation=org, role="worker", first_name=name, last_name="Seed",
                        phone="0470 00 00 00", language="nl")
        await person.save()
        ids[name] = person.id
    for item in spec.get("items", []):
        row = ScheduleItem(organisation=org, title=item.get("title", item["kind"]), kind=item["kind"],
                           starts_at=local(item["start"]), ends_at=local(item["end"]),
                           cancelled_at=local(item["start"]) if item.get("cancelled") else None)
        await row.save()
        for name in item.get("participants", []):
            await Participant.insert(Participant(item=row.id, person=ids[name], key=f"{row.id}:{ids[name]}"))
        for name, status in item.get("attendance", {}).items():
            await Attendance.insert(Attendance(item=row.id, person=ids[name], key=f"{row.id}:{ids[name]}",
                                               status=status))
    for name, file in spec.get("files", {}).items():
        await WorkerFile.insert(WorkerFile(person=ids[name], organisation=org, status=file["status"],
                                           status_since=day(file.get("since")), started_on=day(file.get("started")),
                                           moved_on_to=file.get("movedOnTo", ""),
                                           stopped_reason=file.get("reason", "")))
    for m in spec.get("milestones", []):
        await Milestone.insert(Milestone(person=ids[m["person"]], organisation=org, title=m["title"],
                                         status=m.get("status", "reached"), reached_on=day(m.get("reachedOn")),
                                         evidence=m.get("evidence", "")))
    for name, at in spec.get("deactivated", {}).items():
        await Person.update({Person.active: False, Person.deactivated_at: dt.datetime.fromisoformat(at)}).where(
            Person.id == ids[name])
    for name, expires in spec.get("sessions", {}).items():
        await Session.insert(Session(person=ids[name], token_hash=uuid.uuid4().hex, kind="invite",
                                     expires_at=dt.datetime.fromisoformat(expires)))
    for entry in spec.get("audit", []):
        await AuditEntry.insert(AuditEntry(organisation=org, action=entry["action"],
                                           subject=ids.get(entry.get("subject", "")),
                                           at=dt.datetime.fromisoformat(entry["at"])))
    for n in spec.get("notes", []):
        await Note.insert(Note(person=ids[n["person"]], organisation=org, body=n["body"]))
    if DB.engine_type == "postgres":
        await DB.close_connection_pool()
    return {name: str(value) for name, value in ids.items()}


if __name__ == "__main__":
    print(json.dumps(asyncio.run(seed(json.load(sys.stdin)))))
