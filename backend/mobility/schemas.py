"""Request and response shapes for homes, ride offers, ride requests, rides and the coach overview."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec

from backend.schemas import NOT_BLANK, NO_NUL, CamelStruct, Day, InputStruct, Latitude, Longitude

HHMM = Annotated[str, msgspec.Meta(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]
Weekday = Annotated[int, msgspec.Meta(ge=1, le=7)]
Address = Annotated[str, msgspec.Meta(max_length=300, pattern=NO_NUL)]
PickupName = Annotated[str, msgspec.Meta(max_length=120, pattern=NO_NUL)]
# A pickup point a buddy names for a ride: a name is what the worker reads, so it may not be blank.
PickupNameGiven = Annotated[str, msgspec.Meta(min_length=1, max_length=120, pattern=NOT_BLANK)]
Seats = Annotated[int, msgspec.Meta(ge=1, le=8)]
DetourKm = Annotated[float, msgspec.Meta(ge=0, le=50)]
Reason = Annotated[str, msgspec.Meta(min_length=1, max_length=500, pattern=NOT_BLANK)]
CarText = Annotated[str, msgspec.Meta(max_length=120, pattern=NO_NUL)]
RideStatus = Literal["proposed", "confirmed", "declined", "closed", "cancelled", "done", "no_show"]


# --- places --------------------------------------------------------------------------------------

class HomeIn(InputStruct):
    """An address (looked up when no coordinates are given), coordinates, or both; optionally a
    named pickup point that buddies see instead of the (rounded) home."""

    address: Address = ""
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    pickup_name: PickupName = ""
    pickup_address: Address = ""
    pickup_latitude: Latitude | None = None
    pickup_longitude: Longitude | None = None


class MyLocationIn(InputStruct):
    """'Gebruik mijn locatie': the phone's position becomes the home."""

    latitude: Latitude
    longitude: Longitude


class HomeOut(CamelStruct):
    person_id: UUID
    address: str
    latitude: float | None
    longitude: float | None
    source: str
    pickup_name: str
    pickup_latitude: float | None
    pickup_longitude: float | None
    pickup_address: str = ""
    found_as: str = ""
    updated_at: dt.datetime | None = None


class GeocodeWorkplaceIn(InputStruct):
    """Look up the workplace's own address (street, postcode, city), or this one instead."""

    address: Address = ""


class BuddyProfileIn(InputStruct):
    car_description: CarText = ""


class BuddyProfileOut(CamelStruct):
    car_description: str


# --- offers --------------------------------------------------------------------------------------

class OfferIn(InputStruct, kw_only=True):
    weekdays: Annotated[list[Weekday], msgspec.Meta(min_length=1, max_length=7)]
    leave_time: HHMM
    from_address: Address = ""
    from_latitude: Latitude | None = None
    from_longitude: Longitude | None = None
    workplace_id: UUID
    seats: Seats = 1
    max_detour_km: DetourKm = 5.0
    valid_from: Day | None = None
    valid_until: Day | None = None
    days_off: Annotated[list[Day], msgspec.Meta(max_length=366)] = []
    note: Annotated[str, msgspec.Meta(max_length=300, pattern=NO_NUL)] = ""


class OfferUpdate(InputStruct):
    weekdays: Annotated[list[Weekday], msgspec.Meta(min_length=1, max_length=7)] | msgspec.UnsetType = msgspec.UNSET
    leave_time: HHMM | msgspec.UnsetType = msgspec.UNSET
    from_address: Address | msgspec.UnsetType = msgspec.UNSET
    from_latitude: Latitude | msgspec.UnsetType = msgspec.UNSET
    from_longitude: Longitude | msgspec.UnsetType = msgspec.UNSET
    workplace_id: UUID | msgspec.UnsetType = msgspec.UNSET
    seats: Seats | msgspec.UnsetType = msgspec.UNSET
    max_detour_km: DetourKm | msgspec.UnsetType = msgspec.UNSET
    valid_from: Day | msgspec.UnsetType = msgspec.UNSET
    valid_until: Day | None | msgspec.UnsetType = msgspec.UNSET
    days_off: Annotated[list[Day], msgspec.Meta(max_length=366)] | msgspec.UnsetType = msgspec.UNSET
    note: Annotated[str, msgspec.Meta(max_length=300, pattern=NO_NUL)] | msgspec.UnsetType = msgspec.UNSET


