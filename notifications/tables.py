"""Reminders, their recipients (the in-app inbox), push subscriptions and deliveries.

The database is the truth: a delivery row is claimed with a lease, sent, then marked. People and
organisations are referenced lazily by app name, so this package imports nothing from the web layer.
"""

from piccolo.columns import (
    JSON,
    UUID,
    Boolean,
    ForeignKey,
    Integer,
    LazyTableReference,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

PERSON = LazyTableReference("Person", app_name="accounts")
ORGANISATION = LazyTableReference("Organisation", app_name="organisations")


class PushSubscription(Table):
    """One browser's Web Push subscription (one per device session)."""

    id = UUID(primary_key=True)
    person = ForeignKey(references=PERSON, null=False, index=True)
    session_id = UUID(null=True, default=None, index=True, help_text="The signed-in device that subscribed.")
    endpoint = Varchar(length=2048, unique=True)
    p256dh = Varchar(length=200)
    auth = Varchar(length=100)
    user_agent = Varchar(length=200, default="")
    created_at = Timestamptz(default=TimestamptzNow())
    last_success_at = Timestamptz(null=True, default=None)
    deactivated_at = Timestamptz(null=True, default=None, index=True)
    deactivation_reason = Varchar(length=200, default="")


class ReminderRule(Table):
    """A coach's recurring reminder: days of the week and a time, until a date."""

    id = UUID(primary_key=True)
    organisation = ForeignKey(references=ORGANISATION, null=False, index=True)
    created_by = ForeignKey(references=PERSON, null=True)
    title = Varchar(length=120)
    body = Text(default="")
    weekdays = Varchar(length=20, help_text="ISO weekdays, comma separated.")
    at_time = Varchar(length=5, help_text="Local HH:MM.")
    timezone = Varchar(length=40, default="Europe/Brussels")
    valid_from = Timestamptz()
    valid_until = Timestamptz(null=True, default=None)
    recipients = JSON(default=[], help_text="Person ids.")
    template = Varchar(length=40, null=True, default=None,
                       help_text="'phrase' or 'text': its copies are rendered per recipient language from `params`.")
    params = JSON(default={})
    expanded_until = Timestamptz(null=True, default=None)
    ended_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class Reminder(Table):
    """Something to tell one or more people at a moment; every reminder lands in their inbox."""

    id = UUID(primary_key=True)
    organisation = ForeignKey(references=ORGANISATION, null=True, index=True)
    created_by = ForeignKey(references=PERSON, null=True)
    source = Varchar(length=20, help_text="coach, rule, auto, test or system.")
    source_key = Varchar(length=200, null=True, default=None, unique=True,
                         help_text="Makes generated reminders unique, e.g. 'auto:hour:<item>:<person>'.")
    rule = ForeignKey(references=ReminderRule, null=True)
    subject = ForeignKey(references=PERSON, null=True, default=None, index=True,
                         help_text="The person this message is about (a report, a ride, a reminder of their "
                                   "shift), so erasing them reaches the copies sent to others.")
    title = Varchar(length=120, default="")
    body = Text(default="")
    template = Varchar(length=40, null=True, default=None, help_text="Rendered per recipient language.")
    params = JSON(default={})
    url = Varchar(length=300, default="/")
    topic = Varchar(length=32, help_text="Web Push Topic and notification tag: a newer copy replaces an older.")
    urgent = Boolean(default=False, help_text="Ignores quiet hours (e.g. a ride change).")
    event_at = Timestamptz(null=True, default=None, help_text="When the thing reminded of starts.")
    due_at = Timestamptz(index=True)
    expires_at = Timestamptz(help_text="After this the reminder is no longer useful.")
    fanned_out = Boolean(default=False, index=True)
    cancelled_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class Recipient(Table):
    """A reminder for one person: their inbox entry and its state."""

    id = UUID(primary_key=True)
    reminder = ForeignKey(references=Reminder, null=False, index=True)
    person = ForeignKey(references=PERSON, null=False, index=True)
    key = Varchar(length=80, unique=True, help_text="'<reminder>:<person>'.")
    push_status = Varchar(length=12, default="queued",
                          help_text="queued, sent, failed, expired or none (no device subscribed).")
    push_error = Varchar(length=300, default="")
    pushed_at = Timestamptz(null=True, default=None)
    late_seconds = Integer(null=True, default=None, help_text="How long after due_at the push went out.")
    read_at = Timestamptz(null=True, default=None)
    acknowledged_at = Timestamptz(null=True, default=None)
    # A quick reply (backend/reminders/replies.py): a fixed key, never free text; the latest counts.
    reply = Varchar(length=20, null=True, default=None,
                    help_text="ok, coming, not_coming, unclear or call_me (the recipient's quick reply).")
    replied_at = Timestamptz(null=True, default=None, index=True)


class ReminderMention(Table):
    """Someone else a reminder names besides its subject: a worker in a coach's digest, the driver in
    a ride notice. `line` is the line of the body about them (removed on their erasure, the rest of
    the message stays); empty when the whole message is about them (it goes)."""

    id = UUID(primary_key=True)
    reminder = ForeignKey(references=Reminder, null=False, index=True)
    person = ForeignKey(references=PERSON, null=False, index=True)
    line = Text(default="")


class Delivery(Table):
    """One push of one recipient's reminder to one subscription."""

    id = UUID(primary_key=True)
    recipient = ForeignKey(references=Recipient, null=False, index=True)
    subscription = ForeignKey(references=PushSubscription, null=False, index=True)
    key = Varchar(length=80, unique=True, help_text="'<recipient>:<subscription>'.")
    status = Varchar(length=10, default="queued", index=True,
                     help_text="queued, sending, sent, failed, expired or gone.")
    attempts = Integer(default=0)
    next_attempt_at = Timestamptz(index=True)
    lease_until = Timestamptz(null=True, default=None)
    leased_by = Varchar(length=64, null=True, default=None)
    http_status = Integer(null=True, default=None)
    last_error = Varchar(length=300, default="")
    sent_at = Timestamptz(null=True, default=None)
    send_count = Integer(default=0, help_text="Times marked sent; more than 1 would be a double send.")


class NotificationSettings(Table):
    """Per person: quiet hours. Per organisation (person null): automatic reminder offsets."""

    person = ForeignKey(references=PERSON, null=True, unique=True)
    organisation = ForeignKey(references=ORGANISATION, null=True, unique=True)
    quiet_start = Varchar(length=5, default="21:00")
    quiet_end = Varchar(length=5, default="07:00")
    evening_before_at = Varchar(length=5, default="18:00")
    minutes_before = Integer(default=60)
    ride_minutes_before = Integer(default=30)
    automatic = Boolean(default=True)
