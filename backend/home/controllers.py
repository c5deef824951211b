"""HTTP route of the worker's Home: `GET /api/me/today`."""

from __future__ import annotations

from litestar import Controller, Request, get

from backend import access
from backend.access import CurrentActor, signed_in
from backend.accounts.auth import me_row
from backend.home import services
from backend.home.schemas import TodayOut
from backend.i18n import pick_language


class TodayController(Controller):
    path = "/api/me/today"
    tags = ["me"]
    guards = [signed_in]
    dependencies = access.dependencies

    @get("", operation_id="getMyToday")
    async def today(self, request: Request, actor: CurrentActor) -> TodayOut:
        """Everything the worker's Home shows, in one answer: who I am and my contacts, today's items
        and the next one (with where "Ik ben er" stands), what the Home puts first, the ride to the
        next item, the unread count and the reports that still matter. Always about the asker only:
        a buddy, coach or admin gets who they are and their unread count, the worker's parts empty
        (the app starts with this answer for every role). For a worker whose next step is to
        leave home by bus, when to leave (`leave`, as the way to work says it)."""
        return await services.today(actor, pick_language(request.headers.get("accept-language")),
                                    me_row(request.scope, actor.id))


ROUTES = [TodayController]
