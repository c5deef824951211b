"""Request and response shapes for organisations and workplaces."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal
from uuid import UUID

import msgspec
from litestar.openapi.spec import Schema

from backend.schemas import NO_NUL, NOT_BLANK, CamelStruct, InputStruct, Latitude, Longitude

OrganisationKind = Literal["maatwerkbedrijf", "lde", "werkervaring", "art60", "other"]
OrgName = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=NOT_BLANK)]
City = Annotated[str, msgspec.Meta(max_length=100, pattern=NO_NUL)]
Street = Annotated[str, msgspec.Meta(max_length=200, pattern=NO_NUL)]
Postcode = Annotated[str, msgspec.Meta(max_length=10, pattern=NO_NUL)]


class OrganisationOut(CamelStruct):
    id: UUID
    name: str
    kind: str
    city: str
    active: bool


class OrganisationCreate(InputStruct):
    name: OrgName
    kind: OrganisationKind = "maatwerkbedrijf"
    city: City = ""


class OrganisationUpdate(InputStruct):
    name: OrgName | msgspec.UnsetType = msgspec.UNSET
    kind: OrganisationKind | msgspec.UnsetType = msgspec.UNSET
    city: City | msgspec.UnsetType = msgspec.UNSET
    active: bool | msgspec.UnsetType = msgspec.UNSET


class WorkplaceOut(CamelStruct):
    id: UUID
    organisation_id: UUID
    name: str
    street: str
    postcode: str
    city: str
    latitude: float | None
    longitude: float | None
    active: bool


class WorkplaceCreate(InputStruct):
    name: OrgName
    street: Street = ""
    postcode: Postcode = ""
    city: City = ""
    latitude: Latitude | None = None
    longitude: Longitude | None = None

    # Both coordinates or neither (checked in `services._check_coordinates`).
    openapi_extra: ClassVar[dict[str, Any]] = {"any_of": [
        Schema(required=["latitude", "longitude"],
               properties={"latitude": Schema(type="number"), "longitude": Schema(type="number")}),
        Schema(properties={"latitude": Schema(type="null"), "longitude": Schema(type="null")}),
    ]}


class WorkplaceUpdate(InputStruct):
    name: OrgName | msgspec.UnsetType = msgspec.UNSET
    street: Street | msgspec.UnsetType = msgspec.UNSET
    postcode: Postcode | msgspec.UnsetType = msgspec.UNSET
    city: City | msgspec.UnsetType = msgspec.UNSET
    latitude: Latitude | None | msgspec.UnsetType = msgspec.UNSET
    longitude: Longitude | None | msgspec.UnsetType = msgspec.UNSET
    active: bool | msgspec.UnsetType = msgspec.UNSET
