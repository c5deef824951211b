"""A buddy's recurring ride offers: create, read, change, stop. Only the buddy's own; another
buddy's offer is 404, exactly like one that does not exist."""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

import msgspec

from backend.access import Actor, can_change_offer, can_drive_to
from backend.errors import InvalidInput, NotFound
from backend.mobility.matcher import OfferSpec
from backend.mobility.places import check_days, check_pair, locate, now, require_buddy
from backend.mobility.schemas import OfferIn, OfferOut, OfferUpdate, RideWorkplaceOut
from backend.mobility.tables import RideOffer, RideRequest
from backend.organisations.tables import Workplace
from backend.schedule import recurrence

MAX_VALIDITY_DAYS = 2 * 366


def _days_off(value: Any) -> list[dt.date]:
    if not value or value == "[]":
        return []
    items = value if isinstance(value, list) else msgspec.json.decode(value)
    return sorted(dt.date.fromisoformat(d) for d in items)


def offer_out(row: dict, workplace_name: str) -> OfferOut:
    return OfferOut(id=row["id"], weekdays=[int(d) for d in row["weekdays"].split(",")], leave_time=row["leave_time"],
                    from_address=row["from_address"], from_latitude=row["from_latitude"],
                    from_longitude=row["from_longitude"], workplace_id=row["workplace"], workplace_name=workplace_name,
                    seats=row["seats"], max_detour_km=row["max_detour_km"], valid_from=row["valid_from"],
                    valid_until=row["valid_until"], days_off=_days_off(row["days_off"]), note=row["note"],
                    active=row["active"])


def offer_spec(row: dict, destination: tuple[float, float]) -> OfferSpec:
    return OfferSpec(id=row["id"], buddy_id=row["buddy"], weekdays=frozenset(int(d) for d in row["weekdays"].split(",")),
                     leave_time=recurrence.parse_hhmm(row["leave_time"]),
                     origin=(row["from_latitude"], row["from_longitude"]), destination=destination,
                     workplace_id=row["workplace"], seats=row["seats"], max_detour_km=row["max_detour_km"],
                     valid_from=row["valid_from"], valid_until=row["valid_until"],
                     days_off=frozenset(_days_off(row["days_off"])))


async def _workplace(actor: Actor, workplace_id: UUID) -> Workplace:
    workplace = await Workplace.objects().where(Workplace.id == workplace_id).first()
    if workplace is None or not can_drive_to(actor, workplace):
        raise InvalidInput.field("workplaceId", "workplace_unknown")
    if workplace.latitude is None or workplace.longitude is None:
        raise InvalidInput.field("workplaceId", "workplace_no_coordinates")
    return workplace


async def _origin(address: str, lat: float | None, lon: float | None) -> tuple[float, float]:
    check_pair(lat, lon, "fromLatitude", "fromLongitude")
    if lat is not None:
        return lat, lon
    if not address.strip():
        raise InvalidInput.field("fromAddress", "address_or_coordinates")
    found = await locate(address, "fromAddress")
    return found.latitude, found.longitude


def _check_dates(valid_from: dt.date, valid_until: dt.date | None, days_off: list[dt.date] | None = None) -> None:
    check_days(validFrom=valid_from, validUntil=valid_until, daysOff=days_off or [])
    if valid_until is not None and valid_until < valid_from:
        raise InvalidInput.field("validUntil", "until_before_from")
    if valid_until is not None and (valid_until - valid_from).days > MAX_VALIDITY_DAYS:
        raise InvalidInput.field("validUntil", "range_too_long", n=MAX_VALIDITY_DAYS)


async def own_offer(actor: Actor, offer_id: UUID) -> dict:
    require_buddy(actor)
    row = await RideOffer.select().where(RideOffer.id == offer_id).output(load_json=True).first()
    if row is None or not can_change_offer(actor, row):
        raise NotFound()
    return row


async def _out(row: dict) -> OfferOut:
    name = await Workplace.select(Workplace.name).where(Workplace.id == row["workplace"]).first()
    return offer_out(row, name["name"] if name else "")


async def list_offers(actor: Actor) -> list[OfferOut]:
    require_buddy(actor)
    rows = await RideOffer.select().where((RideOffer.buddy == actor.id) & (RideOffer.active == True)  # noqa: E712
                                          ).order_by(RideOffer.created_at).output(load_json=True)
    names = {w["id"]: w["name"] for w in await Workplace.select(Workplace.id, Workplace.name).where(
        Workplace.id.is_in([r["workplace"] for r in rows]))} if rows else {}
    return [offer_out(r, names.get(r["workplace"], "")) for r in rows]


