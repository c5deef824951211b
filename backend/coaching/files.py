"""One worker's file: programme, start, status with its history, coach and buddy with theirs."""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

import msgspec

from backend.access import Actor
from backend.accounts.schemas import PersonUpdate
from backend.accounts.services import update_person
from backend.accounts.tables import Person
from backend.coaching import audit, flags
from backend.coaching.access import file_of, name_of, worker_for
from backend.coaching.caseload import flag_out
from backend.coaching.notes import notes_of
from backend.coaching.schemas import (
    AssignmentIn,
    AssignmentOut,
    MilestoneOut,
    PersonRef,
    StatusChangeOut,
    StatusIn,
    WorkerFileOut,
    WorkerFileUpdate,
)
from backend.coaching.tables import Assignment, Flag, Milestone, StatusChange, WorkerFile
from backend.errors import InvalidInput
from backend.schedule import recurrence


def milestone_out(m: dict) -> MilestoneOut:
    return MilestoneOut(id=m["id"], position=m["position"], title=m["title"], status=m["status"],
                        planned_on=m["planned_on"], reached_on=m["reached_on"], evidence=m["evidence"],
                        is_exit=m["is_exit"], updated_at=m["updated_at"])


async def _names(ids: set) -> dict[UUID, str]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return {p["id"]: name_of(p["first_name"], p["last_name"]) for p in await Person.select(
        Person.id, Person.first_name, Person.last_name).where(Person.id.is_in(list(ids)))}


def _ref(names: dict, person_id: UUID | None) -> PersonRef | None:
    return PersonRef(id=person_id, name=names.get(person_id, "")) if person_id else None


async def worker_file(actor: Actor, person_id: UUID, audit_view: bool = True) -> WorkerFileOut:
    person = await worker_for(actor, person_id)
    file = await file_of(person)
    assignments = await Assignment.select().where(Assignment.person == person.id).order_by(
        Assignment.started_at, ascending=False)
    changes = await StatusChange.select().where(StatusChange.person == person.id).order_by(
        StatusChange.changed_at, ascending=False)
    stones = await Milestone.select().where(Milestone.person == person.id).order_by(Milestone.position)
    open_flags = await Flag.select().where((Flag.person == person.id) & Flag.closed_at.is_null()).order_by(
        Flag.opened_at)
    names = await _names({person.coach, person.buddy} | {a["assignee"] for a in assignments}
                         | {c["changed_by"] for c in changes})
    if audit_view:
        await audit.record(actor, person.id, "view_file")
    return WorkerFileOut(
        person_id=person.id, first_name=person.first_name, last_name=person.last_name, programme=file.programme,
        started_on=file.started_on, status=file.status, status_since=file.status_since,
        moved_on_to=file.moved_on_to, stopped_reason=file.stopped_reason, coach=_ref(names, person.coach),
        buddy=_ref(names, person.buddy), template_id=file.template,
        assignments=[AssignmentOut(role=a["role"], assignee=_ref(names, a["assignee"]), started_at=a["started_at"],
                                   ended_at=a["ended_at"]) for a in assignments],
        status_history=[StatusChangeOut(status=c["status"], effective_on=c["effective_on"], detail=c["detail"],
                                        changed_by=_ref(names, c["changed_by"]), changed_at=c["changed_at"])
                        for c in changes],
        milestones=[milestone_out(m) for m in stones],
        flags=[flag_out(f, actor.language) for f in open_flags],
        notes=await notes_of(person.id))


async def update_file(actor: Actor, person_id: UUID, data: WorkerFileUpdate) -> WorkerFileOut:
    person = await worker_for(actor, person_id)
    file = await file_of(person)
    values: dict[Any, Any] = {WorkerFile.updated_at: flags.utcnow()}
    if data.programme is not msgspec.UNSET:
        values[WorkerFile.programme] = data.programme
    if data.started_on is not msgspec.UNSET:
        reached = await Milestone.select(Milestone.reached_on).where(
            (Milestone.person == person.id) & Milestone.reached_on.is_not_null()).order_by(Milestone.reached_on).first()
        if data.started_on and reached and reached["reached_on"] < data.started_on:
            raise InvalidInput.field("startedOn", "start_after_milestone")
        values[WorkerFile.started_on] = data.started_on
    await WorkerFile.update(values).where(WorkerFile.id == file.id)
    await audit.record(actor, person.id, "edit_file", "programme or start")
    return await worker_file(actor, person.id, audit_view=False)


async def set_status(actor: Actor, person_id: UUID, data: StatusIn) -> WorkerFileOut:
    """Active, paused, moved on (kind of job required) or stopped (reason required)."""
    person = await worker_for(actor, person_id)
    file = await file_of(person)
    detail = data.detail.strip()
    if data.status == "moved_on" and not detail:
        raise InvalidInput.field("detail", "moved_on_needs_job")
    if data.status == "moved_on" and len(detail) > 32:
        raise InvalidInput.field("detail", "moved_on_job_too_long", n=32)
    if data.status == "stopped" and not detail:
        raise InvalidInput.field("detail", "stopped_needs_reason")
    effective = data.effective_on or recurrence.local_today()
    if file.started_on and effective < file.started_on:
        raise InvalidInput.field("effectiveOn", "date_before_start", start=file.started_on.isoformat())
    async with WorkerFile._meta.db.transaction():
        await WorkerFile.update({
            WorkerFile.status: data.status, WorkerFile.status_since: effective,
            WorkerFile.moved_on_to: detail if data.status == "moved_on" else "",
            WorkerFile.stopped_reason: detail if data.status == "stopped" else "",
            WorkerFile.updated_at: flags.utcnow()}).where(WorkerFile.id == file.id)
        await StatusChange.insert(StatusChange(person=person.id, organisation=person.organisation, status=data.status,
                                               effective_on=effective, detail=detail, changed_by=actor.id))
    await audit.record(actor, person.id, "set_status", f"{data.status} {detail}".strip())
    await flags.worker_changed(person.id)
    return await worker_file(actor, person.id, audit_view=False)


async def assign(actor: Actor, person_id: UUID, data: AssignmentIn) -> WorkerFileOut:
    """Change coach and/or buddy through the people service; each change starts an Assignment row
    and ends the previous one."""
    person = await worker_for(actor, person_id)
    update = PersonUpdate(coach_id=data.coach_id, buddy_id=data.buddy_id)
    await update_person(actor, person.id, update)
    now = flags.utcnow()
    for role, value, before in (("coach", data.coach_id, person.coach), ("buddy", data.buddy_id, person.buddy)):
        if value is msgspec.UNSET or value == before:
            continue
        async with Assignment._meta.db.transaction():
            if not await Assignment.exists().where((Assignment.person == person.id) & (Assignment.role == role)) \
                    and before is not None:
                # The first change keeps who was there before, from the worker's creation.
                await Assignment.insert(Assignment(person=person.id, role=role, assignee=before,
                                                   started_at=person.created_at, changed_by=None))
            await Assignment.update({Assignment.ended_at: now}).where(
                (Assignment.person == person.id) & (Assignment.role == role) & Assignment.ended_at.is_null())
            await Assignment.insert(Assignment(person=person.id, role=role, assignee=value, started_at=now,
                                               changed_by=actor.id))
        await audit.record(actor, person.id, "assign", f"{role} {value}")
    return await worker_file(actor, person.id, audit_view=False)


