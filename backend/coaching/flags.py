"""Flags: raised by the rules (a scheduled job, and after a check-in, report or note), cleared when a
rule stops firing, closed by a coach with a note; and the coach's daily digest of new flags.

One open flag per (person, rule) at most (`Flag.open_key` is unique while open). A flag closed while
its rule still fires is not raised again until the rule has stopped firing once (`cleared_at`).
"""

from __future__ import annotations

import datetime as dt
import logging
from uuid import UUID

import msgspec

from backend.access import Role
from backend.accounts.tables import Person
from backend.coaching import facts, settings
from backend.coaching.rules import evaluate
from backend.coaching.tables import Flag, WorkerFile
from backend.i18n import translate
from backend.schedule import recurrence
from notifications import reminders as core

log = logging.getLogger("werkmaat.coaching")
UTC = dt.timezone.utc
DIGEST_AFTER = dt.time(7, 30)


def utcnow() -> dt.datetime:
    return dt.datetime.now(UTC)


def _detail(value) -> dict:
    if isinstance(value, (str, bytes)):
        try:
            value = msgspec.json.decode(value)
        except msgspec.DecodeError:
            return {}
    return value if isinstance(value, dict) else {}


def reason(rule: str, detail: dict, language: str) -> str:
    """The flag's reason in plain words, e.g. 'Geen check-in op 4 geplande werkdagen na elkaar.'"""
    key = f"flag_{rule}"
    if rule == "app_unused" and detail.get("never"):
        key = "flag_app_never_opened"
    return translate(key, language, **{k: v for k, v in detail.items() if k != "never"})


async def recompute(condition, now: dt.datetime | None = None) -> int:
    """Evaluate the rules for the active workers matching `condition` and store what changed.

    Returns the number of flags opened. Workers whose file is paused, moved on or stopped are not
    followed: their open flags are cleared.
    """
    now = now or utcnow()
    workers = await facts.workers_query(condition)
    if not workers:
        return 0
    scope = facts.worker_ids(condition)
    paused = {r["person"] for r in await WorkerFile.select(WorkerFile.person).where(
        WorkerFile.person.is_in(scope) & (WorkerFile.status != "active"))}
    limits = await settings.thresholds(list({w["organisation"] for w in workers}))
    found = await facts.facts_for(workers, scope, now)
    current = await Flag.select(Flag.id, Flag.person, Flag.rule, Flag.detail, Flag.cleared_at, Flag.closed_at).where(
        Flag.person.is_in(scope) & (Flag.closed_at.is_null() | Flag.cleared_at.is_null()))
    latest: dict[UUID, dict[str, dict]] = {}
    for f in current:
        latest.setdefault(f["person"], {})[f["rule"]] = f
    writes = []
    new_flags = []
    for worker in workers:
        person = worker["id"]
        fired = {} if person in paused else evaluate(found[person], limits[worker["organisation"]], now)
        known = latest.get(person, {})
        for rule, detail in fired.items():
            flag = known.get(rule)
            if flag is None:
                new_flags.append(Flag(person=person, organisation=worker["organisation"], rule=rule, detail=detail,
                                      opened_at=now, open_key=f"{person}:{rule}"))
            elif flag["closed_at"] is None and (flag["cleared_at"] is not None or _detail(flag["detail"]) != detail):
                writes.append(Flag.update({Flag.detail: detail, Flag.cleared_at: None}).where(Flag.id == flag["id"]))
        for rule, flag in known.items():
            if rule not in fired and flag["cleared_at"] is None:
                writes.append(Flag.update({Flag.cleared_at: now}).where(Flag.id == flag["id"]))
    opened = 0
    if writes or new_flags:
        # One short write transaction for the whole batch (one commit, not one per flag).
        async with Flag._meta.db.transaction():
            for query in writes:
                await query
            for flag in new_flags:
                made = await Flag.insert(flag).on_conflict(action="DO NOTHING").returning(Flag.id)
                opened += len(made)
    return opened


