"""HTTP routes of the phrasebook: coaches list the phrases they can send; admins keep their
organisation's own."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, delete, get, post, put
from litestar.params import FromPath, JSONBody, Parameter

from backend import access
from backend.access import CurrentActor, staff_only
from backend.phrases import services
from backend.phrases.schemas import PhraseIn, PhraseOut


class PhraseController(Controller):
    path = "/api/phrases"
    tags = ["phrases"]
    guards = [staff_only]
    dependencies = access.dependencies

    @get("", operation_id="listPhrases")
    async def list_phrases(self, actor: CurrentActor,
                           organisation_id: Annotated[UUID | None, Parameter(query="organisationId",
                                                                             required=False)] = None
                           ) -> list[PhraseOut]:
        """The standard phrases (every language) and the organisation's own: a coach's own
        organisation; an admin names one with `organisationId` (else their own)."""
        return await services.list_phrases(actor, organisation_id)


class OrganisationPhraseController(Controller):
    path = "/api/organisations/{organisation_id:uuid}/phrases"
    tags = ["phrases"]
    guards = [staff_only]
    dependencies = access.dependencies

    @post("", operation_id="createPhrase", status_code=201)
    async def create(self, actor: CurrentActor, organisation_id: FromPath[UUID],
                     data: JSONBody[PhraseIn]) -> PhraseOut:
        """Admins of the organisation: a phrase with its Dutch text and the translations they have."""
        return await services.create(actor, organisation_id, data)

    @get("/{phrase_id:uuid}", operation_id="getPhrase")
    async def get_phrase(self, actor: CurrentActor, organisation_id: FromPath[UUID],
                         phrase_id: FromPath[UUID]) -> PhraseOut:
        return await services.get(actor, organisation_id, phrase_id)

    @put("/{phrase_id:uuid}", operation_id="updatePhrase")
    async def update(self, actor: CurrentActor, organisation_id: FromPath[UUID], phrase_id: FromPath[UUID],
                     data: JSONBody[PhraseIn]) -> PhraseOut:
        """Replace the texts (a language left out loses its translation)."""
        return await services.update(actor, organisation_id, phrase_id, data)

    @delete("/{phrase_id:uuid}", operation_id="deletePhrase", status_code=204)
    async def remove(self, actor: CurrentActor, organisation_id: FromPath[UUID], phrase_id: FromPath[UUID]) -> None:
        """Reminders already sent keep their text."""
        await services.delete(actor, organisation_id, phrase_id)


ROUTES = [PhraseController, OrganisationPhraseController]
