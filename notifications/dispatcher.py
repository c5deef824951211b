"""The delivery engine: fan reminders out to devices, claim due deliveries with a lease, send, mark.

Any number of processes may run `dispatch` against one database. A delivery is claimed by one
UPDATE (PostgreSQL: on rows picked `FOR UPDATE SKIP LOCKED`), sent, and marked sent only by the
process that still holds its lease, so no delivery is marked sent twice. A process killed mid-send
loses nothing: its leased rows become claimable again when the lease runs out.

Nothing is posted twice by a live process: while it holds a delivery (waiting for a slot, in flight,
or answered and not yet recorded) it renews the lease, so a slow push service never lets another
process take over a message that is still out, and no send is started on a lease about to end. Each
success is recorded within `flush_after` seconds (or `flush_every` successes), so a process killed
with SIGKILL leaves at most its messages in flight and those few unrecorded to be posted again.

The loop is a pipeline, not a batch: it claims more while earlier sends are in flight, and at most
`per_host` sends go to one push service, so a slow service holds up only its own messages.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import random
import time
import uuid
from dataclasses import dataclass, field

import aiohttp

from notifications import payload, transport
from notifications import scheduler as jobs_scheduler
from notifications.endpoints import EndpointRefused, check_endpoint
from notifications.quiet import DEFAULT_QUIET, end_of_quiet, quiet_hours_of
from notifications.tables import Delivery, PushSubscription, Recipient, Reminder
from notifications.vapid import VapidSigner

log = logging.getLogger("werkmaat.dispatch")
UTC = dt.timezone.utc


@dataclass
class DispatchConfig:
    signer: VapidSigner | None
    worker_id: str = field(default_factory=lambda: f"w-{uuid.uuid4().hex[:12]}")
    # How long a claimed delivery stays this process's without word from it; renewed while held.
    lease: dt.timedelta = dt.timedelta(seconds=60)
    batch: int = 500  # most deliveries claimed in one statement
    concurrency: int = 128  # deliveries held at once (waiting or in flight); also the connection pool's size
    per_host: int = 96  # sends in flight to one push service: a slow one leaves the rest for the others
    flush_every: int = 20  # successes recorded in one transaction ...
    flush_after: float = 0.2  # ... or at most this many seconds after the first of them
    poll: float = 0.5  # seconds between looks for newly due work while sends are in flight
    timeouts: transport.Timeouts = field(default_factory=transport.Timeouts)
    max_attempts: int = 6
    base_backoff: float = 5.0
    max_backoff: float = 900.0
    late_after: dt.timedelta = dt.timedelta(minutes=2)
    extra_hosts: tuple[str, ...] = ()


@dataclass
class TickResult:
    fanned_out: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    gone: int = 0
    expired: int = 0
    lost_lease: int = 0


def utcnow() -> dt.datetime:
    return dt.datetime.now(UTC)


# --- fan-out: one delivery per (recipient, active subscription) --------------------------------

async def fan_out(now: dt.datetime, limit: int = 500) -> int:
    """Create deliveries for reminders that have come due. Idempotent across processes."""
    reminders = await Reminder.select(Reminder.id, Reminder.urgent, Reminder.due_at, Reminder.expires_at).where(
        (Reminder.fanned_out == False) & (Reminder.due_at <= now) & Reminder.cancelled_at.is_null()  # noqa: E712
    ).order_by(Reminder.due_at).limit(limit)
    for reminder in reminders:
        recipients = await Recipient.select(Recipient.id, Recipient.person).where(
            Recipient.reminder == reminder["id"])
        person_ids = list({r["person"] for r in recipients})
        by_person: dict = {}
        quiet: dict = {}
        for chunk in _chunks(person_ids):
            for sub in await PushSubscription.select(PushSubscription.id, PushSubscription.person).where(
                PushSubscription.person.is_in(chunk) & PushSubscription.deactivated_at.is_null()
            ):
                by_person.setdefault(sub["person"], []).append(sub["id"])
            if not reminder["urgent"]:
                quiet.update(await quiet_hours_of(chunk))
        rows, without_device, expired_ids = [], [], []
        for recipient in recipients:
            subs = by_person.get(recipient["person"], [])
            if not subs:
                without_device.append(recipient["id"])
                continue
            start = max(reminder["due_at"], now)
            if not reminder["urgent"]:
                start = end_of_quiet(start, *quiet.get(recipient["person"], DEFAULT_QUIET))
            # Quiet hours that last past the reminder's usefulness: recorded as expired, not dropped.
            expired = start > reminder["expires_at"]
            if expired:
                expired_ids.append(recipient["id"])
            rows += [Delivery(recipient=recipient["id"], subscription=s, key=f"{recipient['id']}:{s}",
                              next_attempt_at=start, status="expired" if expired else "queued",
                              last_error=QUIET_EXPIRED if expired else "") for s in subs]
        for chunk in _chunks(rows, 300):
            await Delivery.insert(*chunk).on_conflict(target=Delivery.key, action="DO NOTHING")
        for chunk in _chunks(without_device):
            await Recipient.update({Recipient.push_status: "none"}).where(
                Recipient.id.is_in(chunk) & (Recipient.push_status == "queued"))
        for chunk in _chunks(expired_ids):
            await Recipient.update({Recipient.push_status: "expired", Recipient.push_error: QUIET_EXPIRED}).where(
                Recipient.id.is_in(chunk) & (Recipient.push_status == "queued"))
        await Reminder.update({Reminder.fanned_out: True}).where(Reminder.id == reminder["id"])
    return len(reminders)


QUIET_EXPIRED = "quiet hours outlast the reminder"


def _chunks(values: list, size: int = 500):
    for start in range(0, len(values), size):
        yield values[start:start + size]


# --- claiming -----------------------------------------------------------------------------------

async def claim(config: DispatchConfig, now: dt.datetime, limit: int | None = None,
                busy_origins: list[str] | tuple[str, ...] = ()) -> list[dict]:
    """Lease up to `limit` (default `batch`) due deliveries to this worker in one statement, none of
    them to a push service in `busy_origins` (`scheme://host`, see `transport.origin_of`)."""
    condition = (Delivery.status.is_in(["queued", "sending"]) & (Delivery.next_attempt_at <= now)
                 & (Delivery.lease_until.is_null() | (Delivery.lease_until < now)))
    if busy_origins:
        busy = PushSubscription.endpoint.like(f"{busy_origins[0]}/%")
        for origin in busy_origins[1:]:
            busy = busy | PushSubscription.endpoint.like(f"{origin}/%")
        condition = condition & Delivery.subscription.not_in(PushSubscription.select(PushSubscription.id).where(busy))
    due = Delivery.select(Delivery.id).where(condition).order_by(Delivery.next_attempt_at).limit(limit or config.batch)
    if Delivery._meta.db.engine_type == "postgres":
        due = due.lock_rows("UPDATE", skip_locked=True)
    return await Delivery.update({
        Delivery.status: "sending", Delivery.lease_until: now + config.lease,
        Delivery.leased_by: config.worker_id, Delivery.attempts: Delivery.attempts + 1,
    }).where(Delivery.id.is_in(due)).returning(Delivery.id, Delivery.recipient, Delivery.subscription,
                                               Delivery.attempts)


async def _load(claimed: list[dict]) -> tuple[dict, dict, dict]:
    recipient_ids = list({c["recipient"] for c in claimed})
    sub_ids = list({c["subscription"] for c in claimed})
    recipients = {r["id"]: r for r in await Recipient.select(
        Recipient.id, Recipient.reminder, Recipient.person, Recipient.person.language.as_alias("language"),
    ).where(Recipient.id.is_in(recipient_ids))}
    reminder_ids = list({r["reminder"] for r in recipients.values()})
    reminders = {r["id"]: r for r in await Reminder.select().where(Reminder.id.is_in(reminder_ids))
                 .output(load_json=True)}
    subs = {s["id"]: s for s in await PushSubscription.select().where(PushSubscription.id.is_in(sub_ids))}
    return recipients, reminders, subs


def _mine_all(config: DispatchConfig, ids: list):
    return Delivery.id.is_in(ids) & (Delivery.leased_by == config.worker_id) & (Delivery.status == "sending")


async def renew(config: DispatchConfig, ids: list, now: dt.datetime) -> set:
    """Extend this worker's leases on `ids` from `now`; returns the ids it still held."""
    renewed: set = set()
    for chunk in _chunks(ids):
        rows = await Delivery.update({Delivery.lease_until: now + config.lease}).where(
            _mine_all(config, chunk)).returning(Delivery.id)
        renewed.update(row["id"] for row in rows)
    return renewed


