"""The audit trail of worker files: who viewed or changed whose file, and when.

Every service in this package that shows or changes a worker's file calls `record`; admins read the
entries (the admin screen lives in `backend.privacy`).
"""

from __future__ import annotations

from uuid import UUID

from backend.accounts.auth import Actor
from backend.accounts.tables import Person
from backend.coaching.tables import AuditEntry

ACTIONS = ("view_file", "edit_file", "view_timeline", "add_note", "edit_note", "view_note_revisions", "set_status",
           "assign", "apply_template", "milestone", "close_flag")


async def record(actor: Actor, subject_id: UUID, action: str, detail: str = "") -> None:
    """Write one audit entry; the organisation is the subject's (an admin has none of their own)."""
    row = await Person.select(Person.organisation).where(Person.id == subject_id).first()
    organisation = row["organisation"] if row else actor.organisation_id
    await AuditEntry.insert(AuditEntry(organisation=organisation, actor=actor.id, subject=subject_id,
                                       action=action[:32], detail=detail[:2000]))
