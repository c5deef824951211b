"""Periodic work on APScheduler 3: dispatch, expansion of recurring and automatic reminders,
clean-up. Every job has an explicit id; a failing job is logged and the others keep running.

The database rows are the truth; the scheduler only says when to look at them, so it is safe to
run one in every web and worker process.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from dataclasses import dataclass
from typing import Awaitable, Callable

from apscheduler.schedulers.asyncio import AsyncIOScheduler

log = logging.getLogger("werkmaat.jobs")


@dataclass(frozen=True)
class Job:
    id: str
    func: Callable[[], Awaitable[object]]
    seconds: float
    # Seconds after start for the first run; None: after one interval. Jobs whose results people
    # read (flags, tomorrow's way to work) run soon after a start instead of leaving them stale.
    first_after: float | None = None


RUNNING: set[asyncio.Task] = set()
_stopping = False


def stopping() -> bool:
    """True once `stop` has been called: a job that runs long finishes what it holds and takes nothing new."""
    return _stopping


def _guarded(job: Job) -> Callable[[], Awaitable[None]]:
    async def run() -> None:
        task = asyncio.current_task()
        if task is not None:
            RUNNING.add(task)
        try:
            await job.func()
        except Exception:  # noqa: BLE001 - logged; the next run tries again, other jobs go on
            log.exception("Job %s failed", job.id)
        finally:
            RUNNING.discard(task)

    run.__name__ = f"job_{job.id}"
    return run


def build_scheduler(jobs: list[Job]) -> AsyncIOScheduler:
    """A scheduler with each job at its interval; one run of a job at a time, missed runs merged."""
    global _stopping
    _stopping = False
    scheduler = AsyncIOScheduler(timezone="UTC")
    now = dt.datetime.now(dt.timezone.utc)
    for job in jobs:
        first = {} if job.first_after is None else {"next_run_time": now + dt.timedelta(seconds=job.first_after)}
        scheduler.add_job(_guarded(job), "interval", seconds=job.seconds, id=job.id, replace_existing=True,
                          max_instances=1, coalesce=True, misfire_grace_time=max(1, int(job.seconds * 2)), **first)
    return scheduler


async def stop(scheduler: AsyncIOScheduler, grace: float = 15.0) -> None:
    """Stop starting jobs, then give running ones a moment to finish their batch."""
    global _stopping
    _stopping = True
    scheduler.shutdown(wait=False)
    if RUNNING:
        await asyncio.wait(set(RUNNING), timeout=grace)
