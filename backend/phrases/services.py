"""The phrasebook for coaches and admins: standard phrases plus each organisation's own, and the
text of a reminder rendered for every language (stored with the reminder, so what a worker read
stays what was sent, whatever changes in the phrasebook later)."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from backend.access import Actor, Role, can_edit_phrases, can_use_phrases, require_staff
from backend.errors import Conflict, Forbidden, InvalidInput, NotFound
from backend.organisations.tables import Organisation
from backend.phrases import catalogue as cat
from backend.phrases.schemas import PhraseIn, PhraseOut, PhraseUse
from backend.phrases.tables import OrganisationPhrase

UTC = dt.timezone.utc


def _out(phrase: cat.Phrase, organisation_id: UUID | None) -> PhraseOut:
    return PhraseOut(id=phrase.id, standard=phrase.standard, organisation_id=organisation_id, texts=phrase.texts,
                     slots=phrase.slots, languages=[lang for lang in cat.LANGUAGES if lang in phrase.texts])


def _from_row(row: dict) -> cat.Phrase:
    texts = {"nl": row["text_nl"]}
    translations = row["translations"] if isinstance(row["translations"], dict) else {}
    texts.update({lang: text for lang, text in translations.items() if lang in cat.LANGUAGES and text})
    return cat.Phrase(id=str(row["id"]), texts=texts, standard=False)


def _scope(actor: Actor, organisation_id: UUID | None) -> UUID | None:
    """Whose phrases a staff member lists: a coach their own organisation's; an admin the one asked
    (or their own)."""
    require_staff(actor)
    if actor.role == Role.COACH:
        return actor.organisation_id
    return organisation_id or actor.organisation_id


async def list_phrases(actor: Actor, organisation_id: UUID | None) -> list[PhraseOut]:
    """Standard phrases first, then the organisation's own (by Dutch text)."""
    org = _scope(actor, organisation_id)
    if org is not None and not can_use_phrases(actor, org):
        raise NotFound()
    result = [_out(p, None) for p in cat.all_standard()]
    if org is not None:
        rows = await OrganisationPhrase.select().where(OrganisationPhrase.organisation == org).order_by(
            OrganisationPhrase.text_nl).output(load_json=True)
        result += [_out(_from_row(r), org) for r in rows]
    return result


async def find(actor: Actor, phrase_id: str) -> tuple[cat.Phrase, UUID | None] | None:
    """A phrase the actor may send: a standard one, or one of their organisation's."""
    found = cat.standard(phrase_id)
    if found is not None:
        return found, None
    try:
        uid = UUID(phrase_id)
    except ValueError:
        return None
    row = await OrganisationPhrase.select().where(OrganisationPhrase.id == uid).output(load_json=True).first()
    if row is None or not can_use_phrases(actor, row["organisation"]) or (
            actor.role == Role.COACH and row["organisation"] != actor.organisation_id):
        return None
    return _from_row(row), row["organisation"]


# --- an admin's organisation phrases --------------------------------------------------------------

async def _editable_organisation(actor: Actor, organisation_id: UUID) -> None:
    """404 for whoever may not know the organisation's phrasebook, 403 for staff who use it but may
    not change it (its coaches)."""
    if not can_edit_phrases(actor, organisation_id):
        if can_use_phrases(actor, organisation_id):
            raise Forbidden()
        raise NotFound()
    if not await Organisation.exists().where(Organisation.id == organisation_id):
        raise NotFound()


def _clean_texts(data: PhraseIn) -> tuple[str, dict[str, str]]:
    """The Dutch text and the translations, checked: Dutch present, only known slots, the same slots
    in every translation. 400 naming `texts.<lang>`."""
    errors: list[tuple[str, str, dict]] = []
    texts = {lang: text.strip() for lang, text in data.texts.as_dict().items()}
    dutch = texts.get("nl", "")
    slots: list[str] = []
    if not dutch:
        errors.append(("texts.nl", "field_required", {}))
    else:
        try:
            slots = cat.placeholders(dutch)
        except ValueError:
            errors.append(("texts.nl", "phrase_braces", {}))
        else:
            unknown = [s for s in slots if s not in cat.SLOT_TYPES]
            if unknown:
                errors.append(("texts.nl", "phrase_slot_unknown",
                               {"slot": unknown[0], "slots": ", ".join("{" + s + "}" for s in cat.SLOT_TYPES)}))
    translations = {}
    for lang, text in texts.items():
        if lang == "nl" or not text:
            continue
        try:
            theirs = cat.placeholders(text)
        except ValueError:
            errors.append((f"texts.{lang}", "phrase_braces", {}))
            continue
        if sorted(theirs) != sorted(slots):
            errors.append((f"texts.{lang}", "phrase_slots_differ",
                           {"slots": ", ".join("{" + s + "}" for s in slots) or "-"}))
            continue
        translations[lang] = text
    if errors:
        raise InvalidInput("invalid_input", field_errors=errors)
    return dutch, translations