class OfferOut(CamelStruct):
    id: UUID
    weekdays: list[int]
    leave_time: str
    from_address: str
    from_latitude: float
    from_longitude: float
    workplace_id: UUID
    workplace_name: str
    seats: int
    max_detour_km: float
    valid_from: dt.date
    valid_until: dt.date | None
    days_off: list[dt.date]
    note: str
    active: bool


class RideWorkplaceOut(CamelStruct):
    id: UUID
    name: str
    city: str


# --- requests and rides --------------------------------------------------------------------------

class RideRequestIn(InputStruct):
    """One shift (`itemId`), or every shift of the worker from `firstDay` to `lastDay` (at most 31
    days). A coach names the worker; a worker asks for themself."""

    worker_id: UUID | None = None
    item_id: UUID | None = None
    first_day: Day | None = None
    last_day: Day | None = None


class RideRequestOut(CamelStruct):
    id: UUID
    worker_id: UUID
    item_id: UUID | None
    day: dt.date
    arrive_by: dt.datetime
    status: str
    proposals: int
    ride_id: UUID | None = None


class ProposalOut(CamelStruct):
    """A request as the buddy sees it before accepting: no address, no pickup point."""

    ride_id: UUID
    status: str
    rider_first_name: str
    day: dt.date
    leave_at: dt.datetime
    pickup_at: dt.datetime
    arrive_by: dt.datetime
    detour_km: float
    workplace_name: str


class PickupOut(CamelStruct):
    """Where the worker is picked up: the name first ('Kerk Zwartberg'), its address, and the point
    behind the map link (a named point's own, or the home rounded to about 100 m)."""

    name: str
    latitude: float
    longitude: float
    address: str = ""


class PickupIn(InputStruct):
    """The buddy (or the worker's coach) names the pickup point of one confirmed ride, e.g.
    'Bushalte Stalenstraat', optionally with its address. The point on the map stays as it is."""

    name: PickupNameGiven
    address: Address = ""


class MyRideOut(CamelStruct):
    """A ride as its worker or its buddy sees it; the pickup point only once confirmed."""

    id: UUID
    role: Literal["rider", "driver"]
    status: str
    day: dt.date
    leave_at: dt.datetime
    pickup_at: dt.datetime
    arrive_at: dt.datetime
    arrive_by: dt.datetime
    workplace_name: str
    pickup: PickupOut | None
    distance_km: float
    driver_first_name: str | None = None
    driver_phone: str | None = None
    car_description: str | None = None
    rider_first_name: str | None = None
    rider_phone: str | None = None
    cancel_reason: str = ""


class CancelIn(InputStruct):
    reason: Reason


class MonthKm(CamelStruct):
    month: int
    rides: int
    km: float


class KilometresOut(CamelStruct):
    year: int
    months: list[MonthKm]
    total_km: float


class OverviewShift(CamelStruct):
    item_id: UUID
    title: str
    starts_at: dt.datetime
    workplace_name: str
    ride_id: UUID | None
    driver_first_name: str | None
    pickup_at: dt.datetime | None
    request_status: str | None
    no_ride: bool
    # Filled by the transit planner (public transport that arrives in time), when there is one.
    transit: dict[str, Any] | None = None


class OverviewWorker(CamelStruct):
    worker_id: UUID
    first_name: str
    last_name: str
    has_home: bool
    shifts: list[OverviewShift]
    warning: bool


class OverviewOut(CamelStruct):
    date: dt.date
    workers: list[OverviewWorker]
