"""Request and response shapes for people, sessions and invites."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, ClassVar, Literal
from uuid import UUID

import msgspec
from litestar.openapi.spec import Schema

from backend.i18n import SUPPORTED
from backend.schemas import NO_NUL, CamelStruct, Email, InputStruct, Name, Phone, Text100

# The languages of the app (backend/i18n.py SUPPORTED, pwa/js/i18n.js LANGUAGES).
Language = Literal[SUPPORTED]  # type: ignore[valid-type]
Role = Literal["worker", "buddy", "coach", "admin"]
CreatableRole = Literal["worker", "buddy", "coach"]


class LoginIn(InputStruct):
    # Any text: an address in the wrong form simply matches no account (401, like a wrong password).
    email: Annotated[str, msgspec.Meta(min_length=3, max_length=254, pattern=NO_NUL)]
    password: Annotated[str, msgspec.Meta(min_length=1, max_length=1024)]


class InviteRedeemIn(InputStruct):
    """The link's token, or the short code (only its letters and digits count, e.g. ABCD-EFGH)."""

    token: Annotated[str, msgspec.Meta(max_length=200, pattern=r"\S")] | None = None
    code: Annotated[str, msgspec.Meta(max_length=40, pattern=r"[^\W_]")] | None = None

    # One of the two is needed (checked in `services.redeem_invite`).
    openapi_extra: ClassVar[dict[str, Any]] = {"any_of": [
        Schema(required=["token"], properties={"token": Schema(type="string")}),
        Schema(required=["code"], properties={"code": Schema(type="string")}),
    ]}


class OrganisationRef(CamelStruct):
    id: UUID
    name: str


class WorkplaceRef(CamelStruct):
    id: UUID
    name: str
    street: str
    postcode: str
    city: str
    latitude: float | None
    longitude: float | None


class Contact(CamelStruct):
    id: UUID
    role: str
    first_name: str
    last_name: str
    phone: str


class MeOut(CamelStruct):
    id: UUID
    role: str
    first_name: str
    last_name: str
    phone: str
    email: str | None
    language: str
    organisation: OrganisationRef | None
    coach: Contact | None
    buddy: Contact | None
    workplace: WorkplaceRef | None
    workers: list[Contact]


class MeUpdate(InputStruct):
    language: Language | msgspec.UnsetType = msgspec.UNSET
    phone: Phone | msgspec.UnsetType = msgspec.UNSET


class DeviceOut(CamelStruct):
    id: UUID
    label: str
    kind: str
    created_at: dt.datetime
    last_seen_at: dt.datetime
    current: bool


class PersonOut(CamelStruct):
    id: UUID
    role: str
    first_name: str
    last_name: str
    phone: str
    email: str | None
    language: str
    active: bool
    organisation_id: UUID | None
    coach_id: UUID | None
    buddy_id: UUID | None
    workplace_id: UUID | None
    created_at: dt.datetime
    deactivated_at: dt.datetime | None


class PersonCreate(InputStruct):
    role: CreatableRole
    first_name: Name
    last_name: Text100 = ""
    phone: Phone = ""
    email: Email | None = None
    password: Annotated[str, msgspec.Meta(max_length=1024)] | None = None
    language: Language = "nl"
    coach_id: UUID | None = None
    buddy_id: UUID | None = None
    workplace_id: UUID | None = None
    organisation_id: UUID | None = None


class PersonUpdate(InputStruct):
    first_name: Name | msgspec.UnsetType = msgspec.UNSET
    last_name: Text100 | msgspec.UnsetType = msgspec.UNSET
    phone: Phone | msgspec.UnsetType = msgspec.UNSET
    email: Email | None | msgspec.UnsetType = msgspec.UNSET
    language: Language | msgspec.UnsetType = msgspec.UNSET
    coach_id: UUID | None | msgspec.UnsetType = msgspec.UNSET
    buddy_id: UUID | None | msgspec.UnsetType = msgspec.UNSET
    workplace_id: UUID | None | msgspec.UnsetType = msgspec.UNSET


class InviteOut(CamelStruct):
    id: UUID
    url: str
    code: str
    qr_svg: str
    expires_at: dt.datetime


class PersonCreated(CamelStruct):
    person: PersonOut
    invite: InviteOut | None


Password = Annotated[str, msgspec.Meta(min_length=1, max_length=1024)]


class PasswordChangeIn(InputStruct):
    current_password: Password
    new_password: Password


class PasswordResetIn(InputStruct):
    """The token from the reset link's fragment and the new password."""

    token: Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=r"\S")]
    password: Password


class PasswordResetOut(CamelStruct):
    """A reset link, shown once to the admin who made it (only its hash is kept)."""

    id: UUID
    url: str
    qr_svg: str
    expires_at: dt.datetime
