"""The access policies of `backend/access.py` as plain functions, per persona, without a server;
and scans of the backend that keep access decided in that one file.

Personas: a worker, a buddy and a coach of organisation A, a coach of organisation B, and a
platform admin (no organisation). Objects belong to organisation A unless said otherwise.
"""

from __future__ import annotations

import ast
import asyncio
import pathlib
import uuid
from dataclasses import dataclass
from types import SimpleNamespace
from typing import get_args

import pytest

from backend import access
from backend.access import Actor, RecordScope, Role
from backend.accounts.schemas import CreatableRole
from backend.errors import Forbidden, NotFound, NotSignedIn


def run_in_fresh_thread(coro):
    """asyncio.run in a thread of its own: in the full suite a session-wide Playwright keeps an event loop
    running in the main thread, where asyncio.run refuses to start."""
    import concurrent.futures
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


ORG_A = uuid.uuid4()
ORG_B = uuid.uuid4()


def _actor(role: Role, org: uuid.UUID | None) -> Actor:
    return Actor(id=uuid.uuid4(), role=role, organisation_id=org, first_name=role.value, language="nl",
                 session_id=uuid.uuid4())


WORKER = _actor(Role.WORKER, ORG_A)
BUDDY = _actor(Role.BUDDY, ORG_A)
COACH = _actor(Role.COACH, ORG_A)
OTHER_COACH = _actor(Role.COACH, ORG_B)
ADMIN = _actor(Role.ADMIN, None)
PERSONAS = {"worker": WORKER, "buddy": BUDDY, "coach": COACH, "other_coach": OTHER_COACH, "admin": ADMIN}


def _by_persona(policy, expected: set[str]) -> None:
    """`policy(actor)` is True exactly for the personas named in `expected`."""
    got = {name for name, actor in PERSONAS.items() if policy(actor)}
    assert got == expected


def _raises_for(check, refused: set[str], error=Forbidden) -> None:
    """`check(actor)` raises `error` exactly for the personas named in `refused`."""
    for name, actor in PERSONAS.items():
        if name in refused:
            with pytest.raises(error):
                check(actor)
        else:
            check(actor)


# --- roles --------------------------------------------------------------------------------------

def test_roles_are_the_stored_strings():
    assert [r.value for r in Role] == ["worker", "buddy", "coach", "admin"]
    assert Role.COACH == "coach" and f"{Role.COACH}" == "coach"
    # What a coach or admin may create through the API is a subset of the roles.
    assert set(get_args(CreatableRole)) <= set(Role)


def test_require_staff_refuses_workers_and_buddies():
    _raises_for(access.require_staff, {"worker", "buddy"})
    _by_persona(access.is_staff, {"coach", "other_coach", "admin"})
    _by_persona(lambda a: a.is_staff, {"coach", "other_coach", "admin"})


def test_require_admin_refuses_everyone_else():
    _raises_for(access.require_admin, {"worker", "buddy", "coach", "other_coach"})


def test_require_role_names_the_role_in_its_message():
    with pytest.raises(Forbidden) as refused:
        access.require_role(COACH, Role.WORKER)
    assert refused.value.key == "only_for_workers"
    with pytest.raises(Forbidden) as refused:
        access.require_role(WORKER, Role.BUDDY)
    assert refused.value.key == "only_for_buddies"
    _raises_for(lambda a: access.require_role(a, Role.BUDDY), {"worker", "coach", "other_coach", "admin"})


def test_only_workers_and_buddies_have_rides():
    _by_persona(access.can_take_rides, {"worker", "buddy"})


# --- organisations ------------------------------------------------------------------------------

def test_can_manage_organisation():
    _by_persona(lambda a: access.can_manage_organisation(a, ORG_A), {"coach", "admin"})
    _by_persona(lambda a: access.can_manage_organisation(a, ORG_B), {"other_coach", "admin"})
    # A missing organisation is nobody's but the admin's (a coach without one manages nothing).
    _by_persona(lambda a: access.can_manage_organisation(a, None), {"admin"})
    orphan = _actor(Role.COACH, None)
    assert not access.can_manage_organisation(orphan, None)


