"""The delivery rows' side of dispatching: claim with a lease, load what a send needs, renew, give
back, and mark the outcome, only ever on rows this process still holds.

A delivery is claimed by one UPDATE (PostgreSQL: on rows picked `FOR UPDATE SKIP LOCKED`), and marked
sent only by the process that still holds its lease, so no delivery is marked sent twice.
"""

from __future__ import annotations

import datetime as dt
import logging

from backend.db import run_sql
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


def _engine():
    return Delivery._meta.db


def _postgres() -> bool:
    return _engine().engine_type == "postgres"


def _marks(values) -> str:
    """`{}, {}, ...`: one placeholder per value (an IN list both databases take)."""
    return ", ".join("{}" for _ in values)


async def _sql(sql: str, *args) -> list:
    """Rows (mappings by column name) of one hand-written statement, inside the current transaction if
    there is one: on the hot paths, instead of building a Piccolo query for every batch."""
    return await run_sql(_engine(), sql, *args)


# No ORDER BY: on the `status` index the due rows come in index order (on SQLite in the order they
# were made), so a claim stops after `limit` of them; sorting by next_attempt_at made every claim
# read and sort every pending row (7 ms a claim with 10,000 pending on SQLite).
_CLAIM = ("UPDATE delivery SET status = 'sending', lease_until = {}, leased_by = {}, attempts = attempts + 1 "
          "WHERE id IN (SELECT id FROM delivery WHERE status IN ('queued', 'sending') AND next_attempt_at <= {} "
          "AND (lease_until IS NULL OR lease_until < {})%(busy)s LIMIT {}%(lock)s) "
          "RETURNING id, recipient, subscription, attempts")


async def claim(config: DispatchConfig, now: dt.datetime, limit: int | None = None,
                busy_origins: list[str] | tuple[str, ...] = ()) -> list:
    """Lease up to `limit` (default `batch`) due deliveries to this worker in one statement, none of
    them to a push service in `busy_origins` (`scheme://host`, see `transport.origin_of`). Rows with
    id, recipient, subscription and attempts."""
    busy = ""
    if busy_origins:
        likes = " OR ".join("endpoint LIKE {}" for _ in busy_origins)
        busy = f" AND subscription NOT IN (SELECT id FROM push_subscription WHERE {likes})"
    sql = _CLAIM % {"busy": busy, "lock": " FOR UPDATE SKIP LOCKED" if _postgres() else ""}
    return await _sql(sql, now + config.lease, config.worker_id, now, now,
                      *[f"{origin}/%" for origin in busy_origins], limit or config.batch)


_LOAD = ("SELECT d.id AS id, d.recipient AS recipient, d.subscription AS subscription, r.reminder AS reminder_id, "
         "p.language AS language, s.endpoint AS endpoint, s.p256dh AS p256dh, s.auth AS auth, "
         "s.deactivated_at AS unsubscribed FROM delivery d LEFT JOIN recipient r ON r.id = d.recipient "
         "LEFT JOIN person p ON p.id = r.person LEFT JOIN push_subscription s ON s.id = d.subscription "
         "WHERE d.id IN (%s)")


async def load(claimed: list) -> list[dict]:
    """Everything the sends of `claimed` need, one dict per delivery (two queries for the batch):
    id, attempts, recipient, subscription, language, endpoint, p256dh, auth, unsubscribed, and the
    reminder (None when it is gone)."""
    attempts = {c["id"]: c["attempts"] for c in claimed}
    rows: list[dict] = []
    for chunk in chunks(list(attempts)):
        rows += [dict(row) for row in await _sql(_LOAD % _marks(chunk), *chunk)]
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


def _mine_all(config: DispatchConfig, ids: list):
    return Delivery.id.is_in(ids) & (Delivery.leased_by == config.worker_id) & (Delivery.status == "sending")


def _mine(config: DispatchConfig, delivery_id):
    return (Delivery.id == delivery_id) & (Delivery.leased_by == config.worker_id) & (Delivery.status == "sending")


async def renew(config: DispatchConfig, ids: list, now: dt.datetime) -> set:
    """Extend this worker's leases on `ids` from `now`; returns the ids it still held."""
    renewed: set = set()
    for chunk in chunks(ids):
        rows = await _sql(f"UPDATE delivery SET lease_until = {{}} WHERE id IN ({_marks(chunk)}) "
                          "AND leased_by = {} AND status = 'sending' RETURNING id",
                          now + config.lease, *chunk, config.worker_id)
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
    async with _engine().transaction():
        marked_ids = []
        for chunk in chunks(list(by_id)):
            marked = await _sql(
                "UPDATE delivery SET status = 'sent', sent_at = {}, http_status = 201, lease_until = NULL, "
                f"send_count = send_count + 1, last_error = '' WHERE id IN ({_marks(chunk)}) "
                "AND leased_by = {} AND status = 'sending' RETURNING id", now, *chunk, config.worker_id)
            marked_ids += [row["id"] for row in marked]
        groups: dict = {}
        for delivery_id in marked_ids:
            delivery = by_id[delivery_id]
            groups.setdefault(delivery["reminder"]["id"], (delivery["reminder"], []))[1].append(delivery["recipient"])
        for reminder, recipient_ids in groups.values():
            late = int((now - reminder["due_at"]).total_seconds())
            for chunk in chunks(recipient_ids):
                await _sql("UPDATE recipient SET push_status = 'sent', pushed_at = {}, push_error = '', "
                           f"late_seconds = {{}} WHERE id IN ({_marks(chunk)}) AND push_status != 'sent'",
                           now, late if late > config.late_after.total_seconds() else 0, *chunk)
        for chunk in chunks(list({by_id[i]["subscription"] for i in marked_ids})):
            await _sql(f"UPDATE push_subscription SET last_success_at = {{}} WHERE id IN ({_marks(chunk)})",
                       now, *chunk)
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
