"""HTTP routes for schedules, check-in, attendance, sick and late reports, groups and calendars."""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from uuid import UUID

from litestar import Controller, Response, get, patch, post, put, route
from litestar.params import FromPath, FromQuery, JSONBody, Parameter

from backend import access
from backend.access import CurrentActor, Role, signed_in, staff_only
from backend.accounts.services import manageable_person
from backend.errors import Forbidden, error_responses
from backend.idempotency import IdempotencyKey, run_once
from backend.schedule import attendance, calendar, conflicts, services
from backend.schedule.schemas import (
    AttendanceCorrection,
    AttendanceDetail,
    AttendanceOut,
    CalendarOut,
    CheckInIn,
    ConflictsOut,
    GroupCreate,
    GroupOut,
    ItemCreate,
    ItemOut,
    ItemUpdate,
    LateReportIn,
    ReportOut,
    SeriesCreate,
    SeriesOut,
    SeriesUpdate,
    SickReportIn,
)

# 409: the same Idempotency-Key is still being handled.
IDEMPOTENT = error_responses(409)
DateFrom = Annotated[dt.date | None, Parameter(query="from", required=False)]
DateTo = Annotated[dt.date | None, Parameter(query="to", required=False)]


class ScheduleController(Controller):
    path = "/api/schedule"
    tags = ["schedule"]
    guards = [signed_in]
    dependencies = access.dependencies

    @get("/mine", operation_id="mySchedule")
    async def mine(self, actor: CurrentActor, first: DateFrom = None, last: DateTo = None) -> list[ItemOut]:
        """The asker's own items, today and the next six days unless `from`/`to` say otherwise;
        `absence` says which of them the worker is excused from ("sick" after a sick report)."""
        return await attendance.with_absences(actor, await services.my_items(actor, first, last))

    @get("/items", operation_id="listScheduleItems", guards=[staff_only])
    async def list_items(self, actor: CurrentActor, worker_id: Annotated[UUID | None, Parameter(query="workerId", required=False)] = None,
                         first: DateFrom = None, last: DateTo = None) -> list[ItemOut]:
        return await services.list_items(actor, worker_id, first, last)

    @post("/items", operation_id="createScheduleItem", guards=[staff_only])
    async def create_item(self, actor: CurrentActor, data: JSONBody[ItemCreate]) -> ItemOut:
        """Plan one shift, training, intake or meeting for workers or a group. Clashes are not
        refused: ask `/items/conflicts` first and let the coach decide."""
        return await services.create_item(actor, data)

    @get("/items/{item_id:uuid}", operation_id="getScheduleItem")
    async def get_item(self, actor: CurrentActor, item_id: FromPath[UUID]) -> ItemOut:
        return (await attendance.with_absences(actor, [await services.get_item(actor, item_id)]))[0]

    @post("/items/conflicts", operation_id="scheduleItemConflicts", guards=[staff_only], status_code=200)
    async def item_conflicts(self, actor: CurrentActor, data: JSONBody[ItemCreate]) -> ConflictsOut:
        """What this item would clash with: its workers already planned at that time. Takes the
        body of `POST /items`, checks it the same way (400 for the same mistakes) and saves nothing."""
        return await conflicts.item_conflicts(actor, data)

    @patch("/items/{item_id:uuid}", operation_id="updateScheduleItem", guards=[staff_only])
    async def update_item(self, actor: CurrentActor, item_id: FromPath[UUID], data: JSONBody[ItemUpdate]) -> ItemOut:
        return await services.update_item(actor, item_id, data)

    @post("/items/{item_id:uuid}/cancel", operation_id="cancelScheduleItem", guards=[staff_only], status_code=200)
    async def cancel_item(self, actor: CurrentActor, item_id: FromPath[UUID]) -> ItemOut:
        return await services.set_cancelled(actor, item_id, True)

    @post("/items/{item_id:uuid}/restore", operation_id="restoreScheduleItem", guards=[staff_only], status_code=200)
    async def restore_item(self, actor: CurrentActor, item_id: FromPath[UUID]) -> ItemOut:
        return await services.set_cancelled(actor, item_id, False)

    @post("/items/{item_id:uuid}/check-in", operation_id="checkIn", status_code=201, responses=IDEMPOTENT)
    async def check_in(self, actor: CurrentActor, item_id: FromPath[UUID], data: JSONBody[CheckInIn | None] = None,
                       idempotency_key: IdempotencyKey = None) -> Response[AttendanceOut]:
        """'Ik ben er', from an hour before the start until the end (409 outside that, saying when).

        No location is asked. A phone that was offline sends `tappedAt` (and `sentAt`): the tap
        then counts when it is plausible, else the moment the server receives it."""
        actor, body = actor, data or CheckInIn()
        return await run_once(actor.id, idempotency_key,
                              lambda: attendance.check_in(actor, item_id, body.tapped_at, body.sent_at),
                              scope="checkIn")

    @get("/items/{item_id:uuid}/attendance/{person_id:uuid}", operation_id="getAttendance", guards=[staff_only])
    async def get_attendance(self, actor: CurrentActor, item_id: FromPath[UUID],
                             person_id: FromPath[UUID]) -> AttendanceDetail:
        return await attendance.attendance_detail(actor, item_id, person_id)

    @put("/items/{item_id:uuid}/attendance/{person_id:uuid}", operation_id="correctAttendance", guards=[staff_only])
    async def correct_attendance(self, actor: CurrentActor, item_id: FromPath[UUID], person_id: FromPath[UUID],
                                 data: JSONBody[AttendanceCorrection]) -> AttendanceDetail:
        """Set present, late, absent or excused; the change is kept with who and when."""
        return await attendance.correct_attendance(actor, item_id, person_id, data)

    @post("/series", operation_id="createScheduleSeries", guards=[staff_only])
    async def create_series(self, actor: CurrentActor, data: JSONBody[SeriesCreate]) -> SeriesOut:
        """A weekly pattern (e.g. Mon-Thu 08:00-16:00) in local time, with an optional end date."""
        return await services.create_series(actor, data)

    @post("/series/conflicts", operation_id="scheduleSeriesConflicts", guards=[staff_only], status_code=200)
    async def series_conflicts(self, actor: CurrentActor, data: JSONBody[SeriesCreate]) -> ConflictsOut:
        """What this series would clash with in its first 26 weeks: the same series planned again,
        other items of its workers at those times. Takes the body of `POST /series`; saves nothing."""
        return await conflicts.series_conflicts(actor, data)

    @get("/series/{series_id:uuid}", operation_id="getScheduleSeries", guards=[staff_only])
    async def get_series(self, actor: CurrentActor, series_id: FromPath[UUID]) -> SeriesOut:
        return services.series_out(await services.visible_series(actor, series_id))

    @patch("/series/{series_id:uuid}", operation_id="updateScheduleSeries", guards=[staff_only])
    async def update_series(self, actor: CurrentActor, series_id: FromPath[UUID],
                            data: JSONBody[SeriesUpdate]) -> SeriesOut:
        """Change a series from now on; days changed by hand keep their change."""
        return await services.update_series(actor, series_id, data)

    @post("/series/{series_id:uuid}/end", operation_id="endScheduleSeries", guards=[staff_only], status_code=200)
    async def end_series(self, actor: CurrentActor, series_id: FromPath[UUID]) -> SeriesOut:
        return await services.end_series(actor, series_id)