async def get_offer(actor: Actor, offer_id: UUID) -> OfferOut:
    return await _out(await own_offer(actor, offer_id))


async def create_offer(actor: Actor, data: OfferIn) -> OfferOut:
    require_buddy(actor)
    workplace = await _workplace(actor, data.workplace_id)
    lat, lon = await _origin(data.from_address, data.from_latitude, data.from_longitude)
    valid_from = data.valid_from or recurrence.local_today()
    _check_dates(valid_from, data.valid_until, data.days_off)
    offer = RideOffer(buddy=actor.id, organisation=actor.organisation_id,
                      weekdays=",".join(str(d) for d in sorted(set(data.weekdays))), leave_time=data.leave_time,
                      from_address=data.from_address.strip(), from_latitude=lat, from_longitude=lon,
                      workplace=workplace.id, seats=data.seats, max_detour_km=data.max_detour_km,
                      valid_from=valid_from, valid_until=data.valid_until,
                      days_off=sorted({d.isoformat() for d in data.days_off}), note=data.note.strip())
    await offer.save()
    await ask_again(actor.organisation_id)
    return await get_offer(actor, offer.id)


async def update_offer(actor: Actor, offer_id: UUID, data: OfferUpdate) -> OfferOut:
    row = await own_offer(actor, offer_id)
    values: dict[Any, Any] = {}
    if data.workplace_id is not msgspec.UNSET:
        values[RideOffer.workplace] = (await _workplace(actor, data.workplace_id)).id
    lat = row["from_latitude"] if data.from_latitude is msgspec.UNSET else data.from_latitude
    lon = row["from_longitude"] if data.from_longitude is msgspec.UNSET else data.from_longitude
    if data.from_address is not msgspec.UNSET:
        values[RideOffer.from_address] = data.from_address.strip()
        if data.from_latitude is msgspec.UNSET and data.from_address.strip() != row["from_address"]:
            lat, lon = await _origin(data.from_address, None, None)
    check_pair(lat, lon, "fromLatitude", "fromLongitude")
    values[RideOffer.from_latitude], values[RideOffer.from_longitude] = lat, lon
    if data.weekdays is not msgspec.UNSET:
        values[RideOffer.weekdays] = ",".join(str(d) for d in sorted(set(data.weekdays)))
    for name in ("leave_time", "seats", "max_detour_km"):
        if getattr(data, name) is not msgspec.UNSET:
            values[getattr(RideOffer, name)] = getattr(data, name)
    if data.note is not msgspec.UNSET:
        values[RideOffer.note] = data.note.strip()
    if data.days_off is not msgspec.UNSET:
        check_days(daysOff=data.days_off)
        values[RideOffer.days_off] = sorted({d.isoformat() for d in data.days_off})
    valid_from = row["valid_from"] if data.valid_from is msgspec.UNSET else data.valid_from
    valid_until = row["valid_until"] if data.valid_until is msgspec.UNSET else data.valid_until
    _check_dates(valid_from, valid_until)
    values[RideOffer.valid_from], values[RideOffer.valid_until] = valid_from, valid_until
    values[RideOffer.updated_at] = now()
    await RideOffer.update(values).where(RideOffer.id == row["id"])
    return await get_offer(actor, row["id"])


async def ask_again(organisation) -> int:
    """A new offer may fit requests nobody could take yet: propose it for those still ahead."""
    from backend.mobility.services import propose  # services builds on this module

    waiting = await RideRequest.select(RideRequest.id).where(
        (RideRequest.organisation == organisation) & (RideRequest.status == "unmatched")
        & (RideRequest.arrive_by > now())).order_by(RideRequest.arrive_by).limit(100)
    return sum([await propose(r["id"]) for r in waiting])


async def stop_offer(actor: Actor, offer_id: UUID) -> None:
    """Stop offering; rides already confirmed stay (the buddy cancels those one by one, with a reason)."""
    row = await own_offer(actor, offer_id)
    await RideOffer.update({RideOffer.active: False, RideOffer.updated_at: now()}).where(RideOffer.id == row["id"])


async def ride_workplaces(actor: Actor) -> list[RideWorkplaceOut]:
    require_buddy(actor)
    rows = await Workplace.select(Workplace.id, Workplace.name, Workplace.city).where(
        (Workplace.organisation == actor.organisation_id) & (Workplace.active == True)  # noqa: E712
        & Workplace.latitude.is_not_null()).order_by(Workplace.name)
    return [RideWorkplaceOut(id=r["id"], name=r["name"], city=r["city"]) for r in rows]
