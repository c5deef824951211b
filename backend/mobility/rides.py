"""A buddy answers proposals; confirmed rides for the worker's Today and the buddy's home;
cancellation, sick reports, done / no-show, and the buddy's kilometres per month."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from uuid import UUID

from backend.access import Actor, Role, can_drive_ride, can_take_rides, require_staff
from backend.accounts.services import manageable_person
from backend.accounts.tables import Person
from backend.errors import Conflict, Forbidden, InvalidInput, NotFound
from backend.mobility import hooks, notify
from backend.mobility.places import check_days, now, require_buddy
from backend.mobility.schemas import KilometresOut, MonthKm, MyRideOut, PickupIn, PickupOut, ProposalOut
from backend.mobility.services import propose
from backend.mobility.tables import BuddyProfile, Ride, RideOffer, RideRequest, SeatDay
from backend.organisations.tables import Workplace
from backend.schedule import recurrence

SHOWN = ("confirmed", "cancelled", "done", "no_show")
DRIVEN = ("done", "no_show")  # the buddy drove to the pickup either way: both count as kilometres


async def own_ride(actor: Actor, ride_id: UUID) -> Ride:
    """The buddy's own ride; anyone else's is 404, exactly like one that does not exist."""
    require_buddy(actor)
    ride = await Ride.objects().where(Ride.id == ride_id).first()
    if ride is None or not can_drive_ride(actor, ride):
        raise NotFound()
    return ride


async def _refuse(ride: Ride) -> None:
    """409 with what happened: cancelled (the ride, or the worker's request), taken by another
    buddy, or already answered."""
    if ride.status == "cancelled":
        raise Conflict("ride_cancelled")
    if ride.status == "closed":
        req = await RideRequest.select(RideRequest.status).where(RideRequest.id == ride.request).first()
        raise Conflict("ride_cancelled" if req is None or req["status"] == "cancelled" else "ride_taken")
    raise Conflict("ride_already_decided")


def seat_day(ride: Ride) -> dt.date:
    """The seat belongs to the car's departure: a 23:45 ride to a 00:30 shift takes the evening's seat."""
    return recurrence.local_today(ride.leave_at)


async def accept(actor: Actor, ride_id: UUID) -> MyRideOut:
    """Take a seat for that day. Three conditional UPDATEs in one transaction: a seat (`taken <
    seats`), the request (still open) and the ride (still proposed); when any finds nothing, the
    whole transaction is rolled back and the answer is 409. Concurrent accepts serialise on the
    rows they update, so exactly one can take the last seat."""
    ride = await own_ride(actor, ride_id)
    if ride.status != "proposed":
        await _refuse(ride)
    offer = await RideOffer.select(RideOffer.seats, RideOffer.active).where(RideOffer.id == ride.offer).first()
    if offer is None or not offer["active"]:
        raise Conflict("ride_cancelled")
    departure = seat_day(ride)
    key = f"{ride.offer}:{departure.isoformat()}"
    await SeatDay.insert(SeatDay(offer=ride.offer, day=departure, key=key, taken=0)).on_conflict(
        action="DO NOTHING")
    stamp = now()
    async with Ride._meta.db.transaction():
        seat = await SeatDay.update({SeatDay.taken: SeatDay.taken + 1}).where(
            (SeatDay.key == key) & (SeatDay.taken < offer["seats"])).returning(SeatDay.id)
        if not seat:
            raise Conflict("ride_full")
        req = await RideRequest.update({RideRequest.status: "confirmed"}).where(
            (RideRequest.id == ride.request) & (RideRequest.status == "open")).returning(RideRequest.id)
        if not req:
            state = await RideRequest.select(RideRequest.status).where(RideRequest.id == ride.request).first()
            raise Conflict("ride_cancelled" if state is None or state["status"] == "cancelled" else "ride_taken")
        done = await Ride.update({Ride.status: "confirmed", Ride.decided_at: stamp}).where(
            (Ride.id == ride.id) & (Ride.status == "proposed")).returning(Ride.id)
        if not done:
            raise Conflict("ride_already_decided")
        await Ride.update({Ride.status: "closed", Ride.decided_at: stamp}).where(
            (Ride.request == ride.request) & (Ride.id != ride.id) & (Ride.status == "proposed"))
    ride = await Ride.objects().where(Ride.id == ride.id).first()
    await notify.send(ride.worker, "ride_confirmed", url="/#/home", until=ride.arrive_by, topic=str(ride.id),
                      organisation=ride.organisation, day=ride.day, driver=actor.first_name,
                      time=notify.time_text(ride.pickup_at))
    return (await rides_out([ride], "driver"))[0]


async def decline(actor: Actor, ride_id: UUID) -> ProposalOut:
    ride = await own_ride(actor, ride_id)
    changed = await Ride.update({Ride.status: "declined", Ride.decided_at: now()}).where(
        (Ride.id == ride.id) & (Ride.status == "proposed")).returning(Ride.id)
    if not changed:
        await _refuse(await Ride.objects().where(Ride.id == ride.id).first())
    await propose(ride.request)  # the next offers are asked, if any fit
    return (await proposals_out([await Ride.objects().where(Ride.id == ride.id).first()]))[0]


async def release(ride: Ride, status: str, by: UUID | None, reason: str) -> bool:
    """Call off a confirmed ride and give its seat back; False when it was not confirmed (any more)."""
    async with Ride._meta.db.transaction():
        changed = await Ride.update({Ride.status: status, Ride.cancel_reason: reason[:500], Ride.cancelled_by: by,
                                     Ride.decided_at: now()}).where(
            (Ride.id == ride.id) & (Ride.status == "confirmed")).returning(Ride.id)
        if not changed:
            return False
        await SeatDay.update({SeatDay.taken: SeatDay.taken - 1}).where(
            (SeatDay.key == f"{ride.offer}:{seat_day(ride).isoformat()}") & (SeatDay.taken > 0))
    return True


async def cancel(actor: Actor, ride_id: UUID, reason: str) -> MyRideOut:
    """The buddy cannot drive: the worker and coach are told at once, and other offers are asked."""
    ride = await own_ride(actor, ride_id)
    if not await release(ride, "cancelled", actor.id, reason.strip()):
        if ride.status == "cancelled":
            raise Conflict("ride_cancelled")
        raise Conflict("ride_not_confirmed")
    await RideRequest.update({RideRequest.status: "open"}).where(
        (RideRequest.id == ride.request) & (RideRequest.status == "confirmed"))
    ride = await Ride.objects().where(Ride.id == ride.id).first()
    await hooks.on_ride_cancelled(ride)
    if ride.arrive_by > now():
        await propose(ride.request)
    return (await rides_out([ride], "driver"))[0]


async def mark(actor: Actor, ride_id: UUID, status: str) -> MyRideOut:
    """Done or no-show, from the day the car leaves on (the evening before, for a night shift)."""
    ride = await own_ride(actor, ride_id)
    if ride.status not in ("confirmed", "done", "no_show"):
        raise Conflict("ride_cancelled" if ride.status == "cancelled" else "ride_not_confirmed")
    if recurrence.local_today() < seat_day(ride):
        raise InvalidInput.field("rideId", "ride_not_started")
    await Ride.update({Ride.status: status, Ride.decided_at: now()}).where(
        (Ride.id == ride.id) & Ride.status.is_in(["confirmed", "done", "no_show"]))
    return (await rides_out([await Ride.objects().where(Ride.id == ride.id).first()], "driver"))[0]


async def _set_pickup_name(ride: Ride, data: PickupIn, statuses: tuple[str, ...]) -> PickupOut:
    """Name the ride's pickup point ('Kerk Zwartberg') and give its address; the point on the map
    (and so the route and the times) stays. Only while the ride is still to come."""
    if ride.status not in statuses:
        raise Conflict("ride_cancelled" if ride.status == "cancelled" else "ride_not_confirmed")
    name, address = data.name.strip(), data.address.strip()
    changed = await Ride.update({Ride.pickup_name: name, Ride.pickup_address: address}).where(
        (Ride.id == ride.id) & Ride.status.is_in(list(statuses))).returning(Ride.id)
    if not changed:  # cancelled between the read and the write
        raise Conflict("ride_not_confirmed")
    return PickupOut(name=name, address=address, latitude=ride.pickup_latitude, longitude=ride.pickup_longitude)


async def name_pickup(actor: Actor, ride_id: UUID, data: PickupIn) -> PickupOut:
    """The buddy names the pickup point of their confirmed ride (they only see it once confirmed)."""
    return await _set_pickup_name(await own_ride(actor, ride_id), data, ("confirmed",))


async def name_pickup_for_worker(actor: Actor, ride_id: UUID, data: PickupIn) -> PickupOut:
    """The worker's coach (or an admin) names the pickup point of a proposed or confirmed ride;
    a ride of someone else's worker is 404 or 403, like the worker themself."""
    require_staff(actor)
    ride = await Ride.objects().where(Ride.id == ride_id).first()
    if ride is None:
        raise NotFound()
    await manageable_person(actor, ride.worker)
    return await _set_pickup_name(ride, data, ("proposed", "confirmed"))


async def on_sick_report(worker_id: UUID, first: dt.date, last: dt.date) -> int:
    """A worker reported sick: their rides of those days are called off and the drivers told."""
    name = await Person.select(Person.first_name).where(Person.id == worker_id).first()
    rides = await Ride.objects().where((Ride.worker == worker_id) & (Ride.day >= first) & (Ride.day <= last)
                                       & Ride.status.is_in(["proposed", "confirmed"]))
    cancelled = 0
    for ride in rides:
        if ride.status == "proposed":
            await Ride.update({Ride.status: "closed", Ride.decided_at: now()}).where(
                (Ride.id == ride.id) & (Ride.status == "proposed"))
        elif await release(ride, "cancelled", worker_id, "ziek / sick"):
            cancelled += 1
            await notify.send(ride.buddy, "ride_cancelled_sick", url="/#/rides", until=ride.leave_at,
                              topic=str(ride.id), organisation=ride.organisation, day=ride.day,
                              name=name["first_name"] if name else "")
    await RideRequest.update({RideRequest.status: "cancelled", RideRequest.key: None}).where(
        (RideRequest.worker == worker_id) & (RideRequest.day >= first) & (RideRequest.day <= last)
        & (RideRequest.status != "cancelled"))
    return cancelled


# --- reading --------------------------------------------------------------------------------------

async def _names(rides: list[Ride]) -> tuple[dict, dict, dict]:
    people = {p["id"]: p for p in await Person.select(Person.id, Person.first_name, Person.phone).where(
        Person.id.is_in(list({r.buddy for r in rides} | {r.worker for r in rides})))} if rides else {}
    cars = {c["person"]: c["car_description"] for c in await BuddyProfile.select(
        BuddyProfile.person, BuddyProfile.car_description).where(
        BuddyProfile.person.is_in(list({r.buddy for r in rides})))} if rides else {}
    offers = {o["id"]: o["workplace"] for o in await RideOffer.select(RideOffer.id, RideOffer.workplace).where(
        RideOffer.id.is_in(list({r.offer for r in rides})))} if rides else {}
    requests = {q["id"]: q["workplace"] for q in await RideRequest.select(RideRequest.id, RideRequest.workplace).where(
        RideRequest.id.is_in(list({r.request for r in rides})))} if rides else {}
    ids = {requests.get(r.request) or offers.get(r.offer) for r in rides} - {None}
    places = {w["id"]: w["name"] for w in await Workplace.select(Workplace.id, Workplace.name).where(
        Workplace.id.is_in(list(ids)))} if ids else {}
    workplace = {r.id: places.get(requests.get(r.request) or offers.get(r.offer), "") for r in rides}
    return people, cars, workplace


async def rides_out(rides: list[Ride], role: str) -> list[MyRideOut]:
    """Per role: the worker sees driver, phone and car; the buddy sees the rider's first name and,
    for a confirmed ride only, the pickup point. Never the home address."""
    people, cars, workplace = await _names(rides)
    out = []
    for r in rides:
        show_pickup = role == "rider" or r.status in ("confirmed", "done", "no_show")
        common = dict(id=r.id, role=role, status=r.status, day=r.day, leave_at=r.leave_at, pickup_at=r.pickup_at,
                      arrive_at=r.arrive_at, arrive_by=r.arrive_by, workplace_name=workplace[r.id],
                      pickup=PickupOut(name=r.pickup_name, latitude=r.pickup_latitude, longitude=r.pickup_longitude,
                                       address=r.pickup_address)
                      if show_pickup else None, distance_km=r.distance_km, cancel_reason=r.cancel_reason)
        if role == "rider":
            driver = people.get(r.buddy, {})
            out.append(MyRideOut(**common, driver_first_name=driver.get("first_name", ""),
                                 driver_phone=driver.get("phone", ""), car_description=cars.get(r.buddy, "")))
        else:
            rider = people.get(r.worker, {})
            out.append(MyRideOut(**common, rider_first_name=rider.get("first_name", ""),
                                 rider_phone=rider.get("phone", "") if show_pickup else None))
    return out


async def my_rides(actor: Actor, first: dt.date | None, last: dt.date | None) -> list[MyRideOut]:
    """Rides from today (or `from`) for two weeks (or to `to`): a worker's own, or a buddy's."""
    if not can_take_rides(actor):
        raise Forbidden()
    check_days(**{"from": first, "to": last})
    first = first or recurrence.local_today()
    last = last or first + dt.timedelta(days=13)
    if last < first:
        raise InvalidInput.field("to", "until_before_from")
    if (last - first).days > 366:
        raise InvalidInput.field("to", "range_too_long", n=366)
    who = Ride.worker if actor.role == Role.WORKER else Ride.buddy
    rides = await Ride.objects().where((who == actor.id) & (Ride.day >= first) & (Ride.day <= last)
                                       & Ride.status.is_in(list(SHOWN))).order_by(Ride.pickup_at)
    return await rides_out(rides, "rider" if actor.role == Role.WORKER else "driver")


def proposal_out(r: Ride, name: str, workplace: str) -> ProposalOut:
    return ProposalOut(ride_id=r.id, status=r.status, rider_first_name=name, day=r.day, leave_at=r.leave_at,
                       pickup_at=r.pickup_at, arrive_by=r.arrive_by, detour_km=r.detour_km, workplace_name=workplace)


async def proposals_out(rides: list[Ride]) -> list[ProposalOut]:
    people, _, workplace = await _names(rides)
    return [proposal_out(r, people.get(r.worker, {}).get("first_name", ""), workplace[r.id]) for r in rides]


async def my_proposals(actor: Actor) -> list[ProposalOut]:
    """Requests waiting for the buddy's answer: first name, day, times and detour; no address."""
    require_buddy(actor)
    rides = await Ride.objects().where((Ride.buddy == actor.id) & (Ride.status == "proposed")
                                       & (Ride.leave_at > now())).order_by(Ride.leave_at)
    return await proposals_out(rides)


async def kilometres(actor: Actor, year: int | None) -> KilometresOut:
    """Kilometres per month of rides marked done or no-show, for the volunteer expense claim."""
    require_buddy(actor)
    year = year or recurrence.local_today().year
    rows = await Ride.select(Ride.day, Ride.distance_km).where(
        (Ride.buddy == actor.id) & Ride.status.is_in(list(DRIVEN))
        & (Ride.day >= dt.date(year, 1, 1)) & (Ride.day <= dt.date(year, 12, 31)))
    km: dict[int, float] = defaultdict(float)
    count: dict[int, int] = defaultdict(int)
    for row in rows:
        km[row["day"].month] += row["distance_km"]
        count[row["day"].month] += 1
    months = [MonthKm(month=m, rides=count[m], km=round(km[m], 1)) for m in range(1, 13)]
    return KilometresOut(year=year, months=months, total_km=round(sum(km.values()), 1))
