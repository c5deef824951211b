"""HTTP routes: arrive-by journeys, loaded feeds (staff), a worker's commute to their next shifts."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, Request, get
from litestar.params import Parameter

from backend import access
from backend.access import CurrentActor, signed_in, staff_only
from backend.i18n import pick_language
from backend.transit import commute as commute_service
from backend.transit import planner
from backend.transit.schemas import CommuteOut, Coverage, FeedsOut, Journey
from backend.transit.services import POINT_RE, parse_point, parse_when


class TransitController(Controller):
    path = "/api/transit"
    tags = ["transit"]
    guards = [signed_in]
    dependencies = access.dependencies

    @get("/plan", operation_id="planTransit")
    async def plan(self, origin: Annotated[str, Parameter(query="from", pattern=POINT_RE, max_length=60,
                                                          description="LAT,LON, e.g. 50.965,5.500")],
                   destination: Annotated[str, Parameter(query="to", pattern=POINT_RE, max_length=60,
                                                         description="LAT,LON, e.g. 50.985,5.523")],
                   arrive_by: Annotated[str, Parameter(
                       query="arriveBy", max_length=40, schema_extra={"format": "date-time"},
                       description="ISO date-time, e.g. 2027-01-05T08:00 (without an offset: Belgian time)")]
                   ) -> list[Journey]:
        """Up to three journeys (latest departure, fewest transfers, least walking) arriving in time."""
        return await planner.plan_arrive_by(parse_point("from", origin), parse_point("to", destination),
                                            parse_when("arriveBy", arrive_by))

    @get("/feeds", operation_id="listTransitFeeds", guards=[staff_only])
    async def feeds(self) -> FeedsOut:
        """The loaded GTFS feeds and the service days they cover."""
        cov: Coverage | None = await planner.coverage()
        return FeedsOut(first=cov.first if cov else None, last=cov.last if cov else None,
                        feeds=cov.feeds if cov else [])


class CommuteController(Controller):
    path = "/api/me/commute"
    tags = ["transit"]
    guards = [signed_in]
    dependencies = access.dependencies

    @get("/", operation_id="myCommute")
    async def mine(self, request: Request, actor: CurrentActor,
                   origin: Annotated[str | None, Parameter(query="from", required=False, max_length=60, pattern=POINT_RE,
                                                           description="Start point LAT,LON (until home places exist)")] = None,
                   item_id: Annotated[UUID | None, Parameter(query="itemId", required=False)] = None) -> CommuteOut:
        """Transit options to the asker's next shifts and trainings (7 days, at most 5), with when to leave home."""
        start = parse_point("from", origin) if origin else None
        return await commute_service.commute(actor, start, item_id,
                                             pick_language(request.headers.get("accept-language")))


ROUTES = [TransitController, CommuteController]
