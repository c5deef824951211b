"""Retention: what is past its time goes, by a periodic job and by `werkmaat purge`.

- workers deactivated, or stopped (worker file), longer than the organisation's `retention_months`
  ago are anonymised like an erasure on request (their counts stay);
- audit entries older than `audit_retention_months` are deleted;
- sessions that expired or were revoked, invites that expired or were used or revoked, more than
  `GRACE` ago, and idempotency answers older than `IDEMPOTENCY_DAYS`, are deleted.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from uuid import UUID

from backend.access import Role
from backend.accounts.tables import Invite, Person, Session
from backend.coaching.tables import AuditEntry, CoachingSettings, WorkerFile
from backend.organisations.tables import Organisation
from backend.privacy.services import anonymise
from backend.privacy.tables import Erasure
from backend.schedule.tables import IdempotentRequest

log = logging.getLogger("werkmaat.privacy")

DEFAULT_RETENTION_MONTHS = 24
DEFAULT_AUDIT_MONTHS = 60
GRACE = dt.timedelta(days=30)
IDEMPOTENCY_DAYS = 7


def months_before(moment: dt.datetime, months: int) -> dt.datetime:
    """The same day and time `months` calendar months earlier (the last day when that day is missing)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    for day in (moment.day, 30, 29, 28):
        try:
            return moment.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


@dataclass
class PurgePlan:
    people: list[UUID] = field(default_factory=list)
    audit_entries: int = 0
    sessions: int = 0
    invites: int = 0
    idempotency: int = 0

    def summary(self) -> str:
        return (f"people to anonymise: {len(self.people)}\n"
                + "".join(f"  {person}\n" for person in self.people)
                + f"audit entries past retention: {self.audit_entries}\n"
                f"expired or ended sessions: {self.sessions}\n"
                f"expired or used invites: {self.invites}\n"
                f"old idempotency answers: {self.idempotency}\n")


async def _settings() -> dict[UUID, tuple[int, int]]:
    rows = await CoachingSettings.select(CoachingSettings.organisation, CoachingSettings.retention_months,
                                         CoachingSettings.audit_retention_months)
    return {r["organisation"]: (r["retention_months"], r["audit_retention_months"]) for r in rows}


async def _people_past_retention(now: dt.datetime, settings: dict[UUID, tuple[int, int]]) -> list[UUID]:
    erased = {r["person"] for r in await Erasure.select(Erasure.person)}
    found: list[UUID] = []
    for org in await Organisation.select(Organisation.id):
        months = settings.get(org["id"], (DEFAULT_RETENTION_MONTHS, DEFAULT_AUDIT_MONTHS))[0]
        cutoff = months_before(now, months)
        inactive = await Person.select(Person.id).where(
            (Person.organisation == org["id"]) & (Person.role == Role.WORKER) & (Person.active == False)  # noqa: E712
            & (Person.deactivated_at < cutoff))
        stopped = await WorkerFile.select(WorkerFile.person).where(
            (WorkerFile.organisation == org["id"]) & (WorkerFile.status == "stopped")
            & (WorkerFile.status_since < cutoff.date()))
        ids = [r["id"] for r in inactive] + [r["person"] for r in stopped]
        found.extend(dict.fromkeys(i for i in ids if i not in erased))
    return found


def _audit_condition(now: dt.datetime, settings: dict[UUID, tuple[int, int]]):
    """Entries past retention: per organisation by its setting, the rest by the default."""
    condition = AuditEntry.organisation.is_null() & (AuditEntry.at < months_before(now, DEFAULT_AUDIT_MONTHS))
    configured = list(settings)
    if configured:
        condition |= AuditEntry.organisation.not_in(configured) & (
            AuditEntry.at < months_before(now, DEFAULT_AUDIT_MONTHS))
    else:
        condition |= AuditEntry.organisation.is_not_null() & (AuditEntry.at < months_before(now, DEFAULT_AUDIT_MONTHS))
    for org, (_, months) in settings.items():
        condition |= (AuditEntry.organisation == org) & (AuditEntry.at < months_before(now, months))
    return condition


def _session_condition(now: dt.datetime):
    return (Session.expires_at < now - GRACE) | (Session.revoked_at < now - GRACE)


def _invite_condition(now: dt.datetime):
    return (Invite.expires_at < now - GRACE) | (Invite.used_at < now - GRACE) | (Invite.revoked_at < now - GRACE)


def _idempotency_condition(now: dt.datetime):
    return IdempotentRequest.created_at < now - dt.timedelta(days=IDEMPOTENCY_DAYS)


async def purge(dry_run: bool = False, now: dt.datetime | None = None) -> PurgePlan:
    """Work out (and unless `dry_run`, carry out) everything past its retention."""
    now = now or dt.datetime.now(dt.timezone.utc)
    settings = await _settings()
    plan = PurgePlan(people=await _people_past_retention(now, settings))
    plan.audit_entries = await AuditEntry.count().where(_audit_condition(now, settings))
    plan.sessions = await Session.count().where(_session_condition(now))
    plan.invites = await Invite.count().where(_invite_condition(now))
    plan.idempotency = await IdempotentRequest.count().where(_idempotency_condition(now))
    if dry_run:
        return plan
    for person in plan.people:
        await anonymise(person, erased_by=None, reason="retention")
    await AuditEntry.delete().where(_audit_condition(now, settings))
    await Session.delete().where(_session_condition(now))
    await Invite.delete().where(_invite_condition(now))
    await IdempotentRequest.delete().where(_idempotency_condition(now))
    if plan.people or plan.audit_entries:
        log.info("Retention: %s people anonymised, %s audit entries deleted", len(plan.people), plan.audit_entries)
    return plan


async def purge_job() -> None:
    await purge()
