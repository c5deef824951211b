"""HTTP route of the worker's Home: `GET /api/me/today`."""

from __future__ import annotations

from litestar import Controller, get

from backend import access
from backend.access import CurrentActor, signed_in
from backend.home import services
from backend.home.schemas import TodayOut


class TodayController(Controller):
    path = "/api/me/today"
    tags = ["me"]
    guards = [signed_in]
    dependencies = access.dependencies

    @get("", operation_id="getMyToday")
    async def today(self, actor: CurrentActor) -> TodayOut:
        """Everything the worker's Home shows, in one answer: who I am and my contacts, today's items
        and the next one (with where "Ik ben er" stands), what the Home puts first, the ride to the
        next item, the unread count and the reports that still matter. Always about the asker only:
        a buddy, coach or admin gets who they are and their unread count, the worker's parts empty
        (the app starts with this answer for every role)."""
        return await services.today(actor)


ROUTES = [TodayController]
