"""HTTP routes for quick replies on inbox messages and for "Ik heb hulp nodig" (see `replies`).

Both may be queued offline on the phone: send an `Idempotency-Key` and a second copy gets the first
answer back."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, Response, post
from litestar.params import FromPath, JSONBody

from backend import access
from backend.access import CurrentActor, signed_in
from backend.errors import error_responses
from backend.idempotency import IdempotencyKey, run_once
from backend.reminders import replies
from backend.reminders.replies import HelpIn, HelpOut, ReplyIn, ReplyOut

IDEMPOTENT = error_responses(409)


class QuickReplyController(Controller):
    path = "/api/inbox"
    tags = ["inbox"]
    guards = [signed_in]
    dependencies = access.dependencies

    @post("/{entry_id:uuid}/reply", operation_id="replyInbox", status_code=200, responses=IDEMPOTENT)
    async def reply(self, actor: CurrentActor, entry_id: FromPath[UUID], data: JSONBody[ReplyIn],
                    idempotency_key: IdempotencyKey = None) -> Response[ReplyOut]:
        """A quick reply to one of my messages: ok, coming, not_coming, unclear or call_me.

        A different reply later replaces the earlier one; the same reply again changes nothing.
        Someone else's message is 404."""
        return await run_once(actor.id, idempotency_key, lambda: replies.reply(actor, entry_id, data), 200,
                              scope="replyInbox")


class HelpController(Controller):
    path = "/api/help-requests"
    tags = ["inbox"]
    guards = [signed_in]
    dependencies = access.dependencies

    @post("", operation_id="askHelp", status_code=200, responses=IDEMPOTENT)
    async def ask(self, actor: CurrentActor, data: JSONBody[HelpIn],
                  idempotency_key: IdempotencyKey = None) -> Response[HelpOut]:
        """'Ik heb hulp nodig' (workers): work, ride, health or other. The coach gets an urgent push
        and an inbox message at once; the same kind again within five minutes sends nothing new
        (`repeated`). 409 when the worker has no coach."""
        return await run_once(actor.id, idempotency_key, lambda: replies.ask_help(actor, data), 200,
                              scope="askHelp")


ROUTES = [QuickReplyController, HelpController]
