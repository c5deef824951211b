"""Reminders as the web layer sees them: who may remind whom, the inbox, push settings. The automatic
reminders generated from the schedule are in `automatic`; delivery itself lives in `notifications`."""

from __future__ import annotations

import datetime as dt
import logging
from functools import lru_cache
from uuid import UUID

from backend.access import (Actor, Role, can_manage_organisation, organisation_scope, require_role, require_staff,
                            visible_or_404)
from backend.accounts.tables import Person
from backend.organisations.tables import Organisation
from backend.errors import InvalidInput, NotFound
from backend.reminders.replies import reply_text
from backend.phrases import catalogue as phrase_catalogue
from backend.phrases import services as phrases
from backend.reminders.schemas import (
    InboxItemOut,
    PreviewIn,
    PreviewOut,
    PreviewText,
    OrganisationReminderSettings,
    OrganisationReminderSettingsOut,
    PushConfigOut,
    QuietHours,
    QuietHoursOut,
    RecipientStatusOut,
    SeenText,
    ReminderIn,
    ReminderOut,
    ReminderRuleOut,
    SubscriptionIn,
)
# Re-exported: the planning job (backend.jobs) and the attendance code call them through here.
from backend.reminders.automatic import on_absence_changed, plan_automatic_reminders  # noqa: F401
from backend.schedule import recurrence
from backend.schedule.services import resolve_workers
from backend.settings import get_settings
from notifications import payload
from notifications import reminders as core
from notifications.dispatcher import DispatchConfig
from notifications.endpoints import EndpointRefused
from notifications.quiet import DEFAULT_QUIET
from notifications.tables import NotificationSettings, Reminder, ReminderRule
from notifications.vapid import VapidSigner, load_or_create, public_key_b64

log = logging.getLogger("werkmaat.reminders")
UTC = dt.timezone.utc
ONE_OFF_TTL = dt.timedelta(hours=12)


@lru_cache(maxsize=1)
def signer() -> VapidSigner:
    """The VAPID key pair, made on first start in the data directory and kept."""
    settings = get_settings()
    key = load_or_create(settings.data_dir / "vapid_private.pem")
    return VapidSigner(key, settings.vapid_subject)


def dispatch_config() -> DispatchConfig:
    settings = get_settings()
    return DispatchConfig(signer=signer(), extra_hosts=settings.push_hosts,
                          lease=dt.timedelta(seconds=settings.delivery_lease_seconds),
                          late_after=dt.timedelta(seconds=settings.late_after_seconds))


def push_config() -> PushConfigOut:
    return PushConfigOut(enabled=True, public_key=public_key_b64(signer().key))


# --- subscriptions ------------------------------------------------------------------------------

async def subscribe(actor: Actor, data: SubscriptionIn, user_agent: str) -> UUID:
    try:
        return await core.subscribe(actor.id, actor.session_id, data.endpoint, data.keys.p256dh, data.keys.auth,
                                    user_agent, get_settings().push_hosts)
    except EndpointRefused as exc:
        raise InvalidInput.field("endpoint", f"push_endpoint_{exc}") from None


async def send_test(actor: Actor) -> UUID:
    """'Stuur me een testmelding': straight to this person's devices, quiet hours or not."""
    now = core.utcnow()
    return await core.create_reminder(core.NewReminder(
        recipients=[actor.id], due_at=now, expires_at=now + dt.timedelta(minutes=30), source="test",
        template="test", urgent=True, created_by=actor.id, url="/#/settings"))


# --- coach reminders ----------------------------------------------------------------------------

async def _recipients(actor: Actor, data: ReminderIn) -> list[UUID]:
    if data.whole_caseload:
        rows = await Person.select(Person.id).where(
            (Person.coach == actor.id) & (Person.role == Role.WORKER) & (Person.active == True))  # noqa: E712
        if not rows:
            raise InvalidInput.field("wholeCaseload", "caseload_empty")
        return [r["id"] for r in rows]
    return await resolve_workers(actor, actor.organisation_id, data.worker_ids, data.group_id)


