"""Changing a password, and the single-use reset link an admin makes for a coach who forgot theirs.

Either way every other session of the person ends: whoever knew the old password is signed out.
"""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from backend.accounts import throttle
from backend.access import STAFF_ROLES, Actor, require_admin
from backend.accounts.schemas import PasswordResetOut
from backend.accounts.secrets import (
    device_cookie_value,
    hash_password_async,
    new_token,
    password_problem,
    token_hash,
    verify_password_async,
)
from backend.accounts.services import NewSession, _start_session, manageable_person, now, qr_svg, visible_person
from backend.accounts.tables import PasswordReset, Person, Session
from backend.errors import Forbidden, InvalidInput
from backend.settings import get_settings
from notifications import reminders as push_reminders

RESET_VALID = dt.timedelta(hours=24)


def _check_new(person: Person, password: str, field: str) -> None:
    problem = password_problem(password, [person.email or "", person.first_name, person.last_name])
    if problem:
        raise InvalidInput.field(field, problem[0], **problem[1])


async def _set_password(person: Person, password: str, keep_session: UUID | None) -> None:
    """Store the new hash and end every session but `keep_session`, and every unused reset link."""
    new_hash = await hash_password_async(password)
    stamp = now()
    async with Person._meta.db.transaction():
        await Person.update({Person.password_hash: new_hash}).where(Person.id == person.id)
        ended = Session.update({Session.revoked_at: stamp}).where(
            (Session.person == person.id) & Session.revoked_at.is_null())
        if keep_session is not None:
            ended = ended.where(Session.id != keep_session)
        ended = await ended.returning(Session.id)
        await PasswordReset.update({PasswordReset.revoked_at: stamp}).where(
            (PasswordReset.person == person.id) & PasswordReset.used_at.is_null()
            & PasswordReset.revoked_at.is_null())
    for row in ended:
        await push_reminders.deactivate_for_session(row["id"])


async def change_password(actor: Actor, current: str, new: str) -> None:
    """A coach or admin sets a new password, proving the current one (checks are throttled, so a
    session left open cannot be used to guess it)."""
    person = await Person.objects().where(Person.id == actor.id).first()
    if person is None or person.password_hash is None:
        raise Forbidden("password_not_used")
    attempt = await throttle.Attempt([(f"change:{person.id}", throttle.CHANGE_POLICY, "clear")]).begin()
    if not await verify_password_async(person.password_hash, current):
        await attempt.failed()
        raise InvalidInput.field("currentPassword", "password_current_wrong")
    await attempt.succeeded()
    if new == current:
        raise InvalidInput.field("newPassword", "password_same")
    _check_new(person, new, "newPassword")
    await _set_password(person, new, keep_session=actor.session_id)


def reset_url(token: str) -> str:
    # In the fragment: never sent to the server by the browser, nor in a Referer.
    return f"{get_settings().public_url}/#/reset/{token}"


async def create_reset(actor: Actor, person_id: UUID) -> PasswordResetOut:
    """An admin makes a single-use link (valid 24 h) for a coach or admin; earlier unused ones stop."""
    # Like erasure: a person the asker may not see is 404 (as an unknown id), then only admins (403).
    await visible_person(actor, person_id)
    require_admin(actor)
    person = await manageable_person(actor, person_id)
    if person.role not in STAFF_ROLES:
        raise InvalidInput.field("personId", "no_reset_for_role")
    if not person.active:
        raise Forbidden("person_inactive")
    token = new_token()
    stamp = now()
    reset = PasswordReset(person=person.id, created_by=actor.id, token_hash=token_hash(token),
                          created_at=stamp, expires_at=stamp + RESET_VALID)
    async with PasswordReset._meta.db.transaction():
        await PasswordReset.update({PasswordReset.revoked_at: stamp}).where(
            (PasswordReset.person == person.id) & PasswordReset.used_at.is_null()
            & PasswordReset.revoked_at.is_null())
        await reset.save()
    url = reset_url(token)
    return PasswordResetOut(id=reset.id, url=url, qr_svg=qr_svg(url), expires_at=reset.expires_at)


async def redeem_reset(token: str, password: str, device_label: str) -> NewSession:
    """Set a new password with a reset link and sign this browser in; all other sessions end."""
    current = now()
    valid = (PasswordReset.token_hash == token_hash(token.strip())) & PasswordReset.used_at.is_null() \
        & PasswordReset.revoked_at.is_null() & (PasswordReset.expires_at > current)
    row = await PasswordReset.select(PasswordReset.person).where(valid).first()
    person = await Person.objects().where(
        (Person.id == row["person"]) & (Person.active == True)  # noqa: E712
    ).first() if row else None
    if person is None:
        raise InvalidInput.field("token", "reset_invalid")
    # The rules are checked before the link is used up, so a refused password can be corrected.
    _check_new(person, password, "password")
    used = await PasswordReset.update({PasswordReset.used_at: current}).where(valid).returning(PasswordReset.id)
    if not used:  # a parallel request used it first
        raise InvalidInput.field("token", "reset_invalid")
    await _set_password(person, password, keep_session=None)
    session = await _start_session(person.id, "password", device_label)
    cookie, _ = device_cookie_value(person.id)
    return NewSession(session.token, session.expires_at, session.actor_id, device_cookie=cookie)
