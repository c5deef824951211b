"""Tables of the coach's workspace.

A worker's file (`WorkerFile`) holds what the coach tracks beyond the schedule: the programme, the
start date and the status on the way to the regular labour market (doorstroom). Milestones come from
a template per programme that an admin edits. Notes keep every earlier version. Flags are raised by
the "under the radar" rules and closed by a coach with a note. Every view or change of a worker's file
is written to the audit log.
"""

from piccolo.columns import JSON, UUID, Boolean, Date, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from backend.accounts.tables import Person
from backend.organisations.tables import Organisation

WORKER_STATUSES = ("active", "paused", "moved_on", "stopped")
MILESTONE_STATUSES = ("planned", "in_progress", "reached", "skipped")
PROGRAMMES = ("lde", "maatwerk", "wep", "art60", "other")


class CoachingSettings(Table):
    """Per organisation: thresholds of the flag rules and retention periods."""

    id = UUID(primary_key=True)
    organisation = ForeignKey(references=Organisation, null=False, unique=True)
    missed_checkins_in_a_row = Integer(default=3, help_text="Planned working days without check-in.")
    app_unused_days = Integer(default=7)
    unread_reminders = Integer(default=3)
    absences_in_last_planned = Integer(default=4, help_text="Absences among the last N planned days.")
    absences_window = Integer(default=10, help_text="N of the rule above.")
    no_contact_days = Integer(default=14, help_text="Days without a coach note or contact.")
    retention_months = Integer(default=24, help_text="Keep ended workers' personal data this long.")
    audit_retention_months = Integer(default=60)
    updated_at = Timestamptz(default=TimestamptzNow())


class TrajectoryTemplate(Table):
    """The milestones of one programme in one organisation (e.g. LDE), edited by an admin."""

    id = UUID(primary_key=True)
    organisation = ForeignKey(references=Organisation, null=False, index=True)
    programme = Varchar(length=16, default="other", help_text="One of PROGRAMMES.")
    name = Varchar(length=200)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class TemplateStep(Table):
    id = UUID(primary_key=True)
    template = ForeignKey(references=TrajectoryTemplate, null=False, index=True)
    position = Integer(default=0)
    title_nl = Varchar(length=200)
    title_en = Varchar(length=200, default="")
    is_exit = Boolean(default=False, help_text="Reaching it means the worker moved on.")
    key = Varchar(length=40, null=True, default=None,
                  help_text="A standard step (trajectory.STANDARD_STEPS): its words come from the catalogues "
                            "(step.<key>) in the reader's language. Null for a step someone typed.")


class WorkerFile(Table):
    """One per worker: programme, start, status and the template their milestones follow."""

    id = UUID(primary_key=True)
    person = ForeignKey(references=Person, null=False, unique=True)
    organisation = ForeignKey(references=Organisation, null=False, index=True)
    programme = Varchar(length=16, default="other", help_text="One of PROGRAMMES.")
    template = ForeignKey(references=TrajectoryTemplate, null=True)
    started_on = Date(null=True, default=None, help_text="Start of the trajectory.")
    status = Varchar(length=16, default="active", index=True, help_text="One of WORKER_STATUSES.")
    status_since = Date(null=True, default=None)
    moved_on_to = Varchar(length=32, default="", help_text="Kind of job when moved on.")
    stopped_reason = Text(default="")
    last_contact_at = Timestamptz(null=True, default=None, help_text="Last coach contact logged.")
    updated_at = Timestamptz(default=TimestamptzNow())


class StatusChange(Table):
    id = UUID(primary_key=True)
    person = ForeignKey(references=Person, null=False, index=True)
    organisation = ForeignKey(references=Organisation, null=False, index=True)
    status = Varchar(length=16)
    effective_on = Date()
    detail = Text(default="", help_text="Kind of job (moved on) or reason (stopped).")
    changed_by = ForeignKey(references=Person, null=True)
    changed_at = Timestamptz(default=TimestamptzNow())


class Assignment(Table):
    """History of who coached or buddied a worker; `ended_at` null means current."""

    id = UUID(primary_key=True)
    person = ForeignKey(references=Person, null=False, index=True)
    role = Varchar(length=8, help_text="coach or buddy.")
    assignee = ForeignKey(references=Person, null=True)
    started_at = Timestamptz(default=TimestamptzNow())
    ended_at = Timestamptz(null=True, default=None)
    changed_by = ForeignKey(references=Person, null=True)


class Milestone(Table):
    id = UUID(primary_key=True)
    person = ForeignKey(references=Person, null=False, index=True)
    organisation = ForeignKey(references=Organisation, null=False, index=True)
    step = ForeignKey(references=TemplateStep, null=True)
    position = Integer(default=0)
    title = Varchar(length=200)
    status = Varchar(length=16, default="planned", help_text="One of MILESTONE_STATUSES.")
    planned_on = Date(null=True, default=None)
    reached_on = Date(null=True, default=None)
    evidence = Text(default="", help_text="What shows it was reached (certificate, contract...).")
    is_exit = Boolean(default=False)
    updated_by = ForeignKey(references=Person, null=True)
    updated_at = Timestamptz(default=TimestamptzNow())


class Note(Table):
    """A coach's note on a worker; only coaches of the organisation see it."""

    id = UUID(primary_key=True)
    person = ForeignKey(references=Person, null=False, index=True)
    organisation = ForeignKey(references=Organisation, null=False, index=True)
    author = ForeignKey(references=Person, null=True)
    body = Text()
    kind = Varchar(length=16, default="note", help_text="note or contact (a conversation held).")
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class NoteRevision(Table):
    """An earlier version of a note, kept on every edit."""

    id = UUID(primary_key=True)
    note = ForeignKey(references=Note, null=False, index=True)
    body = Text()
    edited_by = ForeignKey(references=Person, null=True)
    edited_at = Timestamptz(default=TimestamptzNow())


class Flag(Table):
    """A worker "under the radar": one open flag per (person, rule) at most."""

    id = UUID(primary_key=True)
    person = ForeignKey(references=Person, null=False, index=True)
    organisation = ForeignKey(references=Organisation, null=False, index=True)
    rule = Varchar(length=32)
    detail = JSON(default="{}", help_text="Numbers behind the reason, e.g. {'days': 9}.")
    opened_at = Timestamptz(default=TimestamptzNow())
    cleared_at = Timestamptz(null=True, default=None, help_text="The rule stopped firing.")
    closed_at = Timestamptz(null=True, default=None)
    closed_by = ForeignKey(references=Person, null=True)
    close_note = Text(default="")
    # Unique through an index made in the migration (SQLite cannot add a UNIQUE column).
    open_key = Varchar(length=80, null=True, default=None,
                       help_text="'<person>:<rule>' while open, null once closed: one open flag per rule.")


class AuditEntry(Table):
    """Who viewed or changed a worker's file, and when. Admins read it."""

    id = UUID(primary_key=True)
    organisation = ForeignKey(references=Organisation, null=True, index=True)
    actor = ForeignKey(references=Person, null=True, index=True)
    subject = ForeignKey(references=Person, null=True, index=True)
    action = Varchar(length=32, help_text="e.g. view_file, add_note, export, erase.")
    detail = Text(default="")
    at = Timestamptz(default=TimestamptzNow(), index=True)
