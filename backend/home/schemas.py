"""The shape of `GET /api/me/today`: everything the worker's Home draws, in one answer."""

from __future__ import annotations

import datetime as dt
from typing import Literal
from uuid import UUID

from backend.accounts.schemas import MeOut
from backend.mobility.schemas import MyRideOut, RideRequestOut
from backend.schedule.schemas import ItemOut, ReportOut
from backend.schemas import CamelStruct
from backend.transit.schemas import Journey

CheckInState = Literal["checkedIn", "open", "notYet", "missed", "excused", "cancelled"]
HomeShows = Literal["now", "today", "later", "free", "sick"]


class CheckInOut(CamelStruct):
    """Where "Ik ben er" stands for this worker and item, by the server's clock and rules.

    `state`: checkedIn (done: see `status` and `checkedInAt`), open (the button works now), notYet
    (it opens at `opensAt`), missed (closed without a check-in, or the coach noted absent), excused
    (sick report or excused by the coach), cancelled (the item is off)."""

    state: CheckInState
    opens_at: dt.datetime
    closes_at: dt.datetime
    status: str | None = None
    checked_in_at: dt.datetime | None = None


class TodayItemOut(ItemOut, kw_only=True):
    """A schedule item exactly as `/api/schedule/mine` gives it (with `absence`), plus its check-in
    state and whether it is over."""

    check_in: CheckInOut
    done: bool


class LeaveOut(CamelStruct):
    """When to leave home for the next item by public transport, and the first journey that gets
    there in time: what `/api/me/commute?itemId=` says for it (see `services.leave_for`)."""

    item_id: UUID
    at: dt.datetime
    journey: Journey | None = None


class TodayOut(CamelStruct):
    """The worker's Home (README, "The worker's Home in one answer"). For a buddy, coach or admin
    only `now`, `today`, `me` and `unread` mean something; the worker's parts are empty."""

    now: dt.datetime
    today: dt.date
    me: MeOut
    # Today's items (local day) in time order, and one still running from yesterday (a night shift).
    items: list[TodayItemOut]
    # The item that matters now: the first one not cancelled, not excused and not over, today or in
    # the next six days; null when there is none.
    next: TodayItemOut | None
    # What the Home puts first: "now" (next is running, or its check-in is open), "today" (next
    # starts later today), "later" (nothing more today; next is on another day), "free" (no next
    # item this week), "sick" (a sick report covers today and nothing of today is left to do).
    shows: HomeShows
    # Last day of the sick report that covers today, or null.
    sick_until: dt.date | None
    # The ride to the next item (confirmed, or cancelled with its reason), and the ride request for
    # it; `has_home` says whether a ride can be asked at all (the home is known).
    ride: MyRideOut | None
    ride_request: RideRequestOut | None
    has_home: bool
    unread: int
    # The worker's reports that still matter: sick reports up to today or later, late reports of today.
    reports: list[ReportOut]
    # When to leave for the next item (the Home's main action "Vertrek om 07:15"), while that is the
    # next step: a shift or training within 36 hours, before its check-in opens, without a ride to it,
    # and a journey that still arrives in time. Null otherwise.
    leave: LeaveOut | None = None
