"""Rules for organisations and workplaces: admins manage all, coaches their own organisation."""

from __future__ import annotations

import math
from typing import Any
from uuid import UUID

import msgspec

from backend.access import Actor, can_manage_organisation, organisation_scope, require_admin, visible_or_404
from backend.errors import InvalidInput, NotFound
from backend.organisations.schemas import (
    OrganisationCreate,
    OrganisationOut,
    OrganisationUpdate,
    WorkplaceCreate,
    WorkplaceOut,
    WorkplaceUpdate,
)
from backend.organisations.tables import Organisation, Workplace


def organisation_out(o: Organisation) -> OrganisationOut:
    return OrganisationOut(id=o.id, name=o.name, kind=o.kind, city=o.city, active=o.active)


def workplace_out(w: Workplace) -> WorkplaceOut:
    return WorkplaceOut(id=w.id, organisation_id=w.organisation, name=w.name, street=w.street,
                        postcode=w.postcode, city=w.city, latitude=w.latitude, longitude=w.longitude,
                        active=w.active)


async def visible_organisation(actor: Actor, organisation_id: UUID) -> Organisation:
    """404 unless the actor manages this organisation (`can_manage_organisation`)."""
    visible_or_404(can_manage_organisation(actor, organisation_id))
    org = await Organisation.objects().where(Organisation.id == organisation_id).first()
    if org is None:
        raise NotFound()
    return org


async def list_organisations(actor: Actor) -> list[OrganisationOut]:
    query = Organisation.objects().order_by(Organisation.name)
    org_id = organisation_scope(actor)
    if org_id is not None:
        query = query.where(Organisation.id == org_id)
    return [organisation_out(o) for o in await query]


def _require_text(name: str, value: str) -> None:
    if not value.strip():
        raise InvalidInput.field(name, "blank")


async def create_organisation(data: OrganisationCreate) -> OrganisationOut:
    _require_text("name", data.name)
    org = Organisation(name=data.name.strip(), kind=data.kind, city=data.city.strip())
    await org.save()
    return organisation_out(org)


def _changes(data: msgspec.Struct, table: Any) -> dict[Any, Any]:
    values = {}
    for name in data.__struct_fields__:
        value = getattr(data, name)
        if value is not msgspec.UNSET:
            values[getattr(table, name)] = value.strip() if isinstance(value, str) else value
    return values


async def update_organisation(actor: Actor, organisation_id: UUID, data: OrganisationUpdate) -> OrganisationOut:
    org = await visible_organisation(actor, organisation_id)
    require_admin(actor)
    if data.name is not msgspec.UNSET:
        _require_text("name", data.name)
    values = _changes(data, Organisation)
    if values:
        await Organisation.update(values).where(Organisation.id == org.id)
    return organisation_out(await Organisation.objects().where(Organisation.id == org.id).first())


async def list_workplaces(actor: Actor, organisation_id: UUID) -> list[WorkplaceOut]:
    org = await visible_organisation(actor, organisation_id)
    rows = await Workplace.objects().where(Workplace.organisation == org.id).order_by(Workplace.name)
    return [workplace_out(w) for w in rows]


def _check_coordinates(latitude: float | None, longitude: float | None) -> None:
    if (latitude is None) != (longitude is None):
        raise InvalidInput.field("latitude" if latitude is None else "longitude", "coordinates_pair")
    for name, value in (("latitude", latitude), ("longitude", longitude)):
        if value is not None and not math.isfinite(value):
            raise InvalidInput.field(name, f"{name}_range")


async def create_workplace(actor: Actor, organisation_id: UUID, data: WorkplaceCreate) -> WorkplaceOut:
    org = await visible_organisation(actor, organisation_id)
    _require_text("name", data.name)
    _check_coordinates(data.latitude, data.longitude)
    workplace = Workplace(organisation=org.id, name=data.name.strip(), street=data.street.strip(),
                          postcode=data.postcode.strip(), city=data.city.strip(),
                          latitude=data.latitude, longitude=data.longitude)
    await workplace.save()
    return workplace_out(workplace)


async def visible_workplace(actor: Actor, workplace_id: UUID) -> Workplace:
    workplace = await Workplace.objects().where(Workplace.id == workplace_id).first()
    if workplace is None:
        raise NotFound()
    visible_or_404(can_manage_organisation(actor, workplace.organisation))
    return workplace


async def update_workplace(actor: Actor, workplace_id: UUID, data: WorkplaceUpdate) -> WorkplaceOut:
    workplace = await visible_workplace(actor, workplace_id)
    if data.name is not msgspec.UNSET:
        _require_text("name", data.name)
    lat = workplace.latitude if data.latitude is msgspec.UNSET else data.latitude
    lon = workplace.longitude if data.longitude is msgspec.UNSET else data.longitude
    _check_coordinates(lat, lon)
    values = _changes(data, Workplace)
    if values:
        await Workplace.update(values).where(Workplace.id == workplace.id)
    return workplace_out(await Workplace.objects().where(Workplace.id == workplace.id).first())
