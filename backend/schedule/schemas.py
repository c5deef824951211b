"""Request and response shapes for schedules, attendance, reports and calendars."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, ClassVar, Literal
from uuid import UUID

import msgspec
from litestar.openapi.spec import Schema

from backend.schemas import (NOT_BLANK, NO_NUL, CamelStruct, Day, InputStruct, Instant, Latitude, Longitude,
                             Phone)

ItemKind = Literal["shift", "training", "intake", "coach_meeting"]
AttendanceStatus = Literal["present", "late", "absent", "excused"]
# Things to bring have icons in the app; anything else goes in the note.
BringCode = Literal["safety_shoes", "work_clothes", "id_card", "lunch", "drink", "gloves", "helmet",
                    "documents", "bank_card", "pen"]
Title = Annotated[str, msgspec.Meta(min_length=1, max_length=120, pattern=NOT_BLANK)]
Note = Annotated[str, msgspec.Meta(max_length=2000, pattern=NO_NUL)]
ContactName = Annotated[str, msgspec.Meta(max_length=100, pattern=NO_NUL)]
Remark = Annotated[str, msgspec.Meta(max_length=500, pattern=NO_NUL)]
HHMM = Annotated[str, msgspec.Meta(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]
Weekday = Annotated[int, msgspec.Meta(ge=1, le=7)]


class PlaceIn(InputStruct):
    """A workplace of the organisation, or a free address (coordinates optional)."""

    workplace_id: UUID | None = None
    address: Annotated[str, msgspec.Meta(max_length=300, pattern=NO_NUL)] = ""
    latitude: Latitude | None = None
    longitude: Longitude | None = None

    # Both coordinates or neither (checked in `services._place_values`).
    openapi_extra: ClassVar[dict[str, Any]] = {"any_of": [
        Schema(required=["latitude", "longitude"],
               properties={"latitude": Schema(type="number"), "longitude": Schema(type="number")}),
        Schema(properties={"latitude": Schema(type="null"), "longitude": Schema(type="null")}),
    ]}


class _PlanFields(InputStruct, kw_only=True):
    title: Title
    kind: ItemKind = "shift"
    worker_ids: Annotated[list[UUID], msgspec.Meta(max_length=200)] = []
    group_id: UUID | None = None
    place: PlaceIn | None = None
    contact_name: ContactName = ""
    contact_phone: Phone = ""
    bring: Annotated[list[BringCode], msgspec.Meta(max_length=10)] = []
    note: Note = ""


class ItemCreate(_PlanFields):
    starts_at: Instant
    ends_at: Instant


class SeriesCreate(_PlanFields):
    weekdays: Annotated[list[Weekday], msgspec.Meta(min_length=1, max_length=7)]
    start_time: HHMM
    end_time: HHMM
    valid_from: Day
    valid_until: Day | None = None


class SeriesUpdate(InputStruct):
    title: Title | msgspec.UnsetType = msgspec.UNSET
    kind: ItemKind | msgspec.UnsetType = msgspec.UNSET
    weekdays: Annotated[list[Weekday], msgspec.Meta(min_length=1, max_length=7)] | msgspec.UnsetType = msgspec.UNSET
    start_time: HHMM | msgspec.UnsetType = msgspec.UNSET
    end_time: HHMM | msgspec.UnsetType = msgspec.UNSET
    valid_until: Day | None | msgspec.UnsetType = msgspec.UNSET
    place: PlaceIn | msgspec.UnsetType = msgspec.UNSET
    contact_name: ContactName | msgspec.UnsetType = msgspec.UNSET
    contact_phone: Phone | msgspec.UnsetType = msgspec.UNSET
    bring: Annotated[list[BringCode], msgspec.Meta(max_length=10)] | msgspec.UnsetType = msgspec.UNSET
    note: Note | msgspec.UnsetType = msgspec.UNSET


class ItemUpdate(InputStruct):
    """Change one item (e.g. move one day of a series); the series then leaves it alone."""

    title: Title | msgspec.UnsetType = msgspec.UNSET
    starts_at: Instant | msgspec.UnsetType = msgspec.UNSET
    ends_at: Instant | msgspec.UnsetType = msgspec.UNSET
    place: PlaceIn | msgspec.UnsetType = msgspec.UNSET
    contact_name: ContactName | msgspec.UnsetType = msgspec.UNSET
    contact_phone: Phone | msgspec.UnsetType = msgspec.UNSET
    bring: Annotated[list[BringCode], msgspec.Meta(max_length=10)] | msgspec.UnsetType = msgspec.UNSET
    note: Note | msgspec.UnsetType = msgspec.UNSET


class PlaceOut(CamelStruct):
    workplace_id: UUID | None
    name: str
    address: str
    latitude: float | None
    longitude: float | None


class CheckInIn(InputStruct):
    """'Ik ben er', optionally with when it was tapped (a phone that was offline sends it later).

    `tappedAt` counts when it is plausible: not after `sentAt`/the receipt (beyond a little clock
    skew), not before check-in opens, at most 12 hours old; otherwise the receipt time counts.
    With `sentAt` (the phone's clock when it sent the request) a phone clock that is wrong does not
    matter: only the time between tap and sending is taken from the phone."""

    tapped_at: Instant | None = None
    sent_at: Instant | None = None


class AttendanceOut(CamelStruct):
    person_id: UUID
    status: str
    checked_in_at: dt.datetime | None
    updated_at: dt.datetime
    # When the server received the check-in; later than `checkedInAt` for one made offline.
    received_at: dt.datetime | None = None


class ItemOut(CamelStruct):
    id: UUID
    series_id: UUID | None
    title: str
    kind: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    local_date: dt.date
    local_start: str
    local_end: str
    place: PlaceOut
    contact_name: str
    contact_phone: str
    bring: list[str]
    note: str
    cancelled: bool
    participant_ids: list[UUID]
    attendance: list[AttendanceOut]
    # For the worker's own view: "sick" when they reported sick for that day, "excused" when their
    # coach excused them; null otherwise (and always in the coach's view, which has `attendance`).
    absence: Literal["sick", "excused"] | None = None
    # A series day beyond the stored horizon, computed when read: shown, but no check-in on it yet.
    virtual: bool = False


class SeriesOut(CamelStruct):
    id: UUID
    title: str
    kind: str
    weekdays: list[int]
    start_time: str
    end_time: str
    valid_from: dt.date
    valid_until: dt.date | None
    participant_ids: list[UUID]
    ended: bool


class AttendanceCorrection(InputStruct):
    status: AttendanceStatus
    note: Remark = ""


class AttendanceChangeOut(CamelStruct):
    changed_by: UUID | None
    changed_at: dt.datetime
    old_status: str | None
    new_status: str
    note: str


class AttendanceDetail(CamelStruct):
    person_id: UUID
    status: str | None
    checked_in_at: dt.datetime | None
    history: list[AttendanceChangeOut]
    received_at: dt.datetime | None = None


class SickReportIn(InputStruct):
    first_day: Day | None = None
    last_day: Day | None = None
    note: Remark = ""
    person_id: UUID | None = None


class LateReportIn(InputStruct):
    minutes: Annotated[int, msgspec.Meta(ge=1, le=240)]
    reason: Remark = ""
    item_id: UUID | None = None
    person_id: UUID | None = None


class ReportOut(CamelStruct):
    id: UUID
    person_id: UUID
    person_name: str
    kind: str
    first_day: dt.date
    last_day: dt.date
    minutes_late: int | None
    item_id: UUID | None
    note: str
    created_at: dt.datetime
    seen_at: dt.datetime | None


class GroupCreate(InputStruct):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=100, pattern=NOT_BLANK)]
    member_ids: Annotated[list[UUID], msgspec.Meta(max_length=200)] = []


class GroupOut(CamelStruct):
    id: UUID
    name: str
    owner_id: UUID
    member_ids: list[UUID]


class CalendarOut(CamelStruct):
    url: str
    renewed_at: dt.datetime


class ConflictOut(CamelStruct):
    """One worker already planned at that time: the first clashing item of one series (or a one-off
    item), and on how many days it clashes."""

    worker_id: UUID
    worker_name: str
    item_id: UUID
    series_id: UUID | None
    title: str
    kind: str
    local_date: dt.date
    local_start: str
    local_end: str
    count: int
    # The same weekly series (title and times) planned again for this worker.
    same_series: bool


class ConflictsOut(CamelStruct):
    """What a plan would clash with if it were saved now (empty: nothing)."""

    conflicts: list[ConflictOut]
