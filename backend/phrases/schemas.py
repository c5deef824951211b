"""Request and response shapes of the phrasebook."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

import msgspec

from backend.schemas import NO_NUL, NOT_BLANK, CamelStruct, InputStruct

PhraseText = Annotated[str, msgspec.Meta(max_length=200, pattern=NO_NUL)]
Language = Literal["nl", "en", "fr", "ar", "tr", "pl", "ro", "uk"]


class PhraseTexts(InputStruct):
    """The text per language: Dutch required, the others optional (left out or empty: that
    language reads the Dutch, with the mark)."""

    nl: Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=NOT_BLANK)]
    en: PhraseText = ""
    fr: PhraseText = ""
    ar: PhraseText = ""
    tr: PhraseText = ""
    pl: PhraseText = ""
    ro: PhraseText = ""
    uk: PhraseText = ""

    def as_dict(self) -> dict[str, str]:
        return {lang: getattr(self, lang) for lang in ("nl", "en", "fr", "ar", "tr", "pl", "ro", "uk")}


class PhraseIn(InputStruct):
    """An organisation's phrase. Slots are `{time}`, `{date}`, `{place}`, `{person}` and `{items}`;
    every translation uses the Dutch text's slots."""

    texts: PhraseTexts


class PhraseOut(CamelStruct):
    id: str
    standard: bool
    organisation_id: UUID | None
    texts: dict[str, str]
    slots: list[str]
    # Languages the phrase has a text in (the rest fall back to Dutch with the mark).
    languages: list[str]


SlotText = Annotated[str, msgspec.Meta(max_length=80, pattern=NO_NUL)]
SlotValue = SlotText | Annotated[list[SlotText], msgspec.Meta(max_length=10)]


class PhraseUse(InputStruct):
    """A phrase picked for a reminder: its id and a value per slot (items: bring-item codes)."""

    id: Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=NO_NUL)]
    slots: dict[str, SlotValue] = {}
