"""The delivery engine: fan reminders out to devices, claim due deliveries with a lease, send, mark.

Any number of processes may run `dispatch` against one database. A delivery is claimed by one
UPDATE (PostgreSQL: on rows picked `FOR UPDATE SKIP LOCKED`), sent, and marked sent only by the
process that still holds its lease, so no delivery is marked sent twice. A process killed mid-send
loses nothing: its leased rows become claimable again when the lease runs out.
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
    lease: dt.timedelta = dt.timedelta(seconds=60)
    batch: int = 500
    concurrency: int = 128
    max_attempts: int = 6
    base_backoff: float = 5.0
    max_backoff: float = 900.0
    late_after: dt.timedelta = dt.timedelta(minutes=2)
    tick_budget: float = 10.0
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

async def claim(config: DispatchConfig, now: dt.datetime) -> list[dict]:
    """Lease up to `batch` due deliveries to this worker in one statement."""
    due = Delivery.select(Delivery.id).where(
        Delivery.status.is_in(["queued", "sending"]) & (Delivery.next_attempt_at <= now)
        & (Delivery.lease_until.is_null() | (Delivery.lease_until < now))
    ).order_by(Delivery.next_attempt_at).limit(config.batch)
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


# --- marking ------------------------------------------------------------------------------------

def _mine(config: DispatchConfig, delivery_id):
    return (Delivery.id == delivery_id) & (Delivery.leased_by == config.worker_id) & (Delivery.status == "sending")


async def _mark_sent(config: DispatchConfig, sent: list, result: TickResult) -> None:
    """Mark a batch's successful pushes in one transaction: a process killed here leaves either
    nothing marked (the leases run out and the batch is sent again) or everything."""
    if not sent:
        return
    now = utcnow()
    by_id = {d["id"]: (d, r, m) for d, r, m, _ in sent}
    async with Delivery._meta.db.transaction():
        marked = await Delivery.update({
            Delivery.status: "sent", Delivery.sent_at: now, Delivery.http_status: 201, Delivery.lease_until: None,
            Delivery.send_count: Delivery.send_count + 1, Delivery.last_error: "",
        }).where(Delivery.id.is_in(list(by_id)) & (Delivery.leased_by == config.worker_id)
                 & (Delivery.status == "sending")).returning(Delivery.id)
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
                   reminders: dict, subs: dict, result: TickResult, sent: list) -> None:
    """Send one delivery. Successes are appended to `sent` and marked together with the batch;
    every other outcome is marked here."""
    now = utcnow()
    recipient = recipients.get(delivery["recipient"])
    reminder = reminders.get(recipient["reminder"]) if recipient else None
    sub = subs.get(delivery["subscription"])
    if recipient is None or reminder is None or sub is None:
        await _mark_final(config, delivery, "failed", None, "missing reminder or subscription", now)
        result.failed += 1
        return
    # Re-check at send time: still wanted, still useful, device still subscribed.
    if reminder["cancelled_at"] is not None or sub["deactivated_at"] is not None:
        await _mark_final(config, delivery, "failed", None, "cancelled or unsubscribed before sending", now)
        result.failed += 1
        return
    if now > reminder["expires_at"]:
        await _mark_final(config, delivery, "expired", None, "no longer useful when it could be sent", now)
        result.expired += 1
        return
    try:
        check_endpoint(sub["endpoint"], config.extra_hosts)
    except EndpointRefused as exc:
        # Checked at subscription time too; a row that got in some other way is never posted to.
        await _mark_final(config, delivery, "failed", None, f"endpoint refused: {exc}", now)
        result.failed += 1
        return
    if config.signer is None:
        log.warning("No VAPID key: push for delivery %s skipped", delivery["id"])
        await _mark_final(config, delivery, "failed", None, "push not configured on the server", now)
        result.failed += 1
        return
    title, body = payload.render(reminder["template"], reminder["params"] or {}, reminder["title"],
                                 reminder["body"], recipient["language"] or "nl")
    data = payload.message(title, body, reminder["topic"], reminder["url"], str(reminder["id"]),
                           str(recipient["id"]), reminder["urgent"])
    outcome = await transport.send(
        session, config.signer, sub["endpoint"], sub["p256dh"], sub["auth"], data,
        ttl=payload.ttl_seconds(reminder["expires_at"], now),
        urgency=payload.urgency(reminder["urgent"], reminder["event_at"], now), topic=reminder["topic"])
    now = utcnow()
    if outcome.kind == "sent":
        sent.append((delivery, recipient, reminder, outcome.status))
    elif outcome.kind == "gone":
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


async def dispatch(config: DispatchConfig, session: aiohttp.ClientSession | None = None) -> TickResult:
    """One tick: fan out what came due, then claim and send batches until none is due or time is up."""
    result = TickResult()
    started = time.monotonic()
    result.fanned_out = await fan_out(utcnow())
    own_session = session is None
    session = session or aiohttp.ClientSession()
    limiter = asyncio.Semaphore(config.concurrency)

    async def guarded(delivery, recipients, reminders, subs, sent):
        async with limiter:
            try:
                await _deliver(config, session, delivery, recipients, reminders, subs, result, sent)
            except Exception:  # noqa: BLE001 - one bad delivery must not stop the others
                log.exception("Delivery %s failed unexpectedly; its lease will expire and it is retried",
                              delivery["id"])

    try:
        while time.monotonic() - started < config.tick_budget:
            claimed = await claim(config, utcnow())
            if not claimed:
                break
            recipients, reminders, subs = await _load(claimed)
            sent: list = []
            await asyncio.gather(*(guarded(d, recipients, reminders, subs, sent) for d in claimed))
            await _mark_sent(config, sent, result)
    finally:
        if own_session:
            await session.close()
    return result
