"""Per-organisation thresholds of the flag rules (and retention periods), with their defaults."""

from __future__ import annotations

from uuid import UUID

from backend.coaching.rules import Thresholds
from backend.coaching.schemas import CoachingSettingsIn, CoachingSettingsOut
from backend.coaching.tables import CoachingSettings
from backend.errors import InvalidInput

FIELDS = ("missed_checkins_in_a_row", "app_unused_days", "unread_reminders", "absences_in_last_planned",
          "absences_window", "no_contact_days", "retention_months", "audit_retention_months")


async def settings_out(organisation_id: UUID) -> CoachingSettingsOut:
    row = await CoachingSettings.select().where(CoachingSettings.organisation == organisation_id).first()
    if row is None:
        defaults = CoachingSettingsIn()  # the same defaults as the table's
        row = {name: getattr(defaults, name) for name in FIELDS}
    return CoachingSettingsOut(organisation_id=organisation_id, **{name: row[name] for name in FIELDS})


async def thresholds(organisation_ids: list[UUID]) -> dict[UUID, Thresholds]:
    """The rule thresholds of each organisation (defaults where none are saved)."""
    saved = {r["organisation"]: r for r in await CoachingSettings.select().where(
        CoachingSettings.organisation.is_in(organisation_ids))} if organisation_ids else {}
    result = {}
    for org in organisation_ids:
        row = saved.get(org)
        result[org] = Thresholds(**{f: row[f] for f in Thresholds.__dataclass_fields__}) if row else Thresholds()
    return result


async def save(organisation_id: UUID, data: CoachingSettingsIn) -> CoachingSettingsOut:
    if data.absences_in_last_planned > data.absences_window:
        raise InvalidInput.field("absencesInLastPlanned", "absences_more_than_window", n=data.absences_window)
    values = {name: getattr(data, name) for name in FIELDS}
    row = CoachingSettings(organisation=organisation_id, **values)
    await CoachingSettings.insert(row).on_conflict(
        target=CoachingSettings.organisation, action="DO UPDATE",
        values=[getattr(CoachingSettings, name) for name in FIELDS] + [CoachingSettings.updated_at])
    return await settings_out(organisation_id)
