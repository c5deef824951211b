"""Transit answers: journeys with their legs, coverage of the loaded feeds."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal
from uuid import UUID

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


class CommuteItem(CamelStruct):
    """One upcoming shift and how to get there; `problem` is a message key when there is no option."""

    item_id: UUID
    title: str
    kind: str
    starts_at: dt.datetime
    local_date: dt.date
    local_start: str
    place_name: str
    arrive_by: dt.datetime
    leave_home_at: dt.datetime | None
    journeys: list[Journey]
    problem: str | None
    message: str
    # A confirmed buddy ride to this shift (driver, car, pickup point and time), when there is one.
    ride: dict[str, Any] | None = None
    # Nothing arrives in time any more (planned from now): `journeys` then holds the earliest arrival
    # still possible (arriving after `arriveBy`), or nothing.
    late: bool = False
    # What to do, in one or two sentences: the same text as the notice after a buddy cancels.
    advice: str = ""
    # The buddy cancelled the ride to this shift (and no other ride is confirmed): that ride.
    cancelled_ride: dict[str, Any] | None = None


class CommuteOut(CamelStruct):
    home_known: bool
    message: str
    items: list[CommuteItem]


class FeedsOut(CamelStruct):
    """Loaded feeds; `first`/`last` span all of them (null when none is loaded)."""

    first: dt.date | None
    last: dt.date | None
    feeds: list[FeedCoverage]
