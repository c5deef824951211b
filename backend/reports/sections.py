"""The report is made of sections, each computed by an async provider registered here.

A domain adds its own section by registering a provider in one of `PROVIDER_MODULES` (the rides
section lives with the rides). Providers get a `ReportContext` and return a `Section`; they count
people, never name them, and use the helpers of `backend.reports.suppression` for every figure.
"""

from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import dataclass
from typing import Awaitable, Callable
from uuid import UUID

from backend.reports.schemas import Section

# Modules that register providers when imported; append yours.
PROVIDER_MODULES = ["backend.reports.providers"]


@dataclass(frozen=True)
class ReportContext:
    organisation_id: UUID
    first: dt.date
    last: dt.date
    start: dt.datetime  # first day 00:00 Europe/Brussels, as UTC
    end: dt.datetime  # the day after the last day, 00:00 Europe/Brussels, as UTC
    now: dt.datetime


Provider = Callable[[ReportContext], Awaitable[Section]]
_PROVIDERS: dict[str, tuple[int, Provider]] = {}


def register(key: str, order: int) -> Callable[[Provider], Provider]:
    """Register a section provider under `key`; sections are shown by ascending `order`."""

    def decorate(provider: Provider) -> Provider:
        _PROVIDERS[key] = (order, provider)
        return provider

    return decorate


def providers() -> list[Provider]:
    for module in PROVIDER_MODULES:
        importlib.import_module(module)
    return [provider for _, provider in sorted(_PROVIDERS.values(), key=lambda item: item[0])]
