"""A worker's way to their next shifts by public transit ("Hoe geraak ik op het werk?").

Everything is planned from the present moment: an option that leaves before now is no option. When
nothing still arrives in time, the advice says so and names the earliest arrival still possible
("Je bent te laat: de volgende bus komt om 23:20"). `advise` is the one place that decides what to
tell the worker: this screen, the Today card and the notice after a buddy cancels all use it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable
from uuid import UUID

from backend.access import Actor
from backend.errors import AppError, InvalidInput
from backend.i18n import translate
from backend.schedule import services as schedule
from backend.transit import planner, realtime
from backend.transit.schemas import CommuteItem, CommuteOut, Journey, ServiceAlert
from backend.transit.services import LOCAL_TZ

# Plan to arrive this long before the shift starts (time to find the entrance, change, clock in).
ARRIVE_EARLY = dt.timedelta(minutes=10)
MAX_ITEMS = 5
KINDS = ("shift", "training")
# Too late for the shift: the earliest arrival is searched this far after the planned one, at most.
LATE_SEARCH = dt.timedelta(hours=4)
LATE_FIRST_STEP = dt.timedelta(minutes=10)
LATE_PRECISION = dt.timedelta(minutes=1)
WORKER_PROBLEMS = ("transit_home_unknown", "transit_workplace_unknown")


@dataclass
class Advice:
    """What to tell a worker about getting to one shift, from a given moment.

    way: 'transit' (journeys arrive in time, the first leaves latest), 'late' (nothing arrives in
    time any more; journeys holds the earliest arrival still possible, if any), 'none' (no public
    transport gets there in time at all), 'unknown' (no home, no place, no timetable: `problem`).
    """

    way: str
    journeys: list[Journey] = field(default_factory=list)
    problem: str | None = None
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """The message key of the advice sentence."""
        if self.way == "transit":
            return "advice_walk" if not _first_ride(self.journeys[0]) else "advice_transit"
        if self.way == "late":
            if not self.journeys:
                return "advice_late_nothing"
            return "advice_late_walk" if not _first_ride(self.journeys[0]) else "advice_late"
        if self.way == "none":
            return "transit_no_journey"
        # Unknown: where the worker lives or works can be told (ask the coach); a missing timetable
        # is the administrator's business, not the worker's.
        return self.problem if self.problem in WORKER_PROBLEMS else "advice_unknown"

    @property
    def leave_at(self) -> dt.datetime | None:
        return self.journeys[0].departure if self.journeys else None

    @property
    def line(self) -> str:
        ride = _first_ride(self.journeys[0]) if self.journeys else None
        return (ride.line or ride.headsign) if ride is not None else ""

    def text(self, language: str) -> str:
        """The advice as one or two short sentences, in `language`."""
        values = dict(self.params)
        if self.journeys:
            journey = self.journeys[0]
            ride = _first_ride(journey)
            values.update(leave=_clock(journey.departure), arrival=_clock(journey.arrival), line=self.line)
            if ride is not None:
                values.update(mode=translate(f"transit_mode_{ride.mode or 'bus'}", language),
                              time=_clock(ride.departure), stop=ride.from_name)
        return translate(self.key, language, **values)


def _first_ride(journey: Journey):
    return next((leg for leg in journey.legs if leg.kind == "ride"), None)


def _clock(instant: dt.datetime) -> str:
    return instant.astimezone(LOCAL_TZ).strftime("%H:%M")


def _earliest_from(net, origin: tuple[float, float], destination: tuple[float, float], after: dt.datetime,
                   nothing_by: dt.datetime, latest: dt.datetime) -> Journey | None:
    """The journey leaving at or after `after` that arrives first, arriving by `latest` at most.

    The planner answers "arrive by T": the earliest arrival is the smallest T whose latest option
    still leaves after `after`. Nothing does by `nothing_by`; T grows by doubling steps until one
    does, then the gap is halved down to a minute (about a dozen searches at most)."""
    def leaving_after(arrive_by: dt.datetime) -> Journey | None:
        options = planner.plan_sync(net, origin, destination, arrive_by.astimezone(LOCAL_TZ))
        return next((j for j in options if j.departure >= after), None)

    low, step, found, high = nothing_by, LATE_FIRST_STEP, None, None
    while found is None:
        high = min(low + step, latest)
        found = leaving_after(high)
        if found is None:
            if high >= latest:
                return None
            low, step = high, step * 2
    while high - low > LATE_PRECISION:
        middle = low + (high - low) / 2
        better = leaving_after(middle)
        if better is None:
            low = middle
        else:
            high, found = middle, better
    return found


async def advise(origin: tuple[float, float] | None, destination: tuple[float, float] | None,
                 starts_at: dt.datetime, now: dt.datetime, ends_at: dt.datetime | None = None) -> Advice:
    """How to get from `origin` to a shift at `destination` starting at `starts_at`, seen at `now`."""
    if origin is None:
        return Advice("unknown", problem="transit_home_unknown")
    if destination is None:
        return Advice("unknown", problem="transit_workplace_unknown")
    arrive_by = (starts_at - ARRIVE_EARLY).astimezone(LOCAL_TZ)
    try:
        journeys = await planner.plan_arrive_by_remembered(origin, destination, arrive_by)
    except AppError as exc:  # no feed loaded, or a date the feeds do not cover
        return Advice("unknown", problem=exc.key, params=dict(exc.params))
    in_time = [j for j in journeys if j.departure >= now]
    if in_time:
        return Advice("transit", in_time)
    if not journeys and arrive_by > now:
        return Advice("none", problem="transit_no_journey")
    # Too late for the planned arrival: the earliest one still possible, until the shift ends.
    net = await planner.current_network()
    if net is None:
        return Advice("none", problem="transit_no_journey")
    latest = min(max(arrive_by, now) + LATE_SEARCH, ends_at or starts_at + LATE_SEARCH)
    start_from = max(arrive_by, now)
    if latest <= start_from:
        return Advice("late")
    found = await asyncio.to_thread(_earliest_from, net, origin, destination, now, start_from, latest)
    return Advice("late", [found] if found is not None else [])


def _mode_word(leg, language: str) -> str:
    word = translate(f"transit_mode_{leg.mode or 'bus'}", language)
    return word[:1].upper() + word[1:]


def live_text(journey: Journey | None, language: str) -> str:
    """What live data says about the first ride of `journey` ("Bus 45 heeft 6 min vertraging:
    vertrek om 07:21"), or "" when there is none."""
    ride = _first_ride(journey) if journey is not None else None
    if ride is None or not ride.live:
        return ""
    values = dict(mode=_mode_word(ride, language), line=ride.line or ride.headsign, time=_clock(ride.departure),
                  minutes=abs(ride.delay_minutes))
    key = ("transit_live_delayed" if ride.delay_minutes > 0 else
           "transit_live_early" if ride.delay_minutes < 0 else "transit_live_on_time")
    return translate(key, language, **values)


def alerts_about(journeys: list[Journey], now: dt.datetime, language: str) -> list[ServiceAlert]:
    """The live service alerts about the lines, trips and stops of these journeys."""
    refs = [leg.trip for j in journeys for leg in j.legs if leg.kind == "ride" and leg.trip is not None]
    return [ServiceAlert(**a) for a in realtime.alerts_for(refs, now, language)]


HomeProvider = Callable[[UUID], Awaitable["tuple[float, float] | None"]]
RideProvider = Callable[[UUID, "list[UUID]"], Awaitable["dict[UUID, dict[str, Any]]"]]
DisruptionProvider = Callable[[UUID, UUID, str], Awaitable[str]]
_home: HomeProvider | None = None
_rides: RideProvider | None = None
_disruption: DisruptionProvider | None = None


def set_disruption_provider(provider: DisruptionProvider) -> None:
    """Wire in what the live watch knows of the bus first planned (`backend.commute.live`)."""
    global _disruption
    _disruption = provider


def set_providers(home: HomeProvider, rides: RideProvider) -> None:
    """Wire in the worker's home place and their confirmed buddy rides (`backend.commute.wiring`)."""
    global _home, _rides
    _home, _rides = home, rides


async def home_of(person_id: UUID, given: tuple[float, float] | None = None) -> tuple[float, float] | None:
    """Where the trip starts: a point the phone gives (`?from=`, e.g. "where I am now"), else the
    worker's home as the coach or the worker set it; None means "we don't know where you live"."""
    if given is not None:
        return given
    return await _home(person_id) if _home is not None else None


async def commute(actor: Actor, origin: tuple[float, float] | None, item_id: UUID | None,
                  language: str, now: dt.datetime | None = None) -> CommuteOut:
    """Transit options for the worker's next shifts (7 days, at most 5), or for one item, from now.

    A shift that has started is still listed while it lasts if the worker has not checked in: they
    may be on their way, and need to know what still gets them there."""
    now = now or dt.datetime.now(dt.timezone.utc)
    home = await home_of(actor.id, origin)
    if item_id is not None:
        item = await schedule.visible_item(actor, item_id)
        if item.ends_at <= now:
            raise InvalidInput.field("itemId", "transit_shift_over")
        items = [i for i in await schedule.items_out([item_id], include_participants=False, viewer=actor.id)]
    else:
        items = [i for i in await schedule.my_items(actor, None, None)
                 if i.kind in KINDS and not i.cancelled and not getattr(i, "absence", None)
                 and (i.starts_at > now or (i.ends_at > now and not i.attendance))][:MAX_ITEMS]
    rides = await _rides(actor.id, [i.id for i in items]) if _rides is not None and items else {}
    out = []
    for item in items:
        arrive_by = (item.starts_at - ARRIVE_EARLY).astimezone(LOCAL_TZ)
        place = (item.place.latitude, item.place.longitude) \
            if item.place.latitude is not None and item.place.longitude is not None else None
        advice = await advise(home, place, item.starts_at, now, item.ends_at)
        ride = rides.get(item.id)
        cancelled = ride if ride is not None and ride.get("status") == "cancelled" else None
        if cancelled is not None:
            ride = None
        leave_at = advice.leave_at
        if ride is not None:  # the buddy picks the worker up: that is when to be ready
            leave_at = dt.datetime.fromisoformat(ride["pickupAt"])
        text = advice.text(language)
        problem, message = None, ""
        if advice.way == "late":
            problem, message = "transit_late", text
        elif advice.way == "none":
            problem, message = "transit_no_journey", text
        elif advice.way == "unknown":  # the precise reason on this screen, e.g. which days are covered
            problem = advice.problem or "transit_no_data"
            message = translate(problem, language, **advice.params)
        out.append(CommuteItem(
            item_id=item.id, title=item.title, kind=item.kind, starts_at=item.starts_at,
            local_date=item.local_date, local_start=item.local_start, place_name=item.place.name or item.place.address,
            arrive_by=arrive_by, leave_home_at=leave_at, journeys=advice.journeys, problem=problem,
            message=message, ride=ride, late=advice.way == "late", advice=text,
            cancelled_ride=cancelled, live=live_text(advice.journeys[0] if advice.journeys else None, language),
            alerts=alerts_about(advice.journeys, now, language),
            disruption=await _disruption(actor.id, item.id, language) if _disruption is not None else ""))
    return CommuteOut(home_known=home is not None,
                      message="" if home is not None else translate("transit_home_unknown", language),
                      items=out)
