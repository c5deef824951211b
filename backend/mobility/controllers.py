"""HTTP routes for homes, ride offers, ride requests, rides and the coach's mobility overview."""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from uuid import UUID

from litestar import Controller, Response, delete, get, patch, post, put
from litestar.params import FromPath, JSONBody, Parameter

from backend import access
from backend.access import CurrentActor, buddy_only, signed_in, staff_only
from backend.errors import error_responses
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
    PickupIn,
    PickupOut,
    ProposalOut,
    RideWorkplaceOut,
    RideRequestIn,
    RideRequestOut,
)
from backend.organisations.schemas import WorkplaceOut

CONFLICTS = error_responses(409)
DateFrom = Annotated[dt.date | None, Parameter(query="from", required=False)]
DateTo = Annotated[dt.date | None, Parameter(query="to", required=False)]


class MyMobilityController(Controller):
    path = "/api/me"
    tags = ["mobility"]
    guards = [signed_in]
    dependencies = access.dependencies

    @get("/home", operation_id="getMyHome")
    async def get_home(self, actor: CurrentActor) -> HomeOut:
        """A worker's own home (address and coordinates)."""
        return await places.my_home(actor)

    @put("/home", operation_id="setMyHomeLocation")
    async def set_home(self, actor: CurrentActor, data: JSONBody[MyLocationIn]) -> HomeOut:
        """'Gebruik mijn locatie': the phone's position (navigator.geolocation) becomes the home."""
        return await places.set_my_location(actor, data)

    @get("/buddy-profile", operation_id="getMyBuddyProfile", guards=[buddy_only])
    async def get_profile(self, actor: CurrentActor) -> BuddyProfileOut:
        return await places.buddy_profile(actor)

    @put("/buddy-profile", operation_id="setMyBuddyProfile", guards=[buddy_only])
    async def set_profile(self, actor: CurrentActor, data: JSONBody[BuddyProfileIn]) -> BuddyProfileOut:
        """The car description a worker recognises the buddy by."""
        return await places.set_buddy_profile(actor, data)

    @get("/rides", operation_id="myRides")
    async def my_rides(self, actor: CurrentActor, first: DateFrom = None, last: DateTo = None) -> list[MyRideOut]:
        """Confirmed (and cancelled, done) rides, shaped for the worker or for the buddy."""
        return await rides.my_rides(actor, first, last)

    @get("/rides/kilometres", operation_id="myRideKilometres", guards=[buddy_only])
    async def kilometres(self, actor: CurrentActor,
                         year: Annotated[int | None, Parameter(query="year", ge=2000, le=2100, required=False)] = None,
                         ) -> KilometresOut:
        """Kilometres per month of rides done or no-show, for the volunteer expense claim."""
        return await rides.kilometres(actor, year)

    @get("/ride-proposals", operation_id="myRideProposals", guards=[buddy_only])
    async def proposals(self, actor: CurrentActor) -> list[ProposalOut]:
        """Ride requests waiting for this buddy's answer."""
        return await rides.my_proposals(actor)


class MobilityController(Controller):
    path = "/api/mobility"
    tags = ["mobility"]
    guards = [staff_only]
    dependencies = access.dependencies

    @get("/people/{person_id:uuid}/home", operation_id="getWorkerHome")
    async def get_home(self, actor: CurrentActor, person_id: FromPath[UUID]) -> HomeOut:
        return await places.get_home(actor, person_id)

    @put("/people/{person_id:uuid}/home", operation_id="setWorkerHome")
    async def set_home(self, actor: CurrentActor, person_id: FromPath[UUID], data: JSONBody[HomeIn]) -> HomeOut:
        """Coordinates as typed, or the address looked up by the configured geocoder."""
        return await places.set_home(actor, person_id, data)

    @post("/workplaces/{workplace_id:uuid}/geocode", operation_id="geocodeWorkplace", status_code=200)
    async def geocode_workplace(self, actor: CurrentActor, workplace_id: FromPath[UUID],
                                data: JSONBody[GeocodeWorkplaceIn]) -> WorkplaceOut:
        """Set the workplace's coordinates from its address."""
        return await places.geocode_workplace(actor, workplace_id, data)

    @put("/rides/{ride_id:uuid}/pickup", operation_id="nameRidePickupForWorker", responses=CONFLICTS)
    async def name_pickup(self, actor: CurrentActor, ride_id: FromPath[UUID], data: JSONBody[PickupIn]) -> PickupOut:
        """Name the pickup point of a ride of one of the coach's workers ('Bushalte Stalenstraat')."""
        return await rides.name_pickup_for_worker(actor, ride_id, data)

    @get("/overview", operation_id="mobilityOverview")
    async def overview(self, actor: CurrentActor,
                       day: Annotated[dt.date | None, Parameter(query="date", required=False)] = None) -> OverviewOut:
        """For each of the coach's workers: the day's shifts (tomorrow by default) and their rides."""
        return await overview.overview(actor, day)


