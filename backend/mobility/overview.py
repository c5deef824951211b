"""The coach's mobility overview: for each of their workers, a day's shifts and whether a confirmed
ride covers each; a warning where none does (the transit planner fills `transit`)."""

from __future__ import annotations

import datetime as dt

from typing import Awaitable, Callable

from backend.access import Actor, Role, require_staff
from backend.accounts.tables import Person
from backend.mobility.places import check_days
from backend.mobility.schemas import OverviewOut, OverviewShift, OverviewWorker
from backend.mobility.tables import Home, Ride, RideRequest
from backend.organisations.tables import Workplace
from backend.schedule import recurrence
from backend.schedule.services import ensure_expanded, horizon_end
from backend.schedule.tables import Participant, ScheduleItem


# Fills each shift's `transit` and the worker's `warning` (no ride and no transit in time); plugged
# in by `backend.commute.wiring`. Without it the warning means "no ride".
TransitFiller = Callable[[OverviewOut], Awaitable[None]]
_fill_transit: TransitFiller | None = None


def set_transit_filler(filler: TransitFiller) -> None:
    global _fill_transit
    _fill_transit = filler


async def overview(actor: Actor, day: dt.date | None) -> OverviewOut:
    """A coach sees their own caseload; an admin every worker (for the day, tomorrow by default)."""
    require_staff(actor)
    check_days(date=day)
    day = day or recurrence.local_today() + dt.timedelta(days=1)
    query = Person.select(Person.id, Person.first_name, Person.last_name, Person.organisation).where(
        (Person.role == Role.WORKER) & (Person.active == True))  # noqa: E712
    if actor.role == Role.COACH:  # a coach's own caseload, not the whole organisation
        query = query.where(Person.coach == actor.id)
    workers = await query.order_by(Person.first_name).order_by(Person.last_name)
    if not workers:
        return OverviewOut(date=day, workers=[])
    ids = [w["id"] for w in workers]
    for org in {w["organisation"] for w in workers}:
        # A read: stored days only up to the horizon (beyond it a day has no rides to show anyway).
        await ensure_expanded(min(day, horizon_end()), organisation_id=org)
    start, end = recurrence.day_bounds(day, day)
    items = await ScheduleItem.select(
        ScheduleItem.id, ScheduleItem.title, ScheduleItem.starts_at, ScheduleItem.workplace,
        ScheduleItem.kind).where(
        (ScheduleItem.starts_at >= start) & (ScheduleItem.starts_at < end) & (ScheduleItem.kind == "shift")
        & ScheduleItem.cancelled_at.is_null()).order_by(ScheduleItem.starts_at)
    item_ids = [i["id"] for i in items]
    planned = await Participant.select(Participant.item, Participant.person).where(
        Participant.item.is_in(item_ids) & Participant.person.is_in(ids)) if item_ids else []
    requests = {(q["item"], q["worker"]): q for q in await RideRequest.select().where(
        RideRequest.item.is_in(item_ids) & RideRequest.worker.is_in(ids) & (RideRequest.status != "cancelled"))} \
        if item_ids else {}
    rides = {r["request"]: r for r in await Ride.select(
        Ride.id, Ride.request, Ride.buddy, Ride.pickup_at).where(
        Ride.request.is_in([q["id"] for q in requests.values()]) & Ride.status.is_in(["confirmed", "done"]))} \
        if requests else {}
    drivers = {p["id"]: p["first_name"] for p in await Person.select(Person.id, Person.first_name).where(
        Person.id.is_in([r["buddy"] for r in rides.values()]))} if rides else {}
    places = {w["id"]: w["name"] for w in await Workplace.select(Workplace.id, Workplace.name)}
    homes = {h["person"] for h in await Home.select(Home.person).where(
        Home.person.is_in(ids) & Home.latitude.is_not_null())}
    by_item = {i["id"]: i for i in items}
    shifts: dict = {w: [] for w in ids}
    for p in planned:
        item = by_item[p["item"]]
        req = requests.get((item["id"], p["person"]))
        ride = rides.get(req["id"]) if req else None
        shifts[p["person"]].append(OverviewShift(
            item_id=item["id"], title=item["title"], starts_at=item["starts_at"],
            workplace_name=places.get(item["workplace"], ""), ride_id=ride["id"] if ride else None,
            driver_first_name=drivers.get(ride["buddy"]) if ride else None,
            pickup_at=ride["pickup_at"] if ride else None, request_status=req["status"] if req else None,
            no_ride=ride is None))
    out = []
    for w in workers:
        own = sorted(shifts[w["id"]], key=lambda s: s.starts_at)
        out.append(OverviewWorker(worker_id=w["id"], first_name=w["first_name"], last_name=w["last_name"],
                                  has_home=w["id"] in homes, shifts=own, warning=any(s.no_ride for s in own)))
    result = OverviewOut(date=day, workers=out)
    if _fill_transit is not None:
        await _fill_transit(result)
    return result
