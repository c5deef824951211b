"""What happens to each table's rows about a person on export and erasure.

Every table with a foreign key to `Person` needs a policy here, naming each of those columns as a
*subject* column (the row is about that person) or an *actor* column (that person did something:
wrote, changed, coached). `tests/test_privacy.py` fails when a table or a column is missing, so a
table added later cannot be forgotten. Tables that hang off such a row (a note's revisions, an
attendance's changes) are found through their foreign key and follow their own policy as well.

Erasure per policy, for the rows about the person and the rows hanging off them:
- `delete`: the rows go (sessions, invites, notes, push subscriptions, inbox);
- `blank`: the rows stay for the anonymous counts, the listed free-text columns are emptied;
- `keep`: the rows stay as they are (they hold no free text about the person).
Actor columns are always kept: they point at the anonymised person row, which stays.
Rows without a Person column that still hold text about the person (schedule items only they are
planned in, reminders sent to them alone, the geocoder's cache of their address) are reached by
`backend.privacy.messages` and `backend.privacy.services`.
Export shows subject rows in full, except `secrets` (marked redacted), and actor rows as references.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from piccolo.columns import ForeignKey
from piccolo.table import Table

from backend.accounts.tables import Person

REDACTED = "[redacted]"


@dataclass(frozen=True)
class Policy:
    action: Literal["delete", "blank", "keep"]
    subject: tuple[str, ...] = ()
    actors: tuple[str, ...] = ()
    blank: dict[str, Any] = field(default_factory=dict)
    secrets: tuple[str, ...] = ()


P = Policy
# Keyed by table name (`Table._meta.tablename`).
POLICIES: dict[str, Policy] = {
    # accounts; the person row itself is anonymised by `services.erase` (name, contact, password)
    "person": P("keep", actors=("coach", "buddy"), secrets=("password_hash",)),
    "session": P("delete", subject=("person",), secrets=("token_hash",)),
    "invite": P("delete", subject=("person",), actors=("created_by",), secrets=("token_hash", "code_hash")),
    "password_reset": P("delete", subject=("person",), actors=("created_by",), secrets=("token_hash",)),
    # schedule: plannings and attendance stay (hours in the impact report); notes are free text
    "worker_group": P("keep", actors=("owner",)),
    "group_member": P("delete", subject=("person",)),
    "schedule_series": P("keep", actors=("created_by",)),
    "schedule_item": P("keep", actors=("created_by",)),
    "participant": P("keep", subject=("person",)),
    "attendance": P("keep", subject=("person",), actors=("updated_by",)),
    "attendance_change": P("blank", actors=("changed_by",), blank={"note": ""}),
    "absence_report": P("blank", subject=("person",), actors=("created_by", "seen_by"), blank={"note": ""}),
    "idempotent_request": P("delete", subject=("person",)),
    "calendar_feed": P("delete", subject=("person",)),
    # coaching: status, milestones and moving on stay (counts); notes and flags go
    "worker_file": P("blank", subject=("person",), blank={"stopped_reason": "", "last_contact_at": None}),
    "status_change": P("blank", subject=("person",), actors=("changed_by",), blank={"detail": ""}),
    "assignment": P("keep", subject=("person",), actors=("assignee", "changed_by")),
    "milestone": P("blank", subject=("person",), actors=("updated_by",), blank={"evidence": ""}),
    "note": P("delete", subject=("person",), actors=("author",)),
    "note_revision": P("delete", actors=("edited_by",)),
    "flag": P("delete", subject=("person",), actors=("closed_by",)),
    # who viewed or changed the file stays; the detail may quote what was changed (a stop reason)
    "audit_entry": P("blank", subject=("subject",), actors=("actor",), blank={"detail": ""}),
    # notifications: subscriptions and the inbox go, and so does every message about the person sent to
    # others (reports, rides, digests: `Reminder.subject`; a digest naming several loses only their
    # line: `reminder_mention`, see `messages.py`); reminders written by the person stay
    "push_subscription": P("delete", subject=("person",), secrets=("endpoint", "p256dh", "auth")),
    "reminder_rule": P("keep", actors=("created_by",)),
    "reminder": P("delete", subject=("subject",), actors=("created_by",)),
    "reminder_mention": P("delete", subject=("person",)),
    "recipient": P("delete", subject=("person",)),
    "delivery": P("delete"),
    "notification_settings": P("delete", subject=("person",)),
    # mobility: the home goes; rides and kilometres stay for the volunteers' counts, without places
    "home": P("delete", subject=("person",), actors=("updated_by",)),
    "buddy_profile": P("delete", subject=("person",)),
    "commute_check": P("delete", subject=("person",)),
    "commute_watch": P("delete", subject=("person",)),
    "seat_day": P("keep"),
    "ride_offer": P("blank", subject=("buddy",), blank={"from_address": "", "note": "", "from_latitude": 0.0,
                                                       "from_longitude": 0.0, "active": False}),
    "ride_request": P("keep", subject=("worker",), actors=("created_by",)),
    "buddy_ride": P("blank", subject=("buddy", "worker"), actors=("cancelled_by",),
                    blank={"pickup_name": "", "pickup_address": "", "pickup_latitude": 0.0, "pickup_longitude": 0.0,
                           "cancel_reason": ""}),
    # privacy
    "erasure": P("keep", subject=("person",), actors=("erased_by",)),
}


def all_tables() -> list[type[Table]]:
    from backend.piccolo_conf import APP_REGISTRY

    return [table for app in APP_REGISTRY.app_configs.values() for table in app.table_classes]


def references(column: ForeignKey) -> type[Table]:
    return column._foreign_key_meta.resolved_references


def person_columns(table: type[Table]) -> list[str]:
    """Names of the table's foreign keys to Person."""
    return [c._meta.name for c in table._meta.foreign_key_columns if references(c) is Person]


def person_tables() -> list[type[Table]]:
    return [t for t in all_tables() if person_columns(t)]


def dependents() -> list[tuple[type[Table], str, type[Table]]]:
    """(child table, its FK column, parent table) for every FK to a table with rows about a person
    (a table with a subject column), e.g. (NoteRevision, "note", Note)."""
    parents = {t for t in person_tables() if POLICIES.get(t._meta.tablename, P("keep")).subject}
    return [(t, c._meta.name, references(c)) for t in all_tables() for c in t._meta.foreign_key_columns
            if references(c) in parents and t is not Person]


def policy_for(table: type[Table]) -> Policy:
    return POLICIES[table._meta.tablename]


def missing_policies() -> list[str]:
    """Tables or Person columns without a policy (empty when every one is covered)."""
    problems = []
    for table in person_tables():
        name = table._meta.tablename
        policy = POLICIES.get(name)
        if policy is None:
            problems.append(f"{name}: no policy")
            continue
        named = set(policy.subject) | set(policy.actors)
        for column in set(person_columns(table)) ^ named:
            problems.append(f"{name}.{column}: Person column not named as subject or actor")
    for child, _, _ in dependents():
        if child._meta.tablename not in POLICIES:
            problems.append(f"{child._meta.tablename}: no policy (hangs off rows about a person)")
    for name, policy in POLICIES.items():
        table = next((t for t in all_tables() if t._meta.tablename == name), None)
        columns = {c._meta.name for c in table._meta.columns} if table else set()
        for column in [*policy.blank, *policy.secrets]:
            if column not in columns:
                problems.append(f"{name}.{column}: no such column")
    return problems
