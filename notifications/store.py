"""The delivery rows' side of dispatching: claim with a lease, load what a send needs, renew, give
back, and mark the outcome, only ever on rows this process still holds.

A delivery is claimed by one UPDATE (PostgreSQL: on rows picked `FOR UPDATE SKIP LOCKED`), and marked
sent only by the process that still holds its lease, so no delivery is marked sent twice.
"""

from __future__ import annotations

import datetime as dt
import logging
from functools import lru_cache

from notifications import transport
from notifications.config import DispatchConfig, TickResult, backoff, utcnow
from notifications.tables import Delivery, PushSubscription, Recipient, Reminder

log = logging.getLogger("werkmaat.dispatch")

REMINDER_COLUMNS = (Reminder.id, Reminder.template, Reminder.params, Reminder.title, Reminder.body, Reminder.url,
                    Reminder.topic, Reminder.urgent, Reminder.event_at, Reminder.due_at, Reminder.expires_at,
                    Reminder.cancelled_at)


def chunks(values: list, size: int = 500):
    for start in range(0, len(values), size):
        yield values[start:start + size]


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


async def load(claimed: list[dict]) -> list[dict]:
    """Everything the sends of `claimed` need, one dict per delivery (two queries for the batch):
    id, attempts, recipient, subscription, language, endpoint, p256dh, auth, unsubscribed, and the
    reminder (None when it is gone)."""
    attempts = {c["id"]: c["attempts"] for c in claimed}
    rows = await Delivery.select(*_load_columns()).where(Delivery.id.is_in(list(attempts)))
    reminder_ids = list({r["reminder_id"] for r in rows if r["reminder_id"] is not None})
    reminders = {r["id"]: r for r in await Reminder.select(*REMINDER_COLUMNS).where(
        Reminder.id.is_in(reminder_ids)).output(load_json=True)} if reminder_ids else {}
    found = {row["id"] for row in rows}
    for row in rows:
        row["attempts"] = attempts[row["id"]]
        row["reminder"] = reminders.get(row.pop("reminder_id"))
    # A delivery whose row vanished meanwhile (its person erased) is simply no longer there.
    return rows + [{"id": c["id"], "attempts": c["attempts"], "recipient": c["recipient"],
                    "subscription": c["subscription"], "reminder": None, "endpoint": None}
                   for c in claimed if c["id"] not in found]


@lru_cache(maxsize=1)
def _load_columns() -> tuple:
    # Built once: Piccolo makes a new join object for every attribute step through a foreign key.
    return (Delivery.id, Delivery.recipient, Delivery.subscription,
            Delivery.recipient.reminder.as_alias("reminder_id"),
            Delivery.recipient.person.language.as_alias("language"),
            Delivery.subscription.endpoint.as_alias("endpoint"), Delivery.subscription.p256dh.as_alias("p256dh"),
            Delivery.subscription.auth.as_alias("auth"),
            Delivery.subscription.deactivated_at.as_alias("unsubscribed"))


def _mine_all(config: DispatchConfig, ids: list):
    return Delivery.id.is_in(ids) & (Delivery.leased_by == config.worker_id) & (Delivery.status == "sending")


def _mine(config: DispatchConfig, delivery_id):
    return (Delivery.id == delivery_id) & (Delivery.leased_by == config.worker_id) & (Delivery.status == "sending")


async def renew(config: DispatchConfig, ids: list, now: dt.datetime) -> set:
    """Extend this worker's leases on `ids` from `now`; returns the ids it still held."""
    renewed: set = set()
    for chunk in chunks(ids):
        rows = await Delivery.update({Delivery.lease_until: now + config.lease}).where(
            _mine_all(config, chunk)).returning(Delivery.id)
        renewed.update(row["id"] for row in rows)
    return renewed


async def release(config: DispatchConfig, ids: list) -> None:
    """Give back deliveries that were claimed but never posted (a process stopping): claimable at once,
    and the claim does not count as an attempt."""
    for chunk in chunks(ids):
        await Delivery.update({
            Delivery.status: "queued", Delivery.lease_until: None, Delivery.leased_by: None,
            Delivery.attempts: Delivery.attempts - 1,
        }).where(_mine_all(config, chunk))


async def mark_sent(config: DispatchConfig, sent: list[dict], result: TickResult) -> None:
    """Mark a group of successful pushes in one transaction, only those whose lease this worker still
    holds: a process killed here leaves either the whole group marked or none of it."""
    if not sent:
        return
    now = utcnow()
    by_id = {d["id"]: d for d in sent}
    async with Delivery._meta.db.transaction():
        marked = await Delivery.update({
            Delivery.status: "sent", Delivery.sent_at: now, Delivery.http_status: 201, Delivery.lease_until: None,
            Delivery.send_count: Delivery.send_count + 1, Delivery.last_error: "",
        }).where(_mine_all(config, list(by_id))).returning(Delivery.id)
        marked_ids = [row["id"] for row in marked]
        groups: dict = {}
        for delivery_id in marked_ids:
            delivery = by_id[delivery_id]
            groups.setdefault(delivery["reminder"]["id"], (delivery["reminder"], []))[1].append(delivery["recipient"])
        for reminder, recipient_ids in groups.values():
            late = int((now - reminder["due_at"]).total_seconds())
            await Recipient.update({
                Recipient.push_status: "sent", Recipient.pushed_at: now, Recipient.push_error: "",
                Recipient.late_seconds: late if late > config.late_after.total_seconds() else 0,
            }).where(Recipient.id.is_in(recipient_ids) & (Recipient.push_status != "sent"))
        if marked_ids:
            await PushSubscription.update({PushSubscription.last_success_at: now}).where(
                PushSubscription.id.is_in(list({by_id[i]["subscription"] for i in marked_ids})))
    result.sent += len(marked_ids)
    lost = len(by_id) - len(marked_ids)
    if lost:
        log.warning("Lost the lease on %s sent deliveries before marking them", lost)
        result.lost_lease += lost


async def mark_final(config: DispatchConfig, delivery: dict, status: str, http_status: int | None, error: str,
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


async def retry(config: DispatchConfig, delivery: dict, outcome: transport.Outcome, now: dt.datetime,
                expires_at: dt.datetime) -> str:
    next_at = now + dt.timedelta(seconds=backoff(config, delivery["attempts"], outcome.retry_after))
    if delivery["attempts"] >= config.max_attempts or next_at > expires_at:
        await mark_final(config, delivery, "failed", outcome.status, f"gave up: {outcome.error}", now)
        return "failed"
    await Delivery.update({
        Delivery.status: "queued", Delivery.next_attempt_at: next_at, Delivery.lease_until: None,
        Delivery.http_status: outcome.status, Delivery.last_error: outcome.error[:300],
    }).where(_mine(config, delivery["id"]))
    return "retried"


async def deactivate(subscription_id, reason: str, now: dt.datetime) -> None:
    await PushSubscription.update({PushSubscription.deactivated_at: now,
                                   PushSubscription.deactivation_reason: reason}).where(
        PushSubscription.id == subscription_id)