def test_membership_is_not_management():
    _by_persona(lambda a: access.is_member_of(a, ORG_A), {"worker", "buddy", "coach"})
    assert not access.is_member_of(ADMIN, None)


def test_organisation_scope():
    assert access.organisation_scope(COACH) == ORG_A
    assert access.organisation_scope(OTHER_COACH) == ORG_B
    assert access.organisation_scope(ADMIN) is None
    _raises_for(access.organisation_scope, {"worker", "buddy"})


def test_report_scope():
    assert access.report_scope(COACH) == ORG_A
    assert access.report_scope(ADMIN) is None
    assert access.report_scope(_actor(Role.ADMIN, ORG_B)) == ORG_B  # an organisation's own admin
    _raises_for(access.report_scope, {"worker", "buddy"})


def test_records_scope():
    assert access.records_scope(WORKER) == RecordScope(person=WORKER.id)
    assert access.records_scope(COACH) == RecordScope(organisation=ORG_A)
    assert access.records_scope(OTHER_COACH) == RecordScope(organisation=ORG_B)
    assert access.records_scope(ADMIN) == RecordScope()
    _raises_for(access.records_scope, {"buddy"})


def test_can_see_record_of_a_worker():
    _by_persona(lambda a: access.can_see_record(a, WORKER.id, ORG_A), {"worker", "coach", "admin"})
    other_worker = uuid.uuid4()
    _by_persona(lambda a: access.can_see_record(a, other_worker, ORG_A), {"coach", "admin"})
    _by_persona(lambda a: access.can_see_record(a, None, ORG_B), {"other_coach", "admin"})


# --- people -------------------------------------------------------------------------------------

@dataclass
class Person:
    id: uuid.UUID
    role: str
    organisation: uuid.UUID | None


A_WORKER = Person(WORKER.id, "worker", ORG_A)
A_BUDDY = Person(BUDDY.id, "buddy", ORG_A)
A_COACH = Person(COACH.id, "coach", ORG_A)
A_SECOND_COACH = Person(uuid.uuid4(), "coach", ORG_A)
B_WORKER = Person(uuid.uuid4(), "worker", ORG_B)


def test_can_see_worker():
    _by_persona(lambda a: access.can_see_worker(a, A_WORKER), {"coach", "admin"})
    _by_persona(lambda a: access.can_see_worker(a, B_WORKER), {"other_coach", "admin"})
    # Not a worker: no worker's file, whoever asks.
    _by_persona(lambda a: access.can_see_worker(a, A_BUDDY), set())
    # A `select()` dict works as well as a row.
    assert access.can_see_worker(COACH, {"role": "worker", "organisation": ORG_A})


def test_acts_for_worker():
    _by_persona(lambda a: access.acts_for_worker(a, A_WORKER), {"worker", "coach", "admin"})
    _by_persona(lambda a: access.acts_for_worker(a, B_WORKER), {"other_coach", "admin"})


def test_can_see_person():
    _by_persona(lambda a: access.can_see_person(a, A_WORKER), {"worker", "coach", "admin"})
    _by_persona(lambda a: access.can_see_person(a, A_BUDDY), {"buddy", "coach", "admin"})
    _by_persona(lambda a: access.can_see_person(a, A_SECOND_COACH), {"coach", "admin"})
    _by_persona(lambda a: access.can_see_person(a, B_WORKER), {"other_coach", "admin"})


def test_can_manage_person():
    _by_persona(lambda a: access.can_manage_person(a, A_WORKER), {"coach", "admin"})
    _by_persona(lambda a: access.can_manage_person(a, A_BUDDY), {"coach", "admin"})
    # A coach does not manage another coach, nor themself; a worker does not manage themself.
    _by_persona(lambda a: access.can_manage_person(a, A_SECOND_COACH), {"admin"})
    _by_persona(lambda a: access.can_manage_person(a, A_COACH), {"admin"})
    _by_persona(lambda a: access.can_manage_person(a, B_WORKER), {"other_coach", "admin"})


# --- coaching -----------------------------------------------------------------------------------

