"""What happens after a ride is cancelled by its buddy: the worker is told at once, and the coach.

This is the hook point where the transit planner adds "the transit option that still arrives in
time" (or "no transit in time: call your coach") to the worker's notice.
"""

from __future__ import annotations

from backend.accounts.tables import Person
from backend.mobility import notify
from backend.mobility.tables import Ride


async def on_ride_cancelled(ride: Ride) -> None:
    """Tell the worker (inbox + push, urgent) and their coach that the buddy cancelled `ride`."""
    people = {p["id"]: p for p in await Person.select(Person.id, Person.first_name, Person.coach).where(
        Person.id.is_in([ride.buddy, ride.worker]))}
    driver = people.get(ride.buddy, {}).get("first_name", "")
    worker = people.get(ride.worker, {})
    await notify.send(ride.worker, "ride_cancelled_worker", url="/#/home", until=ride.arrive_by,
                      topic=str(ride.id), organisation=ride.organisation, day=ride.day, driver=driver,
                      reason=ride.cancel_reason)
    await notify.send(worker.get("coach"), "ride_cancelled_coach", url="/#/mobility", until=ride.arrive_by,
                      topic=str(ride.id), organisation=ride.organisation, day=ride.day, driver=driver,
                      reason=ride.cancel_reason, name=worker.get("first_name", ""))
