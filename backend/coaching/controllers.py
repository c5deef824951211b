"""HTTP routes of the coach's workspace: caseload, worker files, notes, flags, milestones,
trajectory templates, rule settings, and the worker's own progress."""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Controller, delete, get, patch, post, put
from litestar.params import FromPath, JSONBody, Parameter

from backend import access
from backend.access import (
    Actor,
    CurrentActor,
    admin_only,
    can_manage_organisation,
    require_admin,
    require_staff,
    signed_in,
    staff_only,
    visible_or_404,
)
from backend.coaching import caseload, files, notes, settings, timeline, trajectory
from backend.coaching.schemas import (
    ApplyTemplateIn,
    AssignmentIn,
    CaseloadRow,
    CoachingSettingsIn,
    CoachingSettingsOut,
    FlagClose,
    FlagOut,
    MilestoneOut,
    MilestoneUpdate,
    NoteIn,
    NoteOut,
    NoteRevisionOut,
    NoteUpdate,
    ProgressOut,
    StatusIn,
    TemplateIn,
    TemplateOut,
    TemplateUpdate,
    TimelinePage,
    WorkerFileOut,
    WorkerFileUpdate,
)
from backend.errors import InvalidInput, NotFound
from backend.schemas import NO_NUL
from backend.organisations.tables import Organisation


