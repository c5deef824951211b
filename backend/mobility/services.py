"""Ride requests and proposals: a worker (or their coach) asks for a ride to a shift; the matcher
picks the offers that fit; the best few buddies get a proposal (inbox and push)."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from piccolo.query.functions.aggregate import Count, Max

from backend.access import (
    Actor,
    Role,
    can_see_record,
    is_staff,
    records_scope,
    require_staff,
    visible_or_404,
)
from backend.accounts.tables import Person
from backend.errors import Conflict, Forbidden, InvalidInput, NotFound
from backend.mobility import matcher, notify
from backend.mobility.offers import offer_spec
from backend.mobility.places import check_days, home_of, now, pickup_point, visible_worker
from backend.mobility.schemas import RideRequestIn, RideRequestOut
from backend.mobility.tables import Ride, RideOffer, RideRequest, SeatDay
from backend.organisations.tables import Workplace
from backend.schedule import recurrence
from backend.schedule.services import ensure_expanded, visible_item
from backend.schedule.tables import Participant, ScheduleItem

# Proposals sent at once for one request; when all decline, the next offers are asked.
MAX_PROPOSALS = 3
MAX_REQUEST_DAYS = 31
LIVE_RIDE = ("proposed", "confirmed")


async def _request_worker(actor: Actor, worker_id: UUID | None) -> Person:
    if actor.role == Role.WORKER:
        if worker_id is not None and worker_id != actor.id:
            raise Forbidden("report_own_only")
        return await Person.objects().where(Person.id == actor.id).first()
    require_staff(actor)
    if worker_id is None:
        raise InvalidInput.field("workerId", "worker_required")
    return await visible_worker(actor, worker_id)


async def _workplace_point(workplace_id: UUID | None) -> tuple[float, float] | None:
    if workplace_id is None:
        return None
    wp = await Workplace.select(Workplace.latitude, Workplace.longitude).where(Workplace.id == workplace_id).first()
    return (wp["latitude"], wp["longitude"]) if wp and wp["latitude"] is not None else None


async def _destination(item: dict, worker: Person) -> tuple[UUID | None, tuple[float, float]]:
    """Where the shift is: its workplace, else its own coordinates, else the worker's workplace."""
    point = await _workplace_point(item["workplace"])
    if point:
        return item["workplace"], point
    if item["latitude"] is not None and item["longitude"] is not None:
        return item["workplace"], (item["latitude"], item["longitude"])
    point = await _workplace_point(worker.workplace)
    if point:
        return worker.workplace, point
    raise InvalidInput.field("itemId", "workplace_no_coordinates")


async def _shifts(actor: Actor, worker: Person, data: RideRequestIn) -> list[dict]:
    current = now()
    if data.item_id is not None:
        item = await visible_item(actor, data.item_id)
        if item.kind != "shift" or item.cancelled_at is not None or not await Participant.exists().where(
                (Participant.item == item.id) & (Participant.person == worker.id)):
            raise InvalidInput.field("itemId", "item_not_shift")
        if item.starts_at <= current:
            raise InvalidInput.field("itemId", "shift_already_started")
        return [item.to_dict()]
    if data.first_day is None:
        raise InvalidInput.field("itemId", "request_needs_item_or_days")
    check_days(firstDay=data.first_day, lastDay=data.last_day)
    last = data.last_day or data.first_day
    if last < data.first_day:
        raise InvalidInput.field("lastDay", "until_before_from")
    if (last - data.first_day).days + 1 > MAX_REQUEST_DAYS:
        raise InvalidInput.field("lastDay", "request_range_too_long", n=MAX_REQUEST_DAYS)
    await ensure_expanded(last, person_id=worker.id)
    start, end = recurrence.day_bounds(data.first_day, last)
    items = await ScheduleItem.select().where(
        ScheduleItem.id.is_in(Participant.select(Participant.item).where(Participant.person == worker.id))
        & (ScheduleItem.starts_at >= max(start, current)) & (ScheduleItem.starts_at < end)
        & (ScheduleItem.kind == "shift") & ScheduleItem.cancelled_at.is_null()
    ).order_by(ScheduleItem.starts_at)
    if not items:
        raise InvalidInput.field("firstDay", "no_shifts_in_range")
    return items


