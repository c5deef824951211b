"""What happens after a ride is cancelled by its buddy: the worker is told at once, and the coach.

This is the hook point where the transit planner adds "the transit option that still arrives in
time" (or "no transit in time: call your coach") to the worker's notice.
"""

from __future__ import annotations

import datetime as dt
from typing import Awaitable, Callable

from backend.accounts.tables import Person
from backend.mobility import notify
from backend.mobility.tables import Ride

# What else gets the worker there in time, plugged in by `backend.commute.wiring`:
# ("transit", leave at, line), ("none", None, "") when nothing does, or ("unknown", None, "") when it
# cannot be known (no home, no timetable loaded).
Alternative = Callable[[Ride], Awaitable[tuple[str, "dt.datetime | None", str]]]
_alternative: Alternative | None = None


def set_alternative(provider: Alternative) -> None:
    global _alternative
    _alternative = provider


async def on_ride_cancelled(ride: Ride) -> None:
    """Tell the worker (inbox + push, urgent) and their coach that the buddy cancelled `ride`, with
    the transit option that still arrives in time, or "no transit in time: call your coach"."""
    people = {p["id"]: p for p in await Person.select(Person.id, Person.first_name, Person.coach).where(
        Person.id.is_in([ride.buddy, ride.worker]))}
    driver = people.get(ride.buddy, {}).get("first_name", "")
    worker = people.get(ride.worker, {})
    way, leave, line = await _alternative(ride) if _alternative is not None else ("unknown", None, "")
    extra: dict = {}
    if way == "transit" and leave is not None and line:
        worker_key, coach_key = "ride_cancelled_worker_transit", "ride_cancelled_coach"
        extra = {"leave": notify.time_text(leave), "line": line}
    elif way == "none":
        worker_key, coach_key = "ride_cancelled_worker_no_transit", "ride_cancelled_coach_no_transit"
    else:
        worker_key, coach_key = "ride_cancelled_worker", "ride_cancelled_coach"
    await notify.send(ride.worker, worker_key, url="/#/commute", until=ride.arrive_by,
                      topic=str(ride.id), organisation=ride.organisation, day=ride.day, driver=driver,
                      reason=ride.cancel_reason, **extra)
    await notify.send(worker.get("coach"), coach_key, url="/#/mobility", until=ride.arrive_by,
                      topic=str(ride.id), organisation=ride.organisation, day=ride.day, driver=driver,
                      reason=ride.cancel_reason, name=worker.get("first_name", ""))
