"""How each worker gets to each shift of a day: a confirmed buddy ride, else transit in time, else none.

`check` computes it for a set of (worker, shift) pairs in a fixed number of queries plus one planner
call per pair without a ride, and stores the answer in `CommuteCheck`; the caseload reads those rows
("tomorrow"), the overview and the job refresh them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from uuid import UUID

import msgspec

from backend.access import Role
from backend.accounts.tables import Person
from backend.commute.tables import CommuteCheck
from backend.mobility.rides import rides_out
from backend.mobility.tables import Home, Ride, RideRequest
from backend.organisations.tables import Workplace
from backend.schedule import recurrence
from backend.schedule.services import ensure_expanded, horizon_end
from backend.schedule.tables import Participant, ScheduleItem
from backend.transit.commute import KINDS, Advice, advise
from backend.transit.schemas import Journey

RIDING = ("confirmed", "done")
# Longer than any journey the planner searches (backend.transit.network.MAX_JOURNEY_S).
PLANNED_VIEW = dt.timedelta(hours=5)
# Worst first: a coach wants to see "none" before anything else for a worker with two shifts.
SEVERITY = {"none": 0, "unknown": 1, "transit": 2, "ride": 3}


@dataclass
class Way:
    """One worker's way to one shift."""

    person: UUID
    item: UUID
    day: dt.date
    starts_at: dt.datetime
    way: str  # ride, transit, none, unknown
    leave_at: dt.datetime | None = None
    problem: str = ""
    journey: Journey | None = None
    ride: UUID | None = None
    advice: Advice | None = None


def point(lat: float | None, lon: float | None) -> tuple[float, float] | None:
    return (lat, lon) if lat is not None and lon is not None else None


async def home_point(person_id: UUID) -> tuple[float, float] | None:
    """The worker's home coordinates (private: used for planning only, never shown to a buddy)."""
    row = await Home.select(Home.latitude, Home.longitude).where(Home.person == person_id).first()
    return point(row["latitude"], row["longitude"]) if row else None


async def check(day: dt.date, person_ids: list[UUID] | None = None, *,
                organisation_id: UUID | None = None, store: bool = True,
                now: dt.datetime | None = None,
                starting: tuple[dt.datetime, dt.datetime] | None = None) -> list[Way]:
    """Every (active worker, shift or training) of `day`, limited to `person_ids` when given, and
    to the shifts starting in `starting` [from, to) when given (the live watch).

    Planned from `now`: a bus that has left is no way to work. A shift that has already started is
    judged as planned (was there a way?), not as "late"."""
    now = now or dt.datetime.now(dt.timezone.utc)
    # Days beyond the stored horizon have no rows (and no rides): nothing is expanded for them here.
    await ensure_expanded(min(day, horizon_end(now)), organisation_id=organisation_id)
    start, end = recurrence.day_bounds(day, day)
    query = Participant.select(
        Participant.person.as_alias("person"), Participant.item.as_alias("item"),
        Participant.item.starts_at.as_alias("starts_at"), Participant.item.ends_at.as_alias("ends_at"),
        Participant.item.workplace.as_alias("workplace"),
        Participant.item.latitude.as_alias("latitude"), Participant.item.longitude.as_alias("longitude"),
        Participant.person.workplace.as_alias("home_workplace"),
    ).where(
        (Participant.item.starts_at >= start) & (Participant.item.starts_at < end)
        & Participant.item.kind.is_in(list(KINDS)) & Participant.item.cancelled_at.is_null()
        & (Participant.person.role == Role.WORKER) & (Participant.person.active == True))  # noqa: E712
    if person_ids is not None:
        if not person_ids:
            return []
        query = query.where(Participant.person.is_in(person_ids))
    if organisation_id is not None:
        query = query.where(Participant.item.organisation == organisation_id)
    if starting is not None:
        query = query.where((Participant.item.starts_at >= starting[0]) & (Participant.item.starts_at < starting[1]))
    pairs = await query
    if not pairs:
        return []
    people = list({p["person"] for p in pairs})
    items = list({p["item"] for p in pairs})
    homes = {h["person"]: point(h["latitude"], h["longitude"]) for h in await Home.select(
        Home.person, Home.latitude, Home.longitude).where(Home.person.is_in(people))}
    places = {w["id"]: point(w["latitude"], w["longitude"]) for w in await Workplace.select(
        Workplace.id, Workplace.latitude, Workplace.longitude)}
    rides = {(r["worker"], r["item"]): r for r in await Ride.select(
        Ride.id, Ride.worker, Ride.request.item.as_alias("item"), Ride.pickup_at).where(
        Ride.worker.is_in(people) & Ride.request.item.is_in(items) & Ride.status.is_in(list(RIDING)))}
    ways = []
    for p in sorted(pairs, key=lambda p: p["starts_at"]):
        way = Way(person=p["person"], item=p["item"], day=day, starts_at=p["starts_at"], way="unknown")
        ride = rides.get((p["person"], p["item"]))
        home = homes.get(p["person"])
        # Where the shift is: its own coordinates, else its workplace's, else the worker's workplace.
        place = point(p["latitude"], p["longitude"]) or places.get(p["workplace"] or p["home_workplace"])
        if ride is not None:
            way.way, way.leave_at, way.ride = "ride", ride["pickup_at"], ride["id"]
        else:
            # A shift under way is judged as planned: from before any journey to it could leave.
            since = now if p["starts_at"] > now else p["starts_at"] - PLANNED_VIEW
            advice = await advise(home, place, p["starts_at"], since, p["ends_at"])
            way.advice = advice
            if advice.way == "transit":
                way.way, way.leave_at, way.journey = "transit", advice.leave_at, advice.journeys[0]
            elif advice.way in ("none", "late"):  # too late by transit is no transit in time
                way.way, way.problem = "none", "transit_no_journey"
            else:
                way.problem = advice.problem or ""
        ways.append(way)
    if store:
        await _store(ways)
    return ways


