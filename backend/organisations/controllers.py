"""HTTP routes for organisations and workplaces."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, get, patch, post
from litestar.params import FromPath, JSONBody

from backend import access
from backend.access import CurrentActor, admin_only, staff_only
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
    dependencies = access.dependencies

    @get("", operation_id="listOrganisations")
    async def list_organisations(self, actor: CurrentActor) -> list[OrganisationOut]:
        return await services.list_organisations(actor)

    @post("", operation_id="createOrganisation", guards=[admin_only])
    async def create(self, data: JSONBody[OrganisationCreate]) -> OrganisationOut:
        return await services.create_organisation(data)

    @get("/{organisation_id:uuid}", operation_id="getOrganisation")
    async def get_organisation(self, actor: CurrentActor, organisation_id: FromPath[UUID]) -> OrganisationOut:
        return services.organisation_out(await services.visible_organisation(actor, organisation_id))

    @patch("/{organisation_id:uuid}", operation_id="updateOrganisation")
    async def update(self, actor: CurrentActor, organisation_id: FromPath[UUID],
                     data: JSONBody[OrganisationUpdate]) -> OrganisationOut:
        return await services.update_organisation(actor, organisation_id, data)

    @get("/{organisation_id:uuid}/workplaces", operation_id="listWorkplaces")
    async def workplaces(self, actor: CurrentActor, organisation_id: FromPath[UUID]) -> list[WorkplaceOut]:
        return await services.list_workplaces(actor, organisation_id)

    @post("/{organisation_id:uuid}/workplaces", operation_id="createWorkplace")
    async def create_workplace(self, actor: CurrentActor, organisation_id: FromPath[UUID],
                               data: JSONBody[WorkplaceCreate]) -> WorkplaceOut:
        return await services.create_workplace(actor, organisation_id, data)


class WorkplaceController(Controller):
    path = "/api/workplaces"
    tags = ["organisations"]
    guards = [staff_only]
    dependencies = access.dependencies

    @get("/{workplace_id:uuid}", operation_id="getWorkplace")
    async def get_workplace(self, actor: CurrentActor, workplace_id: FromPath[UUID]) -> WorkplaceOut:
        return services.workplace_out(await services.visible_workplace(actor, workplace_id))

    @patch("/{workplace_id:uuid}", operation_id="updateWorkplace")
    async def update(self, actor: CurrentActor, workplace_id: FromPath[UUID],
                     data: JSONBody[WorkplaceUpdate]) -> WorkplaceOut:
        return await services.update_workplace(actor, workplace_id, data)


ROUTES = [OrganisationController, WorkplaceController]