class GroupController(Controller):
    path = "/api/groups"
    tags = ["schedule"]
    guards = [staff_only]
    dependencies = access.dependencies

    @get("", operation_id="listGroups")
    async def list_groups(self, actor: CurrentActor) -> list[GroupOut]:
        return await services.list_groups(actor)

    @post("", operation_id="createGroup")
    async def create_group(self, actor: CurrentActor, data: JSONBody[GroupCreate]) -> GroupOut:
        return await services.create_group(actor, data)


class ReportController(Controller):
    path = "/api/reports"
    tags = ["reports"]
    guards = [signed_in]
    dependencies = access.dependencies

    @post("/sick", operation_id="reportSick", status_code=201, responses=IDEMPOTENT)
    async def sick(self, actor: CurrentActor, data: JSONBody[SickReportIn],
                   idempotency_key: IdempotencyKey = None) -> Response[ReportOut]:
        """'Ik ben ziek': today, or from `firstDay` to `lastDay` (at most 60 days)."""
        return await run_once(actor.id, idempotency_key, lambda: attendance.report_sick(actor, data),
                              scope="reportSick")

    @post("/late", operation_id="reportLate", status_code=201, responses=IDEMPOTENT)
    async def late(self, actor: CurrentActor, data: JSONBody[LateReportIn],
                   idempotency_key: IdempotencyKey = None) -> Response[ReportOut]:
        """'Ik kom te laat': how many minutes, and optionally why."""
        return await run_once(actor.id, idempotency_key, lambda: attendance.report_late(actor, data),
                              scope="reportLate")

    @get("", operation_id="listReports")
    async def list_reports(self, actor: CurrentActor, unseen: FromQuery[bool] = False,
                           person_id: Annotated[UUID | None, Parameter(query="personId", required=False)] = None,
                           limit: Annotated[int, Parameter(query="limit", ge=1, le=200)] = 50) -> list[ReportOut]:
        """Newest first. Coaches see their organisation's reports, workers their own."""
        return await attendance.list_reports(actor, unseen, person_id, limit)

    @post("/{report_id:uuid}/seen", operation_id="markReportSeen", guards=[staff_only], status_code=200)
    async def seen(self, actor: CurrentActor, report_id: FromPath[UUID]) -> ReportOut:
        return await attendance.mark_report_seen(actor, report_id)


