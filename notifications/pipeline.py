"""One busy period of one dispatcher process, as a pipeline rather than batches.

It claims more while earlier sends are in flight, sends each delivery as soon as its push service
has a free slot (at most `per_host` in flight or answered and not yet recorded for one service, so a
slow one holds up only its own messages, and a process killed leaves at most that many to be posted
again), records successes in small groups (within `flush_after` seconds or `flush_every`
successes) and renews the lease of everything it holds: waiting for a slot, in flight, or answered
and not yet recorded. A send is not started on a lease about to end. Ends when nothing is due,
held or unrecorded, or when the scheduler stops (then what was never posted is given back).
"""

from __future__ import annotations

import asyncio
import logging
import time

from notifications import http1, payload, store, transport
from notifications import scheduler as jobs_scheduler
from notifications.config import DispatchConfig, TickResult, utcnow
from notifications.endpoints import EndpointRefused, check_endpoint
from notifications.fanout import fan_out

log = logging.getLogger("werkmaat.dispatch")


async def deliver(config: DispatchConfig, client: http1.PushHTTP, delivery: dict,
                  result: TickResult) -> dict | None:
    """Send one delivery (as loaded by `store.load`). A success is returned, to be marked with others
    soon after; every other outcome is marked here."""
    now = utcnow()
    reminder = delivery["reminder"]
    if reminder is None or delivery["endpoint"] is None:
        await store.mark_final(config, delivery, "failed", None, "missing reminder or subscription", now)
        result.failed += 1
        return None
    # Re-checked at send time: still wanted, still useful, device still subscribed.
    if reminder["cancelled_at"] is not None or delivery["unsubscribed"] is not None:
        await store.mark_final(config, delivery, "failed", None, "cancelled or unsubscribed before sending", now)
        result.failed += 1
        return None
    if now > reminder["expires_at"]:
        await store.mark_final(config, delivery, "expired", None, "no longer useful when it could be sent", now)
        result.expired += 1
        return None
    try:
        check_endpoint(delivery["endpoint"], config.extra_hosts)
    except EndpointRefused as exc:
        # Checked at subscription time too; a row that got in some other way is never posted to.
        await store.mark_final(config, delivery, "failed", None, f"endpoint refused: {exc}", now)
        result.failed += 1
        return None
    if config.signer is None:
        log.warning("No VAPID key: push for delivery %s skipped", delivery["id"])
        await store.mark_final(config, delivery, "failed", None, "push not configured on the server", now)
        result.failed += 1
        return None
    title, body = payload.render(reminder["template"], reminder["params"] or {}, reminder["title"],
                                 reminder["body"], delivery["language"] or "nl")
    data = payload.message(title, body, reminder["topic"], reminder["url"], str(reminder["id"]),
                           str(delivery["recipient"]), reminder["urgent"])
    outcome = await transport.send(
        client, config.signer, delivery["endpoint"], delivery["p256dh"], delivery["auth"], data,
        ttl=payload.ttl_seconds(reminder["expires_at"], now),
        urgency=payload.urgency(reminder["urgent"], reminder["event_at"], now), topic=reminder["topic"],
        timeouts=config.timeouts)
    now = utcnow()
    if outcome.kind == "sent":
        return delivery
    if outcome.kind == "gone":
        await store.deactivate(delivery["subscription"], outcome.error, now)
        await store.mark_final(config, delivery, "gone", outcome.status, outcome.error, now)
        result.gone += 1
    elif outcome.kind == "retry":
        if await store.retry(config, delivery, outcome, now, reminder["expires_at"]) == "retried":
            result.retried += 1
        else:
            result.failed += 1
    else:
        await store.mark_final(config, delivery, "failed", outcome.status, outcome.error, now)
        result.failed += 1
    return None