async def _store(ways: list[Way]) -> None:
    keys = [f"{w.person}:{w.item}" for w in ways]
    async with CommuteCheck._meta.db.transaction():
        await CommuteCheck.delete().where(CommuteCheck.key.is_in(keys))
        await CommuteCheck.insert(*[
            CommuteCheck(person=w.person, item=w.item, key=key, day=w.day, way=w.way, leave_at=w.leave_at,
                         problem=w.problem[:40]) for w, key in zip(ways, keys)])


async def tomorrow(person_ids: list[UUID], now: dt.datetime) -> dict[UUID, str]:
    """For the caseload: each worker's way to tomorrow's shifts, the worst of them; one query.

    A worker without a checked shift tomorrow is left out (the caseload shows "unknown")."""
    if not person_ids:
        return {}
    day = recurrence.local_today(now) + dt.timedelta(days=1)
    out: dict[UUID, str] = {}
    for row in await CommuteCheck.select(CommuteCheck.person, CommuteCheck.way).where(
            (CommuteCheck.day == day) & CommuteCheck.person.is_in(person_ids)):
        current = out.get(row["person"])
        if current is None or SEVERITY[row["way"]] < SEVERITY[current]:
            out[row["person"]] = row["way"]
    return out


async def refresh_upcoming(now: dt.datetime | None = None) -> int:
    """The job: recompute today's and tomorrow's ways for every active worker (and forget old ones)."""
    now = now or dt.datetime.now(dt.timezone.utc)
    today = recurrence.local_today(now)
    organisations = {row["organisation"] for row in await Person.select(Person.organisation).where(
        (Person.role == Role.WORKER) & (Person.active == True) & Person.organisation.is_not_null())}  # noqa: E712
    count = 0
    for day in (today, today + dt.timedelta(days=1)):
        for organisation in organisations:
            count += len(await check(day, organisation_id=organisation, now=now))
    await CommuteCheck.delete().where(CommuteCheck.day < today - dt.timedelta(days=7))
    return count


async def rides_to(worker_id: UUID, item_ids: list[UUID]) -> dict[UUID, dict]:
    """The worker's ride to each of these shifts, as the worker sees it (driver, phone, car, pickup
    point and time), keyed by shift: the confirmed one, else the last one a buddy cancelled (its
    `status` says which), so the way to work can say what to do instead."""
    rides = await Ride.objects().where(
        (Ride.worker == worker_id) & Ride.request.item.is_in(item_ids)
        & Ride.status.is_in(["confirmed", "cancelled"]))
    if not rides:
        return {}
    items = {r["id"]: r["item"] for r in await RideRequest.select(RideRequest.id, RideRequest.item).where(
        RideRequest.id.is_in([r.request for r in rides]))}
    shown = await rides_out(rides, "rider")
    out: dict[UUID, dict] = {}
    # Later entries win: a confirmed ride over any cancelled one, else the last one decided.
    never = dt.datetime.min.replace(tzinfo=dt.timezone.utc)
    order = sorted(zip(rides, shown), key=lambda pair: (
        pair[0].status == "confirmed", pair[0].decided_at or never, pair[0].created_at or never))
    for ride, ride_out in order:
        out[items[ride.request]] = msgspec.to_builtins(ride_out)
    return out


def line_of(journey: Journey) -> str:
    """The line of the first ride of a journey ("45", or its headsign when it has no number)."""
    ride = next((leg for leg in journey.legs if leg.kind == "ride"), None)
    return (ride.line or ride.headsign) if ride is not None else ""


async def alternative_to(ride: Ride, now: dt.datetime | None = None) -> Advice:
    """After a buddy cancels: what to do instead, from now (the same `advise` as the worker's way
    to work screen and Today card, so the notice and the screens say the same)."""
    request = await RideRequest.select(RideRequest.item).where(RideRequest.id == ride.request).first()
    if request is None or request["item"] is None:
        return Advice("unknown", problem="transit_no_journey")
    ways = await check(ride.day, [ride.worker], store=False, now=now)
    way = next((w for w in ways if w.item == request["item"]), None)
    if way is None or way.advice is None:
        return Advice("unknown", problem="transit_no_journey")
    return way.advice


async def fill_overview(out) -> None:
    """The coach's mobility overview: for each shift without a ride, the transit option in time
    (stored for the caseload too); a worker is flagged when a shift has neither."""
    ids = [w.worker_id for w in out.workers]
    ways = {(w.person, w.item): w for w in await check(out.date, ids)} if ids else {}
    for worker in out.workers:
        for shift in worker.shifts:
            way = ways.get((worker.worker_id, shift.item_id))
            if shift.no_ride and way is not None and way.journey is not None:
                shift.transit = {"leaveAt": way.journey.departure.isoformat(),
                                 "arrival": way.journey.arrival.isoformat(),
                                 "line": line_of(way.journey), "transfers": way.journey.transfers}
            elif shift.no_ride and way is not None and way.problem:
                shift.transit = {"problem": way.problem}
        worker.warning = any(s.no_ride and not (s.transit or {}).get("leaveAt") for s in worker.shifts)