async def _content(actor: Actor, data: ReminderIn | PreviewIn) -> tuple[str, str, str, dict]:
    """Title (Dutch), body, template and params of what a coach writes: their own words (template
    "text": arrives as written, marked for readers of another language), or a phrase (template
    "phrase": its text in every language, stored with the reminder)."""
    title, body = data.title.strip(), data.body.strip()
    if data.phrase is None:
        if not title:
            raise InvalidInput.field("title", "blank")
        return title, body, "text", phrases.text_params()
    if title:
        raise InvalidInput.field("title", "phrase_or_title")
    params, dutch = await phrases.phrase_params(actor, data.phrase, body)
    return payload.shorten(dutch, lambda t: len(t) <= 120), body, "phrase", params


async def create(actor: Actor, data: ReminderIn) -> ReminderOut:
    """A coach reminds one worker, a group or the whole caseload: once at a time, or weekly."""
    require_role(actor, Role.COACH)
    title, body, template, params = await _content(actor, data)
    people = await _recipients(actor, data)
    now = core.utcnow()
    if data.recurrence is not None:
        until = data.recurrence.until
        if until is not None and until < recurrence.local_today():
            raise InvalidInput.field("recurrence.until", "until_before_from")
        rule = ReminderRule(
            organisation=actor.organisation_id, created_by=actor.id, title=title, body=body,
            template=template, params=params, weekdays=",".join(str(d) for d in sorted(set(data.recurrence.weekdays))),
            at_time=data.recurrence.time, valid_from=now,
            valid_until=recurrence.day_bounds(until, until)[1] if until else None,
            recipients=[str(p) for p in people])
        await rule.save()
        await core.expand_rules(now)
        return ReminderOut(id=None, rule_id=rule.id, title=rule.title, body=rule.body, due_at=None, recurring=True,
                           recipients=[])
    due = recurrence.assume_local(data.at) if data.at else now
    if due < now - dt.timedelta(minutes=5):
        raise InvalidInput.field("at", "reminder_in_past")
    reminder_id = await core.create_reminder(core.NewReminder(
        recipients=people, due_at=due, expires_at=due + ONE_OFF_TTL, source="coach", title=title, body=body,
        template=template, params=params, organisation=actor.organisation_id, created_by=actor.id, url="/#/inbox"))
    return await get(actor, reminder_id)


async def preview(actor: Actor, data: PreviewIn) -> PreviewOut:
    """What each recipient will read, once per language among them (or per language asked), and
    the Dutch the coach wrote or picked."""
    require_role(actor, Role.COACH)
    title, body, template, params = await _content(actor, data)
    by_language: dict[str, list[str]] = {lang: [] for lang in data.languages}
    if data.worker_ids or data.group_id or data.whole_caseload:
        people = await _recipients(actor, data)
        for p in await Person.select(Person.language, Person.first_name, Person.last_name).where(
                Person.id.is_in(people)).order_by(Person.first_name):
            name = f"{p['first_name']} {p['last_name']}".strip()
            by_language.setdefault(p["language"] if p["language"] in phrase_catalogue.LANGUAGES else "nl",
                                   []).append(name)
    names = _language_names()

    def text(lang: str, recipients: list[str]) -> PreviewText:
        head, text_, mark_ = payload.render_parts(template, params, title, body, lang)
        info = names.get(lang, {})
        title_language = (params.get("texts", {}).get(lang, {}).get("language", "nl") if template == "phrase"
                          else "nl")
        return PreviewText(language=lang, language_name=info.get("name", lang), dir=info.get("dir", "ltr"),
                           title=head, title_language=title_language, body=text_, mark=mark_,
                           recipients=recipients)

    order = [lang for lang in phrase_catalogue.LANGUAGES if lang in by_language]
    return PreviewOut(dutch=text("nl", by_language.get("nl", [])), previews=[text(lang, by_language[lang])
                                                                             for lang in order])


def _language_names() -> dict[str, dict[str, str]]:
    """Each language's own name and direction (backend/locales/status.json), if there."""
    try:
        from backend.i18n import status
        return status()
    except Exception:  # noqa: BLE001 - a missing status file only costs the names
        return {}


async def _visible_reminder(actor: Actor, reminder_id: UUID) -> dict:
    require_staff(actor)
    row = await Reminder.select().where(Reminder.id == reminder_id).output(load_json=True).first()
    visible_or_404(row is not None and can_manage_organisation(actor, row["organisation"]))
    return row


