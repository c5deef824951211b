"""Who may act and see: the one place where access is decided.

Read this file to answer "who may ...?". Everything else asks these functions.

The people
    worker   a person in a programme; sees and does only their own things (`/api/me`, their own
             schedule items, reports, rides and ride requests).
    buddy    a volunteer driver; sees their own offers, proposals and rides, and the workplaces of
             their organisation a ride can go to. Never a worker's file.
    coach    staff of one organisation; sees and manages the workers, buddies, schedule, notes,
             flags, reports and workplaces of that organisation, nothing of another.
    admin    staff of every organisation; may also create and rename organisations and
             trajectory templates.

Two rules hold everywhere:
- An object the asker may not see answers 404, exactly like an unknown id, so ids of other
  organisations stay secret. A 403 is for "you may see this exists, but not do that" (a worker
  trying a coach's action, a coach trying an admin's action).
- Routes declare who may call them with the guards below (`signed_in`, `staff_only`,
  `admin_only`, `buddy_only`); services then decide per object with the `can_*` policies. Handlers
  get the asker as an `Actor` through the `actor: CurrentActor` dependency, never from the scope.

Piccolo rows and `select()` dicts are both accepted where a policy takes an object: it reads only
the attributes (or keys) named in its docstring.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from uuid import UUID

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency, Provide
from litestar.handlers.base import BaseRouteHandler
from litestar.params import SkipValidation

from backend.errors import Forbidden, NotFound, NotSignedIn


class Role(StrEnum):
    """The four roles a person has (the `person.role` column stores the value)."""

    WORKER = "worker"
    BUDDY = "buddy"
    COACH = "coach"
    ADMIN = "admin"


STAFF_ROLES = frozenset({Role.COACH, Role.ADMIN})
"""Roles that sign in with a password and work in the coach's workspace."""
INVITED_ROLES = frozenset({Role.WORKER, Role.BUDDY})
"""Roles that get an invite (link, code, QR) instead of a password, and that coaches may manage."""


@dataclass(frozen=True)
class Actor:
    """The signed-in person making a request (built from their session on every request)."""

    id: UUID
    role: Role
    organisation_id: UUID | None
    first_name: str
    language: str
    session_id: UUID

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN


def actor_from(user: Any) -> Actor:
    """The `Actor` for what the session middleware put in `scope["user"]` (an `Actor` already, or
    any object with the same attributes), with the role as a `Role`."""
    if isinstance(user, Actor):
        return user
    return Actor(id=user.id, role=Role(user.role), organisation_id=user.organisation_id,
                 first_name=user.first_name, language=user.language, session_id=user.session_id)


def _value(obj: Any, name: str) -> Any:
    return obj[name] if isinstance(obj, Mapping) else getattr(obj, name)


# --- dependency and guards ----------------------------------------------------------------------

PENDING_USER = "werkmaat.pending_user"
"""Scope key of the session middleware's lookup still to be done (`accounts.auth`): an async
function of the scope that returns the asker. It runs once, when the request first asks."""


async def current_user(scope: Any) -> Any:
    """What the session middleware knows of the asker: an `Actor`, or None when nobody is signed in.
    The session lookup runs here, at the first ask of the request, so a route that never asks (the
    shell, static files, `/health`) makes no query."""
    pending = scope.pop(PENDING_USER, None)
    if pending is not None:
        scope["user"] = await pending(scope)
    return scope.get("user")


async def provide_actor(request: Request) -> Actor:
    """The asker of this request; 401 when nobody is signed in (guards normally refuse earlier)."""
    user = await current_user(request.scope)
    if user is None:
        raise NotSignedIn()
    return actor_from(user)


CurrentActor = NamedDependency[SkipValidation[Actor]]
"""Declare `actor: CurrentActor` on a handler to get the asker. Litestar 2 injects dependencies by
parameter name (type-keyed injection arrives in 3.0), so the parameter is always called `actor`;
the value comes from our own session lookup, so validating it again would only cost time."""

dependencies = {"actor": Provide(provide_actor)}
"""Register once on the app (`Litestar(..., dependencies=access.dependencies)`) or on a controller."""


async def _connection_actor(connection: ASGIConnection) -> Actor:
    user = await current_user(connection.scope)
    if user is None:
        raise NotSignedIn()
    return actor_from(user)


