"""HTTP routes for signing in, the signed-in person, and people management."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.datastructures import Cookie
from litestar.params import FromPath, FromQuery, JSONBody, Parameter

from backend import access
from backend.access import CurrentActor, signed_in, staff_only
from backend.accounts import passwords, services
from backend.accounts.auth import (
    DEVICE_COOKIE,
    DEVICE_COOKIE_DAYS,
    SESSION_COOKIE,
    client_address,
    me_row,
)
from backend.accounts.schemas import (
    DeviceOut,
    InviteOut,
    InviteRedeemIn,
    LoginIn,
    MeOut,
    MeUpdate,
    PasswordChangeIn,
    PasswordResetIn,
    PasswordResetOut,
    PersonCreate,
    PersonCreated,
    PersonOut,
    PersonUpdate,
)
from backend.coaching import audit
from backend.errors import error_responses
from backend.settings import get_settings


def _session_cookie(session: services.NewSession | None) -> Cookie:
    secure = get_settings().https
    if session is None:
        return Cookie(key=SESSION_COOKIE, value="", max_age=0, httponly=True, samesite="lax", secure=secure)
    max_age = int((session.expires_at - services.now()).total_seconds())
    return Cookie(key=SESSION_COOKIE, value=session.token, max_age=max_age, httponly=True, samesite="lax",
                  secure=secure, path="/")


def _device_cookie(value: str) -> Cookie:
    # Sent back only to the sign-in routes; Strict, since it is never needed from another site.
    return Cookie(key=DEVICE_COOKIE, value=value, max_age=DEVICE_COOKIE_DAYS * 86400, httponly=True,
                  samesite="strict", secure=get_settings().https, path="/api/auth")


async def _signed_in_response(request: Request, session: services.NewSession) -> Response[MeOut]:
    body = await services.me(session.actor_id)
    cookies = [_session_cookie(session)]
    if session.device_cookie:
        cookies.append(_device_cookie(session.device_cookie))
    return Response(body, cookies=cookies)


class AuthController(Controller):
    path = "/api/auth"
    tags = ["auth"]
    dependencies = access.dependencies

    @post("/login", operation_id="login", status_code=200, security=[],
          responses=error_responses(401, 429))
    async def login(self, request: Request, data: JSONBody[LoginIn]) -> Response[MeOut]:
        """Coaches and admins sign in with e-mail and password."""
        session = await services.sign_in_with_password(
            data.email, data.password, client_address(request.scope),
            services.device_label(request.headers.get("user-agent", "")), request.cookies.get(DEVICE_COOKIE))
        return await _signed_in_response(request, session)

    @post("/reset", operation_id="resetPassword", status_code=200, security=[],
          responses=error_responses(400))
    async def reset(self, request: Request, data: JSONBody[PasswordResetIn]) -> Response[MeOut]:
        """Set a new password with an admin's reset link; signs this browser in and ends every other
        session of the person."""
        session = await passwords.redeem_reset(data.token, data.password,
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
    async def logout(self, actor: CurrentActor) -> Response[None]:
        await services.sign_out(actor)
        return Response(None, status_code=204, cookies=[_session_cookie(None)])


class MeController(Controller):
    path = "/api/me"
    tags = ["me"]
    guards = [signed_in]
    dependencies = access.dependencies

    @get("", operation_id="getMe")
    async def get_me(self, request: Request, actor: CurrentActor) -> MeOut:
        return await services.me(actor.id, me_row(request.scope, actor.id))

    @patch("", operation_id="updateMe")
    async def update_me(self, actor: CurrentActor, data: JSONBody[MeUpdate]) -> MeOut:
        return await services.update_me(actor, data)

    @post("/password", operation_id="changeMyPassword", status_code=204, guards=[staff_only],
          responses=error_responses(400, 429))
    async def change_password(self, actor: CurrentActor, data: JSONBody[PasswordChangeIn]) -> None:
        """A coach or admin changes their password (current and new); every other session ends."""
        await passwords.change_password(actor, data.current_password, data.new_password)

    @get("/devices", operation_id="listMyDevices")
    async def devices(self, actor: CurrentActor) -> list[DeviceOut]:
        return await services.list_devices(actor.id, actor.session_id)

    @delete("/devices/{device_id:uuid}", operation_id="revokeMyDevice", status_code=204)
    async def revoke_device(self, actor: CurrentActor, device_id: FromPath[UUID]) -> None:
        await services.revoke_device(actor.id, device_id)


class PeopleController(Controller):
    path = "/api/people"
    tags = ["people"]
    guards = [staff_only]
    dependencies = access.dependencies

    @get("", operation_id="listPeople")
    async def list_people(
        self, actor: CurrentActor,
        role: FromQuery[Literal["worker", "buddy", "coach", "admin"] | None] = None,
        active: FromQuery[bool | None] = None,
        mine: FromQuery[bool] = False,
        organisation_id: Annotated[UUID | None, Parameter(query="organisationId", required=False)] = None,
    ) -> list[PersonOut]:
        """People the asker may see: a coach their organisation, an admin everyone."""
        return await services.list_people(actor, role, active, mine, organisation_id)

    @post("", operation_id="createPerson")
    async def create(self, actor: CurrentActor, data: JSONBody[PersonCreate]) -> PersonCreated:
        """Add a worker or buddy (with a single-use invite), or as admin a coach."""
        person, invite = await services.create_person(actor, data)
        return PersonCreated(person=person, invite=invite)

    @get("/{person_id:uuid}", operation_id="getPerson")
    async def get_person(self, actor: CurrentActor, person_id: FromPath[UUID]) -> PersonOut:
        person = services.person_out(await services.visible_person(actor, person_id))
        await audit.record(actor, person_id, "view_file")
        return person

    @patch("/{person_id:uuid}", operation_id="updatePerson")
    async def update(self, actor: CurrentActor, person_id: FromPath[UUID], data: JSONBody[PersonUpdate]) -> PersonOut:
        person = await services.update_person(actor, person_id, data)
        changed = [f.encode_name for f in msgspec.structs.fields(data) if getattr(data, f.name) is not msgspec.UNSET]
        await audit.record(actor, person_id, "change_file", ",".join(changed))
        return person

    @post("/{person_id:uuid}/invites", operation_id="createInvite")
    async def new_invite(self, actor: CurrentActor, person_id: FromPath[UUID]) -> InviteOut:
        return await services.create_invite(actor, person_id)

    @post("/{person_id:uuid}/password-reset", operation_id="createPasswordReset")
    async def new_password_reset(self, actor: CurrentActor, person_id: FromPath[UUID]) -> PasswordResetOut:
        """An admin makes a single-use link (24 h) for a coach or admin to set a new password."""
        reset = await passwords.create_reset(actor, person_id)
        await audit.record(actor, person_id, "password_reset")
        return reset

    @get("/{person_id:uuid}/devices", operation_id="listPersonDevices")
    async def devices(self, actor: CurrentActor, person_id: FromPath[UUID]) -> list[DeviceOut]:
        person = await services.manageable_person(actor, person_id)
        return await services.list_devices(person.id, actor.session_id)

    @delete("/{person_id:uuid}/devices/{device_id:uuid}", operation_id="revokePersonDevice", status_code=204)
    async def revoke_device(self, actor: CurrentActor, person_id: FromPath[UUID], device_id: FromPath[UUID]) -> None:
        person = await services.manageable_person(actor, person_id)
        await services.revoke_device(person.id, device_id)

    @post("/{person_id:uuid}/deactivate", operation_id="deactivatePerson", status_code=200)
    async def deactivate(self, actor: CurrentActor, person_id: FromPath[UUID]) -> PersonOut:
        """Deactivate: every session of the person ends at once."""
        return await services.set_active(actor, person_id, active=False)

    @post("/{person_id:uuid}/activate", operation_id="activatePerson", status_code=200)
    async def activate(self, actor: CurrentActor, person_id: FromPath[UUID]) -> PersonOut:
        return await services.set_active(actor, person_id, active=True)


ROUTES: list[Any] = [AuthController, MeController, PeopleController]