async def request_out(req: dict) -> RideRequestOut:
    rides = await Ride.select(Ride.id, Ride.status).where(Ride.request == req["id"])
    confirmed = next((r["id"] for r in rides if r["status"] in ("confirmed", "done", "no_show")), None)
    return RideRequestOut(id=req["id"], worker_id=req["worker"], item_id=req["item"], day=req["day"],
                          arrive_by=req["arrive_by"], status=req["status"],
                          proposals=sum(r["status"] == "proposed" for r in rides), ride_id=confirmed)


async def create_requests(actor: Actor, data: RideRequestIn) -> list[RideRequestOut]:
    """Ask for a ride to one shift or to every shift in a period; proposals go out at once."""
    worker = await _request_worker(actor, data.worker_id)
    home = await home_of(worker.id)
    if home is None or home.latitude is None:
        raise InvalidInput.field("workerId" if is_staff(actor) else "home", "home_missing")
    items = await _shifts(actor, worker, data)
    results = []
    for item in items:
        workplace_id, _ = await _destination(item, worker)
        key = f"{item['id']}:{worker.id}"
        existing = await RideRequest.select().where(RideRequest.key == key).first()
        if existing is not None:
            if data.item_id is not None:
                raise Conflict("request_exists")
            results.append(existing)
            continue
        req = RideRequest(worker=worker.id, organisation=worker.organisation, created_by=actor.id, item=item["id"],
                          day=recurrence.to_local(item["starts_at"]).date(), arrive_by=item["starts_at"],
                          workplace=workplace_id, key=key)
        inserted = await RideRequest.insert(req).on_conflict(action="DO NOTHING").returning(RideRequest.id)
        if not inserted:
            if data.item_id is not None:
                raise Conflict("request_exists")
            continue
        await propose(req.id)
        results.append(await RideRequest.select().where(RideRequest.id == req.id).first())
    return [await request_out(r) for r in results]


# Parsed offers per organisation, reused while the organisation's offers and workplaces are
# unchanged. Every change of an offer sets `updated_at`, so (count, latest change, workplace
# coordinates) tells when to read them again; each process checks this with one small query, so
# several processes never use an old copy.
_OFFERS: dict[UUID, tuple[tuple, list[matcher.OfferSpec]]] = {}


async def _organisation_offers(organisation: UUID) -> list[matcher.OfferSpec]:
    stamp = await RideOffer.select(Count(RideOffer.id), Max(RideOffer.updated_at)).where(
        RideOffer.organisation == organisation).first()
    places = {w["id"]: (w["latitude"], w["longitude"]) for w in await Workplace.select(
        Workplace.id, Workplace.latitude, Workplace.longitude).where(Workplace.organisation == organisation)}
    key = (tuple(stamp.values()) if stamp else (), tuple(sorted((str(k), v) for k, v in places.items())))
    cached = _OFFERS.get(organisation)
    if cached is not None and cached[0] == key:
        return cached[1]
    rows = await RideOffer.select(
        RideOffer.id, RideOffer.buddy, RideOffer.weekdays, RideOffer.leave_time, RideOffer.from_latitude,
        RideOffer.from_longitude, RideOffer.workplace, RideOffer.seats, RideOffer.max_detour_km,
        RideOffer.valid_from, RideOffer.valid_until, RideOffer.days_off,
    ).where((RideOffer.organisation == organisation) & (RideOffer.active == True))  # noqa: E712
    specs = [offer_spec(r, places[r["workplace"]]) for r in rows
             if places.get(r["workplace"]) and places[r["workplace"]][0] is not None]
    _OFFERS[organisation] = (key, specs)
    return specs


async def candidates(organisation: UUID, day: dt.date) -> tuple[list[matcher.OfferSpec],
                                                                 dict[tuple[UUID, dt.date], int]]:
    """Live offers of the organisation that could drive to a shift on `day` (leaving that day or the
    evening before), and the seats already taken per (offer, departure day)."""
    specs = [s for s in await _organisation_offers(organisation) if matcher.departure_days(s, day)]
    if not specs:
        return [], {}
    taken = {(s["offer"], s["day"]): s["taken"] for s in await SeatDay.select(
        SeatDay.offer, SeatDay.day, SeatDay.taken).where(
        SeatDay.day.is_in([day, day - dt.timedelta(days=1)]) & (SeatDay.offer.organisation == organisation)
        & (SeatDay.taken > 0))}
    return specs, taken