async def _reminders_out(actor: Actor, rows: list[dict]) -> list[ReminderOut]:
    """Reminders with, per recipient: queued, sent, failed (why), read or acknowledged.
    A fixed number of queries however many reminders: the coach's screen polls this list."""
    statuses = await core.recipient_statuses([row["id"] for row in rows])
    person_ids = list({s.person_id for group in statuses.values() for s in group})
    people = {p["id"]: p for p in await Person.select(
        Person.id, Person.first_name, Person.last_name, Person.language).where(
        Person.id.is_in(person_ids))} if person_ids else {}
    language_names = _language_names()

    def recipient(row: dict, s) -> RecipientStatusOut:
        person = people.get(s.person_id) or {}
        lang = person.get("language") if person.get("language") in phrase_catalogue.LANGUAGES else "nl"
        info = language_names.get(lang, {})
        seen = None
        if lang != "nl":  # what the coach reads is the Dutch; what the worker read differs
            params = row["params"] or {}
            title, body, mark = payload.render_parts(row["template"], params, row["title"], row["body"], lang)
            seen = SeenText(title=title, body=body, mark=mark, **payload.languages_of(row["template"], params, lang))
        return RecipientStatusOut(
            person_id=s.person_id, name=f"{person.get('first_name', '')} {person.get('last_name', '')}".strip(),
            state=s.state, push_status=s.push_status, error=s.error, pushed_at=s.pushed_at,
            late_seconds=s.late_seconds, read_at=s.read_at, acknowledged_at=s.acknowledged_at, reply=s.reply,
            reply_text=reply_text(s.reply, actor.language), replied_at=s.replied_at, language=lang,
            language_name=info.get("name", lang), dir=info.get("dir", "ltr"), seen=seen)

    return [ReminderOut(id=row["id"], rule_id=row["rule"], title=row["title"], body=row["body"],
                        due_at=row["due_at"], recurring=row["rule"] is not None,
                        recipients=[recipient(row, s) for s in statuses[row["id"]]]) for row in rows]


async def get(actor: Actor, reminder_id: UUID) -> ReminderOut:
    return (await _reminders_out(actor, [await _visible_reminder(actor, reminder_id)]))[0]


async def list_recent(actor: Actor, limit: int) -> list[ReminderOut]:
    scope = organisation_scope(actor)
    query = Reminder.select().where(Reminder.source.is_in(["coach", "rule"])).order_by(
        Reminder.due_at, ascending=False).limit(limit).output(load_json=True)
    if scope is not None:
        query = query.where(Reminder.organisation == scope)
    return await _reminders_out(actor, await query)


async def cancel(actor: Actor, reminder_id: UUID) -> ReminderOut:
    await _visible_reminder(actor, reminder_id)
    await core.cancel_reminder(reminder_id)
    return await get(actor, reminder_id)


def _rule_out(rule: dict) -> ReminderRuleOut:
    recipients = rule["recipients"] if isinstance(rule["recipients"], list) else []
    return ReminderRuleOut(id=rule["id"], title=rule["title"], body=rule["body"],
                           weekdays=[int(d) for d in rule["weekdays"].split(",")], time=rule["at_time"],
                           until=rule["valid_until"], recipient_count=len(recipients),
                           ended=rule["ended_at"] is not None)


async def list_rules(actor: Actor) -> list[ReminderRuleOut]:
    """The weekly reminders of the coach's organisation that still run."""
    scope = organisation_scope(actor)
    query = ReminderRule.select().where(ReminderRule.ended_at.is_null()).order_by(
        ReminderRule.created_at, ascending=False).output(load_json=True)
    if scope is not None:
        query = query.where(ReminderRule.organisation == scope)
    return [_rule_out(r) for r in await query]


async def end_rule(actor: Actor, rule_id: UUID) -> ReminderRuleOut:
    """Stop a weekly reminder: no new ones are made, and planned ones not yet sent are cancelled."""
    require_staff(actor)
    rule = await ReminderRule.select().where(ReminderRule.id == rule_id).output(load_json=True).first()
    visible_or_404(rule is not None and can_manage_organisation(actor, rule["organisation"]))
    now = core.utcnow()
    async with ReminderRule._meta.db.transaction():
        await ReminderRule.update({ReminderRule.ended_at: now}).where(
            (ReminderRule.id == rule_id) & ReminderRule.ended_at.is_null())
        await Reminder.update({Reminder.cancelled_at: now}).where(
            (Reminder.rule == rule_id) & (Reminder.fanned_out == False) & Reminder.cancelled_at.is_null())  # noqa: E712
    rule = await ReminderRule.select().where(ReminderRule.id == rule_id).output(load_json=True).first()
    return _rule_out(rule)


