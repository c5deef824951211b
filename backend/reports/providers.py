"""The report sections of the schedule (work and training hours) and of the coach's workspace
(milestones, moving on). The rides section is registered by the rides domain."""

from __future__ import annotations

import statistics
from collections import defaultdict
from uuid import UUID

from backend.coaching.tables import Milestone, WorkerFile
from backend.reports import suppression as sup
from backend.reports.schemas import Section
from backend.reports.sections import ReportContext, register
from backend.schedule.tables import Participant

WORK_KINDS = ("shift", "training")
ATTENDED = ("present", "late")
DAYS_PER_MONTH = 365.25 / 12


# Duration of an item in hours, per engine (SQLite keeps timestamps as ISO text with offset).
HOURS_SQL = {
    "postgres": "(EXTRACT(EPOCH FROM (i.ends_at - i.starts_at)) / 3600.0)",
    "sqlite": "((julianday(i.ends_at) - julianday(i.starts_at)) * 24.0)",
}


@register("attendance", order=10)
async def attendance_section(ctx: ReportContext) -> Section:
    """Workers planned in a shift or training of the period, their planned and attended hours.

    - workers active: distinct workers planned in at least one shift or training that was not
      cancelled and starts in the period;
    - planned hours: the durations of those plannings (one per worker per item);
    - attended hours: the same for plannings marked present or late (late counts in full);
    - attendance rate: attended / planned hours, over items that have already ended;
    - training hours: attended hours of trainings.
    """
    # One aggregate query: a year of 200 workers is some 50,000 plannings, too many to fetch.
    duration = HOURS_SQL["postgres" if Participant._meta.db.engine_type == "postgres" else "sqlite"]
    came = "a.status IN ('present', 'late')"
    rows = await Participant.raw(f"""
        SELECT COUNT(DISTINCT p.person) AS workers,
               SUM({duration}) AS planned,
               SUM(CASE WHEN {came} THEN {duration} ELSE 0 END) AS attended,
               SUM(CASE WHEN {came} AND i.kind = 'training' THEN {duration} ELSE 0 END) AS training,
               SUM(CASE WHEN i.ends_at <= {{}} THEN {duration} ELSE 0 END) AS ended_planned,
               SUM(CASE WHEN i.ends_at <= {{}} AND {came} THEN {duration} ELSE 0 END) AS ended_attended
        FROM participant p
        JOIN schedule_item i ON i.id = p.item
        LEFT JOIN attendance a ON a.key = p.key  -- both "<item>:<person>", unique
        WHERE i.organisation = {{}} AND i.kind IN ('shift', 'training') AND i.cancelled_at IS NULL
          AND i.starts_at >= {{}} AND i.starts_at < {{}}
          AND p.person NOT IN (SELECT id FROM person WHERE role <> 'worker')  -- a hashed set, few rows
    """, ctx.now, ctx.now, ctx.organisation_id, ctx.start, ctx.end)
    totals = {k: float(v or 0) for k, v in rows[0].items()}
    planned_h, attended_h, training_h = totals["planned"], totals["attended"], totals["training"]
    ended_planned_h, ended_attended_h = totals["ended_planned"], totals["ended_attended"]
    n = int(totals["workers"])
    rate = 100 * ended_attended_h / ended_planned_h if ended_planned_h else None
    return Section(key="attendance", figures=[
        sup.people("workersActive", n),
        sup.about_group("plannedHours", planned_h, n, "hours"),
        sup.about_group("attendedHours", attended_h, n, "hours"),
        sup.about_group("attendanceRate", rate, n, "percent"),
        sup.about_group("trainingHours", training_h, n, "hours"),
    ])


@register("trajectory", order=20)
async def trajectory_section(ctx: ReportContext) -> Section:
    """Milestones reached in the period (people per milestone title), workers who moved on to regular
    work in the period (people per kind of job) and their median months on the programme."""
    reached = await Milestone.select(Milestone.title, Milestone.person).where(
        (Milestone.organisation == ctx.organisation_id) & (Milestone.status == "reached")
        & (Milestone.reached_on >= ctx.first) & (Milestone.reached_on <= ctx.last))
    per_title: dict[str, set[UUID]] = defaultdict(set)
    for row in reached:
        per_title[row["title"].strip() or "?"].add(row["person"])
    moved = await WorkerFile.select(WorkerFile.moved_on_to, WorkerFile.started_on, WorkerFile.status_since).where(
        (WorkerFile.organisation == ctx.organisation_id) & (WorkerFile.status == "moved_on")
        & (WorkerFile.status_since >= ctx.first) & (WorkerFile.status_since <= ctx.last))
    per_kind: dict[str, int] = defaultdict(int)
    months: list[float] = []
    for row in moved:
        per_kind[row["moved_on_to"].strip() or "other"] += 1
        if row["started_on"] is not None and row["started_on"] <= row["status_since"]:
            months.append((row["status_since"] - row["started_on"]).days / DAYS_PER_MONTH)
    milestones = sup.breakdown("milestonesReached", {title: len(p) for title, p in per_title.items()})
    moved_on = sup.breakdown("movedOn", dict(per_kind))
    median = statistics.median(months) if months else None
    return Section(key="trajectory", figures=[
        milestones.total,
        moved_on.total,
        sup.about_group("medianMonthsOnProgramme", median, len(months), "months"),
    ], breakdowns=[milestones, moved_on])