def _key(organisation_id: UUID, dutch: str) -> str:
    return f"{organisation_id}:{' '.join(dutch.lower().split())}"[:300]


async def create(actor: Actor, organisation_id: UUID, data: PhraseIn) -> PhraseOut:
    await _editable_organisation(actor, organisation_id)
    dutch, translations = _clean_texts(data)
    key = _key(organisation_id, dutch)
    if await OrganisationPhrase.exists().where(OrganisationPhrase.key == key):
        raise Conflict("phrase_taken", field_errors=[("texts.nl", "phrase_taken", {})])
    row = OrganisationPhrase(organisation=organisation_id, key=key, text_nl=dutch, translations=translations)
    await row.save()
    return await get(actor, organisation_id, row.id)


async def _row(actor: Actor, organisation_id: UUID, phrase_id: UUID) -> dict:
    await _editable_organisation(actor, organisation_id)
    row = await OrganisationPhrase.select().where(
        (OrganisationPhrase.id == phrase_id) & (OrganisationPhrase.organisation == organisation_id)
    ).output(load_json=True).first()
    if row is None:
        raise NotFound()
    return row


async def get(actor: Actor, organisation_id: UUID, phrase_id: UUID) -> PhraseOut:
    return _out(_from_row(await _row(actor, organisation_id, phrase_id)), organisation_id)


async def update(actor: Actor, organisation_id: UUID, phrase_id: UUID, data: PhraseIn) -> PhraseOut:
    await _row(actor, organisation_id, phrase_id)
    dutch, translations = _clean_texts(data)
    key = _key(organisation_id, dutch)
    if await OrganisationPhrase.exists().where((OrganisationPhrase.key == key) & (OrganisationPhrase.id != phrase_id)):
        raise Conflict("phrase_taken", field_errors=[("texts.nl", "phrase_taken", {})])
    await OrganisationPhrase.update({OrganisationPhrase.key: key, OrganisationPhrase.text_nl: dutch,
                                     OrganisationPhrase.translations: translations,
                                     OrganisationPhrase.updated_at: dt.datetime.now(UTC)}).where(
        OrganisationPhrase.id == phrase_id)
    return await get(actor, organisation_id, phrase_id)


async def delete(actor: Actor, organisation_id: UUID, phrase_id: UUID) -> None:
    """Reminders already sent keep their text (it is stored with them)."""
    await _row(actor, organisation_id, phrase_id)
    await OrganisationPhrase.delete().where(OrganisationPhrase.id == phrase_id)


# --- rendering for reminders ----------------------------------------------------------------------

def _entry(title: str, body: str, text_language: str, language: str) -> dict:
    """One language's copy: the title and body, and the mark when something in it is Dutch for a
    reader of another language."""
    dutch_inside = text_language == cat.DEFAULT or bool(body)
    return {"title": title, "body": body, "mark": cat.mark(language) if dutch_inside else "",
            "language": text_language}


async def phrase_params(actor: Actor, use: PhraseUse, body: str) -> tuple[dict, str]:
    """What a phrase reminder stores: the phrase id, the cleaned slot values and its text in every
    language (`texts[lang] = {title, body, mark}`; the body is the coach's own Dutch words, if any).
    Also the Dutch title. 400 naming `phrase.id` or `phrase.slots.<slot>`."""
    found = await find(actor, use.id)
    if found is None:
        raise InvalidInput.field("phrase.id", "phrase_unknown")
    phrase, _ = found
    try:
        values = cat.check_slots(phrase, use.slots)
    except cat.SlotError as exc:
        raise InvalidInput("invalid_input", field_errors=[
            (f"phrase.{name}", key, params) for name, key, params in exc.field_errors]) from None
    texts = {}
    for lang in cat.LANGUAGES:
        rendered = cat.render(phrase, values, lang)
        texts[lang] = _entry(rendered.text, body, rendered.language, lang)
    return {"phrase": phrase.id, "slots": values, "texts": texts}, texts["nl"]["title"]


def text_params() -> dict:
    """A coach's own words arrive as written; `marks[lang]` is the mark for every reader who is not
    Dutch (stored with the reminder, so the push needs no catalogue)."""
    return {"marks": {lang: cat.mark(lang) for lang in cat.LANGUAGES if lang != cat.DEFAULT}}
