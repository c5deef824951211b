"""Rides in the coach's views: the impact report's rides section and the worker's timeline.

Registered through the report's and the timeline's hooks (`backend.commute.wiring`), so that the
reports and coaching packages never import the rides.
"""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from backend.accounts.tables import Person
from backend.coaching.schemas import TimelineEntry
from backend.i18n import translate
from backend.mobility.rides import DRIVEN
from backend.mobility.tables import Ride
from backend.reports import suppression as sup
from backend.reports.schemas import Section
from backend.reports.sections import ReportContext, register
from backend.schedule.recurrence import LOCAL_TZ


@register("rides", order=30)
async def rides_section(ctx: ReportContext) -> Section:
    """Rides volunteers drove in the period (local days), and their kilometres.

    - rides given: rides marked done (the buddy drove the worker);
    - kilometres driven: the road estimate of origin -> pickup -> workplace of rides the buddy drove
      (done, and no-show: the buddy drove to the pickup either way), as claimed for expenses;
    - volunteers driving and workers riding: distinct people; the figures are hidden when fewer than
      5 volunteers drove (rule 2 of the suppression).
    """
    rows = await Ride.select(Ride.status, Ride.buddy, Ride.worker, Ride.distance_km).where(
        (Ride.organisation == ctx.organisation_id) & Ride.status.is_in(list(DRIVEN))
        & (Ride.day >= ctx.first) & (Ride.day <= ctx.last))
    buddies = {r["buddy"] for r in rows}
    riders = {r["worker"] for r in rows if r["status"] == "done"}
    given = sum(1 for r in rows if r["status"] == "done")
    km = sum(r["distance_km"] or 0.0 for r in rows)
    return Section(key="rides", figures=[
        sup.people("volunteersDriving", len(buddies)),
        sup.people("workersRiding", len(riders)),
        sup.about_group("ridesGiven", given if rows else None, len(buddies), "count", decimals=0),
        sup.about_group("kilometresDriven", km if rows else None, len(buddies), "km", decimals=0),
    ])


async def ride_timeline(person_id: UUID, before: dt.datetime, limit: int, lang: str) -> list[TimelineEntry]:
    """The worker's rides: asked, confirmed (driver and pickup time), cancelled (reason), done, no-show."""
    rows = await Ride.select(Ride.id, Ride.status, Ride.buddy, Ride.pickup_at, Ride.created_at, Ride.decided_at,
                             Ride.cancel_reason).where(
        (Ride.worker == person_id) & Ride.status.is_in(["confirmed", "cancelled", "done", "no_show"])
        & (Ride.created_at < before)).order_by(Ride.created_at, ascending=False).limit(limit)
    drivers = {p["id"]: p["first_name"] for p in await Person.select(Person.id, Person.first_name).where(
        Person.id.is_in(list({r["buddy"] for r in rows})))} if rows else {}
    out = []
    for r in rows:
        at = r["pickup_at"] if r["status"] in ("done", "no_show") else (r["decided_at"] or r["created_at"])
        if at >= before:
            at = r["created_at"]
        pickup = r["pickup_at"].astimezone(LOCAL_TZ).strftime("%d/%m %H:%M")
        out.append(TimelineEntry(
            at=at, kind="ride", ref_id=str(r["id"]),
            title=translate(f"timeline_ride_{r['status']}", lang, driver=drivers.get(r["buddy"], ""), pickup=pickup),
            detail=r["cancel_reason"] if r["status"] == "cancelled" else ""))
    return out

