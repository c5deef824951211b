"""Request and response shapes of the privacy routes."""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from uuid import UUID

import msgspec

from backend.schemas import CamelStruct, InputStruct, NO_NUL


class EraseIn(InputStruct):
    """`confirm` must be the person's first name, typed again."""

    confirm: Annotated[str, msgspec.Meta(max_length=100, pattern=NO_NUL)]


class EraseOut(CamelStruct):
    person_id: UUID
    erased_at: dt.datetime
    rows: dict[str, int]


RetentionMonths = Annotated[int, msgspec.Meta(ge=1, le=120)]
AuditMonths = Annotated[int, msgspec.Meta(ge=6, le=240)]


class RetentionSettings(CamelStruct):
    retention_months: int
    audit_retention_months: int


class RetentionUpdate(InputStruct):
    retention_months: RetentionMonths | msgspec.UnsetType = msgspec.UNSET
    audit_retention_months: AuditMonths | msgspec.UnsetType = msgspec.UNSET


class AuditOut(CamelStruct):
    id: UUID
    at: dt.datetime
    action: str
    detail: str
    actor_id: UUID | None
    actor_name: str
    subject_id: UUID | None
    subject_name: str
    organisation_id: UUID | None


class AuditPage(CamelStruct):
    items: list[AuditOut]
    total: int
    page: int
    page_size: int
