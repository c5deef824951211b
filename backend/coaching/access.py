"""Loading a worker's file for the coach's workspace. Who may see it is decided in `backend.access`
(`can_see_worker`): coaches of the worker's organisation and admins; anyone else gets the same 404
as for an unknown id (workers and buddies get 403 from `require_staff`)."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from backend.access import Actor, can_see_worker, require_staff, visible_or_404
from backend.accounts.tables import Person
from backend.coaching.tables import WorkerFile
from backend.errors import NotFound
from backend.organisations.tables import Organisation

# A new file's programme, from the kind of organisation.
PROGRAMME_OF_KIND = {"lde": "lde", "maatwerkbedrijf": "maatwerk", "werkervaring": "wep", "art60": "art60"}


__all__ = ["PROGRAMME_OF_KIND", "file_of", "name_of", "worker_for"]


async def worker_for(actor: Actor, person_id: UUID) -> Person:
    """The worker with this id if the actor may see their file (`can_see_worker`), else 404."""
    require_staff(actor)
    person = await Person.objects().where(Person.id == person_id).first()
    if person is None:
        raise NotFound()
    visible_or_404(can_see_worker(actor, person))
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
