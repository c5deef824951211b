"""Homes (private), pickup points, workplace coordinates by geocoding, and the buddy's car."""

from __future__ import annotations

import datetime as dt
import math
from uuid import UUID

from backend.access import Actor, Role, require_role, require_staff
from backend.accounts.services import manageable_person, visible_person
from backend.accounts.tables import Person
from backend.errors import InvalidInput
from backend.mobility import geocoding
from backend.mobility.schemas import BuddyProfileIn, BuddyProfileOut, GeocodeWorkplaceIn, HomeIn, HomeOut, MyLocationIn
from backend.mobility.tables import BuddyProfile, Home
from backend.organisations.schemas import WorkplaceOut, WorkplaceUpdate
from backend.organisations.services import update_workplace, visible_workplace

# A buddy sees the home rounded to 3 decimals (about 110 m north-south, 70 m east-west here):
# enough to find the street, not the door.
PICKUP_DECIMALS = 3


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


FIRST_DAY, LAST_DAY = dt.date(2000, 1, 1), dt.date(2100, 12, 31)


def check_days(**days: dt.date | list[dt.date] | None) -> None:
    """Dates far outside this century are typing mistakes (and would overflow date arithmetic)."""
    for name, value in days.items():
        for day in value if isinstance(value, list) else [value]:
            if day is not None and not FIRST_DAY <= day <= LAST_DAY:
                raise InvalidInput.field(name, "date_out_of_range")


def check_pair(lat: float | None, lon: float | None, lat_name: str, lon_name: str) -> None:
    """Both coordinates or neither, and finite."""
    if (lat is None) != (lon is None):
        raise InvalidInput.field(lat_name if lat is None else lon_name, "coordinates_pair")
    for name, value, limit, key in ((lat_name, lat, 90, "latitude_range"), (lon_name, lon, 180, "longitude_range")):
        if value is not None and (not math.isfinite(value) or abs(value) > limit):
            raise InvalidInput.field(name, key)


async def locate(address: str, field: str) -> geocoding.GeoResult:
    """Coordinates of an address, or a 400 on `field` that says why there are none."""
    try:
        found = await geocoding.geocode(address)
    except geocoding.GeocoderOff:
        raise InvalidInput.field(field, "geocoder_off") from None
    except geocoding.GeocoderFailed:
        raise InvalidInput.field(field, "geocoder_failed") from None
    if found is None:
        raise InvalidInput.field(field, "address_not_found")
    return found


def home_out(person_id: UUID, home: Home | None, found_as: str = "") -> HomeOut:
    if home is None:
        return HomeOut(person_id=person_id, address="", latitude=None, longitude=None, source="",
                       pickup_name="", pickup_latitude=None, pickup_longitude=None, pickup_address="")
    return HomeOut(person_id=person_id, address=home.address, latitude=home.latitude, longitude=home.longitude,
                   source=home.source, pickup_name=home.pickup_name, pickup_latitude=home.pickup_latitude,
                   pickup_longitude=home.pickup_longitude, pickup_address=home.pickup_address,
                   found_as=found_as, updated_at=home.updated_at)


async def home_of(person_id: UUID) -> Home | None:
    return await Home.objects().where(Home.person == person_id).first()


def pickup_point(home: Home) -> tuple[str, str, float, float]:
    """What a buddy may see: a named pickup point (name, its own address) at its own point or at the
    home rounded to about 100 m. Never the home address itself."""
    if home.pickup_latitude is not None and home.pickup_longitude is not None:
        return home.pickup_name, home.pickup_address, home.pickup_latitude, home.pickup_longitude
    return (home.pickup_name, home.pickup_address, round(home.latitude, PICKUP_DECIMALS),
            round(home.longitude, PICKUP_DECIMALS))


async def _worker_for_staff(actor: Actor, person_id: UUID) -> Person:
    person = await manageable_person(actor, person_id)
    if person.role != Role.WORKER:
        raise InvalidInput.field("personId", "only_for_workers")
    return person


