"""Request and response shapes for push subscriptions, reminders and the inbox."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, ClassVar
from uuid import UUID

import msgspec

from litestar.openapi.spec import Schema

from backend.phrases.schemas import Language, PhraseUse
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


# A title (not blank) or a phrase (checked in `services._content`; both at once is refused too).
TITLE_OR_PHRASE: dict[str, Any] = {"any_of": [
    Schema(required=["title"], properties={"title": Schema(type="string", min_length=1, pattern=NOT_BLANK)}),
    Schema(required=["phrase"], properties={"phrase": Schema(type="object")}),
]}


class ReminderIn(InputStruct):
    """A title (the coach's own words) or a phrase from the phrasebook (`phrase`), or both: then the
    phrase is the title each recipient reads in their language and `body` the coach's Dutch note."""

    title: Annotated[str, msgspec.Meta(max_length=120, pattern=NO_NUL)] = ""
    body: Annotated[str, msgspec.Meta(max_length=1000, pattern=NO_NUL)] = ""
    phrase: PhraseUse | None = None
    worker_ids: Annotated[list[UUID], msgspec.Meta(max_length=500)] = []
    group_id: UUID | None = None
    whole_caseload: bool = False
    at: Instant | None = None
    recurrence: Recurrence | None = None

    openapi_extra: ClassVar[dict[str, Any]] = TITLE_OR_PHRASE


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
    # The quick reply (a fixed key), and its words in the asker's language (the coach's: Dutch).
    reply: str | None = None
    reply_text: str = ""
    replied_at: dt.datetime | None = None
    # The recipient's language, and for a reader of another language than Dutch what they read.
    language: str = "nl"
    language_name: str = ""
    dir: str = "ltr"
    seen: SeenText | None = None


class SeenText(CamelStruct):
    """What one reader read, as their inbox shows it: a phrase in their words, a coach's own text
    with "Written in Dutch" (`mark`) in theirs; the language of the title and of the body."""
    title: str
    title_language: str
    body: str
    body_language: str
    mark: str


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
    reply: str | None = None
    # "Written in Dutch" in the reader's language, when the text is (partly) the coach's Dutch.
    mark: str = ""
    # The language the title and the body are written in (a coach's own words: "nl").
    title_language: str = ""
    body_language: str = ""


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


class PreviewIn(InputStruct):
    """What a coach is about to send, for a preview per language: to these recipients (one preview
    per language among them) or in these languages."""

    title: Annotated[str, msgspec.Meta(max_length=120, pattern=NO_NUL)] = ""
    body: Annotated[str, msgspec.Meta(max_length=1000, pattern=NO_NUL)] = ""
    phrase: PhraseUse | None = None
    worker_ids: Annotated[list[UUID], msgspec.Meta(max_length=500)] = []
    group_id: UUID | None = None
    whole_caseload: bool = False
    languages: Annotated[list[Language], msgspec.Meta(max_length=8)] = []

    openapi_extra: ClassVar[dict[str, Any]] = TITLE_OR_PHRASE


class PreviewText(CamelStruct):
    language: str
    language_name: str
    dir: str
    title: str
    # The language the title is in: the reader's, or "nl" (their own words, or no translation).
    title_language: str
    body: str
    mark: str
    recipients: list[str]


class PreviewOut(CamelStruct):
    dutch: PreviewText
    previews: list[PreviewText]
