"""The phrasebook: ready sentences with slots that a coach picks in Dutch and a worker reads in their
own language.

Standard phrases live in `backend/phrases/locales/<lang>.json`, one flat catalogue per language
(the format of `backend/locales/<lang>.json`): `phrase.<id>` is the sentence with `{slot}`
placeholders, and `mark.written_in_dutch` the line that tells a worker why a text is Dutch. Every language has every
key with the same placeholders (tests/test_phrasebook.py checks it). Adding a phrase is adding its
key to all eight files.

A slot's name is its type: `time` (HH:MM, local time in Europe/Brussels), `date` (YYYY-MM-DD),
`place` and `person` (free text as typed, never translated) and `items` (bring-item codes, written
as a list in the recipient's language, each named by the server's `bring.<code>`). Times, dates and lists are formatted with Babel (CLDR) in
the recipient's locale.
"""

from __future__ import annotations

import datetime as dt
import re
import string
from dataclasses import dataclass
from pathlib import Path
from typing import get_args

from babel.dates import format_date, format_time
from babel.lists import format_list

from backend.errors import AppError
from backend.i18n import DEFAULT, SUPPORTED, read_catalogue, translate
from backend.schedule.schemas import BringCode

LANGUAGES = SUPPORTED
FOLDER = Path(__file__).resolve().parent / "locales"
SLOT_TYPES = ("time", "date", "place", "person", "items")
BRING_CODES = tuple(get_args(BringCode))
MAX_FREE_SLOT = 80
# The CLDR locale each language's times and dates are written in (Belgian where there is one).
BABEL_LOCALE = {"nl": "nl_BE", "en": "en_GB", "fr": "fr_BE"}
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def catalogue(language: str) -> dict[str, str]:
    return read_catalogue(FOLDER, language)


def standard_ids() -> list[str]:
    """The standard phrases, in the order of the Dutch catalogue."""
    return [key.removeprefix("phrase.") for key in catalogue(DEFAULT) if key.startswith("phrase.")]


def placeholders(text: str) -> list[str]:
    """The `{name}` placeholders of a text, in order, once each; ValueError on a broken brace or a
    placeholder with a format ("{time:>99}", "{time!r}": an admin's text formats nothing but names)."""
    names = []
    for _, name, spec, conversion in string.Formatter().parse(text):
        if name is None:
            continue
        if spec or conversion:
            raise ValueError("a placeholder is only a name")
        names.append(name)
    return list(dict.fromkeys(names))


def mark(language: str) -> str:
    """'Geschreven in het Nederlands' in `language`; empty for a Dutch reader."""
    if language == DEFAULT:
        return ""
    return catalogue(language).get("mark.written_in_dutch") or catalogue("en").get("mark.written_in_dutch", "")


def item_label(code: str, language: str) -> str:
    """A bring item as it stands inside a sentence: the server's `bring.<code>` (as in push and iCalendar)."""
    return translate(f"bring.{code}", language)


@dataclass(frozen=True)
class Phrase:
    """A phrase as the coach picks it: its id ("start_tomorrow" or an organisation phrase's uuid),
    its text per language (Dutch always) and its slots."""

    id: str
    texts: dict[str, str]
    standard: bool

    @property
    def slots(self) -> list[str]:
        return placeholders(self.texts[DEFAULT])


def standard(phrase_id: str) -> Phrase | None:
    key = f"phrase.{phrase_id}"
    if key not in catalogue(DEFAULT):
        return None
    return Phrase(id=phrase_id, standard=True,
                  texts={lang: catalogue(lang)[key] for lang in LANGUAGES if key in catalogue(lang)})


def all_standard() -> list[Phrase]:
    return [p for p in (standard(i) for i in standard_ids()) if p is not None]


# --- slot values ---------------------------------------------------------------------------------

class SlotError(AppError):
    """400 naming the slot, e.g. field `slots.time`, message key `slot_missing`."""

    status_code = 400

    def __init__(self, errors: list[tuple[str, str, dict]]) -> None:
        super().__init__("invalid_input", field_errors=errors)


def check_slots(phrase: Phrase, values: dict) -> dict:
    """The slot values cleaned for storage (times "HH:MM", dates ISO, item codes, trimmed texts);
    SlotError naming every missing, unknown or wrong slot."""
    errors: list[tuple[str, str, dict]] = []
    clean: dict = {}
    wanted = phrase.slots
    for name in values:
        if name not in wanted:  # named back, cut short: the key is whatever the client sent
            errors.append((f"slots.{name[:20]}", "slot_unknown", {}))
    for name in wanted:
        value = values.get(name)
        field = f"slots.{name}"
        if value is None or value == "" or value == []:
            errors.append((field, "slot_missing", {}))
            continue
        if name == "items":
            codes = [value] if isinstance(value, str) else value
            if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
                errors.append((field, "slot_items_invalid", {}))
            elif any(c not in BRING_CODES for c in codes):
                errors.append((field, "slot_items_invalid", {}))
            else:
                clean[name] = list(dict.fromkeys(codes))
            continue
        if not isinstance(value, str):
            errors.append((field, "field_type_str", {}))
            continue
        value = value.strip()
        if name == "time":
            if not _TIME.match(value):
                errors.append((field, "slot_time_invalid", {}))
                continue
        elif name == "date":
            try:
                dt.date.fromisoformat(value)
            except ValueError:
                errors.append((field, "slot_date_invalid", {}))
                continue
            if len(value) != 10:
                errors.append((field, "slot_date_invalid", {}))
                continue
        else:
            if not value:
                errors.append((field, "slot_missing", {}))
                continue
            if len(value) > MAX_FREE_SLOT or "\x00" in value:
                errors.append((field, "field_too_long", {"n": MAX_FREE_SLOT}))
                continue
        clean[name] = value
    if errors:
        raise SlotError(errors)
    return clean


def _format(name: str, value, language: str) -> str:
    locale = BABEL_LOCALE.get(language, language)
    if name == "time":
        hour, minute = (int(x) for x in value.split(":"))
        # 24-hour clock in every language, as the app's screens and Belgian timetables show it
        # (Babel's short Arabic time is "9:00 ص").
        return format_time(dt.time(hour, minute), "HH:mm", locale=locale)
    if name == "date":
        return format_date(dt.date.fromisoformat(value), "full", locale=locale)
    if name == "items":
        return format_list([item_label(code, language) for code in value], locale=locale)
    return value


@dataclass(frozen=True)
class Rendered:
    text: str
    language: str  # the language the text is in: the reader's, or Dutch when it had no translation


def render(phrase: Phrase, values: dict, language: str) -> Rendered:
    """The phrase in `language` (falling back to Dutch) with its slots formatted for that language.
    Slots are formatted in the language the sentence is in, so a Dutch fallback reads Dutch."""
    text_language = language if language in phrase.texts else DEFAULT
    text = phrase.texts[text_language]
    filled = {name: _format(name, values[name], text_language) for name in placeholders(text)}
    return Rendered(text=text.format(**filled), language=text_language)
