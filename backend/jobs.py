"""The periodic jobs of a Werkmaat process, run by `notifications.scheduler` (APScheduler)."""

from __future__ import annotations

import contextlib
from typing import AsyncIterator

from backend.accounts import throttle
from backend.coaching.jobs import jobs as coaching_jobs
from backend.commute import live as commute_live
from backend.commute import services as commute
from backend.commute.wiring import install as wire_domains
from backend.privacy import retention
from backend.reminders.services import dispatch_config, plan_automatic_reminders
from backend.schedule.services import expand_horizon
from backend.settings import get_settings
from backend.transit import realtime
from notifications import dispatcher
from notifications import reminders as core
from notifications.scheduler import Job, build_scheduler
from notifications.scheduler import stop as stop_scheduler


def realtime_jobs() -> list[Job]:
    """GTFS-Realtime fetching, when the operator configured a feed: a look every second at most
    (each feed is fetched at its own interval, by one process: `backend.transit.realtime.poll`)."""
    feeds = get_settings().gtfs_rt
    if not feeds:
        return []
    return [Job("transit-realtime", realtime.poll, max(1.0, min(f.interval for f in feeds) / 2), first_after=0.5)]


def jobs() -> list[Job]:
    wire_domains()
    config = dispatch_config()
    interval = get_settings().dispatch_interval
    return [
        Job("dispatch", lambda: dispatcher.dispatch(config), interval),
        Job("expand-recurring-reminders", core.expand_rules, 60),
        # Keeps weekly series stored up to today + HORIZON (reads never expand them).
        Job("expand-series", expand_horizon, 3600, first_after=1),
        Job("plan-automatic-reminders", plan_automatic_reminders, get_settings().planning_interval),
        Job("purge-deliveries", core.purge, 3600),
        Job("purge-sign-in-throttle", throttle.purge_old, 3600),
        *coaching_jobs(),
        Job("commute-check", commute.refresh_upcoming, 600, first_after=5),
        # "Vertrek nu" and "your bus is gone" pushes (backend.commute.live), with live data.
        Job("commute-watch", commute_live.watch, get_settings().commute_watch_interval, first_after=2),
        *realtime_jobs(),
        Job("privacy-retention", retention.purge_job, 6 * 3600),
    ]


@contextlib.asynccontextmanager
async def running_scheduler() -> AsyncIterator[None]:
    """Run the jobs for as long as the context lasts."""
    scheduler = build_scheduler(jobs())
    scheduler.start()
    try:
        yield
    finally:
        await stop_scheduler(scheduler)
