"""Server-side messages, chosen by `Accept-Language` or by the person's stored language.

The texts live in one catalogue per language, `backend/locales/<lang>.json`, in the PWA's format
(`pwa/i18n/<lang>.json`): flat JSON, key -> text with `{name}` placeholders, or, for a text that
depends on a number, an object of CLDR plural forms ({"one": ..., "other": ...} in Dutch; each
language has its own set). The number is the first of `PLURAL_PARAMS` that is given; Babel's CLDR
rules pick the form. A key missing in a language falls back to Dutch, a missing catalogue too.
`backend/locales/status.json` says per language its own name, direction and review state.

Keep sentences short and say what to do. Keys are stable; placeholders use `str.format`.
"""

from __future__ import annotations

import json
import logging
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from babel import Locale

log = logging.getLogger("werkmaat.i18n")

DEFAULT = "nl"
LOCALES = Path(__file__).resolve().parent / "locales"
# The languages of the app, in the order of locales/status.json: the one list the server keeps
# (pwa/js/i18n.js keeps its own, held equal to it by tests/test_catalogues.py).
SUPPORTED: tuple[str, ...] = tuple(json.loads((LOCALES / "status.json").read_text(encoding="utf-8")))
# The parameter whose number picks a plural form: the first of these that is given.
PLURAL_PARAMS = ("count", "n", "seats", "minutes", "seconds", "days", "hours", "months")

Text = str | dict[str, str]


@lru_cache(maxsize=None)
def read_catalogue(folder: Path, language: str) -> dict[str, Text]:
    """The catalogue `<folder>/<language>.json` as stored (read once); {} for a language without a
    file yet. Also the phrasebook's (backend/phrases/locales)."""
    if language not in SUPPORTED:
        return {}
    path = folder / f"{language}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except ValueError:  # a broken file must not break every answer: Dutch then (tests/test_catalogues.py fails)
        if language == DEFAULT:
            raise
        log.error("%s is not valid JSON: falling back to Dutch", path)
        return {}


def catalogue(language: str) -> dict[str, Text]:
    """The server's catalogue of `language` (backend/locales)."""
    return read_catalogue(LOCALES, language)


@lru_cache(maxsize=None)
def status() -> dict[str, dict[str, str]]:
    """Per language its own name, `dir` (ltr/rtl) and review state (backend/locales/status.json)."""
    return json.loads((LOCALES / "status.json").read_text(encoding="utf-8"))


def has_key(key: str) -> bool:
    return key in catalogue(DEFAULT)


def pick_language(accept_language: str | None) -> str:
    """The best supported language for an `Accept-Language` header (RFC 9110 q-values)."""
    if not accept_language:
        return DEFAULT
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(accept_language.split(",")):
        pieces = part.strip().split(";")
        tag = pieces[0].strip().lower()
        quality = 1.0
        for param in pieces[1:]:
            name, _, value = param.strip().partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        primary = tag.split("-")[0]
        if primary in SUPPORTED and quality > 0:
            ranked.append((-quality, index, primary))
    return sorted(ranked)[0][2] if ranked else DEFAULT


@lru_cache(maxsize=None)
def _locale(language: str) -> Locale:
    return Locale.parse(language)


def plural_category(language: str, number: object) -> str:
    """The CLDR plural category ("zero", "one", "two", "few", "many", "other") of `number`."""
    if isinstance(number, str):
        try:
            number = int(number)
        except ValueError:
            try:
                number = Decimal(number)
            except ArithmeticError:
                return "other"
    if not isinstance(number, (int, float, Decimal)) or isinstance(number, bool):
        return "other"
    return _locale(language).plural_form(abs(number))


def _pick(text: Text, language: str, params: dict) -> str:
    if isinstance(text, str):
        return text
    number = next((params[name] for name in PLURAL_PARAMS if name in params), None)
    form = plural_category(language, number) if number is not None else "other"
    return text.get(form) or text.get("other") or next(iter(text.values()), "")


def translate(key: str, language: str, **params: object) -> str:
    """The message `key` in `language` (falling back to Dutch), with its placeholders filled."""
    text = catalogue(language).get(key) if language in SUPPORTED else None
    if text is None:
        language, text = DEFAULT, catalogue(DEFAULT).get(key)
    if text is None:
        return key
    template = _pick(text, language, params)
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        return template


def weekday_name(day, language: str) -> str:
    """The weekday of `day` written out in `language` ("maandag", "Monday"), from CLDR."""
    locale = _locale(language if language in SUPPORTED else DEFAULT)
    return locale.days["format"]["wide"][day.weekday()]
