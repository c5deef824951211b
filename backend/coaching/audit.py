"""The audit log: who viewed or changed a worker's file, exported or erased a person, or viewed a report.

Written from services and controllers after the action succeeded; admins read it (`backend.privacy`).
"""

from __future__ import annotations

from uuid import UUID

from backend.accounts.auth import Actor
from backend.accounts.tables import Person
from backend.coaching.tables import AuditEntry


async def record(actor: Actor, subject_id: UUID | None, action: str, detail: str = "") -> None:
    """Append one entry. The entry belongs to the subject's organisation (else the actor's), so the
    admins of that organisation read it; `detail` must hold no names or free text about the subject."""
    organisation = actor.organisation_id
    if subject_id is not None:
        row = await Person.select(Person.organisation).where(Person.id == subject_id).first()
        if row is not None and row["organisation"] is not None:
            organisation = row["organisation"]
    await AuditEntry.insert(AuditEntry(organisation=organisation, actor=actor.id, subject=subject_id,
                                       action=action[:32], detail=detail[:1000]))