def test_can_read_note():
    note = SimpleNamespace(person=WORKER.id, organisation=ORG_A, author=COACH.id)
    # Never the worker the note is about, nor a buddy, nor a coach of another organisation.
    _by_persona(lambda a: access.can_read_note(a, note), {"coach", "admin"})
    _by_persona(lambda a: access.can_read_note(a, {"organisation": ORG_B}), {"other_coach", "admin"})


def test_can_handle_flag_and_use_template():
    _by_persona(lambda a: access.can_handle_flag(a, {"organisation": ORG_A}), {"coach", "admin"})
    _by_persona(lambda a: access.can_use_template(a, {"organisation": ORG_B}), {"other_coach", "admin"})


# --- schedule -----------------------------------------------------------------------------------

def test_can_see_schedule_item():
    item = SimpleNamespace(organisation=ORG_A)
    _by_persona(lambda a: access.can_see_schedule_item(a, item, participates=False), {"coach", "admin"})
    _by_persona(lambda a: access.can_see_schedule_item(a, item, participates=True), {"worker", "coach", "admin"})
    # A buddy planned in an item still sees it only as a ride.
    assert not access.can_see_schedule_item(BUDDY, item, participates=True)


def test_can_plan_for_group():
    mine = SimpleNamespace(owner=COACH.id)
    _by_persona(lambda a: access.can_plan_for_group(a, mine), {"coach", "admin"})
    _by_persona(lambda a: access.can_plan_for_group(a, SimpleNamespace(owner=WORKER.id)), {"admin"})


def test_can_check_in():
    _by_persona(lambda a: access.can_check_in(a, participates=True), {"worker"})
    _by_persona(lambda a: access.can_check_in(a, participates=False), set())


# --- mobility -----------------------------------------------------------------------------------

def test_rides_and_offers_belong_to_their_buddy():
    ride = {"buddy": BUDDY.id, "worker": WORKER.id}
    _by_persona(lambda a: access.can_drive_ride(a, ride), {"buddy"})
    _by_persona(lambda a: access.can_change_offer(a, {"buddy": BUDDY.id}), {"buddy"})
    _by_persona(lambda a: access.can_change_offer(a, {"buddy": uuid.uuid4()}), set())


def test_can_drive_to():
    _by_persona(lambda a: access.can_drive_to(a, SimpleNamespace(organisation=ORG_A, active=True)), {"buddy"})
    _by_persona(lambda a: access.can_drive_to(a, SimpleNamespace(organisation=ORG_A, active=False)), set())
    _by_persona(lambda a: access.can_drive_to(a, SimpleNamespace(organisation=ORG_B, active=True)), set())


def test_visible_or_404():
    access.visible_or_404(True)
    with pytest.raises(NotFound):
        access.visible_or_404(False)


# --- the dependency and the guards --------------------------------------------------------------

@dataclass(frozen=True)
class SessionActor:
    """What the session middleware stores today (role as a plain string)."""

    id: uuid.UUID
    role: str
    organisation_id: uuid.UUID | None
    first_name: str
    language: str
    session_id: uuid.UUID


def test_provide_actor_types_the_scope_user():
    raw = SessionActor(uuid.uuid4(), "coach", ORG_A, "Sara", "nl", uuid.uuid4())
    actor = run_in_fresh_thread(access.provide_actor(SimpleNamespace(scope={"user": raw})))
    assert isinstance(actor, Actor) and actor.role is Role.COACH and actor.organisation_id == ORG_A
    assert run_in_fresh_thread(access.provide_actor(SimpleNamespace(scope={"user": COACH}))) is COACH
    with pytest.raises(NotSignedIn):
        run_in_fresh_thread(access.provide_actor(SimpleNamespace(scope={"user": None})))
    with pytest.raises(ValueError):
        access.actor_from(SessionActor(uuid.uuid4(), "root", None, "x", "nl", uuid.uuid4()))


def test_the_dependency_is_registered_under_the_parameter_name():
    assert set(access.dependencies) == {"actor"}
    assert access.dependencies["actor"].dependency is access.provide_actor


