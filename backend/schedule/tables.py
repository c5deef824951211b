"""Work shifts and training sessions, recurring series, groups, attendance and absence reports.

Recurring series are expanded into concrete `ScheduleItem` rows (one per day) on a rolling horizon,
so attendance, reminders and calendars all point at one row. A row changed by hand (moved, cancelled)
is marked `modified` and left alone when the series is expanded again.
"""

from piccolo.columns import (
    JSON,
    UUID,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from backend.accounts.tables import Person
from backend.organisations.tables import Organisation, Workplace

ITEM_KINDS = ("shift", "training", "intake", "coach_meeting")
ATTENDANCE_STATUSES = ("present", "late", "absent", "excused")


class Group(Table, tablename="worker_group"):
    """A coach's named group of workers, e.g. 'VCA-opleiding maart'."""

    id = UUID(primary_key=True)
    organisation = ForeignKey(references=Organisation, null=False, index=True)
    owner = ForeignKey(references=Person, null=False, help_text="The coach who owns the group.")
    name = Varchar(length=100)
    created_at = Timestamptz(default=TimestamptzNow())


class GroupMember(Table):
    group = ForeignKey(references=Group, null=False, index=True)
    person = ForeignKey(references=Person, null=False, index=True)
    key = Varchar(length=80, unique=True, help_text="'<group>:<person>', one membership each.")


class ScheduleSeries(Table):
    """A weekly pattern, e.g. Monday-Thursday 08:00-16:00 from 2 March until 30 June."""

    id = UUID(primary_key=True)
    organisation = ForeignKey(references=Organisation, null=False, index=True)
    created_by = ForeignKey(references=Person, null=True)
    title = Varchar(length=120)
    kind = Varchar(length=20, default="shift")
    weekdays = Varchar(length=20, help_text="ISO weekdays, comma separated: '1,2,3,4' is Mon-Thu.")
    start_time = Varchar(length=5, help_text="Local wall-clock time HH:MM in `timezone`.")
    end_time = Varchar(length=5)
    timezone = Varchar(length=40, default="Europe/Brussels")
    valid_from = Date()
    valid_until = Date(null=True, default=None)
    expanded_until = Date(null=True, default=None, help_text="Occurrences exist up to this date.")
    workplace = ForeignKey(references=Workplace, null=True)
    address = Varchar(length=300, default="")
    latitude = Float(null=True, default=None)
    longitude = Float(null=True, default=None)
    contact_name = Varchar(length=100, default="")
    contact_phone = Varchar(length=32, default="")
    bring = JSON(default=[], help_text="Codes of things to bring, e.g. ['safety_shoes', 'lunch'].")
    note = Text(default="")
    participants = JSON(default=[], help_text="Person ids planned in this series.")
    ended_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class ScheduleItem(Table):
    """One shift, training, intake or meeting: a single time span at one place."""

    id = UUID(primary_key=True)
    organisation = ForeignKey(references=Organisation, null=False, index=True)
    series = ForeignKey(references=ScheduleSeries, null=True, index=True)
    occurrence_key = Varchar(length=60, null=True, default=None, unique=True,
                             help_text="'<series>:<YYYY-MM-DD>' for series occurrences.")
    modified = Boolean(default=False, help_text="Changed by hand; series updates leave it alone.")
    created_by = ForeignKey(references=Person, null=True)
    title = Varchar(length=120)
    kind = Varchar(length=20, default="shift")
    starts_at = Timestamptz(index=True)
    ends_at = Timestamptz()
    workplace = ForeignKey(references=Workplace, null=True)
    address = Varchar(length=300, default="")
    latitude = Float(null=True, default=None)
    longitude = Float(null=True, default=None)
    contact_name = Varchar(length=100, default="")
    contact_phone = Varchar(length=32, default="")
    bring = JSON(default=[])
    note = Text(default="")
    cancelled_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class Participant(Table):
    """Who is planned in an item."""

    item = ForeignKey(references=ScheduleItem, null=False, index=True)
    person = ForeignKey(references=Person, null=False, index=True)
    key = Varchar(length=80, unique=True, help_text="'<item>:<person>'.")
    # The item's start, copied (kept equal by `schedule.services`, which alone writes either): a
    # person's items in a few days are then found in an index by person and start, not through all
    # of their plannings ever (`home.reads`, issue 14). NULL for a row written without it: such
    # rows are still found, through the item's own times.
    starts_at = Timestamptz(null=True, default=None)


class Attendance(Table):
    """Whether a person came to an item; corrections keep history.

    A check-in made offline counts from the moment it was tapped when that moment is plausible
    (`checked_in_at`); `received_at` is when the server got it (equal for an online check-in)."""

    id = UUID(primary_key=True)
    item = ForeignKey(references=ScheduleItem, null=False, index=True)
    person = ForeignKey(references=Person, null=False, index=True)
    key = Varchar(length=80, unique=True, help_text="'<item>:<person>'.")
    status = Varchar(length=10)
    checked_in_at = Timestamptz(null=True, default=None, help_text=(
        "The moment that counts: the tap, or the receipt when the tap was implausible."))
    received_at = Timestamptz(null=True, default=None, help_text="When the server received the check-in.")
    updated_by = ForeignKey(references=Person, null=True)
    updated_at = Timestamptz(default=TimestamptzNow())


class AttendanceChange(Table):
    """Every change of an attendance row: who, when, from what to what, why."""

    attendance = ForeignKey(references=Attendance, null=False, index=True)
    changed_by = ForeignKey(references=Person, null=True)
    changed_at = Timestamptz(default=TimestamptzNow())
    old_status = Varchar(length=10, null=True, default=None)
    new_status = Varchar(length=10)
    note = Varchar(length=500, default="")


class AbsenceReport(Table):
    """'Ik ben ziek' (a date range) or 'Ik kom te laat' (minutes), made by a worker or their coach."""

    id = UUID(primary_key=True)
    person = ForeignKey(references=Person, null=False, index=True)
    organisation = ForeignKey(references=Organisation, null=False, index=True)
    kind = Varchar(length=10, help_text="'sick' or 'late'.")
    first_day = Date()
    last_day = Date()
    minutes_late = Integer(null=True, default=None)
    item = ForeignKey(references=ScheduleItem, null=True)
    note = Varchar(length=500, default="")
    created_by = ForeignKey(references=Person, null=True)
    created_at = Timestamptz(default=TimestamptzNow())
    seen_by = ForeignKey(references=Person, null=True)
    seen_at = Timestamptz(null=True, default=None)


class IdempotentRequest(Table):
    """The stored answer to an action sent with an `Idempotency-Key`: a retry gets it back."""

    key = Varchar(length=200, unique=True, help_text="'<person>:<client key>'.")
    person = ForeignKey(references=Person, null=False, index=True)
    status_code = Integer()
    body = JSON()
    created_at = Timestamptz(default=TimestamptzNow(), index=True)


class CalendarFeed(Table):
    """The version of a person's private iCalendar URL; renewing bumps it and kills the old URL."""

    person = ForeignKey(references=Person, null=False, unique=True)
    version = Integer(default=1)
    renewed_at = Timestamptz(default=TimestamptzNow())
