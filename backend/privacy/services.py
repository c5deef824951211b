"""GDPR access (export everything about one person) and erasure (anonymise, keep the counts).

Both walk every table of the app registry through `backend.privacy.policy`, so tables added by
other domains are covered as soon as their policy is written (a test insists on it).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from typing import Any
from uuid import UUID

from piccolo.engine.sqlite import SQLiteEngine
from piccolo.querystring import QueryString
from piccolo.table import Table

from backend.access import Actor, require_admin, require_staff
from backend.accounts.services import visible_person
from backend.accounts.tables import Person
from backend.coaching import audit
from backend.errors import Conflict, Forbidden, InvalidInput, NotFound
from backend.privacy import copies
from backend.privacy import policy as pol
from backend.privacy.tables import Erasure

log = logging.getLogger("werkmaat.privacy")
ERASED_NAME = "Verwijderd"


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _where_any(table: type[Table], columns: tuple[str, ...] | list[str], value: Any) -> Any:
    condition = None
    for name in columns:
        term = getattr(table, name) == value
        condition = term if condition is None else condition | term
    return condition


def _redact(row: dict[str, Any], secrets: tuple[str, ...]) -> dict[str, Any]:
    return {k: (pol.REDACTED if k in secrets and v not in (None, "") else v) for k, v in row.items()}


async def _subject_rows(person_id: UUID) -> dict[type[Table], list[dict[str, Any]]]:
    """Rows about the person, per table with subject columns."""
    found: dict[type[Table], list[dict[str, Any]]] = {}
    for table in pol.person_tables():
        policy = pol.policy_for(table)
        if policy.subject and table is not Person:
            found[table] = await table.select().where(_where_any(table, policy.subject, person_id))
    return found


def _pk(table: type[Table], row: dict[str, Any]) -> Any:
    return row[table._meta.primary_key._meta.name]


async def _dependent_rows(subject: dict[type[Table], list[dict[str, Any]]],
                          depth: int = 3) -> dict[type[Table], list[dict[str, Any]]]:
    """Rows hanging off the rows about the person (a note's revisions, an attendance's changes), and
    rows hanging off those (a report to the coach -> the coach's inbox row -> its push deliveries).
    Rows already about the person are not repeated."""
    seen = {(t, _pk(t, r)) for t, rows in subject.items() for r in rows}
    found: dict[type[Table], dict[Any, dict[str, Any]]] = defaultdict(dict)
    level = subject
    for _ in range(depth):
        nxt: dict[type[Table], dict[Any, dict[str, Any]]] = defaultdict(dict)
        for child, column, parent in pol.dependents():
            ids = [_pk(parent, row) for row in level.get(parent, [])]
            for start in range(0, len(ids), 500):
                for row in await child.select().where(getattr(child, column).is_in(ids[start:start + 500])):
                    if (child, _pk(child, row)) not in seen:
                        seen.add((child, _pk(child, row)))
                        nxt[child][_pk(child, row)] = row
                        found[child][_pk(child, row)] = row
        if not nxt:
            break
        level = {table: list(rows.values()) for table, rows in nxt.items()}
    return {table: list(rows.values()) for table, rows in found.items()}


def _about_them(table: type[Table], row: dict[str, Any], person_id: UUID) -> bool:
    """A row hanging off theirs is exported unless it is about someone else (the coach's inbox row
    of a report about them is the coach's; the report itself is exported in `messagesAboutThem`)."""
    subject = pol.policy_for(table).subject if table._meta.tablename in pol.POLICIES else ()
    return not subject or any(row.get(c) == person_id for c in subject)


async def export_person(actor: Actor, person_id: UUID) -> dict[str, Any]:
    """Everything stored about one person: their row, the rows about them (secrets redacted), rows
    hanging off those, and references (table and id) to rows they wrote or changed about others."""
    person = await visible_person(actor, person_id)
    require_staff(actor)
    person_row = await Person.select().where(Person.id == person.id).first()
    subject = await _subject_rows(person.id)
    dependent = await _dependent_rows(subject)
    # Messages are exported as read (`inbox`, `messagesAboutThem`), with others' names taken out.
    tables = {t._meta.tablename: [_redact(r, pol.policy_for(t).secrets) for r in rows]
              for t, rows in subject.items() if rows and t._meta.tablename not in copies.AS_MESSAGES}
    related = {t._meta.tablename: [_redact(r, pol.policy_for(t).secrets) for r in rows
                                   if _about_them(t, r, person.id)]
               for t, rows in dependent.items()}
    related = {name: rows for name, rows in related.items() if rows}
    refs: dict[str, list[dict[str, Any]]] = {}
    for table in pol.person_tables():
        policy = pol.policy_for(table)
        if not policy.actors:
            continue
        pk = table._meta.primary_key
        columns = [getattr(table, c) for c in policy.actors]
        rows = await table.select(pk, *columns).where(_where_any(table, policy.actors, person.id))
        entries = [{"id": row[pk._meta.name], "as": [c for c in policy.actors if row[c] == person.id]}
                   for row in rows if row[pk._meta.name] != person.id]
        if entries:
            refs[table._meta.tablename] = entries
    await audit.record(actor, person.id, "export")
    return {"exportedAt": now(), "person": _redact(person_row, pol.policy_for(Person).secrets),
            **await copies.export_copies(person_row),
            "tables": tables, "related": related, "references": refs}


def _same_name(typed: str, first_name: str) -> bool:
    return typed.strip().casefold() == first_name.strip().casefold() and bool(typed.strip())


async def erase_person(actor: Actor, person_id: UUID, confirm: str) -> dict[str, int]:
    """Erase on request (admins): the typed first name must match. Returns rows touched per table."""
    person = await visible_person(actor, person_id)
    require_admin(actor)
    if person.id == actor.id:
        raise Forbidden("cannot_erase_self")
    if await Erasure.exists().where(Erasure.person == person.id):
        raise Conflict("already_erased")
    if not _same_name(confirm, person.first_name):
        raise InvalidInput.field("confirm", "erase_confirm_mismatch")
    counts = await anonymise(person.id, erased_by=actor.id, reason="request")
    await audit.record(actor, person.id, "erase")
    return counts


async def anonymise(person_id: UUID, erased_by: UUID | None, reason: str) -> dict[str, int]:
    """Apply every table's policy to the person's rows, reach the copies about them in other rows
    (`copies`), and anonymise the person row, in one transaction. Kept: plannings, attendance,
    status, milestones (the anonymous counts). On SQLite the write-ahead log is then checkpointed,
    so the old pages do not linger there (deleted content is zeroed: `backend.db`)."""
    counts: dict[str, int] = {}
    async with Person._meta.db.transaction():
        person = await Person.objects().where(Person.id == person_id).first()
        if person is None:
            raise NotFound()
        counts.update(await copies.erase_free_text(person_id))
        counts.update(await copies.erase_messages(person_id))
        subject = await _subject_rows(person_id)
        dependent = await _dependent_rows(subject)
        # Children first: a row that hangs off a deleted row goes with it, whatever its own policy.
        deleted_parents = {t for t in subject if pol.policy_for(t).action == "delete"}
        parents: dict[type[Table], set[type[Table]]] = defaultdict(set)
        for child, _, parent in pol.dependents():
            parents[child].add(parent)
        for child, rows in dependent.items():
            ids = [r[child._meta.primary_key._meta.name] for r in rows]
            action = "delete" if parents[child] & deleted_parents else pol.policy_for(child).action
            counts[child._meta.tablename] = await _apply(child, ids, action)
        for table, rows in subject.items():
            ids = [r[table._meta.primary_key._meta.name] for r in rows]
            if ids:
                counts[table._meta.tablename] = await _apply(table, ids, pol.policy_for(table).action)
        stamp = now()
        await Person.update({
            Person.first_name: ERASED_NAME, Person.last_name: "", Person.email: None, Person.phone: "",
            Person.password_hash: None, Person.active: False,
            Person.deactivated_at: person.deactivated_at or stamp,
        }).where(Person.id == person_id)
        if person.email:
            from backend.accounts.tables import SignInThrottle

            await SignInThrottle.delete().where(SignInThrottle.key == f"account:{person.email}")
        await Erasure.insert(Erasure(person=person_id, erased_by=erased_by, reason=reason, erased_at=stamp))
    await _checkpoint()
    return {name: n for name, n in counts.items() if n}


async def _checkpoint() -> None:
    """SQLite: copy the write-ahead log into the file and empty it, so the pages written before the
    erasure are gone from the log too. Best effort: a long reader may keep it from finishing (the
    next checkpoint then does it). PostgreSQL drops the old row versions at its next (auto)vacuum."""
    engine = Person._meta.db
    if not isinstance(engine, SQLiteEngine):
        return
    try:
        rows = await engine.run_querystring(QueryString("PRAGMA wal_checkpoint(TRUNCATE)"))
        if rows and next(iter(rows[0].values())):
            log.info("WAL checkpoint after erasure was busy; the next one completes it")
    except Exception:  # noqa: BLE001 - the erasure itself is committed; never fail it over this
        log.exception("WAL checkpoint after erasure failed")


async def _apply(table: type[Table], ids: list[Any], action: str) -> int:
    pk = table._meta.primary_key
    policy = pol.policy_for(table)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        if action == "delete":
            await table.delete().where(pk.is_in(chunk))
        elif action == "blank" and policy.blank:
            await table.update({getattr(table, c): v for c, v in policy.blank.items()}).where(pk.is_in(chunk))
    return len(ids) if action != "keep" else 0