async def signed_in(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    """Guard: anyone signed in (401 otherwise).

    The guards are `async def`: the first one of a request waits for the session lookup, and
    Litestar would run a plain `def` guard in a worker thread, a thread hop on every request."""
    await _connection_actor(connection)


async def staff_only(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    """Guard: coaches and admins (403 for workers and buddies)."""
    require_staff(await _connection_actor(connection))


async def admin_only(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    """Guard: admins only."""
    require_admin(await _connection_actor(connection))


async def buddy_only(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    """Guard: buddies only (ride offers, proposals, the buddy's own rides and profile)."""
    require_role(await _connection_actor(connection), Role.BUDDY)


# --- roles --------------------------------------------------------------------------------------

def is_staff(actor: Actor) -> bool:
    """Coaches and admins."""
    return actor.role in STAFF_ROLES


def require_staff(actor: Actor) -> None:
    """403 unless the actor is a coach or an admin."""
    if not is_staff(actor):
        raise Forbidden()


def require_admin(actor: Actor) -> None:
    """403 unless the actor is an admin (creating and renaming organisations, trajectory templates)."""
    if actor.role != Role.ADMIN:
        raise Forbidden()


# The message a person of another role gets when an action is for one role only.
_ONLY_FOR = {Role.WORKER: "only_for_workers", Role.BUDDY: "only_for_buddies"}


def require_role(actor: Actor, role: Role) -> None:
    """403 unless the actor has exactly this role: a worker's own home and check-in are for
    workers, a buddy's offers and profile for buddies."""
    if actor.role != role:
        raise Forbidden(_ONLY_FOR.get(role, "forbidden"))


def can_take_rides(actor: Actor) -> bool:
    """Workers (as riders) and buddies (as drivers) have rides of their own."""
    return actor.role in (Role.WORKER, Role.BUDDY)


# --- organisations ------------------------------------------------------------------------------

def can_manage_organisation(actor: Actor, organisation_id: UUID | None) -> bool:
    """Admins manage every organisation, a coach only their own: its workplaces, schedule items,
    series and groups, settings, reports, and the workers' files, notes and flags. Workers and
    buddies manage none, not even their own."""
    if actor.role == Role.ADMIN:
        return True
    return actor.role == Role.COACH and organisation_id is not None and organisation_id == actor.organisation_id


def can_use_phrases(actor: Actor, organisation_id: UUID | None) -> bool:
    """The phrasebook of an organisation (standard phrases and its own) is read by the staff who
    manage it (`can_manage_organisation`)."""
    return can_manage_organisation(actor, organisation_id)


def can_edit_phrases(actor: Actor, organisation_id: UUID | None) -> bool:
    """An organisation's own phrases are added, changed and removed by admins only: an admin who
    belongs to an organisation for that one alone, a platform admin (no organisation) for any.
    Coaches use them (`can_use_phrases`) but do not change them."""
    if actor.role != Role.ADMIN or organisation_id is None:
        return False
    return actor.organisation_id is None or actor.organisation_id == organisation_id


def is_member_of(actor: Actor, organisation_id: UUID | None) -> bool:
    """The actor belongs to this organisation (any role): a buddy may drive to its workplaces."""
    return organisation_id is not None and organisation_id == actor.organisation_id


def organisation_scope(actor: Actor) -> UUID | None:
    """The organisation a staff member's lists are limited to: a coach's own, None (all) for an
    admin. 403 for workers and buddies, who have no organisation-wide lists."""
    require_staff(actor)
    return None if actor.role == Role.ADMIN else actor.organisation_id


def report_scope(actor: Actor) -> UUID | None:
    """Impact reports (anonymised): a coach, and an admin who belongs to an organisation, report on
    their own organisation only, whatever they ask; a platform admin (no organisation) on any one
    they name (None here). 403 for workers and buddies."""
    require_staff(actor)
    return actor.organisation_id


@dataclass(frozen=True)
class RecordScope:
    """Which rows of a kind that belongs to one person (reports, ride requests, items) an actor
    lists: `person` set means only that person's, `organisation` set only that organisation's,
    neither means all."""

    person: UUID | None = None
    organisation: UUID | None = None


def records_scope(actor: Actor) -> RecordScope:
    """A worker lists their own records, a coach their organisation's, an admin all; a buddy gets
    403 (a buddy's rides are listed by `my_rides`, never through workers' records)."""
    if actor.role == Role.WORKER:
        return RecordScope(person=actor.id)
    return RecordScope(organisation=organisation_scope(actor))


def can_see_record(actor: Actor, person_id: UUID | None, organisation_id: UUID | None) -> bool:
    """One record about one person (an absence report, a ride request): the person themself if
    they are a worker, and the staff who manage its organisation (`can_manage_organisation`)."""
    if actor.role == Role.WORKER:
        return person_id is not None and person_id == actor.id
    return can_manage_organisation(actor, organisation_id)


# --- people -------------------------------------------------------------------------------------

def can_see_person(actor: Actor, person: Any) -> bool:
    """Anyone sees themself; admins everyone; a coach everyone of their organisation (workers,
    buddies, other coaches). Reads `person.id`, `person.organisation`."""
    if _value(person, "id") == actor.id:
        return True
    return can_manage_organisation(actor, _value(person, "organisation"))


def can_manage_person(actor: Actor, person: Any) -> bool:
    """Change a person (details, devices, invites, deactivation): admins anyone; a coach the workers
    and buddies of their organisation, not other coaches. Reads `id`, `role`, `organisation`."""
    if actor.role == Role.ADMIN:
        return True
    return (actor.role == Role.COACH and _value(person, "role") in INVITED_ROLES
            and can_manage_organisation(actor, _value(person, "organisation")))


def can_see_worker(actor: Actor, worker: Any) -> bool:
    """A worker's file, timeline, home, schedule and reports, asked for by id: the staff of the
    worker's organisation (`can_manage_organisation`). Not buddies, not other workers; a worker reads
    their own things through `/api/me`, not by id. False for a person who is not a worker. Reads
    `role`, `organisation`."""
    return _value(worker, "role") == Role.WORKER and can_manage_organisation(actor, _value(worker, "organisation"))


def acts_for_worker(actor: Actor, worker: Any) -> bool:
    """Act on a worker's behalf (ask for a ride, report sick or late): the worker themself, or the
    staff who may see the worker (`can_see_worker`). Reads `id`, `role`, `organisation`."""
    if actor.role == Role.WORKER:
        return _value(worker, "id") == actor.id
    return can_see_worker(actor, worker)


# --- coaching -----------------------------------------------------------------------------------

def can_read_note(actor: Actor, note: Any) -> bool:
    """A coaching note (and its revisions) is read and edited by the coaches of the note's
    organisation and by admins; never by the worker it is about, nor by a buddy. Reads
    `organisation`."""
    return can_manage_organisation(actor, _value(note, "organisation"))


def can_handle_flag(actor: Actor, flag: Any) -> bool:
    """An "under the radar" flag is seen and closed by the coaches of its organisation and by
    admins. Reads `organisation`."""
    return can_manage_organisation(actor, _value(flag, "organisation"))


def can_use_template(actor: Actor, template: Any) -> bool:
    """A trajectory template (and the milestones made from it) is used by the coaches of its
    organisation and by admins; only admins create or change templates (`require_admin`). Reads
    `organisation`."""
    return can_manage_organisation(actor, _value(template, "organisation"))


# --- schedule -----------------------------------------------------------------------------------

def can_see_schedule_item(actor: Actor, item: Any, *, participates: bool) -> bool:
    """A schedule item is seen by the staff of its organisation, and by a worker planned in it
    (`participates`). Buddies see items only as rides. Reads `organisation`."""
    if actor.role == Role.WORKER:
        return participates
    return can_manage_organisation(actor, _value(item, "organisation"))


def can_plan_for_group(actor: Actor, group: Any) -> bool:
    """A coach plans with the groups they own; an admin with any group. Reads `owner`."""
    return actor.role == Role.ADMIN or (actor.role == Role.COACH and _value(group, "owner") == actor.id)


def can_check_in(actor: Actor, *, participates: bool) -> bool:
    """Only the worker planned in an item checks in ("Ik ben er"); staff correct attendance instead."""
    return actor.role == Role.WORKER and participates


# --- mobility -----------------------------------------------------------------------------------

def can_drive_ride(actor: Actor, ride: Any) -> bool:
    """A ride is accepted, declined, cancelled and marked done or no-show only by the buddy it is
    proposed to (coaches follow rides in the mobility overview but do not act for buddies). Reads
    `buddy`."""
    return actor.role == Role.BUDDY and _value(ride, "buddy") == actor.id


def can_change_offer(actor: Actor, offer: Any) -> bool:
    """A ride offer is read, changed and stopped only by the buddy who made it. Reads `buddy`."""
    return actor.role == Role.BUDDY and _value(offer, "buddy") == actor.id


def can_drive_to(actor: Actor, workplace: Any) -> bool:
    """A buddy offers rides to the active workplaces of their own organisation. Reads
    `organisation`, `active`."""
    return (actor.role == Role.BUDDY and is_member_of(actor, _value(workplace, "organisation"))
            and bool(_value(workplace, "active")))


# --- helpers ------------------------------------------------------------------------------------

def visible_or_404(allowed: bool) -> None:
    """Raise the 404 of an unknown id when the asker may not see an object."""
    if not allowed:
        raise NotFound()
