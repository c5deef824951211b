"""Who may see a worker's file: coaches of the worker's organisation and admins; anyone else gets
the same 404 as for an unknown id (workers and buddies are refused earlier by the `staff_only` guard)."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from backend.accounts.auth import Actor
from backend.accounts.tables import Person
from backend.coaching.tables import WorkerFile
from backend.errors import Forbidden, NotFound
from backend.organisations.tables import Organisation

# A new file's programme, from the kind of organisation.
PROGRAMME_OF_KIND = {"lde": "lde", "maatwerkbedrijf": "maatwerk", "werkervaring": "wep", "art60": "art60"}


def require_staff(actor: Actor) -> None:
    if actor.role not in ("coach", "admin"):
        raise Forbidden()


async def worker_for(actor: Actor, person_id: UUID) -> Person:
    require_staff(actor)
    person = await Person.objects().where(Person.id == person_id).first()
    if person is None or person.role != "worker":
        raise NotFound()
    if actor.role != "admin" and person.organisation != actor.organisation_id:
        raise NotFound()
    return person


async def file_of(person: Person) -> WorkerFile:
    """The worker's file, made on first use (programme from the organisation, start = creation)."""
    found = await WorkerFile.objects().where(WorkerFile.person == person.id).first()
    if found is not None:
        return found
    org = await Organisation.select(Organisation.kind).where(Organisation.id == person.organisation).first()
    programme = PROGRAMME_OF_KIND.get(org["kind"] if org else "", "other")
    start = person.created_at.astimezone(dt.timezone.utc).date() if person.created_at else None
    await WorkerFile.insert(WorkerFile(person=person.id, organisation=person.organisation, programme=programme,
                                       started_on=start, status="active", status_since=start)
                            ).on_conflict(action="DO NOTHING")
    return await WorkerFile.objects().where(WorkerFile.person == person.id).first()


def name_of(first: str | None, last: str | None) -> str:
    return f"{first or ''} {last or ''}".strip()