async def _save_home(person_id: UUID, by: UUID, values: dict) -> Home:
    existing = await home_of(person_id)
    values = {**values, "updated_by": by, "updated_at": now()}
    if existing is None:
        home = Home(person=person_id, **values)
        await Home.insert(home).on_conflict(target=Home.person, action="DO UPDATE",
                                            values=[getattr(Home, k) for k in values])
    else:
        await Home.update({getattr(Home, k): v for k, v in values.items()}).where(Home.person == person_id)
    return await home_of(person_id)


async def get_home(actor: Actor, person_id: UUID) -> HomeOut:
    person = await _worker_for_staff(actor, person_id)
    return home_out(person.id, await home_of(person.id))


async def set_home(actor: Actor, person_id: UUID, data: HomeIn) -> HomeOut:
    """A coach sets a worker's home: coordinates as typed, or the address looked up."""
    person = await _worker_for_staff(actor, person_id)
    check_pair(data.latitude, data.longitude, "latitude", "longitude")
    check_pair(data.pickup_latitude, data.pickup_longitude, "pickupLatitude", "pickupLongitude")
    address = data.address.strip()
    found_as = ""
    if data.latitude is not None:
        lat, lon, source = data.latitude, data.longitude, "coach"
    elif address:
        found = await locate(address, "address")
        lat, lon, source, found_as = found.latitude, found.longitude, "geocoder", found.display_name
    else:
        raise InvalidInput.field("address", "address_or_coordinates")
    home = await _save_home(person.id, actor.id, {
        "address": address, "latitude": lat, "longitude": lon, "source": source,
        "pickup_name": data.pickup_name.strip(), "pickup_address": data.pickup_address.strip(),
        "pickup_latitude": data.pickup_latitude,
        "pickup_longitude": data.pickup_longitude})
    return home_out(person.id, home, found_as)


async def my_home(actor: Actor) -> HomeOut:
    require_role(actor, Role.WORKER)
    return home_out(actor.id, await home_of(actor.id))


async def set_my_location(actor: Actor, data: MyLocationIn) -> HomeOut:
    """The worker taps 'Gebruik mijn locatie' at home; the address the coach typed stays."""
    require_role(actor, Role.WORKER)
    check_pair(data.latitude, data.longitude, "latitude", "longitude")
    existing = await home_of(actor.id)
    home = await _save_home(actor.id, actor.id, {
        "address": existing.address if existing else "", "latitude": data.latitude,
        "longitude": data.longitude, "source": "location"})
    return home_out(actor.id, home)


async def geocode_workplace(actor: Actor, workplace_id: UUID, data: GeocodeWorkplaceIn) -> WorkplaceOut:
    """Set a workplace's coordinates from its address, through the workplaces' own service."""
    require_staff(actor)
    workplace = await visible_workplace(actor, workplace_id)
    address = data.address.strip() or ", ".join(
        p for p in (workplace.street.strip(), f"{workplace.postcode} {workplace.city}".strip()) if p)
    if not address:
        raise InvalidInput.field("address", "workplace_no_address")
    found = await locate(address, "address")
    return await update_workplace(actor, workplace.id, WorkplaceUpdate(latitude=found.latitude,
                                                                       longitude=found.longitude))


# --- buddy profile -------------------------------------------------------------------------------

def require_buddy(actor: Actor) -> None:
    """403 unless the actor is a buddy (see `backend.access.require_role`)."""
    require_role(actor, Role.BUDDY)


async def buddy_profile(actor: Actor) -> BuddyProfileOut:
    require_buddy(actor)
    row = await BuddyProfile.select().where(BuddyProfile.person == actor.id).first()
    return BuddyProfileOut(car_description=row["car_description"] if row else "")


async def set_buddy_profile(actor: Actor, data: BuddyProfileIn) -> BuddyProfileOut:
    require_buddy(actor)
    await BuddyProfile.insert(BuddyProfile(person=actor.id, car_description=data.car_description.strip(),
                                           updated_at=now())).on_conflict(
        target=BuddyProfile.person, action="DO UPDATE", values=[BuddyProfile.car_description, BuddyProfile.updated_at])
    return await buddy_profile(actor)


async def visible_worker(actor: Actor, person_id: UUID) -> Person:
    """A worker the actor may act for: themself, or one of the coach's organisation."""
    person = await visible_person(actor, person_id)
    if person.role != Role.WORKER:
        raise InvalidInput.field("workerId", "only_for_workers")
    return person