# --- inbox --------------------------------------------------------------------------------------

async def inbox(actor: Actor, unread_only: bool, limit: int) -> list[InboxItemOut]:
    entries = await core.inbox(actor.id, actor.language, limit=limit, unread_only=unread_only)
    return [InboxItemOut(id=e.id, title=e.title, body=e.body, url=e.url, urgent=e.urgent, due_at=e.due_at,
                         read_at=e.read_at, acknowledged_at=e.acknowledged_at, reply=e.reply, mark=e.mark,
                         title_language=e.title_language, body_language=e.body_language)
            for e in entries]


async def mark(actor: Actor, recipient_id: UUID, acknowledge: bool) -> None:
    if not await core.mark(actor.id, recipient_id, acknowledge):
        raise NotFound()


# --- settings -----------------------------------------------------------------------------------

async def quiet_hours(actor: Actor) -> QuietHoursOut:
    row = await NotificationSettings.select().where(NotificationSettings.person == actor.id).first()
    start, end = (row["quiet_start"], row["quiet_end"]) if row else DEFAULT_QUIET
    return QuietHoursOut(quiet_start=start, quiet_end=end)


async def set_quiet_hours(actor: Actor, data: QuietHours) -> QuietHoursOut:
    await NotificationSettings.insert(NotificationSettings(person=actor.id, quiet_start=data.quiet_start,
                                                           quiet_end=data.quiet_end)).on_conflict(
        target=NotificationSettings.person, action="DO UPDATE",
        values=[NotificationSettings.quiet_start, NotificationSettings.quiet_end])
    return await quiet_hours(actor)


async def organisation_settings(organisation_id: UUID) -> OrganisationReminderSettingsOut:
    row = await NotificationSettings.select().where(NotificationSettings.organisation == organisation_id).first()
    if row is None:
        d = OrganisationReminderSettings()
        return OrganisationReminderSettingsOut(evening_before_at=d.evening_before_at, minutes_before=d.minutes_before,
                                               ride_minutes_before=d.ride_minutes_before, automatic=d.automatic)
    return OrganisationReminderSettingsOut(evening_before_at=row["evening_before_at"],
                                           minutes_before=row["minutes_before"],
                                           ride_minutes_before=row["ride_minutes_before"], automatic=row["automatic"])


async def _check_organisation(actor: Actor, organisation_id: UUID) -> None:
    require_staff(actor)
    visible_or_404(can_manage_organisation(actor, organisation_id))
    if not await Organisation.exists().where(Organisation.id == organisation_id):
        raise NotFound()


async def organisation_settings_for(actor: Actor, organisation_id: UUID) -> OrganisationReminderSettingsOut:
    await _check_organisation(actor, organisation_id)
    return await organisation_settings(organisation_id)


async def set_organisation_settings(actor: Actor, organisation_id: UUID,
                                    data: OrganisationReminderSettings) -> OrganisationReminderSettingsOut:
    await _check_organisation(actor, organisation_id)
    await NotificationSettings.insert(NotificationSettings(
        organisation=organisation_id, evening_before_at=data.evening_before_at, minutes_before=data.minutes_before,
        ride_minutes_before=data.ride_minutes_before, automatic=data.automatic)).on_conflict(
        target=NotificationSettings.organisation, action="DO UPDATE",
        values=[NotificationSettings.evening_before_at, NotificationSettings.minutes_before,
                NotificationSettings.ride_minutes_before, NotificationSettings.automatic])
    return await organisation_settings(organisation_id)


async def notify_coach_of_report(worker_id: UUID, kind: str, text: str) -> None:
    """A sick or late report reaches the worker's coach at once (push and inbox)."""
    worker = await Person.select(Person.coach, Person.organisation, Person.first_name).where(
        Person.id == worker_id).first()
    if worker is None or worker["coach"] is None:
        return
    now = core.utcnow()
    await core.create_reminder(core.NewReminder(
        recipients=[worker["coach"]], due_at=now, expires_at=now + dt.timedelta(hours=12), source="system",
        template=f"report_{kind}", params={"name": worker["first_name"], "text": text}, urgent=True,
        organisation=worker["organisation"], url=f"/#/people/{worker_id}", subject=worker_id))
