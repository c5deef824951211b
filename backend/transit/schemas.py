"""Transit answers: journeys with their legs, coverage of the loaded feeds."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal
from uuid import UUID

from backend.schemas import CamelStruct


class TripRef(CamelStruct):
    """Which trip of which feed a ride is (GTFS ids and service day): how live data finds it again."""

    feed: str
    trip_id: str
    service_date: dt.date
    route_id: str
    from_stop_id: str
    to_stop_id: str


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
    # Ride: how boarding / getting off works there (pickup_type / drop_off_type 2 and 3):
    # "" (as usual), "phone_agency" (phone the agency first) or "ask_driver" (tell the driver).
    pickup: str = ""
    drop_off: str = ""
    # Ride: the rider stays seated from the ride before (same vehicle, block_id): no change.
    stay_seated: bool = False
    # Ride on a headway (frequencies.txt exact_times=0): "every N min"; `departure` is then the
    # time to be at the stop and `arrival` the latest arrival (after the longest wait).
    headway_minutes: int = 0
    # Ride with live data (GTFS-Realtime): `departure`/`arrival` are then the live times, and these
    # the timetable's; `delay_minutes` is how late it leaves (negative: early), known when `live`.
    planned_departure: dt.datetime | None = None
    planned_arrival: dt.datetime | None = None
    delay_minutes: int = 0
    live: bool = False
    trip: TripRef | None = None


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


class ServiceAlert(CamelStruct):
    """A transit operator's notice about a line, trip or stop (in the reader's language if given)."""

    id: str
    header: str
    description: str


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
    # Live data on the first ride ("bus 45 heeft 6 min vertraging: vertrek om 07:21"), or "".
    live: str = ""
    # The planned bus was cancelled ("bus 45 van 07:15 rijdt niet."), or "".
    disruption: str = ""
    # Service alerts (GTFS-Realtime) about the lines and stops of the options shown.
    alerts: list[ServiceAlert] = []


class CommuteOut(CamelStruct):
    home_known: bool
    message: str
    items: list[CommuteItem]


class FeedsOut(CamelStruct):
    """Loaded feeds; `first`/`last` span all of them (null when none is loaded)."""

    first: dt.date | None
    last: dt.date | None
    feeds: list[FeedCoverage]
