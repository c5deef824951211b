"""Fan-out: one delivery per (recipient, active subscription) of each reminder that has come due.

The rows are made by the database itself (`INSERT ... SELECT` over recipients joined to their
subscriptions), a slice of recipients at a time, each slice committed on its own: the first slice
is small, so dispatchers start sending within milliseconds while the rest is still being written,
and nothing of 10,000 deliveries is built in Python. Quiet hours differ per person, but the
moment a delivery may start depends only on the quiet-hours pair, so there is one statement per
distinct pair among the recipients (the default pair for people without settings).

Idempotent across processes: the delivery key `<recipient>:<subscription>` is unique and a
conflict does nothing, and the reminder is marked fanned out only after its last slice, so a
process killed half-way leaves the rest to the next fan-out.
"""

from __future__ import annotations

import datetime as dt

from notifications.quiet import DEFAULT_QUIET, end_of_quiet
from notifications.tables import Delivery, NotificationSettings, PushSubscription, Recipient, Reminder

QUIET_EXPIRED = "quiet hours outlast the reminder"
# The first slice is small so the first messages go out at once; later ones are larger.
FIRST_SLICE, MAX_SLICE = 200, 2000

_SQLITE_UUID = ("lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' || "
                "substr(lower(hex(randomblob(2))), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || "
                "substr(lower(hex(randomblob(2))), 2) || '-' || lower(hex(randomblob(6)))")


def _postgres() -> bool:
    return Delivery._meta.db.engine_type == "postgres"


def _quiet_condition(person: str, pair: tuple[str, str] | None) -> tuple[str, list]:
    """SQL (and its arguments) selecting the people whose quiet hours are `pair` (None: no settings)."""
    settings = NotificationSettings._meta.tablename
    if pair is None:
        return f"NOT EXISTS (SELECT 1 FROM {settings} ns WHERE ns.person = {person})", []
    return (f"EXISTS (SELECT 1 FROM {settings} ns WHERE ns.person = {person} "
            "AND ns.quiet_start = {} AND ns.quiet_end = {})", list(pair))


async def _quiet_pairs(reminder_id) -> list[tuple[str, str]]:
    rows = await Recipient.raw(
        f"SELECT DISTINCT ns.quiet_start AS quiet_start, ns.quiet_end AS quiet_end FROM {Recipient._meta.tablename} r "
        f"JOIN {NotificationSettings._meta.tablename} ns ON ns.person = r.person WHERE r.reminder = {{}}",
        reminder_id)
    return [(row["quiet_start"], row["quiet_end"]) for row in rows]


async def _slices(reminder_id) -> list[tuple]:
    """(first, last) recipient ids of consecutive slices of the reminder's recipients, in id order."""
    ids = [row["id"] for row in await Recipient.select(Recipient.id).where(
        Recipient.reminder == reminder_id).order_by(Recipient.id)]
    slices, start, size = [], 0, FIRST_SLICE
    while start < len(ids):
        end = min(len(ids), start + size)
        slices.append((ids[start], ids[end - 1]))
        start, size = end, min(MAX_SLICE, size * 4)
    return slices


async def _insert_slice(reminder_id, first, last, start: dt.datetime, expired: bool,
                        condition: tuple[str, list] | None) -> None:
    pg = _postgres()
    new_id = "gen_random_uuid()" if pg else _SQLITE_UUID
    key = "r.id::text || ':' || s.id::text" if pg else "r.id || ':' || s.id"
    typed = (lambda sql_type: f"{{}}::{sql_type}") if pg else (lambda sql_type: "{}")
    where, args = "", []
    if condition is not None:
        where, args = f" AND {condition[0]}", condition[1]
    await Delivery.raw(
        f"INSERT INTO {Delivery._meta.tablename} (id, recipient, subscription, key, status, attempts, "
        "next_attempt_at, lease_until, leased_by, http_status, last_error, sent_at, send_count) "
        f"SELECT {new_id}, r.id, s.id, {key}, {typed('varchar')}, 0, {typed('timestamptz')}, NULL, NULL, NULL, "
        f"{typed('varchar')}, NULL, 0 "
        f"FROM {Recipient._meta.tablename} r JOIN {PushSubscription._meta.tablename} s "
        "ON s.person = r.person AND s.deactivated_at IS NULL "
        "WHERE r.reminder = {} AND r.id >= {} AND r.id <= {}" + where + " ON CONFLICT (key) DO NOTHING",
        "expired" if expired else "queued", start, QUIET_EXPIRED if expired else "", reminder_id, first, last, *args)


async def _fan_out_one(reminder: dict, now: dt.datetime) -> None:
    start = max(reminder["due_at"], now)
    # (start, expired, quiet-hours pair or None for people without settings); urgent: one group, all.
    if reminder["urgent"]:
        groups = [(start, False, "all")]
    else:
        groups = []
        for pair in [None, *await _quiet_pairs(reminder["id"])]:
            begins = end_of_quiet(start, *(pair or DEFAULT_QUIET))
            # Quiet hours that last past the reminder's usefulness: recorded as expired, not dropped.
            groups.append((begins, begins > reminder["expires_at"], pair))
    for first, last in await _slices(reminder["id"]):
        for begins, expired, pair in groups:
            condition = None if pair == "all" else _quiet_condition("r.person", pair)
            await _insert_slice(reminder["id"], first, last, begins, expired, condition)
    recipients, deliveries = Recipient._meta.tablename, Delivery._meta.tablename
    has_delivery = f"EXISTS (SELECT 1 FROM {deliveries} d WHERE d.recipient = {recipients}.id)"
    for begins, expired, pair in groups:
        if not expired:
            continue
        sql, args = _quiet_condition(f"{recipients}.person", pair)
        await Recipient.raw(
            f"UPDATE {recipients} SET push_status = 'expired', push_error = {{}} "
            f"WHERE reminder = {{}} AND push_status = 'queued' AND {has_delivery} AND {sql}",
            QUIET_EXPIRED, reminder["id"], *args)
    await Recipient.raw(
        f"UPDATE {recipients} SET push_status = 'none' WHERE reminder = {{}} AND push_status = 'queued' "
        f"AND NOT {has_delivery}", reminder["id"])
    await Reminder.update({Reminder.fanned_out: True}).where(Reminder.id == reminder["id"])


async def fan_out(now: dt.datetime, limit: int = 500) -> int:
    """Create deliveries for reminders that have come due. Idempotent across processes."""
    reminders = await Reminder.select(Reminder.id, Reminder.urgent, Reminder.due_at, Reminder.expires_at).where(
        (Reminder.fanned_out == False) & (Reminder.due_at <= now) & Reminder.cancelled_at.is_null()  # noqa: E712
    ).order_by(Reminder.due_at).limit(limit)
    for reminder in reminders:
        await _fan_out_one(reminder, now)
    return len(reminders)