async def release(config: DispatchConfig, ids: list) -> None:
    """Give back deliveries that were claimed but never posted (a process stopping): claimable at once,
    and the claim does not count as an attempt."""
    for chunk in _chunks(ids):
        await Delivery.update({
            Delivery.status: "queued", Delivery.lease_until: None, Delivery.leased_by: None,
            Delivery.attempts: Delivery.attempts - 1,
        }).where(_mine_all(config, chunk))


# --- marking ------------------------------------------------------------------------------------

def _mine(config: DispatchConfig, delivery_id):
    return (Delivery.id == delivery_id) & (Delivery.leased_by == config.worker_id) & (Delivery.status == "sending")


async def _mark_sent(config: DispatchConfig, sent: list, result: TickResult) -> None:
    """Mark a group of successful pushes in one transaction, only those whose lease this worker still
    holds: a process killed here leaves either the whole group marked or none of it."""
    if not sent:
        return
    now = utcnow()
    by_id = {d["id"]: (d, r, m) for d, r, m in sent}
    async with Delivery._meta.db.transaction():
        marked = await Delivery.update({
            Delivery.status: "sent", Delivery.sent_at: now, Delivery.http_status: 201, Delivery.lease_until: None,
            Delivery.send_count: Delivery.send_count + 1, Delivery.last_error: "",
        }).where(_mine_all(config, list(by_id))).returning(Delivery.id)
        marked_ids = [row["id"] for row in marked]
        groups: dict = {}
        for delivery_id in marked_ids:
            _, recipient, reminder = by_id[delivery_id]
            groups.setdefault(reminder["id"], (reminder, []))[1].append(recipient["id"])
        for reminder, recipient_ids in groups.values():
            late = int((now - reminder["due_at"]).total_seconds())
            await Recipient.update({
                Recipient.push_status: "sent", Recipient.pushed_at: now, Recipient.push_error: "",
                Recipient.late_seconds: late if late > config.late_after.total_seconds() else 0,
            }).where(Recipient.id.is_in(recipient_ids) & (Recipient.push_status != "sent"))
        if marked_ids:
            await PushSubscription.update({PushSubscription.last_success_at: now}).where(
                PushSubscription.id.is_in(list({by_id[i][0]["subscription"] for i in marked_ids})))
    result.sent += len(marked_ids)
    lost = len(by_id) - len(marked_ids)
    if lost:
        log.warning("Lost the lease on %s sent deliveries before marking them", lost)
        result.lost_lease += lost


