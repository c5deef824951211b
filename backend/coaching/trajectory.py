"""Trajectory templates per programme (admins edit them), milestones of a worker made from a
template, and the worker's own view of their progress in plain words."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec

from backend.access import (Actor, Role, can_use_template, organisation_scope, require_admin, require_role,
                            require_staff, visible_or_404)
from backend.coaching import audit, flags
from backend.coaching.access import file_of, worker_for
from backend.coaching.files import milestone_out
from backend.coaching.schemas import (
    ApplyTemplateIn,
    MilestoneOut,
    MilestoneUpdate,
    ProgressOut,
    ProgressStep,
    StepIn,
    StepOut,
    TemplateIn,
    TemplateOut,
    TemplateUpdate,
)
from backend.coaching.tables import Milestone, TemplateStep, TrajectoryTemplate, WorkerFile
from backend.errors import InvalidInput, NotFound
from backend.i18n import has_key, translate
from backend.organisations.tables import Organisation
from backend.schedule import recurrence

# The default LDE trajectory, made for an organisation that has no template yet: standard steps,
# each with a key whose words come from the catalogues (`step.<key>`), so a worker reads them in
# their own language. A step an admin types (or whose Dutch title is changed) has no key and keeps
# the typed title.
STANDARD_STEPS = [
    ("intake", "Intake", "Intake", False),
    ("basic_training", "Basisopleiding", "Basic training", False),
    ("work_experience", "Werkervaring", "Work experience", False),
    ("certificate", "VCA- of heftruckattest", "VCA or forklift certificate", False),
    ("internship", "Stage bij een reguliere werkgever", "Internship at a regular employer", False),
    ("moved_on", "Doorgestroomd naar regulier werk", "Moved on to regular work", True),
]
LDE_STEPS = [(nl, en, exit_) for _, nl, en, exit_ in STANDARD_STEPS]


def step_title(key: str | None, typed: str, language: str) -> str:
    """A standard step in `language` (from the catalogue); a typed step as typed."""
    return translate(f"step.{key}", language) if key and has_key(f"step.{key}") else typed


async def ensure_default_template(organisation_id: UUID) -> None:
    if await TrajectoryTemplate.exists().where(TrajectoryTemplate.organisation == organisation_id):
        return
    template = TrajectoryTemplate(organisation=organisation_id, programme="lde", name="Traject LDE")
    async with TrajectoryTemplate._meta.db.transaction():
        await template.save()
        await TemplateStep.insert(*[TemplateStep(template=template.id, position=i, title_nl=nl, title_en=en,
                                                 is_exit=exit_, key=key)
                                    for i, (key, nl, en, exit_) in enumerate(STANDARD_STEPS)])


async def _templates_out(rows: list[dict]) -> list[TemplateOut]:
    steps: dict[UUID, list[StepOut]] = {}
    if rows:
        for s in await TemplateStep.select().where(TemplateStep.template.is_in([r["id"] for r in rows])).order_by(
                TemplateStep.position):
            steps.setdefault(s["template"], []).append(StepOut(id=s["id"], position=s["position"],
                                                               title_nl=s["title_nl"], title_en=s["title_en"],
                                                               is_exit=s["is_exit"], key=s["key"]))
    return [TemplateOut(id=r["id"], organisation_id=r["organisation"], programme=r["programme"], name=r["name"],
                        steps=steps.get(r["id"], [])) for r in rows]


async def list_templates(actor: Actor, organisation_id: UUID | None) -> list[TemplateOut]:
    require_staff(actor)
    own = organisation_scope(actor)  # a coach's own organisation; an admin names one
    org = own if own is not None else organisation_id
    if org is None:
        raise InvalidInput.field("organisationId", "organisation_required")
    if not await Organisation.exists().where(Organisation.id == org):
        raise NotFound()
    await ensure_default_template(org)
    rows = await TrajectoryTemplate.select().where(TrajectoryTemplate.organisation == org).order_by(
        TrajectoryTemplate.name)
    return await _templates_out(rows)


async def _visible_template(actor: Actor, template_id: UUID) -> dict:
    require_staff(actor)
    row = await TrajectoryTemplate.select().where(TrajectoryTemplate.id == template_id).first()
    if row is None:
        raise NotFound()
    visible_or_404(can_use_template(actor, row))
    require_admin(actor)
    return row


async def _save_steps(template_id: UUID, steps: list[StepIn]) -> None:
    """Replace the steps: listed ids are kept and updated, new ones added, missing ones removed
    (milestones made from a removed step keep their title)."""
    stored = {s["id"]: s["title_nl"] for s in await TemplateStep.select(TemplateStep.id, TemplateStep.title_nl).where(
        TemplateStep.template == template_id)}
    existing = set(stored)
    keep = {s.id for s in steps if s.id is not None}
    unknown = keep - existing
    if unknown:
        raise InvalidInput.field("steps", "step_unknown")
    drop = list(existing - keep)
    if drop:
        await Milestone.update({Milestone.step: None}).where(Milestone.step.is_in(drop))
        await TemplateStep.delete().where(TemplateStep.id.is_in(drop))
    for position, step in enumerate(steps):
        values = {"position": position, "title_nl": step.title_nl.strip(), "title_en": step.title_en.strip(),
                  "is_exit": step.is_exit}
        if step.id is None:
            await TemplateStep.insert(TemplateStep(template=template_id, **values))
        else:
            changes = {getattr(TemplateStep, k): v for k, v in values.items()}
            if values["title_nl"] != stored[step.id]:  # retyped: no longer the standard step
                changes[TemplateStep.key] = None
            await TemplateStep.update(changes).where(TemplateStep.id == step.id)


async def create_template(actor: Actor, data: TemplateIn) -> TemplateOut:
    require_admin(actor)
    if data.organisation_id is None:
        raise InvalidInput.field("organisationId", "organisation_required")
    if not await Organisation.exists().where(Organisation.id == data.organisation_id):
        raise InvalidInput.field("organisationId", "organisation_unknown")
    if any(s.id is not None for s in data.steps):
        raise InvalidInput.field("steps", "step_unknown")
    template = TrajectoryTemplate(organisation=data.organisation_id, programme=data.programme, name=data.name.strip())
    async with TrajectoryTemplate._meta.db.transaction():
        await template.save()
        await _save_steps(template.id, data.steps)
    return (await _templates_out([await TrajectoryTemplate.select().where(
        TrajectoryTemplate.id == template.id).first()]))[0]


async def update_template(actor: Actor, template_id: UUID, data: TemplateUpdate) -> TemplateOut:
    row = await _visible_template(actor, template_id)
    async with TrajectoryTemplate._meta.db.transaction():
        await TrajectoryTemplate.update({TrajectoryTemplate.name: data.name.strip(),
                                         TrajectoryTemplate.programme: data.programme,
                                         TrajectoryTemplate.updated_at: flags.utcnow()}).where(
            TrajectoryTemplate.id == row["id"])
        await _save_steps(row["id"], data.steps)
    return (await _templates_out([await TrajectoryTemplate.select().where(
        TrajectoryTemplate.id == row["id"]).first()]))[0]


async def delete_template(actor: Actor, template_id: UUID) -> None:
    """Remove a template; workers' milestones made from it stay as they are."""
    row = await _visible_template(actor, template_id)
    steps = TemplateStep.select(TemplateStep.id).where(TemplateStep.template == row["id"])
    async with TrajectoryTemplate._meta.db.transaction():
        await Milestone.update({Milestone.step: None}).where(Milestone.step.is_in(steps))
        await WorkerFile.update({WorkerFile.template: None}).where(WorkerFile.template == row["id"])
        await TemplateStep.delete().where(TemplateStep.template == row["id"])
        await TrajectoryTemplate.delete().where(TrajectoryTemplate.id == row["id"])


