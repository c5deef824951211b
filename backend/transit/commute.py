"""A worker's way to their next shifts by public transit ("Hoe geraak ik op het werk?")."""

from __future__ import annotations

import datetime as dt
from typing import Any, Awaitable, Callable
from uuid import UUID

from backend.accounts.auth import Actor
from backend.errors import AppError, InvalidInput
from backend.i18n import translate
from backend.schedule import services as schedule
from backend.transit import planner
from backend.transit.schemas import CommuteItem, CommuteOut
from backend.transit.services import LOCAL_TZ

# Plan to arrive this long before the shift starts (time to find the entrance, change, clock in).
ARRIVE_EARLY = dt.timedelta(minutes=10)
MAX_ITEMS = 5
KINDS = ("shift", "training")


HomeProvider = Callable[[UUID], Awaitable["tuple[float, float] | None"]]
RideProvider = Callable[[UUID, "list[UUID]"], Awaitable["dict[UUID, dict[str, Any]]"]]
_home: HomeProvider | None = None
_rides: RideProvider | None = None


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
    """Transit options for the worker's next shifts (7 days, at most 5), or for one item."""
    now = now or dt.datetime.now(dt.timezone.utc)
    home = await home_of(actor.id, origin)
    if item_id is not None:
        item = await schedule.visible_item(actor, item_id)
        if item.ends_at <= now:
            raise InvalidInput.field("itemId", "transit_shift_over")
        items = [i for i in await schedule.items_out([item_id], include_participants=False, viewer=actor.id)]
    else:
        items = [i for i in await schedule.my_items(actor, None, None)
                 if i.kind in KINDS and not i.cancelled and i.starts_at > now][:MAX_ITEMS]
    rides = await _rides(actor.id, [i.id for i in items]) if _rides is not None and items else {}
    out = []
    for item in items:
        arrive_by = (item.starts_at - ARRIVE_EARLY).astimezone(LOCAL_TZ)
        journeys, problem, message = [], None, ""
        if home is None:
            problem = "transit_home_unknown"
        elif item.place.latitude is None or item.place.longitude is None:
            problem = "transit_workplace_unknown"
        else:
            try:
                journeys = await planner.plan_arrive_by(home, (item.place.latitude, item.place.longitude), arrive_by)
            except AppError as exc:  # no data, or a date the feeds do not cover: said per shift
                problem, message = exc.key, translate(exc.key, language, **exc.params)
            if not journeys and problem is None:
                problem = "transit_no_journey"
        if problem and not message:
            message = translate(problem, language)
        ride = rides.get(item.id)
        leave_at = journeys[0].departure if journeys else None
        if ride is not None:  # the buddy picks the worker up: that is when to be ready
            leave_at = dt.datetime.fromisoformat(ride["pickupAt"])
        out.append(CommuteItem(
            item_id=item.id, title=item.title, kind=item.kind, starts_at=item.starts_at,
            local_date=item.local_date, local_start=item.local_start, place_name=item.place.name or item.place.address,
            arrive_by=arrive_by, leave_home_at=leave_at,
            journeys=journeys, problem=problem, message=message, ride=ride))
    return CommuteOut(home_known=home is not None,
                      message="" if home is not None else translate("transit_home_unknown", language),
                      items=out)
