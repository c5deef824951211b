"""The report sections of the schedule (work and training hours) and of the coach's workspace
(milestones, moving on). The rides section is registered by the rides domain."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from uuid import UUID

from backend.coaching.tables import Milestone, WorkerFile
from backend.reports import suppression as sup
from backend.reports.schemas import Section
from backend.reports.sections import ReportContext, register
from backend.schedule.tables import Attendance, Participant

WORK_KINDS = ("shift", "training")
ATTENDED = ("present", "late")
DAYS_PER_MONTH = 365.25 / 12


def _hours(starts: dt.datetime, ends: dt.datetime) -> float:
    return max(0.0, (ends - starts).total_seconds() / 3600)


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
    planned = await Participant.select(
        Participant.item.as_alias("item"), Participant.person.as_alias("person"),
        Participant.item.kind.as_alias("kind"), Participant.item.starts_at.as_alias("starts_at"),
        Participant.item.ends_at.as_alias("ends_at"),
    ).where(
        (Participant.item.organisation == ctx.organisation_id) & Participant.item.kind.is_in(list(WORK_KINDS))
        & Participant.item.cancelled_at.is_null() & (Participant.item.starts_at >= ctx.start)
        & (Participant.item.starts_at < ctx.end) & (Participant.person.role == "worker"))
    attended_rows = await Attendance.select(Attendance.item, Attendance.person).where(
        (Attendance.item.organisation == ctx.organisation_id) & Attendance.item.kind.is_in(list(WORK_KINDS))
        & Attendance.item.cancelled_at.is_null() & (Attendance.item.starts_at >= ctx.start)
        & (Attendance.item.starts_at < ctx.end) & Attendance.status.is_in(list(ATTENDED)))
    attended = {(row["item"], row["person"]) for row in attended_rows}
    workers: set[UUID] = set()
    planned_h = attended_h = training_h = ended_planned_h = ended_attended_h = 0.0
    for row in planned:
        workers.add(row["person"])
        hours = _hours(row["starts_at"], row["ends_at"])
        came = (row["item"], row["person"]) in attended
        planned_h += hours
        if came:
            attended_h += hours
            if row["kind"] == "training":
                training_h += hours
        if row["ends_at"] <= ctx.now:
            ended_planned_h += hours
            ended_attended_h += hours if came else 0.0
    n = len(workers)
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