# --- a worker's milestones ------------------------------------------------------------------

async def apply_template(actor: Actor, person_id: UUID, data: ApplyTemplateIn) -> list[MilestoneOut]:
    """Give the worker the template's milestones; steps they already have are not added twice."""
    person = await worker_for(actor, person_id)
    template = await TrajectoryTemplate.select().where(TrajectoryTemplate.id == data.template_id).first()
    if template is None or template["organisation"] != person.organisation:
        raise InvalidInput.field("templateId", "template_unknown")
    file = await file_of(person)
    steps = await TemplateStep.select().where(TemplateStep.template == template["id"]).order_by(TemplateStep.position)
    have = {m["step"] for m in await Milestone.select(Milestone.step).where(Milestone.person == person.id)}
    language = person.language or "nl"
    new = [Milestone(person=person.id, organisation=person.organisation, step=s["id"], position=s["position"],
                     title=(s["title_en"] or s["title_nl"]) if language == "en" else s["title_nl"],
                     is_exit=s["is_exit"], updated_by=actor.id) for s in steps if s["id"] not in have]
    async with Milestone._meta.db.transaction():
        if new:
            await Milestone.insert(*new)
        await WorkerFile.update({WorkerFile.template: template["id"], WorkerFile.programme: template["programme"]}
                                ).where(WorkerFile.id == file.id)
    await audit.record(actor, person.id, "apply_template", template["name"])
    rows = await Milestone.select().where(Milestone.person == person.id).order_by(Milestone.position)
    return [milestone_out(m) for m in rows]