async def _mark_final(config: DispatchConfig, delivery: dict, status: str, http_status: int | None, error: str,
                      now: dt.datetime) -> bool:
    async with Delivery._meta.db.transaction():
        done = await Delivery.update({
            Delivery.status: status, Delivery.http_status: http_status, Delivery.last_error: error[:300],
            Delivery.lease_until: None,
        }).where(_mine(config, delivery["id"])).returning(Delivery.id)
        if done:
            await _settle_recipient(delivery["recipient"], "expired" if status == "expired" else "failed", error)
    return bool(done)


async def _settle_recipient(recipient_id, status: str, error: str) -> None:
    """A recipient whose deliveries all ended without success is marked failed or expired, with why."""
    open_or_sent = await Delivery.exists().where(
        (Delivery.recipient == recipient_id) & Delivery.status.is_in(["queued", "sending", "sent"]))
    if not open_or_sent:
        await Recipient.update({Recipient.push_status: status, Recipient.push_error: error[:300]}).where(
            (Recipient.id == recipient_id) & (Recipient.push_status != "sent"))


def backoff(config: DispatchConfig, attempts: int, retry_after: float | None) -> float:
    """Exponential backoff with full jitter; a push service's Retry-After is honoured when longer."""
    delay = random.uniform(0, min(config.max_backoff, config.base_backoff * 2 ** (attempts - 1)))
    return max(delay, retry_after or 0.0, 1.0)


