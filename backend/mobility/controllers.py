"""HTTP routes for homes, ride offers, ride requests, rides and the coach's mobility overview."""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from uuid import UUID

from litestar import Controller, Request, Response, delete, get, patch, post, put
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.params import FromPath, JSONBody, Parameter

from backend.accounts.auth import signed_in, staff_only
from backend.errors import Forbidden, NotSignedIn, error_responses
from backend.idempotency import IdempotencyKey, run_once
from backend.mobility import offers, overview, places, rides, services
from backend.mobility.schemas import (
    BuddyProfileIn,
    BuddyProfileOut,
    CancelIn,
    GeocodeWorkplaceIn,
    HomeIn,
    HomeOut,
    KilometresOut,
    MyLocationIn,
    MyRideOut,
    OfferIn,
    OfferOut,
    OfferUpdate,
    OverviewOut,
    ProposalOut,
    RideWorkplaceOut,
    RideRequestIn,
    RideRequestOut,
)
from backend.organisations.schemas import WorkplaceOut

CONFLICTS = error_responses(409)
DateFrom = Annotated[dt.date | None, Parameter(query="from", required=False)]
DateTo = Annotated[dt.date | None, Parameter(query="to", required=False)]


def buddy_only(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    actor = connection.scope.get("user")
    if actor is None:
        raise NotSignedIn()
    if actor.role != "buddy":
        raise Forbidden("only_for_buddies")


class MyMobilityController(Controller):
    path = "/api/me"
    tags = ["mobility"]
    guards = [signed_in]

    @get("/home", operation_id="getMyHome")
    async def get_home(self, request: Request) -> HomeOut:
        """A worker's own home (address and coordinates)."""
        return await places.my_home(request.scope["user"])

    @put("/home", operation_id="setMyHomeLocation")
    async def set_home(self, request: Request, data: JSONBody[MyLocationIn]) -> HomeOut:
        """'Gebruik mijn locatie': the phone's position (navigator.geolocation) becomes the home."""
        return await places.set_my_location(request.scope["user"], data)

    @get("/buddy-profile", operation_id="getMyBuddyProfile", guards=[buddy_only])
    async def get_profile(self, request: Request) -> BuddyProfileOut:
        return await places.buddy_profile(request.scope["user"])

    @put("/buddy-profile", operation_id="setMyBuddyProfile", guards=[buddy_only])
    async def set_profile(self, request: Request, data: JSONBody[BuddyProfileIn]) -> BuddyProfileOut:
        """The car description a worker recognises the buddy by."""
        return await places.set_buddy_profile(request.scope["user"], data)

    @get("/rides", operation_id="myRides")
    async def my_rides(self, request: Request, first: DateFrom = None, last: DateTo = None) -> list[MyRideOut]:
        """Confirmed (and cancelled, done) rides, shaped for the worker or for the buddy."""
        return await rides.my_rides(request.scope["user"], first, last)

    @get("/rides/kilometres", operation_id="myRideKilometres", guards=[buddy_only])
    async def kilometres(self, request: Request,
                         year: Annotated[int | None, Parameter(query="year", ge=2000, le=2100, required=False)] = None,
                         ) -> KilometresOut:
        """Kilometres per month of rides done or no-show, for the volunteer expense claim."""
        return await rides.kilometres(request.scope["user"], year)

    @get("/ride-proposals", operation_id="myRideProposals", guards=[buddy_only])
    async def proposals(self, request: Request) -> list[ProposalOut]:
        """Ride requests waiting for this buddy's answer."""
        return await rides.my_proposals(request.scope["user"])


class MobilityController(Controller):
    path = "/api/mobility"
    tags = ["mobility"]
    guards = [staff_only]

    @get("/people/{person_id:uuid}/home", operation_id="getWorkerHome")
    async def get_home(self, request: Request, person_id: FromPath[UUID]) -> HomeOut:
        return await places.get_home(request.scope["user"], person_id)

    @put("/people/{person_id:uuid}/home", operation_id="setWorkerHome")
    async def set_home(self, request: Request, person_id: FromPath[UUID], data: JSONBody[HomeIn]) -> HomeOut:
        """Coordinates as typed, or the address looked up by the configured geocoder."""
        return await places.set_home(request.scope["user"], person_id, data)

    @post("/workplaces/{workplace_id:uuid}/geocode", operation_id="geocodeWorkplace", status_code=200)
    async def geocode_workplace(self, request: Request, workplace_id: FromPath[UUID],
                                data: JSONBody[GeocodeWorkplaceIn]) -> WorkplaceOut:
        """Set the workplace's coordinates from its address."""
        return await places.geocode_workplace(request.scope["user"], workplace_id, data)

    @get("/overview", operation_id="mobilityOverview")
    async def overview(self, request: Request,
                       day: Annotated[dt.date | None, Parameter(query="date", required=False)] = None) -> OverviewOut:
        """For each of the coach's workers: the day's shifts (tomorrow by default) and their rides."""
        return await overview.overview(request.scope["user"], day)


class RideOfferController(Controller):
    path = "/api/ride-offers"
    tags = ["rides"]
    guards = [buddy_only]

    @get("", operation_id="listRideOffers")
    async def list_offers(self, request: Request) -> list[OfferOut]:
        return await offers.list_offers(request.scope["user"])

    @get("/workplaces", operation_id="listRideWorkplaces")
    async def workplaces(self, request: Request) -> list[RideWorkplaceOut]:
        """The workplaces of the buddy's organisation a ride can go to (those with coordinates)."""
        return await offers.ride_workplaces(request.scope["user"])

    @post("", operation_id="createRideOffer")
    async def create(self, request: Request, data: JSONBody[OfferIn]) -> OfferOut:
        """A recurring ride: weekdays, leaving time, from where, to which workplace, seats, detour."""
        return await offers.create_offer(request.scope["user"], data)

    @get("/{offer_id:uuid}", operation_id="getRideOffer")
    async def get_offer(self, request: Request, offer_id: FromPath[UUID]) -> OfferOut:
        return await offers.get_offer(request.scope["user"], offer_id)

    @patch("/{offer_id:uuid}", operation_id="updateRideOffer")
    async def update(self, request: Request, offer_id: FromPath[UUID], data: JSONBody[OfferUpdate]) -> OfferOut:
        return await offers.update_offer(request.scope["user"], offer_id, data)

    @delete("/{offer_id:uuid}", operation_id="deleteRideOffer", status_code=204)
    async def stop(self, request: Request, offer_id: FromPath[UUID]) -> None:
        """Stop the offer; confirmed rides stay until cancelled one by one."""
        await offers.stop_offer(request.scope["user"], offer_id)


class RideRequestController(Controller):
    path = "/api/ride-requests"
    tags = ["rides"]
    guards = [signed_in]

    @post("", operation_id="createRideRequests", responses=CONFLICTS)
    async def create(self, request: Request, data: JSONBody[RideRequestIn]) -> list[RideRequestOut]:
        """Ask for a ride to one shift, or to every shift in a period; buddies get proposals at once."""
        return await services.create_requests(request.scope["user"], data)

    @get("", operation_id="listRideRequests")
    async def list_requests(self, request: Request, worker_id: Annotated[
            UUID | None, Parameter(query="workerId", required=False)] = None) -> list[RideRequestOut]:
        return await services.list_requests(request.scope["user"], worker_id)

    @get("/{request_id:uuid}", operation_id="getRideRequest")
    async def get_request(self, request: Request, request_id: FromPath[UUID]) -> RideRequestOut:
        return await services.get_request(request.scope["user"], request_id)

    @post("/{request_id:uuid}/cancel", operation_id="cancelRideRequest", status_code=200)
    async def cancel(self, request: Request, request_id: FromPath[UUID]) -> RideRequestOut:
        """No ride needed any more; a confirmed ride is called off and its buddy told."""
        return await services.cancel_request(request.scope["user"], request_id)


class RideController(Controller):
    path = "/api/rides"
    tags = ["rides"]
    guards = [buddy_only]

    @post("/{ride_id:uuid}/accept", operation_id="acceptRide", status_code=200, responses=CONFLICTS)
    async def accept(self, request: Request, ride_id: FromPath[UUID],
                     idempotency_key: IdempotencyKey = None) -> Response[MyRideOut]:
        """Take the worker along; 409 when the ride is full that day, taken by another buddy, or cancelled."""
        actor = request.scope["user"]
        return await run_once(actor.id, idempotency_key, lambda: rides.accept(actor, ride_id), 200,
                              scope="acceptRide")

    @post("/{ride_id:uuid}/decline", operation_id="declineRide", status_code=200, responses=CONFLICTS)
    async def decline(self, request: Request, ride_id: FromPath[UUID],
                      idempotency_key: IdempotencyKey = None) -> Response[ProposalOut]:
        actor = request.scope["user"]
        return await run_once(actor.id, idempotency_key, lambda: rides.decline(actor, ride_id), 200,
                              scope="declineRide")

    @post("/{ride_id:uuid}/cancel", operation_id="cancelRide", status_code=200, responses=CONFLICTS)
    async def cancel(self, request: Request, ride_id: FromPath[UUID], data: JSONBody[CancelIn],
                     idempotency_key: IdempotencyKey = None) -> Response[MyRideOut]:
        """The buddy cannot drive: the worker and the coach are told at once."""
        actor = request.scope["user"]
        return await run_once(actor.id, idempotency_key, lambda: rides.cancel(actor, ride_id, data.reason), 200,
                              scope="cancelRide")

    @post("/{ride_id:uuid}/done", operation_id="markRideDone", status_code=200, responses=CONFLICTS)
    async def done(self, request: Request, ride_id: FromPath[UUID],
                   idempotency_key: IdempotencyKey = None) -> Response[MyRideOut]:
        actor = request.scope["user"]
        return await run_once(actor.id, idempotency_key, lambda: rides.mark(actor, ride_id, "done"), 200,
                              scope="markRideDone")

    @post("/{ride_id:uuid}/no-show", operation_id="markRideNoShow", status_code=200, responses=CONFLICTS)
    async def no_show(self, request: Request, ride_id: FromPath[UUID],
                      idempotency_key: IdempotencyKey = None) -> Response[MyRideOut]:
        actor = request.scope["user"]
        return await run_once(actor.id, idempotency_key, lambda: rides.mark(actor, ride_id, "no_show"), 200,
                              scope="markRideNoShow")


ROUTES = [MyMobilityController, MobilityController, RideOfferController, RideRequestController, RideController]
