"""HTTP routes for push subscriptions, reminders, the inbox and notification settings."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, Request, Response, get, post, put
from litestar.params import FromPath, FromQuery, JSONBody, Parameter

from backend.accounts.auth import signed_in, staff_only
from backend.reminders import services
from backend.reminders.schemas import (
    InboxItemOut,
    OrganisationReminderSettings,
    OrganisationReminderSettingsOut,
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

    @get("/config", operation_id="pushConfig")
    async def config(self) -> PushConfigOut:
        """The VAPID public key the browser subscribes with."""
        return services.push_config()

    @post("/subscriptions", operation_id="subscribePush", status_code=201)
    async def subscribe(self, request: Request, data: JSONBody[SubscriptionIn]) -> SubscriptionOut:
        """Store this device's PushSubscription (standard browser JSON); one per device."""
        return SubscriptionOut(id=await services.subscribe(request.scope["user"], data,
                                                           request.headers.get("user-agent", "")))

    @post("/subscriptions/remove", operation_id="unsubscribePush", status_code=204)
    async def unsubscribe(self, request: Request, data: JSONBody[UnsubscribeIn]) -> None:
        await core.unsubscribe(request.scope["user"].id, data.endpoint)

    @post("/test", operation_id="sendTestPush", status_code=202)
    async def test(self, request: Request) -> Response[None]:
        """'Stuur me een testmelding': a push to all of the asker's devices within seconds."""
        await services.send_test(request.scope["user"])
        return Response(None, status_code=202)


class InboxController(Controller):
    path = "/api/inbox"
    tags = ["inbox"]
    guards = [signed_in]

    @get("", operation_id="listInbox")
    async def list_inbox(self, request: Request, unread: FromQuery[bool] = False, limit: Limit = 50) -> list[InboxItemOut]:
        """Every reminder that came due for the asker, newest first; push or not."""
        return await services.inbox(request.scope["user"], unread, limit)

    @post("/{entry_id:uuid}/read", operation_id="markInboxRead", status_code=204)
    async def read(self, request: Request, entry_id: FromPath[UUID]) -> None:
        await services.mark(request.scope["user"], entry_id, acknowledge=False)

    @post("/{entry_id:uuid}/ack", operation_id="acknowledgeInbox", status_code=204)
    async def ack(self, request: Request, entry_id: FromPath[UUID]) -> None:
        """'OK': the person saw it and will act on it."""
        await services.mark(request.scope["user"], entry_id, acknowledge=True)


class ReminderController(Controller):
    path = "/api/reminders"
    tags = ["reminders"]
    guards = [staff_only]

    @post("", operation_id="createReminder")
    async def create(self, request: Request, data: JSONBody[ReminderIn]) -> ReminderOut:
        """To one worker, a group or the whole caseload; at a moment, or weekly until a date."""
        return await services.create(request.scope["user"], data)

    @get("", operation_id="listReminders")
    async def list_reminders(self, request: Request, limit: Limit = 30) -> list[ReminderOut]:
        return await services.list_recent(request.scope["user"], limit)

    @get("/rules", operation_id="listReminderRules")
    async def list_rules(self, request: Request) -> list[ReminderRuleOut]:
        """Weekly reminders that still run."""
        return await services.list_rules(request.scope["user"])

    @post("/rules/{rule_id:uuid}/end", operation_id="endReminderRule", status_code=200)
    async def end_rule(self, request: Request, rule_id: FromPath[UUID]) -> ReminderRuleOut:
        """Stop a weekly reminder; planned copies not yet sent are cancelled."""
        return await services.end_rule(request.scope["user"], rule_id)

    @get("/{reminder_id:uuid}", operation_id="getReminder")
    async def get_reminder(self, request: Request, reminder_id: FromPath[UUID]) -> ReminderOut:
        """Per recipient: queued, sent, failed (why), read, acknowledged."""
        return await services.get(request.scope["user"], reminder_id)

    @post("/{reminder_id:uuid}/cancel", operation_id="cancelReminder", status_code=200)
    async def cancel(self, request: Request, reminder_id: FromPath[UUID]) -> ReminderOut:
        return await services.cancel(request.scope["user"], reminder_id)


class NotificationSettingsController(Controller):
    path = "/api/notification-settings"
    tags = ["push"]
    guards = [signed_in]

    @get("", operation_id="getQuietHours")
    async def get_quiet(self, request: Request) -> QuietHoursOut:
        return await services.quiet_hours(request.scope["user"])

    @put("", operation_id="setQuietHours")
    async def set_quiet(self, request: Request, data: JSONBody[QuietHours]) -> QuietHoursOut:
        """No pushes in these hours (urgent ride changes excepted); they wait until the end."""
        return await services.set_quiet_hours(request.scope["user"], data)

    @get("/organisations/{organisation_id:uuid}", operation_id="getOrganisationReminderSettings",
         guards=[staff_only])
    async def get_org(self, request: Request, organisation_id: FromPath[UUID]) -> OrganisationReminderSettingsOut:
        return await services.organisation_settings_for(request.scope["user"], organisation_id)

    @put("/organisations/{organisation_id:uuid}", operation_id="setOrganisationReminderSettings",
         guards=[staff_only])
    async def set_org(self, request: Request, organisation_id: FromPath[UUID],
                      data: JSONBody[OrganisationReminderSettings]) -> OrganisationReminderSettingsOut:
        """When automatic reminders go out: the evening before (time) and minutes before the start."""
        return await services.set_organisation_settings(request.scope["user"], organisation_id, data)


ROUTES = [PushController, InboxController, ReminderController, NotificationSettingsController]
