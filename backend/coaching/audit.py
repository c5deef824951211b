"""The audit log: who viewed or changed a worker's file, exported or erased a person, or viewed a report.

Every service that shows or changes a worker's file calls `record` after the action succeeded; admins
read the entries (`backend.privacy`).
"""

from __future__ import annotations

from uuid import UUID

from backend.access import Actor
from backend.accounts.tables import Person
from backend.coaching.tables import AuditEntry

ACTIONS = ("view_file", "edit_file", "view_timeline", "add_note", "edit_note", "view_note_revisions", "set_status",
           "assign", "apply_template", "milestone", "close_flag")


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
