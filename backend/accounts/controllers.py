"""HTTP routes for signing in, the signed-in person, and people management."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.datastructures import Cookie
from litestar.params import FromPath, FromQuery, JSONBody, Parameter

from backend.accounts import services
from backend.accounts.auth import SESSION_COOKIE, Actor, client_address, signed_in, staff_only
from backend.accounts.schemas import (
    DeviceOut,
    InviteOut,
    InviteRedeemIn,
    LoginIn,
    MeOut,
    MeUpdate,
    PersonCreate,
    PersonCreated,
    PersonOut,
    PersonUpdate,
)
from backend.coaching import audit
from backend.errors import error_responses
from backend.settings import get_settings


def _actor(request: Request) -> Actor:
    return request.scope["user"]


def _session_cookie(session: services.NewSession | None) -> Cookie:
    secure = get_settings().https
    if session is None:
        return Cookie(key=SESSION_COOKIE, value="", max_age=0, httponly=True, samesite="lax", secure=secure)
    max_age = int((session.expires_at - services.now()).total_seconds())
    return Cookie(key=SESSION_COOKIE, value=session.token, max_age=max_age, httponly=True, samesite="lax",
                  secure=secure, path="/")


async def _signed_in_response(request: Request, session: services.NewSession) -> Response[MeOut]:
    body = await services.me(session.actor_id)
    return Response(body, cookies=[_session_cookie(session)])


class AuthController(Controller):
    path = "/api/auth"
    tags = ["auth"]

    @post("/login", operation_id="login", status_code=200, security=[],
          responses=error_responses(401, 429))
    async def login(self, request: Request, data: JSONBody[LoginIn]) -> Response[MeOut]:
        """Coaches and admins sign in with e-mail and password."""
        session = await services.sign_in_with_password(
            data.email, data.password, client_address(request.scope),
            services.device_label(request.headers.get("user-agent", "")))
        return await _signed_in_response(request, session)

    @post("/invite", operation_id="redeemInvite", status_code=200, security=[],
          responses=error_responses(401, 429))
    async def redeem(self, request: Request, data: JSONBody[InviteRedeemIn]) -> Response[MeOut]:
        """Workers and buddies sign this device in with the invite link's token or the short code."""
        session = await services.redeem_invite(
            data.token, data.code, client_address(request.scope),
            services.device_label(request.headers.get("user-agent", "")))
        return await _signed_in_response(request, session)

    @post("/logout", operation_id="logout", status_code=204, guards=[signed_in])
    async def logout(self, request: Request) -> Response[None]:
        await services.sign_out(_actor(request))
        return Response(None, status_code=204, cookies=[_session_cookie(None)])


class MeController(Controller):
    path = "/api/me"
    tags = ["me"]
    guards = [signed_in]

    @get("", operation_id="getMe")
    async def get_me(self, request: Request) -> MeOut:
        return await services.me(_actor(request).id)

    @patch("", operation_id="updateMe")
    async def update_me(self, request: Request, data: JSONBody[MeUpdate]) -> MeOut:
        return await services.update_me(_actor(request), data)

    @get("/devices", operation_id="listMyDevices")
    async def devices(self, request: Request) -> list[DeviceOut]:
        actor = _actor(request)
        return await services.list_devices(actor.id, actor.session_id)

    @delete("/devices/{device_id:uuid}", operation_id="revokeMyDevice", status_code=204)
    async def revoke_device(self, request: Request, device_id: FromPath[UUID]) -> None:
        await services.revoke_device(_actor(request).id, device_id)


class PeopleController(Controller):
    path = "/api/people"
    tags = ["people"]
    guards = [staff_only]

    @get("", operation_id="listPeople")
    async def list_people(
        self, request: Request,
        role: FromQuery[Literal["worker", "buddy", "coach", "admin"] | None] = None,
        active: FromQuery[bool | None] = None,
        mine: FromQuery[bool] = False,
        organisation_id: Annotated[UUID | None, Parameter(query="organisationId", required=False)] = None,
    ) -> list[PersonOut]:
        """People the asker may see: a coach their organisation, an admin everyone."""
        return await services.list_people(_actor(request), role, active, mine, organisation_id)

    @post("", operation_id="createPerson")
    async def create(self, request: Request, data: JSONBody[PersonCreate]) -> PersonCreated:
        """Add a worker or buddy (with a single-use invite), or as admin a coach."""
        person, invite = await services.create_person(_actor(request), data)
        return PersonCreated(person=person, invite=invite)

    @get("/{person_id:uuid}", operation_id="getPerson")
    async def get_person(self, request: Request, person_id: FromPath[UUID]) -> PersonOut:
        person = services.person_out(await services.visible_person(_actor(request), person_id))
        await audit.record(_actor(request), person_id, "view_file")
        return person

    @patch("/{person_id:uuid}", operation_id="updatePerson")
    async def update(self, request: Request, person_id: FromPath[UUID], data: JSONBody[PersonUpdate]) -> PersonOut:
        person = await services.update_person(_actor(request), person_id, data)
        changed = [f.encode_name for f in msgspec.structs.fields(data) if getattr(data, f.name) is not msgspec.UNSET]
        await audit.record(_actor(request), person_id, "change_file", ",".join(changed))
        return person

    @post("/{person_id:uuid}/invites", operation_id="createInvite")
    async def new_invite(self, request: Request, person_id: FromPath[UUID]) -> InviteOut:
        return await services.create_invite(_actor(request), person_id)

    @get("/{person_id:uuid}/devices", operation_id="listPersonDevices")
    async def devices(self, request: Request, person_id: FromPath[UUID]) -> list[DeviceOut]:
        person = await services.manageable_person(_actor(request), person_id)
        return await services.list_devices(person.id, _actor(request).session_id)

    @delete("/{person_id:uuid}/devices/{device_id:uuid}", operation_id="revokePersonDevice", status_code=204)
    async def revoke_device(self, request: Request, person_id: FromPath[UUID], device_id: FromPath[UUID]) -> None:
        person = await services.manageable_person(_actor(request), person_id)
        await services.revoke_device(person.id, device_id)

    @post("/{person_id:uuid}/deactivate", operation_id="deactivatePerson", status_code=200)
    async def deactivate(self, request: Request, person_id: FromPath[UUID]) -> PersonOut:
        """Deactivate: every session of the person ends at once."""
        return await services.set_active(_actor(request), person_id, active=False)

    @post("/{person_id:uuid}/activate", operation_id="activatePerson", status_code=200)
    async def activate(self, request: Request, person_id: FromPath[UUID]) -> PersonOut:
        return await services.set_active(_actor(request), person_id, active=True)


ROUTES: list[Any] = [AuthController, MeController, PeopleController]