async def propose(request_id: UUID) -> int:
    """Send the request to the best offers not asked yet; mark it unmatched when none is left."""
    req = await RideRequest.select().where(RideRequest.id == request_id).first()
    if req is None or req["status"] not in ("open", "unmatched"):
        return 0
    home = await home_of(req["worker"])
    worker = await Person.objects().where(Person.id == req["worker"]).first()
    item = await ScheduleItem.select().where(ScheduleItem.id == req["item"]).first() if req["item"] else None
    if home is None or home.latitude is None or worker is None or item is None:
        return 0
    try:
        _, destination = await _destination(item, worker)
    except InvalidInput:  # the workplace lost its coordinates since: nothing to match against
        return 0
    offers, taken = await candidates(req["organisation"], req["day"])
    asked = {r["offer"] for r in await Ride.select(Ride.offer).where(Ride.request == request_id)}
    offers = [o for o in offers if o.id not in asked]
    spec = matcher.RequestSpec(day=req["day"], pickup=(home.latitude, home.longitude), workplace=destination,
                               arrive_by=req["arrive_by"])
    matches = matcher.match(spec, offers, taken, recurrence.local_instant)
    live = await Ride.count().where((Ride.request == request_id) & (Ride.status == "proposed"))
    chosen = matches[:max(0, MAX_PROPOSALS - live)]
    name, address, lat, lon = pickup_point(home)
    for m in chosen:
        ride = Ride(offer=m.offer_id, request=request_id, buddy=m.buddy_id, worker=req["worker"],
                    organisation=req["organisation"], day=req["day"], leave_at=m.leave_at, pickup_at=m.pickup_at,
                    arrive_at=m.arrive_at, arrive_by=req["arrive_by"], detour_km=m.detour_km,
                    distance_km=m.distance_km, pickup_name=name, pickup_address=address,
                    pickup_latitude=lat, pickup_longitude=lon)
        await ride.save()
        await notify.send(m.buddy_id, "ride_proposed", url="/#/rides", until=m.leave_at, topic=str(ride.id),
                          organisation=req["organisation"], name=worker.first_name, day=req["day"],
                          time=notify.time_text(m.pickup_at), detour=f"{m.detour_km:.1f}".replace(".", ","))
    status = "open" if chosen or live else "unmatched"
    await RideRequest.update({RideRequest.status: status}).where(
        (RideRequest.id == request_id) & RideRequest.status.is_in(["open", "unmatched"]))
    return len(chosen)


async def visible_request(actor: Actor, request_id: UUID) -> dict:
    """A worker's own request, or one of the coach's organisation; anything else is 404."""
    req = await RideRequest.select().where(RideRequest.id == request_id).first()
    if req is None:
        raise NotFound()
    visible_or_404(can_see_record(actor, req["worker"], req["organisation"]))
    return req


async def get_request(actor: Actor, request_id: UUID) -> RideRequestOut:
    return await request_out(await visible_request(actor, request_id))


async def list_requests(actor: Actor, worker_id: UUID | None) -> list[RideRequestOut]:
    """Upcoming requests: a worker's own, or those of the coach's organisation (optionally one worker)."""
    query = RideRequest.select().where(RideRequest.arrive_by > now() - dt.timedelta(hours=12)).order_by(
        RideRequest.arrive_by)
    scope = records_scope(actor)
    if scope.person is not None:
        query = query.where(RideRequest.worker == scope.person)
    if scope.organisation is not None:
        query = query.where(RideRequest.organisation == scope.organisation)
    if worker_id is not None:
        query = query.where(RideRequest.worker == worker_id)
    return [await request_out(r) for r in await query.limit(200)]


async def cancel_request(actor: Actor, request_id: UUID) -> RideRequestOut:
    """The worker or coach no longer needs the ride: proposals close, a confirmed ride is called off
    and its buddy told."""
    from backend.mobility.rides import release

    req = await visible_request(actor, request_id)
    if req["status"] != "cancelled":
        await RideRequest.update({RideRequest.status: "cancelled", RideRequest.key: None}).where(
            RideRequest.id == req["id"])
        await Ride.update({Ride.status: "closed", Ride.decided_at: now()}).where(
            (Ride.request == req["id"]) & (Ride.status == "proposed"))
        for ride in await Ride.objects().where((Ride.request == req["id"]) & (Ride.status == "confirmed")):
            await release(ride, "cancelled", actor.id, "")
            worker = await Person.select(Person.first_name).where(Person.id == ride.worker).first()
            await notify.send(ride.buddy, "ride_not_needed", url="/#/rides",
                              until=ride.leave_at, topic=str(ride.id), organisation=ride.organisation,
                              day=ride.day, name=worker["first_name"] if worker else "")
    return await get_request(actor, request_id)