async def update_milestone(actor: Actor, milestone_id: UUID, data: MilestoneUpdate) -> MilestoneOut:
    require_staff(actor)
    row = await Milestone.select().where(Milestone.id == milestone_id).first()
    if row is None:
        raise NotFound()
    visible_or_404(can_use_template(actor, row))
    person = await worker_for(actor, row["person"])
    file = await file_of(person)
    values: dict[Any, Any] = {Milestone.updated_by: actor.id, Milestone.updated_at: flags.utcnow()}
    status = row["status"] if data.status is msgspec.UNSET else data.status
    reached = row["reached_on"] if data.reached_on is msgspec.UNSET else data.reached_on
    values[Milestone.status] = status
    if data.planned_on is not msgspec.UNSET:
        values[Milestone.planned_on] = data.planned_on
    if data.evidence is not msgspec.UNSET:
        values[Milestone.evidence] = data.evidence.strip()
    if status == "reached" and reached is None:
        reached = recurrence.local_today()
    if status != "reached":
        if data.reached_on not in (msgspec.UNSET, None):
            raise InvalidInput.field("reachedOn", "reached_needs_status")
        reached = None
    if reached is not None and file.started_on and reached < file.started_on:
        raise InvalidInput.field("reachedOn", "date_before_start", start=file.started_on.strftime("%d/%m/%Y"))
    if reached is not None and reached > recurrence.local_today():
        raise InvalidInput.field("reachedOn", "reached_in_future")
    values[Milestone.reached_on] = reached
    await Milestone.update(values).where(Milestone.id == milestone_id)
    await audit.record(actor, person.id, "milestone", f"{row['title']}: {status}")
    return milestone_out(await Milestone.select().where(Milestone.id == milestone_id).first())


async def my_progress(actor: Actor) -> ProgressOut:
    """The worker's own steps, done and next, in short sentences in their language."""
    require_role(actor, Role.WORKER)
    file = await WorkerFile.select(WorkerFile.status).where(WorkerFile.person == actor.id).first()
    rows = await Milestone.select(*Milestone.all_columns(), Milestone.step.key.as_alias("step_key")).where(
        Milestone.person == actor.id).order_by(Milestone.position)
    for m in rows:  # a standard step in the worker's language, a typed one as typed
        m["title"] = step_title(m["step_key"], m["title"], actor.language)
    lang = actor.language
    upcoming = next((m for m in rows if m["status"] in ("planned", "in_progress")), None)
    steps = []
    for m in rows:
        if m["status"] == "reached":
            key = "progress_done_on" if m["reached_on"] else "progress_done"
        elif upcoming is not None and m["id"] == upcoming["id"]:
            key = "progress_now" if m["status"] == "in_progress" else "progress_next"
        elif m["status"] == "skipped":
            key = "progress_skipped"
        else:
            key = "progress_later"
        day = m["reached_on"].strftime("%d/%m/%Y") if m["reached_on"] else ""
        steps.append(ProgressStep(title=m["title"], status=m["status"], reached_on=m["reached_on"],
                                  sentence=translate(key, lang, step=m["title"], day=day), key=m["step_key"]))
    return ProgressOut(status=file["status"] if file else "active", steps=steps,
                       done=sum(1 for m in rows if m["status"] == "reached"), total=len(rows),
                       next=upcoming["title"] if upcoming else None)