async def _retry(config: DispatchConfig, delivery: dict, outcome: transport.Outcome, now: dt.datetime,
                 expires_at: dt.datetime) -> str:
    next_at = now + dt.timedelta(seconds=backoff(config, delivery["attempts"], outcome.retry_after))
    if delivery["attempts"] >= config.max_attempts or next_at > expires_at:
        await _mark_final(config, delivery, "failed", outcome.status, f"gave up: {outcome.error}", now)
        return "failed"
    await Delivery.update({
        Delivery.status: "queued", Delivery.next_attempt_at: next_at, Delivery.lease_until: None,
        Delivery.http_status: outcome.status, Delivery.last_error: outcome.error[:300],
    }).where(_mine(config, delivery["id"]))
    return "retried"


# --- one delivery -------------------------------------------------------------------------------

async def _deliver(config: DispatchConfig, session: aiohttp.ClientSession, delivery: dict, recipients: dict,
                   reminders: dict, subs: dict, result: TickResult) -> tuple | None:
    """Send one delivery. A success is returned as (delivery, recipient, reminder), to be marked with
    others soon after; every other outcome is marked here."""
    now = utcnow()
    recipient = recipients.get(delivery["recipient"])
    reminder = reminders.get(recipient["reminder"]) if recipient else None
    sub = subs.get(delivery["subscription"])
    if recipient is None or reminder is None or sub is None:
        await _mark_final(config, delivery, "failed", None, "missing reminder or subscription", now)
        result.failed += 1
        return None
    # Re-check at send time: still wanted, still useful, device still subscribed.
    if reminder["cancelled_at"] is not None or sub["deactivated_at"] is not None:
        await _mark_final(config, delivery, "failed", None, "cancelled or unsubscribed before sending", now)
        result.failed += 1
        return None
    if now > reminder["expires_at"]:
        await _mark_final(config, delivery, "expired", None, "no longer useful when it could be sent", now)
        result.expired += 1
        return None
    try:
        check_endpoint(sub["endpoint"], config.extra_hosts)
    except EndpointRefused as exc:
        # Checked at subscription time too; a row that got in some other way is never posted to.
        await _mark_final(config, delivery, "failed", None, f"endpoint refused: {exc}", now)
        result.failed += 1
        return None
    if config.signer is None:
        log.warning("No VAPID key: push for delivery %s skipped", delivery["id"])
        await _mark_final(config, delivery, "failed", None, "push not configured on the server", now)
        result.failed += 1
        return None
    title, body = payload.render(reminder["template"], reminder["params"] or {}, reminder["title"],
                                 reminder["body"], recipient["language"] or "nl")
    data = payload.message(title, body, reminder["topic"], reminder["url"], str(reminder["id"]),
                           str(recipient["id"]), reminder["urgent"])
    outcome = await transport.send(
        session, config.signer, sub["endpoint"], sub["p256dh"], sub["auth"], data,
        ttl=payload.ttl_seconds(reminder["expires_at"], now),
        urgency=payload.urgency(reminder["urgent"], reminder["event_at"], now), topic=reminder["topic"],
        timeouts=config.timeouts)
    now = utcnow()
    if outcome.kind == "sent":
        return delivery, recipient, reminder
    if outcome.kind == "gone":
        await PushSubscription.update({PushSubscription.deactivated_at: now,
                                       PushSubscription.deactivation_reason: outcome.error}).where(
            PushSubscription.id == sub["id"])
        await _mark_final(config, delivery, "gone", outcome.status, outcome.error, now)
        result.gone += 1
    elif outcome.kind == "retry":
        if await _retry(config, delivery, outcome, now, reminder["expires_at"]) == "retried":
            result.retried += 1
        else:
            result.failed += 1
    else:
        await _mark_final(config, delivery, "failed", outcome.status, outcome.error, now)
        result.failed += 1
    return None


# --- the pipeline ---------------------------------------------------------------------------------

