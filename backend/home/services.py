"""`GET /api/me/today`: the worker's Home in one answer, computed from the services that own each part.

Who I am and my contacts come from `accounts.services.me`, the items (with the worker's own
attendance and sick days) from `schedule.services.read_items` and `schedule.attendance.with_absences`
(the same as `/api/schedule/mine`), the ride from `mobility.rides.rides_out`; what is added here is
the judgement a Home needs: which item is next, where "Ik ben er" stands, what to put first.
About twenty small queries in all (fewer without a ride), none of them per item.
"""

from __future__ import annotations

import datetime as dt
import logging

import msgspec

from backend.access import Actor, Role
from backend.accounts.services import me as me_of
from backend.errors import AppError
from backend.home import reads
from backend.home.schemas import CheckInOut, HomeShows, LeaveOut, TodayItemOut, TodayOut
from backend.mobility.rides import SHOWN, rides_out
from backend.mobility.services import request_out
from backend.mobility.tables import Ride, RideRequest
from backend.schedule import recurrence
from backend.schedule.attendance import OPENS_BEFORE, mark_absences
from backend.schedule.schemas import ItemOut, ReportOut
from backend.schedule.services import MAX_DURATION
from backend.schedule.services import now as clock_now
from backend.transit import commute as commute_service
from backend.transit import planner
from backend.transit.services import LOCAL_TZ
from notifications.reminders import utcnow

log = logging.getLogger("werkmaat.home")

# The next item is looked for today and in the next six days, as on /api/schedule/mine.
DAYS_AHEAD = 6
# The unread count on the Home and in the menu stops here ("99+" on screen).
UNREAD_CAP = 200
# Attendance a coach set without a check-in: present/late count as checked in, absent as missed.
_CAME = ("present", "late")


def check_in_state(item: ItemOut, worker: Actor, at: dt.datetime) -> CheckInOut:
    """Where "Ik ben er" stands for `worker` on `item` at `at` (the rules of schedule.attendance:
    open from an hour before the start until the end)."""
    opens, closes = item.starts_at - OPENS_BEFORE, item.ends_at
    mine = next((a for a in item.attendance if a.person_id == worker.id), None)
    status = mine.status if mine else None
    checked = mine.checked_in_at if mine else None
    if item.cancelled:
        state = "cancelled"
    elif checked is not None or status in _CAME:
        state = "checkedIn"
    elif item.absence is not None or status == "excused":
        state = "excused"
    elif status == "absent" or at > closes:
        state = "missed"
    elif at < opens:
        state = "notYet"
    else:
        state = "open"
    return CheckInOut(state=state, opens_at=opens, closes_at=closes, status=status, checked_in_at=checked)


def _today_item(item: ItemOut, worker: Actor, at: dt.datetime) -> TodayItemOut:
    # TodayItemOut is ItemOut with two fields more (keyword-only): the item's fields go in by
    # position, in their order (7.6 -> 0.9 us against a dict of them by name).
    return TodayItemOut(*msgspec.structs.astuple(item), check_in=check_in_state(item, worker, at),
                        done=item.ends_at <= at)


def next_item(items: list[ItemOut], at: dt.datetime) -> ItemOut | None:
    """The first item not cancelled, not excused and not over yet (as `nextItem` in the PWA)."""
    return next((i for i in sorted(items, key=lambda i: i.starts_at)
                 if not i.cancelled and i.absence is None and i.ends_at > at), None)


def on_today(item: ItemOut, day: dt.date, at: dt.datetime) -> bool:
    """Today's list: the items of the local day, and one from before still running (a night shift
    22:00-06:00 belongs to "now" at 00:30, not to yesterday)."""
    return item.local_date == day or (item.local_date < day and not item.cancelled
                                      and item.starts_at <= at < item.ends_at)


def what_home_shows(todays: list[ItemOut], upcoming: ItemOut | None, day: dt.date, at: dt.datetime,
                    sick_today: bool) -> HomeShows:
    if upcoming is not None and upcoming.starts_at - OPENS_BEFORE <= at:
        return "now"
    if upcoming is not None and upcoming in todays:
        return "today"
    if sick_today and not any(not i.cancelled and i.absence is None and i.ends_at > at for i in todays):
        return "sick"
    return "later" if upcoming is not None else "free"


def current_reports(reports: list[ReportOut], day: dt.date) -> list[ReportOut]:
    """Sick reports that reach today or later, late reports of today."""
    return [r for r in reports if (r.kind == "sick" and r.last_day >= day) or (r.kind == "late" and r.first_day == day)]


async def _ride_for(worker: Actor, item: ItemOut | None):
    """The ride to `item` (the confirmed one, else the latest cancelled or done one) and the live or
    latest request for it."""
    if item is None:
        return None, None
    requests = await RideRequest.select().where(
        (RideRequest.worker == worker.id) & (RideRequest.item == item.id)).order_by(RideRequest.created_at)
    if not requests:
        return None, None
    live = [r for r in requests if r["status"] != "cancelled"]
    request = (live or requests)[-1]
    rides = await Ride.objects().where(
        Ride.request.is_in([r["id"] for r in requests]) & Ride.status.is_in(list(SHOWN))).order_by(Ride.decided_at)
    ride = next((r for r in rides if r.status == "confirmed"), rides[-1] if rides else None)
    return ((await rides_out([ride], "rider"))[0] if ride else None), await request_out(request)


# "Vertrek om 07:15" is the next step for a shift or training that starts within this time.
LEAVE_WITHIN = dt.timedelta(hours=36)


