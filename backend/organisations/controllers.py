"""HTTP routes for organisations and workplaces."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, Request, get, patch, post
from litestar.params import FromPath, JSONBody

from backend.accounts.auth import admin_only, staff_only
from backend.organisations import services
from backend.organisations.schemas import (
    OrganisationCreate,
    OrganisationOut,
    OrganisationUpdate,
    WorkplaceCreate,
    WorkplaceOut,
    WorkplaceUpdate,
)


class OrganisationController(Controller):
    path = "/api/organisations"
    tags = ["organisations"]
    guards = [staff_only]

    @get("", operation_id="listOrganisations")
    async def list_organisations(self, request: Request) -> list[OrganisationOut]:
        return await services.list_organisations(request.scope["user"])

    @post("", operation_id="createOrganisation", guards=[admin_only])
    async def create(self, data: JSONBody[OrganisationCreate]) -> OrganisationOut:
        return await services.create_organisation(data)

    @get("/{organisation_id:uuid}", operation_id="getOrganisation")
    async def get_organisation(self, request: Request, organisation_id: FromPath[UUID]) -> OrganisationOut:
        return services.organisation_out(await services.visible_organisation(request.scope["user"], organisation_id))

    @patch("/{organisation_id:uuid}", operation_id="updateOrganisation")
    async def update(self, request: Request, organisation_id: FromPath[UUID],
                     data: JSONBody[OrganisationUpdate]) -> OrganisationOut:
        return await services.update_organisation(request.scope["user"], organisation_id, data)

    @get("/{organisation_id:uuid}/workplaces", operation_id="listWorkplaces")
    async def workplaces(self, request: Request, organisation_id: FromPath[UUID]) -> list[WorkplaceOut]:
        return await services.list_workplaces(request.scope["user"], organisation_id)

    @post("/{organisation_id:uuid}/workplaces", operation_id="createWorkplace")
    async def create_workplace(self, request: Request, organisation_id: FromPath[UUID],
                               data: JSONBody[WorkplaceCreate]) -> WorkplaceOut:
        return await services.create_workplace(request.scope["user"], organisation_id, data)


class WorkplaceController(Controller):
    path = "/api/workplaces"
    tags = ["organisations"]
    guards = [staff_only]

    @get("/{workplace_id:uuid}", operation_id="getWorkplace")
    async def get_workplace(self, request: Request, workplace_id: FromPath[UUID]) -> WorkplaceOut:
        return services.workplace_out(await services.visible_workplace(request.scope["user"], workplace_id))

    @patch("/{workplace_id:uuid}", operation_id="updateWorkplace")
    async def update(self, request: Request, workplace_id: FromPath[UUID],
                     data: JSONBody[WorkplaceUpdate]) -> WorkplaceOut:
        return await services.update_workplace(request.scope["user"], workplace_id, data)


ROUTES = [OrganisationController, WorkplaceController]