class _Pipeline:
    """One busy period of one process: claims due deliveries while earlier ones are still in flight,
    sends each as soon as its push service has a free slot, records successes in small groups and
    renews the leases of everything it holds. Ends when nothing is due, held or unrecorded."""

    def __init__(self, config: DispatchConfig, session: aiohttp.ClientSession) -> None:
        self.config = config
        self.session = session
        self.result = TickResult()
        self.leases: dict = {}  # every delivery this process holds -> its lease end as last written
        self.held: dict[str, int] = {}  # push service origin -> deliveries claimed and not yet answered
        self.slots: dict[str, asyncio.Semaphore] = {}
        self.tasks: set[asyncio.Task] = set()
        self.posting: set[asyncio.Task] = set()
        self.unstarted: list = []  # claimed, never posted, given back when stopping
        self.successes: list = []  # answered 2xx, not yet recorded
        self.flushing = asyncio.Lock()
        self.wake = asyncio.Event()  # room to claim more
        self.more = asyncio.Event()  # a success to record
        self.closing = False
        lease = config.lease.total_seconds()
        # Renewed every third of a lease, a held delivery always has a third of one left; less than a
        # sixth means the renewals are not getting through, and a send is not started on it.
        self.renew_every, self.start_margin = max(lease / 3, 0.1), lease / 6
        self.refill = max(1, config.concurrency // 8)

    @property
    def holding(self) -> int:
        return sum(self.held.values())

    async def run(self) -> TickResult:
        helpers = [asyncio.create_task(self._renew_leases()), asyncio.create_task(self._flusher())]
        last_fan_out = -float("inf")
        try:
            while not jobs_scheduler.stopping():
                if time.monotonic() - last_fan_out >= self.config.poll:
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
        claimed = await claim(self.config, now, asked, busy)
        if not claimed:
            return asked, 0
        until = now + self.config.lease
        for row in claimed:
            self.leases[row["id"]] = until
        try:
            recipients, reminders, subs = await _load(claimed)
        except Exception:  # noqa: BLE001 - the leases run out and the rows are claimed again
            log.exception("Could not load %s claimed deliveries", len(claimed))
            for row in claimed:
                self.leases.pop(row["id"], None)
            return asked, len(claimed)
        for row in claimed:
            sub = subs.get(row["subscription"])
            origin = transport.origin_of(sub["endpoint"]) if sub else ""
            self.held[origin] = self.held.get(origin, 0) + 1
            task = asyncio.create_task(self._one(row, origin, recipients, reminders, subs))
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

    async def _one(self, delivery: dict, origin: str, recipients: dict, reminders: dict, subs: dict) -> None:
        task, delivery_id, started = asyncio.current_task(), delivery["id"], False
        try:
            async with self._slot(origin):
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
                success = await _deliver(self.config, self.session, delivery, recipients, reminders, subs,
                                         self.result)
            if success is None:
                self.leases.pop(delivery_id, None)
            else:
                self.successes.append(success)
                self.more.set()
        except asyncio.CancelledError:
            if not started:
                self.unstarted.append(delivery_id)
            raise
        except Exception:  # noqa: BLE001 - one bad delivery must not stop the others
            log.exception("Delivery %s failed unexpectedly; its lease will expire and it is retried", delivery_id)
            self.leases.pop(delivery_id, None)
        finally:
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
                await _mark_sent(self.config, group, self.result)
            except Exception:  # noqa: BLE001 - kept (and its leases renewed) until the database answers
                log.exception("Could not record %s sent pushes; trying again", len(group))
                return False
            del self.successes[:len(group)]
            for delivery, _, _ in group:
                self.leases.pop(delivery["id"], None)
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
                renewed = await renew(self.config, due, now)
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
                await release(self.config, self.unstarted)
            for _ in range(3):
                if not self.successes or await self._flush():
                    break
        except Exception:  # noqa: BLE001 - the leases run out and others take over
            log.exception("Could not settle deliveries while stopping")
        except asyncio.CancelledError:
            cancelled = True
        if cancelled:
            raise asyncio.CancelledError


async def run(config: DispatchConfig, session: aiohttp.ClientSession | None = None) -> TickResult:
    """One busy period: fan out what came due, send everything due, including what comes due or is
    fanned out meanwhile, until nothing is due, held or unrecorded (or the scheduler stops)."""
    own_session = session is None
    session = session or transport.new_session(config.concurrency, config.per_host)
    try:
        return await _Pipeline(config, session).run()
    finally:
        if own_session:
            await session.close()


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