class CoachingController(Controller):
    path = "/api/coaching"
    tags = ["coaching"]
    guards = [staff_only]
    dependencies = access.dependencies

    @get("/caseload", operation_id="caseload")
    async def caseload(self, actor: CurrentActor,
                       coach: Annotated[UUID | None, Parameter(query="coach", required=False)] = None,
                       q: Annotated[str, Parameter(query="q", max_length=100, pattern=NO_NUL)] = "",
                       flagged: Annotated[bool, Parameter(query="flagged")] = False) -> list[CaseloadRow]:
        """Per worker: attendance (4 weeks), last check-in and app open, unread reminders, open reports,
        next shift, way to work tomorrow, buddy, trajectory stage, status and open flags."""
        return await caseload.caseload(actor, coach, q, flagged)

    @get("/workers/{person_id:uuid}", operation_id="getWorkerFile")
    async def worker_file(self, actor: CurrentActor, person_id: FromPath[UUID]) -> WorkerFileOut:
        """The worker's file: status, programme, start, coach and buddy with history, milestones,
        open flags and notes. Recorded in the audit log."""
        return await files.worker_file(actor, person_id)

    @patch("/workers/{person_id:uuid}", operation_id="updateWorkerFile")
    async def update_file(self, actor: CurrentActor, person_id: FromPath[UUID],
                          data: JSONBody[WorkerFileUpdate]) -> WorkerFileOut:
        return await files.update_file(actor, person_id, data)

    @get("/workers/{person_id:uuid}/timeline", operation_id="workerTimeline")
    async def worker_timeline(self, actor: CurrentActor, person_id: FromPath[UUID],
                              before: Annotated[str | None, Parameter(
                                  query="before", required=False, max_length=40,
                                  schema_extra={"format": "date-time"})] = None,
                              limit: Annotated[int, Parameter(query="limit", ge=1, le=200)] = 50) -> TimelinePage:
        """Shifts with attendance, reports, reminders (read or not), notes, milestones, status changes
        and flags, newest first; `before` (RFC 3339) pages back: pass the page's `nextBefore`."""
        return await timeline.timeline(actor, person_id, _instant("before", before), limit)

    @post("/workers/{person_id:uuid}/notes", operation_id="addNote")
    async def add_note(self, actor: CurrentActor, person_id: FromPath[UUID], data: JSONBody[NoteIn]) -> NoteOut:
        """A note (kind `contact` records a conversation held). At most 10,000 characters."""
        return await notes.add_note(actor, person_id, data)

    @patch("/notes/{note_id:uuid}", operation_id="editNote")
    async def edit_note(self, actor: CurrentActor, note_id: FromPath[UUID], data: JSONBody[NoteUpdate]) -> NoteOut:
        """Change a note; the earlier text is kept (see revisions)."""
        return await notes.edit_note(actor, note_id, data)

    @get("/notes/{note_id:uuid}/revisions", operation_id="noteRevisions")
    async def note_revisions(self, actor: CurrentActor, note_id: FromPath[UUID]) -> list[NoteRevisionOut]:
        return await notes.revisions(actor, note_id)

    @post("/flags/{flag_id:uuid}/close", operation_id="closeFlag", status_code=200)
    async def close_flag(self, actor: CurrentActor, flag_id: FromPath[UUID], data: JSONBody[FlagClose]) -> FlagOut:
        """Close a flag with a note saying what was done."""
        return await notes.close_flag(actor, flag_id, data)

    @put("/workers/{person_id:uuid}/status", operation_id="setWorkerStatus")
    async def set_status(self, actor: CurrentActor, person_id: FromPath[UUID], data: JSONBody[StatusIn]) -> WorkerFileOut:
        """Active, paused, moved on (`detail`: kind of job) or stopped (`detail`: reason)."""
        return await files.set_status(actor, person_id, data)

    @put("/workers/{person_id:uuid}/assignment", operation_id="assignWorker")
    async def assign(self, actor: CurrentActor, person_id: FromPath[UUID], data: JSONBody[AssignmentIn]) -> WorkerFileOut:
        """A new coach and/or buddy; the history is kept."""
        return await files.assign(actor, person_id, data)

    @post("/workers/{person_id:uuid}/milestones", operation_id="applyTrajectoryTemplate", status_code=200)
    async def apply_template(self, actor: CurrentActor, person_id: FromPath[UUID],
                             data: JSONBody[ApplyTemplateIn]) -> list[MilestoneOut]:
        """Give the worker the milestones of a template (steps they have are not added twice)."""
        return await trajectory.apply_template(actor, person_id, data)

    @patch("/milestones/{milestone_id:uuid}", operation_id="updateMilestone")
    async def update_milestone(self, actor: CurrentActor, milestone_id: FromPath[UUID],
                               data: JSONBody[MilestoneUpdate]) -> MilestoneOut:
        """Status, planned and reached dates, evidence. A reached date lies between the start and today."""
        return await trajectory.update_milestone(actor, milestone_id, data)

    @get("/templates", operation_id="listTrajectoryTemplates")
    async def list_templates(self, actor: CurrentActor, organisation_id: Annotated[
            UUID | None, Parameter(query="organisationId", required=False)] = None) -> list[TemplateOut]:
        """The organisation's templates (an LDE template is made when there is none)."""
        return await trajectory.list_templates(actor, organisation_id)

    @post("/templates", operation_id="createTrajectoryTemplate", guards=[admin_only])
    async def create_template(self, actor: CurrentActor, data: JSONBody[TemplateIn]) -> TemplateOut:
        return await trajectory.create_template(actor, data)

    @put("/templates/{template_id:uuid}", operation_id="updateTrajectoryTemplate")
    async def update_template(self, actor: CurrentActor, template_id: FromPath[UUID],
                              data: JSONBody[TemplateUpdate]) -> TemplateOut:
        """Name, programme and the steps in order (steps with an id are kept, others added, missing removed)."""
        return await trajectory.update_template(actor, template_id, data)

    @delete("/templates/{template_id:uuid}", operation_id="deleteTrajectoryTemplate", status_code=204)
    async def delete_template(self, actor: CurrentActor, template_id: FromPath[UUID]) -> None:
        await trajectory.delete_template(actor, template_id)

    @get("/organisations/{organisation_id:uuid}/settings", operation_id="getCoachingSettings")
    async def get_settings(self, actor: CurrentActor, organisation_id: FromPath[UUID]) -> CoachingSettingsOut:
        """Thresholds of the "under the radar" rules (coaches read their own organisation's)."""
        await _organisation(actor, organisation_id)
        return await settings.settings_out(organisation_id)

    @put("/organisations/{organisation_id:uuid}/settings", operation_id="setCoachingSettings")
    async def set_settings(self, actor: CurrentActor, organisation_id: FromPath[UUID],
                           data: JSONBody[CoachingSettingsIn]) -> CoachingSettingsOut:
        """Admins only."""
        await _organisation(actor, organisation_id)
        require_admin(actor)
        return await settings.save(organisation_id, data)


def _instant(name: str, value: str | None) -> dt.datetime | None:
    """An RFC 3339 date-time, strictly: Litestar itself would also take a number as a timestamp."""
    if value is None:
        return None
    try:
        return msgspec.convert(value, dt.datetime)
    except msgspec.ValidationError:
        raise InvalidInput.field(name, "field_datetime") from None


async def _organisation(actor: Actor, organisation_id: UUID) -> None:
    """404 unless the actor manages this (existing) organisation."""
    require_staff(actor)
    visible_or_404(can_manage_organisation(actor, organisation_id))
    if not await Organisation.exists().where(Organisation.id == organisation_id):
        raise NotFound()


class ProgressController(Controller):
    path = "/api/me/progress"
    tags = ["me"]
    guards = [signed_in]
    dependencies = access.dependencies

    @get("", operation_id="myProgress")
    async def progress(self, actor: CurrentActor) -> ProgressOut:
        """The worker's own steps towards regular work, in plain words."""
        return await trajectory.my_progress(actor)


ROUTES = [CoachingController, ProgressController]
