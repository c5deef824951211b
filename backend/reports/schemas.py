"""Shapes of the impact report. Every number carries its own display text, so that a suppressed
figure ("<5") looks the same in the app, in the CSV and to a screen reader."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

import msgspec

from backend.schemas import CamelStruct


class Figure(CamelStruct):
    """One number. `value` is null when it is hidden to protect a small group (`suppressed`)."""

    key: str
    value: float | None
    display: str
    unit: str = msgspec.field(default="count")
    suppressed: bool = False


class BreakdownRow(CamelStruct):
    label: str
    value: float | None
    display: str
    suppressed: bool = False


class Breakdown(CamelStruct):
    """People per group (a milestone, a kind of job), and the total over the groups."""

    key: str
    rows: list[BreakdownRow]
    total: Figure


class Section(CamelStruct):
    key: str
    figures: list[Figure] = []
    breakdowns: list[Breakdown] = []


class ImpactReport(CamelStruct):
    organisation_id: UUID
    period_from: dt.date = msgspec.field(name="from")
    period_to: dt.date = msgspec.field(name="to")
    threshold: int
    sections: list[Section]