class CalendarController(Controller):
    path = "/api/calendar"
    tags = ["calendar"]
    guards = [signed_in]
    dependencies = access.dependencies

    @get("", operation_id="myCalendar")
    async def mine(self, actor: CurrentActor) -> CalendarOut:
        """The private address of the asker's calendar feed, to add to a phone's agenda app."""
        return await calendar.calendar_info(actor.id)

    @post("/renew", operation_id="renewMyCalendar", status_code=200)
    async def renew_mine(self, actor: CurrentActor) -> CalendarOut:
        """A new address; the old one stops working at once."""
        return await calendar.renew(actor.id)

    @post("/{person_id:uuid}/renew", operation_id="renewPersonCalendar", status_code=200, guards=[staff_only])
    async def renew_for(self, actor: CurrentActor, person_id: FromPath[UUID]) -> CalendarOut:
        person = await manageable_person(actor, person_id)
        if person.role != Role.WORKER:  # only workers have a schedule to subscribe to
            raise Forbidden()
        return await calendar.renew(person.id)


def _feed_operation_id(handler, method, path) -> str:
    return "calendarFeed" if method == "GET" else "calendarFeedHead"


# GET and HEAD: calendar apps (and link checkers) ask HEAD first to see whether the address works.
# HEAD gets the same headers (Content-Length too) without the body. The media type is given without
# a charset: Litestar adds "; charset=utf-8" to text types itself, and naming it here made it twice.
@route("/cal/{token:str}", http_method=["GET", "HEAD"], operation_id=_feed_operation_id, tags=["calendar"],
       security=[], media_type="text/calendar")
async def calendar_feed(token: FromPath[str]) -> Response[bytes]:
    """The iCalendar feed itself; the unguessable token in the address is the only key."""
    person = await calendar.person_for_token(token.removesuffix(".ics"))
    body = await calendar.render_feed(person)
    return Response(body, media_type="text/calendar",
                    headers={"Content-Disposition": 'inline; filename="werkmaat.ics"'})


ROUTES = [ScheduleController, GroupController, ReportController, CalendarController, calendar_feed]