@pytest.mark.parametrize("guard, allowed", [
    (access.signed_in, {"worker", "buddy", "coach", "other_coach", "admin"}),
    (access.staff_only, {"coach", "other_coach", "admin"}),
    (access.admin_only, {"admin"}),
    (access.buddy_only, {"buddy"}),
])
def test_guards(guard, allowed):
    # The guards are coroutines (Litestar would run a plain function in a thread per request).
    assert asyncio.iscoroutinefunction(guard)
    _raises_for(lambda a: run_in_fresh_thread(guard(SimpleNamespace(scope={"user": a}), None)), set(PERSONAS) - allowed)
    with pytest.raises(NotSignedIn):
        run_in_fresh_thread(guard(SimpleNamespace(scope={"user": None}), None))


# --- one place: scans of the backend ------------------------------------------------------------

BACKEND = pathlib.Path(__file__).resolve().parent.parent / "backend"
ROLE_NAMES = {r.value for r in Role}

# Comparisons with role-like strings that are not about a person's role.
NOT_ROLES = {
    ("coaching/facts.py", 'Recipient.reminder.source.is_in(["coach", "rule"])'),  # a reminder's source
    ("reminders/services.py", 'Reminder.source.is_in(["coach", "rule"])'),
}
# Files (or folders, ending in "/") still deciding access themselves: they were being changed in
# parallel with the move to backend/access.py (issue 12, parts 1-3). Migrate each to the policies,
# then delete its entry; the last test below fails when an entry is no longer needed.
PENDING: set[str] = set()


def _pending(name: str) -> bool:
    return any(name == p or (p.endswith("/") and name.startswith(p)) for p in PENDING)


def _role_literal(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant):
        return node.value in ROLE_NAMES
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return any(isinstance(e, ast.Constant) and e.value in ROLE_NAMES for e in node.elts)
    return False


def _sources():
    for path in sorted(BACKEND.rglob("*.py")):
        name = path.relative_to(BACKEND).as_posix()
        if "piccolo_migrations" in path.parts or name == "access.py":
            continue
        yield name, path.read_text(encoding="utf-8")


def _role_comparisons() -> dict[str, list[str]]:
    """Per file, the comparisons (`==`, `!=`, `in`, `not in`, `.is_in(...)`) with a role name as a
    string literal."""
    found: dict[str, list[str]] = {}
    for name, text in _sources():
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Compare):
                hit = any(_role_literal(x) for x in [node.left, *node.comparators])
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and node.func.attr in ("is_in", "not_in"):
                hit = any(_role_literal(a) for a in node.args)
            else:
                continue
            segment = ast.get_source_segment(text, node) or ""
            if hit and (name, segment) not in NOT_ROLES:
                found.setdefault(name, []).append(f"{name}:{node.lineno}: {segment}")
    return found


def _scope_user_reads() -> dict[str, list[str]]:
    """Per file, the places that read the asker from the ASGI scope instead of `CurrentActor`."""
    found: dict[str, list[str]] = {}
    for name, text in _sources():
        for node in ast.walk(ast.parse(text)):
            key = None
            if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) \
                    and isinstance(node.ctx, ast.Load):  # the session middleware writes it
                key = node.slice.value
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and node.func.attr == "get" and node.args and isinstance(node.args[0], ast.Constant):
                key = node.args[0].value
            if key == "user" and "scope" in (ast.get_source_segment(text, node) or ""):
                found.setdefault(name, []).append(f"{name}:{node.lineno}")
    return found


def test_no_role_literals_in_comparisons_outside_access():
    """Role checks use `Role` and the policies of backend/access.py, never `role == "coach"`."""
    offending = [line for name, lines in _role_comparisons().items() if not _pending(name) for line in lines]
    assert offending == [], "\n".join(offending)


def test_handlers_get_the_actor_as_a_dependency():
    """Only the session middleware writes `scope["user"]`, and only backend/access.py reads it."""
    offending = [line for name, lines in _scope_user_reads().items()
                 if not _pending(name) for line in lines]
    assert offending == [], "\n".join(offending)


def test_pending_list_is_not_stale():
    still = set(_role_comparisons()) | set(_scope_user_reads())
    stale = {p for p in PENDING if not any(name == p or (p.endswith("/") and name.startswith(p)) for name in still)}
    assert stale == set(), "migrated: remove these from PENDING"
