"""Transit answers: journeys with their legs, coverage of the loaded feeds."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from backend.schemas import CamelStruct


class Leg(CamelStruct):
    """A walk (metres, minutes) or a ride (line, headsign, from stop, to stop)."""

    kind: Literal["walk", "ride"]
    departure: dt.datetime
    arrival: dt.datetime
    minutes: int
    from_name: str
    to_name: str
    metres: int = 0
    line: str = ""
    headsign: str = ""
    mode: str = ""  # ride: bus, tram, metro, train, ferry, other


class Journey(CamelStruct):
    """One way to arrive in time: leave at `departure`, arrive at `arrival` (both aware)."""

    departure: dt.datetime
    arrival: dt.datetime
    transfers: int
    walk_metres: int
    legs: list[Leg]


class FeedCoverage(CamelStruct):
    name: str
    timezone: str
    first_date: dt.date
    last_date: dt.date
    stops: int
    routes: int
    trips: int
    stop_times: int
    imported_at: dt.datetime


class Coverage(CamelStruct):
    """First and last service day over all loaded feeds."""

    first: dt.date
    last: dt.date
    feeds: list[FeedCoverage]
