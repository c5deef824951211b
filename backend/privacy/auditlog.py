"""Reading the audit log (admins), and the organisation's retention settings."""

from __future__ import annotations

import datetime as dt
from uuid import UUID
from zoneinfo import ZoneInfo

import msgspec

from backend.access import Actor, report_scope, require_admin
from backend.coaching.tables import AuditEntry, CoachingSettings
from backend.errors import InvalidInput, NotFound
from backend.organisations.tables import Organisation
from backend.privacy.retention import DEFAULT_AUDIT_MONTHS, DEFAULT_RETENTION_MONTHS
from backend.privacy.schemas import AuditOut, AuditPage, RetentionSettings, RetentionUpdate

BRUSSELS = ZoneInfo("Europe/Brussels")


def _name(first: str | None, last: str | None) -> str:
    return " ".join(p for p in (first or "", last or "") if p)


async def list_audit(actor: Actor, subject: UUID | None, who: UUID | None, first: dt.date | None,
                     last: dt.date | None, organisation_id: UUID | None, page: int, page_size: int) -> AuditPage:
    """Newest first. An organisation's admin reads their organisation; a platform admin all (or one)."""
    if first and last and last < first:
        raise InvalidInput.field("to", "audit_period_end_before_start")
    conditions = []
    scope = report_scope(actor)
    if scope is not None:
        conditions.append(AuditEntry.organisation == scope)
    elif organisation_id is not None:
        conditions.append(AuditEntry.organisation == organisation_id)
    if subject is not None:
        conditions.append(AuditEntry.subject == subject)
    if who is not None:
        conditions.append(AuditEntry.actor == who)
    if first is not None:
        conditions.append(AuditEntry.at >= dt.datetime.combine(first, dt.time(), BRUSSELS))
    if last is not None:
        conditions.append(AuditEntry.at < dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), BRUSSELS))
    query = AuditEntry.select(
        AuditEntry.id, AuditEntry.at, AuditEntry.action, AuditEntry.detail, AuditEntry.actor,
        AuditEntry.subject, AuditEntry.organisation,
        AuditEntry.actor.first_name.as_alias("actor_first"), AuditEntry.actor.last_name.as_alias("actor_last"),
        AuditEntry.subject.first_name.as_alias("subject_first"),
        AuditEntry.subject.last_name.as_alias("subject_last"))
    count = AuditEntry.count()
    for condition in conditions:
        query = query.where(condition)
        count = count.where(condition)
    rows = await query.order_by(AuditEntry.at, ascending=False).order_by(AuditEntry.id).limit(page_size).offset(
        (page - 1) * page_size)
    items = [AuditOut(id=r["id"], at=r["at"], action=r["action"], detail=r["detail"], actor_id=r["actor"],
                      actor_name=_name(r["actor_first"], r["actor_last"]), subject_id=r["subject"],
                      subject_name=_name(r["subject_first"], r["subject_last"]),
                      organisation_id=r["organisation"]) for r in rows]
    return AuditPage(items=items, total=await count, page=page, page_size=page_size)


async def _organisation(actor: Actor, organisation_id: UUID) -> UUID:
    """Another organisation is answered like an unknown one; a coach of this one may not (403)."""
    if actor.organisation_id is not None and actor.organisation_id != organisation_id:
        raise NotFound()
    if not await Organisation.exists().where(Organisation.id == organisation_id):
        raise NotFound()
    require_admin(actor)
    return organisation_id


async def get_retention(actor: Actor, organisation_id: UUID) -> RetentionSettings:
    org = await _organisation(actor, organisation_id)
    row = await CoachingSettings.select(CoachingSettings.retention_months,
                                        CoachingSettings.audit_retention_months).where(
        CoachingSettings.organisation == org).first()
    if row is None:
        return RetentionSettings(retention_months=DEFAULT_RETENTION_MONTHS,
                                 audit_retention_months=DEFAULT_AUDIT_MONTHS)
    return RetentionSettings(retention_months=row["retention_months"],
                             audit_retention_months=row["audit_retention_months"])


async def set_retention(actor: Actor, organisation_id: UUID, data: RetentionUpdate) -> RetentionSettings:
    org = await _organisation(actor, organisation_id)
    values = {}
    if data.retention_months is not msgspec.UNSET:
        values[CoachingSettings.retention_months] = data.retention_months
    if data.audit_retention_months is not msgspec.UNSET:
        values[CoachingSettings.audit_retention_months] = data.audit_retention_months
    if values:
        values[CoachingSettings.updated_at] = dt.datetime.now(dt.timezone.utc)
        async with CoachingSettings._meta.db.transaction():
            if await CoachingSettings.exists().where(CoachingSettings.organisation == org):
                await CoachingSettings.update(values).where(CoachingSettings.organisation == org)
            else:
                row = CoachingSettings(organisation=org)
                for column, value in values.items():
                    setattr(row, column._meta.name, value)
                await row.save()
    return await get_retention(actor, org)