class RideOfferController(Controller):
    path = "/api/ride-offers"
    tags = ["rides"]
    guards = [buddy_only]
    dependencies = access.dependencies

    @get("", operation_id="listRideOffers")
    async def list_offers(self, actor: CurrentActor) -> list[OfferOut]:
        return await offers.list_offers(actor)

    @get("/workplaces", operation_id="listRideWorkplaces")
    async def workplaces(self, actor: CurrentActor) -> list[RideWorkplaceOut]:
        """The workplaces of the buddy's organisation a ride can go to (those with coordinates)."""
        return await offers.ride_workplaces(actor)

    @post("", operation_id="createRideOffer")
    async def create(self, actor: CurrentActor, data: JSONBody[OfferIn]) -> OfferOut:
        """A recurring ride: weekdays, leaving time, from where, to which workplace, seats, detour."""
        return await offers.create_offer(actor, data)

    @get("/{offer_id:uuid}", operation_id="getRideOffer")
    async def get_offer(self, actor: CurrentActor, offer_id: FromPath[UUID]) -> OfferOut:
        return await offers.get_offer(actor, offer_id)

    @patch("/{offer_id:uuid}", operation_id="updateRideOffer")
    async def update(self, actor: CurrentActor, offer_id: FromPath[UUID], data: JSONBody[OfferUpdate]) -> OfferOut:
        return await offers.update_offer(actor, offer_id, data)

    @delete("/{offer_id:uuid}", operation_id="deleteRideOffer", status_code=204)
    async def stop(self, actor: CurrentActor, offer_id: FromPath[UUID]) -> None:
        """Stop the offer; confirmed rides stay until cancelled one by one."""
        await offers.stop_offer(actor, offer_id)


class RideRequestController(Controller):
    path = "/api/ride-requests"
    tags = ["rides"]
    guards = [signed_in]
    dependencies = access.dependencies

    @post("", operation_id="createRideRequests", responses=CONFLICTS)
    async def create(self, actor: CurrentActor, data: JSONBody[RideRequestIn]) -> list[RideRequestOut]:
        """Ask for a ride to one shift, or to every shift in a period; buddies get proposals at once."""
        return await services.create_requests(actor, data)

    @get("", operation_id="listRideRequests")
    async def list_requests(self, actor: CurrentActor, worker_id: Annotated[
            UUID | None, Parameter(query="workerId", required=False)] = None) -> list[RideRequestOut]:
        return await services.list_requests(actor, worker_id)

    @get("/{request_id:uuid}", operation_id="getRideRequest")
    async def get_request(self, actor: CurrentActor, request_id: FromPath[UUID]) -> RideRequestOut:
        return await services.get_request(actor, request_id)

    @post("/{request_id:uuid}/cancel", operation_id="cancelRideRequest", status_code=200)
    async def cancel(self, actor: CurrentActor, request_id: FromPath[UUID]) -> RideRequestOut:
        """No ride needed any more; a confirmed ride is called off and its buddy told."""
        return await services.cancel_request(actor, request_id)


class RideController(Controller):
    path = "/api/rides"
    tags = ["rides"]
    guards = [buddy_only]
    dependencies = access.dependencies

    @post("/{ride_id:uuid}/accept", operation_id="acceptRide", status_code=200, responses=CONFLICTS)
    async def accept(self, actor: CurrentActor, ride_id: FromPath[UUID],
                     idempotency_key: IdempotencyKey = None) -> Response[MyRideOut]:
        """Take the worker along; 409 when the ride is full that day, taken by another buddy, or cancelled."""
        return await run_once(actor.id, idempotency_key, lambda: rides.accept(actor, ride_id), 200,
                              scope="acceptRide")

    @post("/{ride_id:uuid}/decline", operation_id="declineRide", status_code=200, responses=CONFLICTS)
    async def decline(self, actor: CurrentActor, ride_id: FromPath[UUID],
                      idempotency_key: IdempotencyKey = None) -> Response[ProposalOut]:
        return await run_once(actor.id, idempotency_key, lambda: rides.decline(actor, ride_id), 200,
                              scope="declineRide")

    @post("/{ride_id:uuid}/cancel", operation_id="cancelRide", status_code=200, responses=CONFLICTS)
    async def cancel(self, actor: CurrentActor, ride_id: FromPath[UUID], data: JSONBody[CancelIn],
                     idempotency_key: IdempotencyKey = None) -> Response[MyRideOut]:
        """The buddy cannot drive: the worker and the coach are told at once."""
        return await run_once(actor.id, idempotency_key, lambda: rides.cancel(actor, ride_id, data.reason), 200,
                              scope="cancelRide")

    @put("/{ride_id:uuid}/pickup", operation_id="nameRidePickup", responses=CONFLICTS)
    async def name_pickup(self, actor: CurrentActor, ride_id: FromPath[UUID], data: JSONBody[PickupIn]) -> PickupOut:
        """The buddy names where they pick the worker up ('Kerk Zwartberg'), with its address."""
        return await rides.name_pickup(actor, ride_id, data)

    @post("/{ride_id:uuid}/done", operation_id="markRideDone", status_code=200, responses=CONFLICTS)
    async def done(self, actor: CurrentActor, ride_id: FromPath[UUID],
                   idempotency_key: IdempotencyKey = None) -> Response[MyRideOut]:
        return await run_once(actor.id, idempotency_key, lambda: rides.mark(actor, ride_id, "done"), 200,
                              scope="markRideDone")

    @post("/{ride_id:uuid}/no-show", operation_id="markRideNoShow", status_code=200, responses=CONFLICTS)
    async def no_show(self, actor: CurrentActor, ride_id: FromPath[UUID],
                      idempotency_key: IdempotencyKey = None) -> Response[MyRideOut]:
        return await run_once(actor.id, idempotency_key, lambda: rides.mark(actor, ride_id, "no_show"), 200,
                              scope="markRideNoShow")


ROUTES = [MyMobilityController, MobilityController, RideOfferController, RideRequestController, RideController]