def wants_leave_time(item: ItemOut | None, ride, at: dt.datetime) -> bool:
    """Is when to leave the next step? A shift or training, no confirmed ride to it (the pickup time is
    the step then), before its check-in opens and within LEAVE_WITHIN."""
    if item is None or item.kind not in commute_service.KINDS or item.cancelled or item.absence is not None:
        return False
    if ride is not None and ride.status == "confirmed":
        return False
    return at < item.starts_at - OPENS_BEFORE and item.starts_at - at < LEAVE_WITHIN


async def leave_for(actor: Actor, item: ItemOut | None, ride, at: dt.datetime, language: str) -> LeaveOut | None:
    """When to leave for `item`, as the way to work works it out (`transit.commute.commute`, the same
    answer as `/api/me/commute?itemId=`), so the Home shows its main action at once instead of
    asking a second time. None when it is not the next step, no journey arrives in time, or the
    planner fails (the Home then offers "Ik ben er" when it opens, as without a timetable)."""
    if not wants_leave_time(item, ride, at):
        return None
    try:
        answer = await commute_service.commute(actor, None, item.id, language, now=at)
    except Exception:  # the Home answer never fails for the leave time
        log.warning("leave time for item %s not worked out", item.id, exc_info=True)
        return None
    found = next((i for i in answer.items if i.item_id == item.id), None)
    if found is None or found.leave_home_at is None or found.late:
        return None
    return LeaveOut(item_id=item.id, at=found.leave_home_at, journey=found.journeys[0] if found.journeys else None)


async def today(actor: Actor, language: str = "nl", me_row: dict | None = None) -> TodayOut:
    """The worker's Home. Anyone else gets the parts that are theirs too (who they are, their unread
    count) with the worker's parts empty: the app starts with this one answer whatever the role.
    `language`: of the words inside the leave time's journey (stop notes). `me_row`: the asker's
    `auth.ME_COLUMNS` as the request's session lookup read them (`auth.me_row`), which saves a query.

    Read with the hand-written statements of `home.reads` (the same values as `read_items`,
    `with_absences`, `list_reports`, `home_of` and the inbox's unread filter give): two statements
    besides the session's (a third when a series may have days not stored yet), plus the ride's when
    the worker asked one to the next item."""
    at = clock_now()
    day = recurrence.local_today(at)
    me = await me_of(actor.id, me_row)
    horizon = day + dt.timedelta(days=DAYS_AHEAD)
    worker = actor.role == Role.WORKER
    # An item that still runs today started at most MAX_DURATION before today's start, so the
    # items' days begin no earlier than this; the exact days are applied to the reports below.
    reports_from = day - dt.timedelta(days=MAX_DURATION.days + 1)
    facts = await reads.facts(actor.id, utcnow(), horizon, reports_from if worker else None)
    unread, home = facts.unread, facts.home
    if not worker:
        return TodayOut(now=at, today=day, me=me, items=[], next=None, shows="free", sick_until=None, ride=None,
                        ride_request=None, has_home=False, unread=min(unread, UNREAD_CAP), reports=[])
    items, asked = await reads.own_items(actor.id, day, horizon, facts.series)
    first = min((i.local_date for i in items), default=day)
    last = max((i.local_date for i in items), default=day)
    latest, sick = reads.split_reports(facts.reports, f"{me.first_name} {me.last_name}".strip(),
                                       min(first, day), max(last, day))
    if items:
        items = mark_absences(actor.id, items, [r for r in sick if r["first_day"] <= last and r["last_day"] >= first])
    todays = [i for i in items if on_today(i, day, at)]
    upcoming = next_item(items, at)
    sick_until = max((r["last_day"] for r in sick if r["first_day"] <= day <= r["last_day"]), default=None)
    if upcoming is not None and (asked is None or upcoming.id in asked):
        ride, ride_request = await _ride_for(actor, upcoming)
    else:
        ride, ride_request = None, None
    return TodayOut(
        now=at, today=day, me=me,
        items=[_today_item(i, actor, at) for i in todays],
        next=_today_item(upcoming, actor, at) if upcoming else None,
        shows=what_home_shows(todays, upcoming, day, at, sick_until is not None),
        sick_until=sick_until, ride=ride, ride_request=ride_request,
        has_home=home is not None and home[0] is not None,
        unread=min(unread, UNREAD_CAP),
        reports=current_reports(latest, day),
        leave=await _leave(actor, upcoming, ride, at, language, home, asked),
    )


async def _leave(actor: Actor, item: ItemOut | None, ride, at: dt.datetime, language: str,
                 home: tuple[float | None, float | None] | None, asked: set | None) -> LeaveOut | None:
    """`leave_for`, without asking the database again for what the Home has read: with no ride asked
    to the item, the way to work's answer for it is the first journey of `advise` that still leaves
    (a late or no journey is no leave time). Otherwise, and for a day not stored yet, `leave_for`."""
    if not wants_leave_time(item, ride, at):
        return None
    if asked is None or item.id in asked or item.virtual:
        return await leave_for(actor, item, ride, at, language)
    origin = home if home is not None and home[0] is not None and home[1] is not None else None
    place = (item.place.latitude, item.place.longitude) \
        if item.place.latitude is not None and item.place.longitude is not None else None
    if origin is None or place is None:
        return None
    try:
        journeys = await planner.plan_arrive_by_remembered(
            origin, place, (item.starts_at - commute_service.ARRIVE_EARLY).astimezone(LOCAL_TZ))
    except AppError:  # no feed loaded, or a date the feeds do not cover: no leave time
        return None
    except Exception:  # the Home answer never fails for the leave time
        log.warning("leave time for item %s not worked out", item.id, exc_info=True)
        return None
    journey = next((j for j in journeys if j.departure >= at), None)
    if journey is None:
        return None
    return LeaveOut(item_id=item.id, at=journey.departure, journey=journey)