class Pipeline:
    """See the module's docstring. `run` returns what the busy period did."""

    def __init__(self, config: DispatchConfig, client: http1.PushHTTP) -> None:
        self.config = config
        self.client = client
        self.result = TickResult()
        self.leases: dict = {}  # every delivery this process holds -> its lease end as last written
        self.held: dict[str, int] = {}  # push service origin -> deliveries claimed and not yet answered
        self.slots: dict[str, asyncio.Semaphore] = {}
        self.tasks: set[asyncio.Task] = set()
        self.posting: set[asyncio.Task] = set()
        self.unstarted: list = []  # claimed, never posted, given back when stopping
        self.successes: list = []  # (delivery, its push service's slot): answered 2xx, not yet recorded
        self.flushing = asyncio.Lock()
        self.wake = asyncio.Event()  # room to claim more
        self.more = asyncio.Event()  # a success to record
        self.closing = False
        lease = config.lease.total_seconds()
        # Renewed every third of a lease, a held delivery always has a third of one left; less than a
        # sixth means the renewals are not getting through, and a send is not started on it.
        self.renew_every, self.start_margin = max(lease / 3, 0.1), lease / 6
        self.refill = max(1, min(config.refill, config.per_host // 2, config.concurrency // 2))

    @property
    def holding(self) -> int:
        return sum(self.held.values())

    async def run(self) -> TickResult:
        helpers = [asyncio.create_task(self._renew_leases()), asyncio.create_task(self._flusher())]
        last_fan_out = -float("inf")
        try:
            while not jobs_scheduler.stopping():
                if self.config.fan_out and time.monotonic() - last_fan_out >= self.config.poll:
                    last_fan_out = time.monotonic()
                    self.result.fanned_out += await fan_out(utcnow())
                asked, claimed = await self._claim_more()
                if not claimed and not self.tasks and not self.successes:
                    break
                if claimed and claimed == asked and self.holding < self.config.concurrency:
                    continue  # a full claim: more may be due, and there is room
                self.wake.clear()
                try:
                    await asyncio.wait_for(self.wake.wait(), self.config.poll)
                except TimeoutError:
                    pass
        finally:
            await self._drain(helpers)
        return self.result

    async def _claim_more(self) -> tuple[int, int]:
        free = self.config.concurrency - self.holding
        if free < 1:
            return 0, 0
        per_host = self.config.per_host
        busy = [origin for origin, n in self.held.items() if n >= per_host]
        # The claim cannot choose push services; it asks for no more than the fullest one still open has
        # room for (at least `refill`), so a slow service's rows waiting for a slot never crowd out the rest.
        fullest = max((n for n in self.held.values() if n < per_host), default=0)
        asked = min(free, self.config.batch, max(self.refill, per_host - fullest))
        now = utcnow()
        claimed = await store.claim(self.config, now, asked, busy)
        if not claimed:
            return asked, 0
        until = now + self.config.lease
        for row in claimed:
            self.leases[row["id"]] = until
        try:
            deliveries = await store.load(claimed)
        except Exception:  # noqa: BLE001 - the leases run out and the rows are claimed again
            log.exception("Could not load %s claimed deliveries", len(claimed))
            for row in claimed:
                self.leases.pop(row["id"], None)
            return asked, len(claimed)
        for delivery in deliveries:
            origin = transport.origin_of(delivery["endpoint"]) if delivery["endpoint"] else ""
            self.held[origin] = self.held.get(origin, 0) + 1
            task = asyncio.create_task(self._one(delivery, origin))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)
        return asked, len(claimed)

    def _slot(self, origin: str) -> asyncio.Semaphore:
        slot = self.slots.get(origin)
        if slot is None:
            slot = self.slots[origin] = asyncio.Semaphore(self.config.per_host)
        return slot

    def _may_start(self, delivery_id) -> bool:
        until = self.leases.get(delivery_id)
        return until is not None and (until - utcnow()).total_seconds() > self.start_margin

    async def _one(self, delivery: dict, origin: str) -> None:
        task, delivery_id, started = asyncio.current_task(), delivery["id"], False
        slot, acquired = self._slot(origin), False
        try:
            await slot.acquire()
            acquired = True
            if self.closing:
                self.unstarted.append(delivery_id)
                return
            if not self._may_start(delivery_id):
                log.warning("Lease on delivery %s ran out before it could be sent; left to its next holder",
                            delivery_id)
                self.leases.pop(delivery_id, None)
                self.result.lost_lease += 1
                return
            started = True
            self.posting.add(task)
            success = await deliver(self.config, self.client, delivery, self.result)
            if success is None:
                self.leases.pop(delivery_id, None)
            else:
                # The slot stays taken until the success is recorded (`_flush` gives it back): what one
                # push service has from this process and is not yet recorded is at most `per_host`, in
                # flight or answered, and that is all a SIGKILL can make be posted again.
                self.successes.append((success, slot))
                acquired = False
                if len(self.successes) >= self.config.flush_every or len(self.successes) == 1:
                    self.more.set()
        except asyncio.CancelledError:
            if not started:
                self.unstarted.append(delivery_id)
            raise
        except Exception:  # noqa: BLE001 - one bad delivery must not stop the others
            log.exception("Delivery %s failed unexpectedly; its lease will expire and it is retried", delivery_id)
            self.leases.pop(delivery_id, None)
        finally:
            if acquired:
                slot.release()
            self.posting.discard(task)
            self.held[origin] -= 1
            # Claim again once a push service has room for a group and so has the process (not after
            # every single answer: a fast service would cost a claim per message).
            room = self.config.concurrency - self.holding >= self.refill
            if self.holding == 0 or (room and self.held[origin] <= self.config.per_host - self.refill):
                self.wake.set()

    async def _flusher(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            if not self.successes:
                self.more.clear()
                await self.more.wait()
            # The first success waits at most `flush_after` for company, then they are recorded together.
            deadline = loop.time() + self.config.flush_after
            while len(self.successes) < self.config.flush_every and loop.time() < deadline:
                self.more.clear()
                try:
                    await asyncio.wait_for(self.more.wait(), deadline - loop.time())
                except TimeoutError:
                    break
            if not await self._flush():
                await asyncio.sleep(1.0)

    async def _flush(self) -> bool:
        async with self.flushing:
            # Left in the list until recorded: the busy period does not end, nor a stop give up on them,
            # while a group is being written (or was cut off while being written).
            group = self.successes[:]
            if not group:
                return True
            try:
                await store.mark_sent(self.config, [delivery for delivery, _ in group], self.result)
            except Exception:  # noqa: BLE001 - kept (and its leases renewed) until the database answers
                log.exception("Could not record %s sent pushes; trying again", len(group))
                return False
            del self.successes[:len(group)]
            for delivery, slot in group:
                self.leases.pop(delivery["id"], None)
                slot.release()
            self.wake.set()
            return True

    async def _renew_leases(self) -> None:
        lease = self.config.lease.total_seconds()
        while True:
            await asyncio.sleep(self.renew_every)
            now = utcnow()
            due = [i for i, until in self.leases.items() if (until - now).total_seconds() < lease * 2 / 3]
            if not due:
                continue
            try:
                renewed = await store.renew(self.config, due, now)
            except Exception:  # noqa: BLE001 - tried again in a third of a lease; sends wait meanwhile
                log.exception("Could not renew %s leases", len(due))
                continue
            for delivery_id in due:
                if delivery_id not in self.leases:
                    continue  # settled meanwhile
                if delivery_id in renewed:
                    self.leases[delivery_id] = now + self.config.lease
                else:
                    self.leases.pop(delivery_id, None)  # settled, or taken over by another process

    async def _drain(self, helpers: list[asyncio.Task]) -> None:
        """Stop taking work: give back what was never posted, let sends in flight finish, record them."""
        self.closing = True
        cancelled = False
        for task in list(self.tasks):
            if task not in self.posting:
                task.cancel()
        try:
            if self.tasks:
                await asyncio.wait(set(self.tasks), timeout=self.config.timeouts.in_flight + 5)
        except asyncio.CancelledError:
            cancelled = True  # the process is going away: record what is known, then go
        try:
            left = list(self.tasks)
            for task in left:
                task.cancel()
            if left:  # each notes, as it goes, whether it had posted
                await asyncio.wait(left, timeout=5)
            async with self.flushing:  # never cut off a group being recorded
                for task in helpers:
                    task.cancel()
            if self.unstarted:
                await store.release(self.config, self.unstarted)
            for _ in range(3):
                if not self.successes or await self._flush():
                    break
        except Exception:  # noqa: BLE001 - the leases run out and others take over
            log.exception("Could not settle deliveries while stopping")
        except asyncio.CancelledError:
            cancelled = True
        if cancelled:
            raise asyncio.CancelledError
