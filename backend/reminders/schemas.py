"""Request and response shapes for push subscriptions, reminders and the inbox."""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from uuid import UUID

import msgspec

from backend.schemas import NOT_BLANK, NO_NUL, CamelStruct, Day, InputStruct, Instant

HHMM = Annotated[str, msgspec.Meta(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]


class SubscriptionKeys(InputStruct):
    p256dh: Annotated[str, msgspec.Meta(min_length=20, max_length=200, pattern=NO_NUL)]
    auth: Annotated[str, msgspec.Meta(min_length=8, max_length=100, pattern=NO_NUL)]


class SubscriptionIn(msgspec.Struct, rename="camel"):
    """The browser's standard PushSubscription JSON (unknown extra members are ignored)."""

    endpoint: Annotated[str, msgspec.Meta(min_length=8, max_length=2048, pattern=NO_NUL)]
    keys: SubscriptionKeys
    expiration_time: int | float | None = None


class UnsubscribeIn(InputStruct):
    endpoint: Annotated[str, msgspec.Meta(min_length=1, max_length=2048, pattern=NO_NUL)]


class SubscriptionOut(CamelStruct):
    id: UUID


class PushConfigOut(CamelStruct):
    enabled: bool
    public_key: str


class Recurrence(InputStruct):
    weekdays: Annotated[list[Annotated[int, msgspec.Meta(ge=1, le=7)]], msgspec.Meta(min_length=1, max_length=7)]
    time: HHMM
    until: Day | None = None


class ReminderIn(InputStruct):
    title: Annotated[str, msgspec.Meta(min_length=1, max_length=120, pattern=NOT_BLANK)]
    body: Annotated[str, msgspec.Meta(max_length=1000, pattern=NO_NUL)] = ""
    worker_ids: Annotated[list[UUID], msgspec.Meta(max_length=500)] = []
    group_id: UUID | None = None
    whole_caseload: bool = False
    at: Instant | None = None
    recurrence: Recurrence | None = None


class RecipientStatusOut(CamelStruct):
    person_id: UUID
    name: str
    state: str
    push_status: str
    error: str
    pushed_at: dt.datetime | None
    late_seconds: int | None
    read_at: dt.datetime | None
    acknowledged_at: dt.datetime | None


class ReminderOut(CamelStruct):
    id: UUID | None
    rule_id: UUID | None
    title: str
    body: str
    due_at: dt.datetime | None
    recurring: bool
    recipients: list[RecipientStatusOut]


class InboxItemOut(CamelStruct):
    id: UUID
    title: str
    body: str
    url: str
    urgent: bool
    due_at: dt.datetime
    read_at: dt.datetime | None
    acknowledged_at: dt.datetime | None


class QuietHours(InputStruct):
    quiet_start: HHMM
    quiet_end: HHMM


class QuietHoursOut(CamelStruct):
    quiet_start: str
    quiet_end: str


class OrganisationReminderSettings(InputStruct):
    evening_before_at: HHMM = "18:00"
    minutes_before: Annotated[int, msgspec.Meta(ge=5, le=720)] = 60
    ride_minutes_before: Annotated[int, msgspec.Meta(ge=5, le=240)] = 30
    automatic: bool = True


class OrganisationReminderSettingsOut(CamelStruct):
    evening_before_at: str
    minutes_before: int
    ride_minutes_before: int
    automatic: bool


class ReminderRuleOut(CamelStruct):
    """A weekly reminder: when it goes out, to how many people, until when."""

    id: UUID
    title: str
    body: str
    weekdays: list[int]
    time: str
    until: dt.datetime | None
    recipient_count: int
    ended: bool
