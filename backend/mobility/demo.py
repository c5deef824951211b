"""Demo rides: homes for the demo workers, the driving buddies' cars and weekday offers (idempotent)."""

from __future__ import annotations

from backend.mobility.tables import BuddyProfile, Home, RideOffer
from backend.schedule import recurrence

# Home coordinates around Genk (rounded to a street, not a door); one per demo worker, in order.
HOMES = [(50.9850, 5.5000), (50.9710, 5.5140), (50.9620, 5.4700), (50.9920, 5.4650), (50.9480, 5.4990),
         (50.9555, 5.4205), (50.9805, 5.4560), (51.0010, 5.4890), (50.9440, 5.4620), (50.9700, 5.4380)]
# Driving buddies: where they leave from, when, to which demo workplace, the car.
OFFERS = [((51.0000, 5.5200), "07:30", 0, "grijze Opel Corsa"), ((50.9850, 5.5350), "07:20", 1, "witte Renault Clio"),
          ((51.0150, 5.4700), "07:25", 0, "blauwe Skoda Fabia")]


async def load_demo_rides(org_id, workplaces, workers, buddies, drives: list[bool]) -> None:
    for worker, (lat, lon) in zip(workers, HOMES):
        await Home.insert(Home(person=worker.id, latitude=lat, longitude=lon, source="coach")).on_conflict(
            action="DO NOTHING")
    driving = [b for b, d in zip(buddies, drives) if d]
    for buddy, (origin, leave, wp_i, car) in zip(driving, OFFERS):
        await BuddyProfile.insert(BuddyProfile(person=buddy.id, car_description=car)).on_conflict(action="DO NOTHING")
        if not await RideOffer.exists().where(RideOffer.buddy == buddy.id):
            await RideOffer(buddy=buddy.id, organisation=org_id, weekdays="1,2,3,4,5", leave_time=leave,
                            from_latitude=origin[0], from_longitude=origin[1], workplace=workplaces[wp_i].id,
                            seats=2, max_detour_km=6.0, valid_from=recurrence.local_today()).save()
