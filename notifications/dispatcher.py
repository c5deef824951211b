"""The delivery engine: fan reminders out to devices, claim due deliveries with a lease, send, mark.

Any number of processes may run `dispatch` against one database (`werkmaat worker --dispatchers N`
starts several, so sending uses every core). A delivery is claimed by one UPDATE (PostgreSQL: on
rows picked `FOR UPDATE SKIP LOCKED`), sent, and marked sent only by the process that still holds
its lease, so no delivery is marked sent twice. A process killed mid-send loses nothing: its leased
rows become claimable again when the lease runs out.

Nothing is posted twice by a live process: while it holds a delivery (waiting for a slot, in flight,
or answered and not yet recorded) it renews the lease, so a slow push service never lets another
process take over a message that is still out, and no send is started on a lease about to end. Each
success is recorded within `flush_after` seconds (or `flush_every` successes), and a send's slot is
given back only then, so a process killed with SIGKILL leaves at most `per_host` messages per push
service (in flight, or answered and not yet recorded) to be posted again.

The parts: `fanout` (reminders to delivery rows, made by the database a slice at a time),
`store` (claim, renew, mark), `pipeline` (one busy period of one process), `transport`,
`webpush` and `http1` (encrypting and posting one message), `processes` (extra dispatchers).
"""

from __future__ import annotations

import asyncio
import logging

from notifications import http1, transport
from notifications import scheduler as jobs_scheduler
from notifications.config import DispatchConfig, TickResult, backoff, utcnow
from notifications.fanout import QUIET_EXPIRED, fan_out
from notifications.pipeline import Pipeline
from notifications.store import claim, release, renew

__all__ = ["DispatchConfig", "TickResult", "backoff", "utcnow", "fan_out", "QUIET_EXPIRED", "claim", "renew",
           "release", "run", "dispatch"]

log = logging.getLogger("werkmaat.dispatch")


async def run(config: DispatchConfig, client: http1.PushHTTP | None = None) -> TickResult:
    """One busy period: fan out what came due, send everything due, including what comes due or is
    fanned out meanwhile, until nothing is due, held or unrecorded (or the scheduler stops)."""
    own_client = client is None
    client = client or transport.new_client(config.concurrency, config.per_host)
    try:
        return await Pipeline(config, client).run()
    finally:
        if own_client:
            await client.close()


_LOOPS: dict[str, asyncio.Task] = {}


async def dispatch(config: DispatchConfig) -> None:
    """The scheduler's tick: starts this process's busy period unless one is running. The tick returns
    at once, so it never overlaps itself however long the sending takes; the scheduler's `stop`
    waits for the busy period to give back what it has not posted and record what it has."""
    task = _LOOPS.get(config.worker_id)
    if jobs_scheduler.stopping() or (task is not None and not task.done()):
        return
    task = asyncio.create_task(_logged(config), name=f"dispatch-{config.worker_id}")
    _LOOPS[config.worker_id] = task
    jobs_scheduler.RUNNING.add(task)
    task.add_done_callback(jobs_scheduler.RUNNING.discard)


async def _logged(config: DispatchConfig) -> None:
    try:
        result = await run(config)
    except Exception:  # noqa: BLE001 - the next tick starts a new busy period
        log.exception("Dispatch failed")
        return
    if result.lost_lease:
        log.warning("Dispatch: %s", result)
    else:
        log.debug("Dispatch: %s", result)
