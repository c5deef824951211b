"""HTTP routes for push subscriptions, reminders, the inbox and notification settings."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, Request, Response, get, post, put
from litestar.params import FromPath, FromQuery, JSONBody, Parameter

from backend import access
from backend.access import CurrentActor, signed_in, staff_only
from backend.reminders import services
from backend.reminders.schemas import (
    InboxItemOut,
    OrganisationReminderSettings,
    OrganisationReminderSettingsOut,
    PreviewIn,
    PreviewOut,
    PushConfigOut,
    QuietHours,
    QuietHoursOut,
    ReminderIn,
    ReminderOut,
    ReminderRuleOut,
    SubscriptionIn,
    SubscriptionOut,
    UnsubscribeIn,
)
from notifications import reminders as core

Limit = Annotated[int, Parameter(query="limit", ge=1, le=200)]


class PushController(Controller):
    path = "/api/push"
    tags = ["push"]
    guards = [signed_in]
    dependencies = access.dependencies

    @get("/config", operation_id="pushConfig")
    async def config(self) -> PushConfigOut:
        """The VAPID public key the browser subscribes with."""
        return services.push_config()

    @post("/subscriptions", operation_id="subscribePush", status_code=201)
    async def subscribe(self, request: Request, actor: CurrentActor,
                        data: JSONBody[SubscriptionIn]) -> SubscriptionOut:
        """Store this device's PushSubscription (standard browser JSON); one per device."""
        return SubscriptionOut(id=await services.subscribe(actor, data, request.headers.get("user-agent", "")))

    @post("/subscriptions/remove", operation_id="unsubscribePush", status_code=204)
    async def unsubscribe(self, actor: CurrentActor, data: JSONBody[UnsubscribeIn]) -> None:
        await core.unsubscribe(actor.id, data.endpoint)

    @post("/test", operation_id="sendTestPush", status_code=202)
    async def test(self, actor: CurrentActor) -> Response[None]:
        """'Stuur me een testmelding': a push to all of the asker's devices within seconds."""
        await services.send_test(actor)
        return Response(None, status_code=202)


class InboxController(Controller):
    path = "/api/inbox"
    tags = ["inbox"]
    guards = [signed_in]
    dependencies = access.dependencies

    @get("", operation_id="listInbox")
    async def list_inbox(self, actor: CurrentActor, unread: FromQuery[bool] = False, limit: Limit = 50) -> list[InboxItemOut]:
        """Every reminder that came due for the asker, newest first; push or not."""
        return await services.inbox(actor, unread, limit)

    @post("/{entry_id:uuid}/read", operation_id="markInboxRead", status_code=204)
    async def read(self, actor: CurrentActor, entry_id: FromPath[UUID]) -> None:
        await services.mark(actor, entry_id, acknowledge=False)

    @post("/{entry_id:uuid}/ack", operation_id="acknowledgeInbox", status_code=204)
    async def ack(self, actor: CurrentActor, entry_id: FromPath[UUID]) -> None:
        """'OK': the person saw it and will act on it."""
        await services.mark(actor, entry_id, acknowledge=True)


class ReminderController(Controller):
    path = "/api/reminders"
    tags = ["reminders"]
    guards = [staff_only]
    dependencies = access.dependencies

    @post("", operation_id="createReminder")
    async def create(self, actor: CurrentActor, data: JSONBody[ReminderIn]) -> ReminderOut:
        """To one worker, a group or the whole caseload; at a moment, or weekly until a date."""
        return await services.create(actor, data)

    @post("/preview", operation_id="previewReminder", status_code=200)
    async def preview(self, actor: CurrentActor, data: JSONBody[PreviewIn]) -> PreviewOut:
        """What each recipient will read: one text per language among them (a phrase in their
        language, the coach's own words marked "written in Dutch"), and the Dutch. Sends nothing."""
        return await services.preview(actor, data)

    @get("", operation_id="listReminders")
    async def list_reminders(self, actor: CurrentActor, limit: Limit = 30) -> list[ReminderOut]:
        return await services.list_recent(actor, limit)

    @get("/rules", operation_id="listReminderRules")
    async def list_rules(self, actor: CurrentActor) -> list[ReminderRuleOut]:
        """Weekly reminders that still run."""
        return await services.list_rules(actor)

    @post("/rules/{rule_id:uuid}/end", operation_id="endReminderRule", status_code=200)
    async def end_rule(self, actor: CurrentActor, rule_id: FromPath[UUID]) -> ReminderRuleOut:
        """Stop a weekly reminder; planned copies not yet sent are cancelled."""
        return await services.end_rule(actor, rule_id)

    @get("/{reminder_id:uuid}", operation_id="getReminder")
    async def get_reminder(self, actor: CurrentActor, reminder_id: FromPath[UUID]) -> ReminderOut:
        """Per recipient: queued, sent, failed (why), read, acknowledged."""
        return await services.get(actor, reminder_id)

    @post("/{reminder_id:uuid}/cancel", operation_id="cancelReminder", status_code=200)
    async def cancel(self, actor: CurrentActor, reminder_id: FromPath[UUID]) -> ReminderOut:
        return await services.cancel(actor, reminder_id)


class NotificationSettingsController(Controller):
    path = "/api/notification-settings"
    tags = ["push"]
    guards = [signed_in]
    dependencies = access.dependencies

    @get("", operation_id="getQuietHours")
    async def get_quiet(self, actor: CurrentActor) -> QuietHoursOut:
        return await services.quiet_hours(actor)

    @put("", operation_id="setQuietHours")
    async def set_quiet(self, actor: CurrentActor, data: JSONBody[QuietHours]) -> QuietHoursOut:
        """No pushes in these hours (urgent ride changes excepted); they wait until the end."""
        return await services.set_quiet_hours(actor, data)

    @get("/organisations/{organisation_id:uuid}", operation_id="getOrganisationReminderSettings",
         guards=[staff_only])
    async def get_org(self, actor: CurrentActor, organisation_id: FromPath[UUID]) -> OrganisationReminderSettingsOut:
        return await services.organisation_settings_for(actor, organisation_id)

    @put("/organisations/{organisation_id:uuid}", operation_id="setOrganisationReminderSettings",
         guards=[staff_only])
    async def set_org(self, actor: CurrentActor, organisation_id: FromPath[UUID],
                      data: JSONBody[OrganisationReminderSettings]) -> OrganisationReminderSettingsOut:
        """When automatic reminders go out: the evening before (time) and minutes before the start."""
        return await services.set_organisation_settings(actor, organisation_id, data)


from backend.reminders.reply_routes import ROUTES as REPLY_ROUTES  # noqa: E402 - quick replies, help

ROUTES = [PushController, InboxController, ReminderController, NotificationSettingsController, *REPLY_ROUTES]
