"""Readable names of the report's sections, figures and units for the CSV, in the coach's language.

The words are in backend/locales (`report.section.*`, `report.figure.*`, `report.unit.*`,
`report.header.*`, `report.total`) and are the app's own (`impact.figure.*` in pwa/i18n/*.json;
tests/test_impact_report.py checks they stay equal), so a coach finds the same name in Excel as on
the screen. A section a domain registers brings its labels there too; a key without a label falls
back to the key itself.
"""

from __future__ import annotations

from backend.i18n import has_key, translate

COLUMNS = ("section", "figure", "group", "value", "unit", "key")


def _pick(kind: str, language: str, key: str) -> str:
    name = f"report.{kind}.{key}"
    return translate(name, language) if has_key(name) else key


def known(kind: str, key: str) -> bool:
    """Whether a section, figure or unit has a label (`kind`: "section", "figure" or "unit")."""
    return has_key(f"report.{kind}.{key}")


def section(language: str, key: str) -> str:
    return _pick("section", language, key)


def figure(language: str, key: str) -> str:
    return _pick("figure", language, key)


def unit(language: str, key: str) -> str:
    return _pick("unit", language, key)


def header(language: str) -> list[str]:
    return [translate(f"report.header.{column}", language) for column in COLUMNS]


def total(language: str) -> str:
    return translate("report.total", language)
