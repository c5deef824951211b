"""Which buddy offers can take a worker to a shift: a pure function over plain values.

Distances are computed locally with geopy's great-circle distance (within 0.5 % of the WGS84
geodesic over Belgian distances, and about 15 times cheaper to compute, which matters when one
request is matched against thousands of offers). It is turned into a road estimate by ROAD_FACTOR, and a driving time by AVERAGE_SPEED_KMH:

- ROAD_FACTOR = 1.3: in Flanders, with its dense but winding road network, road distances between
  villages and towns are typically 1.2-1.4 times the straight line (the usual "circuity" figure
  for European regional networks); 1.3 is the middle, erring on the long side so that the
  detour limit and the arrival time are not promised too optimistically.
- AVERAGE_SPEED_KMH = 40: door to door in Limburg at rush hour, town centres and regional roads
  mixed (no motorway for most home-to-work trips of a few to 25 km).
- PICKUP_MINUTES = 2: the stop at the pickup point.
- MARGIN = 10 minutes: the ride must arrive at least this long before the shift starts.
- MAX_EARLY = 75 minutes: nor more than this long before (nobody waits an hour and more at a closed
  gate; an offer leaving at 06:00 is no answer to a 14:00 shift).

The detour of an offer is the extra road distance of inserting the pickup into the driver's route:
origin -> pickup -> workplace -> offer's destination, minus origin -> offer's destination. When the
offer goes to the worker's workplace the last leg is zero; an offer to another workplace matches
when the worker's workplace lies near its route ("passing near it").

A ride may leave the day before the shift: a buddy leaving at 23:45 takes a worker to a 00:30 night
shift (packaging, cleaning). Each offer is tried on the shift's day and on the day before; the
10-75 minute window lets at most one of them fit. Seats are counted per offer and *departure* day.

For thousands of offers a cheap equirectangular distance screens out the clear misses first; the
survivors are measured with geopy. The screen keeps a 5 % allowance, far more than the
equirectangular error over Belgian distances (< 0.5 %), so it never drops a real match.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from uuid import UUID

from geopy.distance import great_circle

ROAD_FACTOR = 1.3
AVERAGE_SPEED_KMH = 40.0
PICKUP_MINUTES = 2
MARGIN = dt.timedelta(minutes=10)
MAX_EARLY = dt.timedelta(minutes=75)
SCREEN_ALLOWANCE = 1.05
EARTH_RADIUS_KM = 6371.0088

Point = tuple[float, float]


def straight_km(a: Point, b: Point) -> float:
    """Great-circle distance in km."""
    return great_circle(a, b).km


def road_km(a: Point, b: Point) -> float:
    """Estimated road distance in km."""
    return straight_km(a, b) * ROAD_FACTOR


def drive_time(km: float) -> dt.timedelta:
    return dt.timedelta(hours=km / AVERAGE_SPEED_KMH)


def _fast_km(a: Point, b: Point) -> float:
    """Equirectangular approximation, for screening only."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    x = (lon2 - lon1) * math.cos((lat1 + lat2) / 2)
    return EARTH_RADIUS_KM * math.hypot(x, lat2 - lat1)


@dataclass(frozen=True)
class OfferSpec:
    id: UUID
    buddy_id: UUID
    weekdays: frozenset[int]
    leave_time: dt.time
    origin: Point
    destination: Point
    workplace_id: UUID
    seats: int
    max_detour_km: float
    valid_from: dt.date
    valid_until: dt.date | None
    days_off: frozenset[dt.date]


@dataclass(frozen=True)
class RequestSpec:
    day: dt.date
    pickup: Point
    workplace: Point
    arrive_by: dt.datetime


@dataclass(frozen=True)
class Match:
    offer_id: UUID
    buddy_id: UUID
    departure_day: dt.date
    leave_at: dt.datetime
    pickup_at: dt.datetime
    arrive_at: dt.datetime
    detour_km: float
    distance_km: float
    margin: dt.timedelta


def runs_on(offer: OfferSpec, day: dt.date) -> bool:
    """The offer drives that day: a listed weekday, within its validity, not a day off."""
    return (day.isoweekday() in offer.weekdays and offer.valid_from <= day
            and (offer.valid_until is None or day <= offer.valid_until) and day not in offer.days_off)


def departure_days(offer: OfferSpec, shift_day: dt.date) -> list[dt.date]:
    """The days the offer could leave on for a shift on `shift_day`: that day, or the evening before."""
    return [d for d in (shift_day, shift_day - dt.timedelta(days=1)) if runs_on(offer, d)]


def match(request: RequestSpec, offers: list[OfferSpec], taken: dict[tuple[UUID, dt.date], int],
          local_instant) -> list[Match]:
    """Offers that can take the worker, best first (smallest detour, then largest time margin).

    `taken` is seats already taken per (offer, departure day); `local_instant(day, time)` turns the
    offer's local leaving time into an aware instant (kept outside so this stays pure).
    """
    home, work = request.pickup, request.workplace
    home_work_fast = _fast_km(home, work)
    home_work: float | None = None
    found: list[Match] = []
    for offer in offers:
        days = [d for d in departure_days(offer, request.day) if taken.get((offer.id, d), 0) < offer.seats]
        if not days:
            continue
        # Screen: equirectangular, generous; then the real measure.
        fast_detour = (_fast_km(offer.origin, home) + home_work_fast + _fast_km(work, offer.destination)
                       - _fast_km(offer.origin, offer.destination)) * ROAD_FACTOR
        if fast_detour > offer.max_detour_km * SCREEN_ALLOWANCE + 0.05:
            continue
        if home_work is None:
            home_work = road_km(home, work)
        to_home = road_km(offer.origin, home)
        onward = road_km(work, offer.destination) if work != offer.destination else 0.0
        direct = road_km(offer.origin, offer.destination)
        detour = max(0.0, to_home + home_work + onward - direct)
        if detour > offer.max_detour_km:
            continue
        for day in days:
            leave_at = local_instant(day, offer.leave_time)
            pickup_at = leave_at + drive_time(to_home)
            arrive_at = pickup_at + dt.timedelta(minutes=PICKUP_MINUTES) + drive_time(home_work)
            margin = request.arrive_by - arrive_at
            if MARGIN <= margin <= MAX_EARLY:
                found.append(Match(offer_id=offer.id, buddy_id=offer.buddy_id, departure_day=day, leave_at=leave_at,
                                   pickup_at=pickup_at, arrive_at=arrive_at, detour_km=round(detour, 2),
                                   distance_km=round(to_home + home_work, 2), margin=margin))
                break
    found.sort(key=lambda m: (m.detour_km, -m.margin.total_seconds(), str(m.offer_id)))
    return found
