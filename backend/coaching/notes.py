"""Coach notes on a worker (edits keep every earlier version) and closing flags with a note."""

from __future__ import annotations

from uuid import UUID

from backend.access import Actor, can_handle_flag, can_read_note, require_staff, visible_or_404
from backend.accounts.tables import Person
from backend.coaching import audit, flags
from backend.coaching.access import name_of, worker_for
from backend.coaching.caseload import flag_out
from backend.coaching.schemas import FlagClose, FlagOut, NoteIn, NoteOut, NoteRevisionOut, NoteUpdate, PersonRef
from backend.coaching.tables import Flag, Note, NoteRevision
from backend.errors import NotFound


async def notes_out(rows: list[Note]) -> list[NoteOut]:
    authors = {a for a in (n.author for n in rows) if a}
    names = {p["id"]: name_of(p["first_name"], p["last_name"]) for p in await Person.select(
        Person.id, Person.first_name, Person.last_name).where(Person.id.is_in(list(authors)))} if authors else {}
    edited = {r["note"] for r in await NoteRevision.select(NoteRevision.note).where(
        NoteRevision.note.is_in([n.id for n in rows]))} if rows else set()
    return [NoteOut(id=n.id, person_id=n.person, body=n.body, kind=n.kind, created_at=n.created_at,
                    updated_at=n.updated_at, edited=n.id in edited,
                    author=PersonRef(id=n.author, name=names.get(n.author, "")) if n.author else None)
            for n in rows]


async def notes_of(person_id: UUID, limit: int = 200) -> list[NoteOut]:
    rows = await Note.objects().where(Note.person == person_id).order_by(Note.created_at, ascending=False).limit(limit)
    return await notes_out(rows)


async def add_note(actor: Actor, person_id: UUID, data: NoteIn) -> NoteOut:
    person = await worker_for(actor, person_id)
    note = Note(person=person.id, organisation=person.organisation, author=actor.id, body=data.body.strip(),
                kind=data.kind)
    await note.save()
    await audit.record(actor, person.id, "add_note", f"{data.kind} {note.id}")
    await flags.worker_changed(person.id)
    return (await notes_out([note]))[0]


async def _visible_note(actor: Actor, note_id: UUID) -> Note:
    require_staff(actor)
    note = await Note.objects().where(Note.id == note_id).first()
    if note is None:
        raise NotFound()
    visible_or_404(can_read_note(actor, note))
    return note


async def edit_note(actor: Actor, note_id: UUID, data: NoteUpdate) -> NoteOut:
    """Change a note; the earlier text is kept as a revision."""
    note = await _visible_note(actor, note_id)
    body = data.body.strip()
    if body != note.body:
        async with Note._meta.db.transaction():
            await NoteRevision.insert(NoteRevision(note=note.id, body=note.body, edited_by=actor.id))
            await Note.update({Note.body: body, Note.updated_at: flags.utcnow()}).where(Note.id == note.id)
        await audit.record(actor, note.person, "edit_note", str(note.id))
    return (await notes_out([await Note.objects().where(Note.id == note.id).first()]))[0]


async def revisions(actor: Actor, note_id: UUID) -> list[NoteRevisionOut]:
    """Earlier versions of a note, newest first."""
    note = await _visible_note(actor, note_id)
    rows = await NoteRevision.select(
        NoteRevision.body, NoteRevision.edited_at, NoteRevision.edited_by,
        NoteRevision.edited_by.first_name.as_alias("first"), NoteRevision.edited_by.last_name.as_alias("last"),
    ).where(NoteRevision.note == note.id).order_by(NoteRevision.edited_at, ascending=False)
    await audit.record(actor, note.person, "view_note_revisions", str(note.id))
    return [NoteRevisionOut(body=r["body"], edited_at=r["edited_at"], edited_by=PersonRef(
        id=r["edited_by"], name=name_of(r["first"], r["last"])) if r["edited_by"] else None) for r in rows]


async def close_flag(actor: Actor, flag_id: UUID, data: FlagClose) -> FlagOut:
    """A coach closes a flag with a note (what was done); it leaves the caseload."""
    require_staff(actor)
    flag = await Flag.select().where(Flag.id == flag_id).first()
    if flag is None:
        raise NotFound()
    visible_or_404(can_handle_flag(actor, flag))
    if flag["closed_at"] is None:
        await Flag.update({Flag.closed_at: flags.utcnow(), Flag.closed_by: actor.id,
                           Flag.close_note: data.note.strip(), Flag.open_key: None}).where(Flag.id == flag_id)
        await audit.record(actor, flag["person"], "close_flag", f"{flag['rule']} {flag_id}")
    return flag_out(await Flag.select().where(Flag.id == flag_id).first(), actor.language)