async def recompute_all(now: dt.datetime | None = None) -> int:
    """The scheduled job: every organisation's active workers, one organisation at a time."""
    opened = 0
    orgs = await Person.select(Person.organisation).where(
        (Person.role == Role.WORKER) & (Person.active == True)).distinct()  # noqa: E712
    for row in orgs:
        if row["organisation"] is not None:
            opened += await recompute(Person.organisation == row["organisation"], now)
    return opened


async def worker_changed(person_id: UUID) -> None:
    """After a check-in, report, attendance change or note: that worker's flags, now. Never fails
    the action that called it."""
    try:
        await recompute(Person.id == person_id)
    except Exception:  # noqa: BLE001 - the job catches up; the worker's action must not fail
        log.exception("Recomputing flags of %s failed", person_id)


# --- digest -----------------------------------------------------------------------------------

async def send_digests(now: dt.datetime | None = None, force: bool = False) -> int:
    """Once a day (after 07:30 local), one inbox message (and push) per coach listing the flags
    opened since their previous digest. Safe in many processes: one digest per coach and day."""
    now = now or utcnow()
    local = recurrence.to_local(now)
    if not force and local.time() < DIGEST_AFTER:
        return 0
    since_default = now - dt.timedelta(days=1)
    rows = await Flag.select(
        Flag.person, Flag.rule, Flag.detail, Flag.opened_at, Flag.organisation,
        Flag.person.first_name.as_alias("first_name"), Flag.person.last_name.as_alias("last_name"),
        Flag.person.coach.as_alias("coach"), Flag.person.coach.language.as_alias("language"),
    ).where(Flag.closed_at.is_null() & Flag.cleared_at.is_null() & (Flag.opened_at > now - dt.timedelta(days=7))
            & (Flag.opened_at <= now) & Flag.person.coach.is_not_null())
    per_coach: dict[UUID, list[dict]] = {}
    for row in rows:
        per_coach.setdefault(row["coach"], []).append(row)
    previous = await _previous_digests(list(per_coach))
    sent = 0
    for coach, flags in per_coach.items():
        since = previous.get(coach) or since_default
        if since > now:  # a digest dated later (a back-fill with --now) says nothing about today
            since = since_default
        new = [f for f in flags if facts.as_datetime(f["opened_at"]) > since]
        if not new:
            continue
        language = new[0]["language"] or "nl"
        named = [(f["person"], f"{f['first_name']} {f['last_name']}".strip() + ": "
                  + reason(f["rule"], _detail(f["detail"]), language))
                 for f in sorted(new, key=lambda f: (f["first_name"], f["rule"]))]
        lines = [line for _, line in named]
        about = {person for person, _ in named}
        made = await core.create_reminder(core.NewReminder(
            recipients=[coach], due_at=now, expires_at=now + dt.timedelta(hours=12), source="digest",
            title=translate("digest_title", language, n=len(new)), body="\n".join(lines),
            organisation=new[0]["organisation"], url="/#/caseload?flagged=true",
            source_key=f"digest:{coach}:{local.date().isoformat()}", topic_seed=f"digest:{coach}",
            # One worker: the digest is about them; several: erasing one removes only their lines.
            subject=next(iter(about)) if len(about) == 1 else None,
            mentions=() if len(about) == 1 else tuple(named)))
        sent += made is not None
    return sent


async def _previous_digests(coaches: list[UUID]) -> dict[UUID, dt.datetime]:
    if not coaches:
        return {}
    from notifications.tables import Recipient
    from piccolo.query.functions.aggregate import Max

    rows = await Recipient.select(Recipient.person, Max(Recipient.reminder.due_at, alias="at")).where(
        Recipient.person.is_in(coaches) & (Recipient.reminder.source == "digest")).group_by(Recipient.person)
    return {r["person"]: facts.as_datetime(r["at"]) for r in rows}
