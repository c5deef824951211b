"""HTTP routes of the coach's workspace: caseload, worker files, notes, flags, milestones,
trajectory templates, rule settings, and the worker's own progress."""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Controller, Request, delete, get, patch, post, put
from litestar.params import FromPath, JSONBody, Parameter

from backend.accounts.auth import admin_only, signed_in, staff_only
from backend.coaching import caseload, files, notes, settings, timeline, trajectory
from backend.coaching.access import require_staff
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

    @get("/caseload", operation_id="caseload")
    async def caseload(self, request: Request,
                       coach: Annotated[UUID | None, Parameter(query="coach", required=False)] = None,
                       q: Annotated[str, Parameter(query="q", max_length=100, pattern=NO_NUL)] = "",
                       flagged: Annotated[bool, Parameter(query="flagged")] = False) -> list[CaseloadRow]:
        """Per worker: attendance (4 weeks), last check-in and app open, unread reminders, open reports,
        next shift, way to work tomorrow, buddy, trajectory stage, status and open flags."""
        return await caseload.caseload(request.scope["user"], coach, q, flagged)

    @get("/workers/{person_id:uuid}", operation_id="getWorkerFile")
    async def worker_file(self, request: Request, person_id: FromPath[UUID]) -> WorkerFileOut:
        """The worker's file: status, programme, start, coach and buddy with history, milestones,
        open flags and notes. Recorded in the audit log."""
        return await files.worker_file(request.scope["user"], person_id)

    @patch("/workers/{person_id:uuid}", operation_id="updateWorkerFile")
    async def update_file(self, request: Request, person_id: FromPath[UUID],
                          data: JSONBody[WorkerFileUpdate]) -> WorkerFileOut:
        return await files.update_file(request.scope["user"], person_id, data)

    @get("/workers/{person_id:uuid}/timeline", operation_id="workerTimeline")
    async def worker_timeline(self, request: Request, person_id: FromPath[UUID],
                              before: Annotated[str | None, Parameter(
                                  query="before", required=False, max_length=40,
                                  schema_extra={"format": "date-time"})] = None,
                              limit: Annotated[int, Parameter(query="limit", ge=1, le=200)] = 50) -> TimelinePage:
        """Shifts with attendance, reports, reminders (read or not), notes, milestones, status changes
        and flags, newest first; `before` (RFC 3339) pages back: pass the page's `nextBefore`."""
        return await timeline.timeline(request.scope["user"], person_id, _instant("before", before), limit)

    @post("/workers/{person_id:uuid}/notes", operation_id="addNote")
    async def add_note(self, request: Request, person_id: FromPath[UUID], data: JSONBody[NoteIn]) -> NoteOut:
        """A note (kind `contact` records a conversation held). At most 10,000 characters."""
        return await notes.add_note(request.scope["user"], person_id, data)

    @patch("/notes/{note_id:uuid}", operation_id="editNote")
    async def edit_note(self, request: Request, note_id: FromPath[UUID], data: JSONBody[NoteUpdate]) -> NoteOut:
        """Change a note; the earlier text is kept (see revisions)."""
        return await notes.edit_note(request.scope["user"], note_id, data)

    @get("/notes/{note_id:uuid}/revisions", operation_id="noteRevisions")
    async def note_revisions(self, request: Request, note_id: FromPath[UUID]) -> list[NoteRevisionOut]:
        return await notes.revisions(request.scope["user"], note_id)

    @post("/flags/{flag_id:uuid}/close", operation_id="closeFlag", status_code=200)
    async def close_flag(self, request: Request, flag_id: FromPath[UUID], data: JSONBody[FlagClose]) -> FlagOut:
        """Close a flag with a note saying what was done."""
        return await notes.close_flag(request.scope["user"], flag_id, data)

    @put("/workers/{person_id:uuid}/status", operation_id="setWorkerStatus")
    async def set_status(self, request: Request, person_id: FromPath[UUID], data: JSONBody[StatusIn]) -> WorkerFileOut:
        """Active, paused, moved on (`detail`: kind of job) or stopped (`detail`: reason)."""
        return await files.set_status(request.scope["user"], person_id, data)

    @put("/workers/{person_id:uuid}/assignment", operation_id="assignWorker")
    async def assign(self, request: Request, person_id: FromPath[UUID], data: JSONBody[AssignmentIn]) -> WorkerFileOut:
        """A new coach and/or buddy; the history is kept."""
        return await files.assign(request.scope["user"], person_id, data)

    @post("/workers/{person_id:uuid}/milestones", operation_id="applyTrajectoryTemplate", status_code=200)
    async def apply_template(self, request: Request, person_id: FromPath[UUID],
                             data: JSONBody[ApplyTemplateIn]) -> list[MilestoneOut]:
        """Give the worker the milestones of a template (steps they have are not added twice)."""
        return await trajectory.apply_template(request.scope["user"], person_id, data)

    @patch("/milestones/{milestone_id:uuid}", operation_id="updateMilestone")
    async def update_milestone(self, request: Request, milestone_id: FromPath[UUID],
                               data: JSONBody[MilestoneUpdate]) -> MilestoneOut:
        """Status, planned and reached dates, evidence. A reached date lies between the start and today."""
        return await trajectory.update_milestone(request.scope["user"], milestone_id, data)

    @get("/templates", operation_id="listTrajectoryTemplates")
    async def list_templates(self, request: Request, organisation_id: Annotated[
            UUID | None, Parameter(query="organisationId", required=False)] = None) -> list[TemplateOut]:
        """The organisation's templates (an LDE template is made when there is none)."""
        return await trajectory.list_templates(request.scope["user"], organisation_id)

    @post("/templates", operation_id="createTrajectoryTemplate", guards=[admin_only])
    async def create_template(self, request: Request, data: JSONBody[TemplateIn]) -> TemplateOut:
        return await trajectory.create_template(request.scope["user"], data)

    @put("/templates/{template_id:uuid}", operation_id="updateTrajectoryTemplate")
    async def update_template(self, request: Request, template_id: FromPath[UUID],
                              data: JSONBody[TemplateUpdate]) -> TemplateOut:
        """Name, programme and the steps in order (steps with an id are kept, others added, missing removed)."""
        return await trajectory.update_template(request.scope["user"], template_id, data)

    @delete("/templates/{template_id:uuid}", operation_id="deleteTrajectoryTemplate", status_code=204)
    async def delete_template(self, request: Request, template_id: FromPath[UUID]) -> None:
        await trajectory.delete_template(request.scope["user"], template_id)

    @get("/organisations/{organisation_id:uuid}/settings", operation_id="getCoachingSettings")
    async def get_settings(self, request: Request, organisation_id: FromPath[UUID]) -> CoachingSettingsOut:
        """Thresholds of the "under the radar" rules (coaches read their own organisation's)."""
        await _organisation(request, organisation_id)
        return await settings.settings_out(organisation_id)

    @put("/organisations/{organisation_id:uuid}/settings", operation_id="setCoachingSettings")
    async def set_settings(self, request: Request, organisation_id: FromPath[UUID],
                           data: JSONBody[CoachingSettingsIn]) -> CoachingSettingsOut:
        """Admins only."""
        await _organisation(request, organisation_id)
        admin_only(request, request.route_handler)
        return await settings.save(organisation_id, data)


def _instant(name: str, value: str | None) -> dt.datetime | None:
    """An RFC 3339 date-time, strictly: Litestar itself would also take a number as a timestamp."""
    if value is None:
        return None
    try:
        return msgspec.convert(value, dt.datetime)
    except msgspec.ValidationError:
        raise InvalidInput.field(name, "field_datetime") from None


async def _organisation(request: Request, organisation_id: UUID) -> None:
    actor = request.scope["user"]
    require_staff(actor)
    if actor.role != "admin" and actor.organisation_id != organisation_id:
        raise NotFound()
    if not await Organisation.exists().where(Organisation.id == organisation_id):
        raise NotFound()


class ProgressController(Controller):
    path = "/api/me/progress"
    tags = ["me"]
    guards = [signed_in]

    @get("", operation_id="myProgress")
    async def progress(self, request: Request) -> ProgressOut:
        """The worker's own steps towards regular work, in plain words."""
        return await trajectory.my_progress(request.scope["user"])


ROUTES = [CoachingController, ProgressController]
