"""Request and response bodies of the coach's workspace (camelCase on the wire)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from backend.schemas import NOT_BLANK, NO_NUL, CamelStruct, Day, InputStruct

Tomorrow = Literal["ride", "transit", "none", "unknown"]
Status = Literal["active", "paused", "moved_on", "stopped"]
MilestoneStatus = Literal["planned", "in_progress", "reached", "skipped"]
Programme = Literal["lde", "maatwerk", "wep", "art60", "other"]
NoteKind = Literal["note", "contact"]
NOTE_MAX = 10_000
NoteBody = Annotated[str, msgspec.Meta(min_length=1, max_length=NOTE_MAX, pattern=NOT_BLANK)]
Title = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=NOT_BLANK)]
Detail = Annotated[str, msgspec.Meta(max_length=2000, pattern=NO_NUL)]


class PersonRef(CamelStruct):
    id: UUID
    name: str


class FlagOut(CamelStruct):
    id: UUID
    person_id: UUID
    rule: str
    reason: str
    detail: dict
    opened_at: dt.datetime
    cleared_at: dt.datetime | None
    closed_at: dt.datetime | None = None
    close_note: str = ""


class StageOut(CamelStruct):
    last_reached: str | None
    next: str | None
    reached: int
    total: int


class LastReplyOut(CamelStruct):
    reply: str
    text: str
    at: dt.datetime
    title: str


class CaseloadRow(CamelStruct):
    person_id: UUID
    first_name: str
    last_name: str
    coach: PersonRef | None
    buddy: PersonRef | None
    planned_items: int
    attended_items: int
    excused_items: int
    attendance_rate: float | None
    last_check_in_at: dt.datetime | None
    last_app_open_at: dt.datetime | None
    unread_reminders: int
    open_reports: int
    next_shift_at: dt.datetime | None
    tomorrow: Tomorrow
    stage: StageOut
    status: Status
    flags: list[FlagOut]
    # The worker's latest quick reply of the last 14 days, in the coach's words ("Ik kom").
    last_reply: LastReplyOut | None = None


class FlagClose(InputStruct):
    note: NoteBody


class NoteIn(InputStruct):
    body: NoteBody
    kind: NoteKind = "note"


class NoteUpdate(InputStruct):
    body: NoteBody


class NoteOut(CamelStruct):
    id: UUID
    person_id: UUID
    author: PersonRef | None
    body: str
    kind: str
    created_at: dt.datetime
    updated_at: dt.datetime
    edited: bool


class NoteRevisionOut(CamelStruct):
    body: str
    edited_by: PersonRef | None
    edited_at: dt.datetime


class StatusIn(InputStruct):
    status: Status
    effective_on: Day | None = None
    detail: Detail = ""


class StatusChangeOut(CamelStruct):
    status: str
    effective_on: dt.date
    detail: str
    changed_by: PersonRef | None
    changed_at: dt.datetime


class AssignmentIn(InputStruct):
    coach_id: UUID | None | msgspec.UnsetType = msgspec.UNSET
    buddy_id: UUID | None | msgspec.UnsetType = msgspec.UNSET


class AssignmentOut(CamelStruct):
    role: str
    assignee: PersonRef | None
    started_at: dt.datetime
    ended_at: dt.datetime | None


class MilestoneOut(CamelStruct):
    id: UUID
    position: int
    title: str
    status: str
    planned_on: dt.date | None
    reached_on: dt.date | None
    evidence: str
    is_exit: bool
    updated_at: dt.datetime


class MilestoneUpdate(InputStruct):
    status: MilestoneStatus | msgspec.UnsetType = msgspec.UNSET
    planned_on: Day | None | msgspec.UnsetType = msgspec.UNSET
    reached_on: Day | None | msgspec.UnsetType = msgspec.UNSET
    evidence: Detail | msgspec.UnsetType = msgspec.UNSET


class ApplyTemplateIn(InputStruct):
    template_id: UUID


class WorkerFileOut(CamelStruct):
    person_id: UUID
    first_name: str
    last_name: str
    programme: str
    started_on: dt.date | None
    status: str
    status_since: dt.date | None
    moved_on_to: str
    stopped_reason: str
    coach: PersonRef | None
    buddy: PersonRef | None
    template_id: UUID | None
    assignments: list[AssignmentOut]
    status_history: list[StatusChangeOut]
    milestones: list[MilestoneOut]
    flags: list[FlagOut]
    notes: list[NoteOut]


class WorkerFileUpdate(InputStruct):
    programme: Programme | msgspec.UnsetType = msgspec.UNSET
    started_on: Day | None | msgspec.UnsetType = msgspec.UNSET


class TimelineEntry(CamelStruct):
    at: dt.datetime
    kind: str
    title: str
    detail: str = ""
    ref_id: str | None = None


class TimelinePage(CamelStruct):
    entries: list[TimelineEntry]
    next_before: dt.datetime | None


class StepIn(InputStruct):
    title_nl: Title
    title_en: Annotated[str, msgspec.Meta(max_length=200, pattern=NO_NUL)] = ""
    is_exit: bool = False
    id: UUID | None = None


class TemplateIn(InputStruct):
    name: Title
    programme: Programme = "lde"
    steps: Annotated[list[StepIn], msgspec.Meta(max_length=40)] = []
    organisation_id: UUID | None = None


class TemplateUpdate(InputStruct):
    name: Title
    programme: Programme
    steps: Annotated[list[StepIn], msgspec.Meta(max_length=40)]


class StepOut(CamelStruct):
    id: UUID
    position: int
    title_nl: str
    title_en: str
    is_exit: bool
    key: str | None = None


class TemplateOut(CamelStruct):
    id: UUID
    organisation_id: UUID
    programme: str
    name: str
    steps: list[StepOut]


class ProgressStep(CamelStruct):
    title: str
    status: str
    reached_on: dt.date | None
    sentence: str
    # A standard step's catalogue key (its title is then in the worker's language); None when typed.
    key: str | None = None


class ProgressOut(CamelStruct):
    status: str
    done: int
    total: int
    steps: list[ProgressStep]
    next: str | None


Count = Annotated[int, msgspec.Meta(ge=1, le=30)]


class CoachingSettingsIn(InputStruct):
    missed_checkins_in_a_row: Count = 3
    app_unused_days: Annotated[int, msgspec.Meta(ge=1, le=90)] = 7
    unread_reminders: Annotated[int, msgspec.Meta(ge=1, le=50)] = 3
    absences_in_last_planned: Count = 4
    absences_window: Count = 10
    no_contact_days: Annotated[int, msgspec.Meta(ge=1, le=180)] = 14
    retention_months: Annotated[int, msgspec.Meta(ge=1, le=240)] = 24
    audit_retention_months: Annotated[int, msgspec.Meta(ge=1, le=240)] = 60


class CoachingSettingsOut(CamelStruct):
    organisation_id: UUID
    missed_checkins_in_a_row: int
    app_unused_days: int
    unread_reminders: int
    absences_in_last_planned: int
    absences_window: int
    no_contact_days: int
    retention_months: int
    audit_retention_months: int
