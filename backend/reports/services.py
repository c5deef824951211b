"""The impact report: which organisation and period, the sections, and the CSV for Excel."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
from uuid import UUID
from zoneinfo import ZoneInfo

from backend.access import Actor, report_scope
from backend.coaching import audit
from backend.errors import InvalidInput, NotFound
from backend.organisations.tables import Organisation
from backend.reports import labels
from backend.reports.schemas import ImpactReport
from backend.reports.sections import ReportContext, providers
from backend.reports.suppression import THRESHOLD

BRUSSELS = ZoneInfo("Europe/Brussels")
MAX_YEARS = 5


def check_period(first: dt.date | None, last: dt.date | None) -> tuple[dt.date, dt.date]:
    """Both dates given, the end not before the start, at most 5 years (from and to inclusive)."""
    errors = [(name, "report_date_required", {}) for name, value in (("from", first), ("to", last))
              if value is None]
    if errors:
        raise InvalidInput("invalid_input", field_errors=errors)
    assert first is not None and last is not None
    if last < first:
        raise InvalidInput.field("to", "report_end_before_start")
    try:
        limit = first.replace(year=first.year + MAX_YEARS)
    except ValueError:  # 29 February
        limit = first.replace(year=first.year + MAX_YEARS, day=28)
    if last >= limit:
        raise InvalidInput.field("to", "report_period_too_long")
    return first, last


async def report_organisation(actor: Actor, organisation_id: UUID | None) -> UUID:
    """The organisation a report covers: a coach's (or an organisation admin's) own, whatever they
    ask; a platform admin names one. Another organisation is answered like an unknown one."""
    own = report_scope(actor)
    if own is not None:
        if organisation_id is not None and organisation_id != own:
            raise NotFound()
        return own
    if organisation_id is None:
        raise InvalidInput.field("organisationId", "organisation_required")
    if not await Organisation.exists().where(Organisation.id == organisation_id):
        raise NotFound()
    return organisation_id


def _local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), BRUSSELS).astimezone(dt.timezone.utc)


async def build_report(organisation_id: UUID, first: dt.date, last: dt.date,
                       now: dt.datetime | None = None) -> ImpactReport:
    """Every registered section for one organisation and period (local dates, both inclusive)."""
    ctx = ReportContext(organisation_id=organisation_id, first=first, last=last, start=_local_midnight(first),
                        end=_local_midnight(last + dt.timedelta(days=1)),
                        now=now or dt.datetime.now(dt.timezone.utc))
    sections = await asyncio.gather(*(provider(ctx) for provider in providers()))
    return ImpactReport(organisation_id=organisation_id, period_from=first, period_to=last,
                        threshold=THRESHOLD, sections=list(sections))


async def impact_report(actor: Actor, organisation_id: UUID | None, first: dt.date | None,
                        last: dt.date | None, export: bool = False) -> ImpactReport:
    first, last = check_period(first, last)
    organisation = await report_organisation(actor, organisation_id)
    report = await build_report(organisation, first, last)
    await audit.record(actor, None, "export_report" if export else "view_report",
                       f"impact {first.isoformat()}..{last.isoformat()} organisation {organisation}")
    return report


def _cell(text: str) -> str:
    """Text from people (milestone titles) cannot start a spreadsheet formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def report_csv(report: ImpactReport, language: str = "nl") -> bytes:
    """UTF-8 with a byte order mark and `;` between fields, as Excel with Belgian settings opens it
    (its list separator is `;` because the decimal separator is a comma). Numbers use a decimal
    comma; hidden figures keep their display text ("<5", "≥N", "–").

    The first five columns read as a sentence in the coach's language ("Aanwezigheid; Geplande uren;
    ; 77,5; uur"); the last, `Sleutel`, keeps the machine key (`attendance.plannedHours`, and
    `trajectory.milestonesReached.group` for the rows of one group) so that a spreadsheet or a
    script can find a figure whatever the language."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(labels.header(language))
    period = labels.section(language, "period")
    for key, day in (("from", report.period_from), ("to", report.period_to)):
        writer.writerow([period, labels.figure(language, key), "", day.isoformat(), labels.unit(language, "date"),
                         f"period.{key}"])
    total = labels.total(language)
    for section in report.sections:
        name = labels.section(language, section.key)
        in_breakdown = {b.key for b in section.breakdowns}
        for figure in section.figures:
            if figure.key not in in_breakdown:
                writer.writerow([name, labels.figure(language, figure.key), "", figure.display,
                                 labels.unit(language, figure.unit), f"{section.key}.{figure.key}"])
        for breakdown in section.breakdowns:
            what = labels.figure(language, breakdown.key)
            for row in breakdown.rows:
                writer.writerow([name, what, _cell(row.label), row.display, labels.unit(language, "people"),
                                 f"{section.key}.{breakdown.key}.group"])
            writer.writerow([name, what, total, breakdown.total.display, labels.unit(language, breakdown.total.unit),
                             f"{section.key}.{breakdown.key}"])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
