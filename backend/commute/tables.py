"""The last computed way to work per worker and shift, so the caseload reads it in one query."""

from piccolo.columns import UUID, Date, ForeignKey, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from backend.accounts.tables import Person
from backend.schedule.tables import ScheduleItem

WAYS = ("ride", "transit", "none", "unknown")


class CommuteCheck(Table):
    """How a worker gets to one shift, as last computed (by the job, the overview or a ride change)."""

    id = UUID(primary_key=True)
    person = ForeignKey(references=Person, null=False, index=True)
    item = ForeignKey(references=ScheduleItem, null=False, index=True)
    key = Varchar(length=80, unique=True, help_text="'<person>:<item>'.")
    day = Date(index=True, help_text="Local date of the shift.")
    way = Varchar(length=8, help_text="One of WAYS.")
    leave_at = Timestamptz(null=True, default=None, help_text="Leave home (transit) or pickup (ride).")
    problem = Varchar(length=40, default="", help_text="Why 'unknown' or 'none', a message key.")
    checked_at = Timestamptz(default=TimestamptzNow())


class CommuteWatch(Table):
    """The live watch over one worker's way to one shift on its day (`backend.commute.live`).

    `plan` is the journey as first planned (JSON), so a later cancellation or delay of its trips is
    seen; the two `*_sent_at` columns are claimed with one conditional UPDATE each, so the "Vertrek
    nu" push and the disruption push go out once per shift and day whatever the number of processes.
    """

    id = UUID(primary_key=True)
    person = ForeignKey(references=Person, null=False, index=True)
    item = ForeignKey(references=ScheduleItem, null=False, index=True)
    key = Varchar(length=100, unique=True, help_text="'<person>:<item>:<day>'.")
    day = Date(index=True, help_text="Local date of the shift.")
    plan = Text(default="", help_text="The journey planned first (Journey as JSON), or empty.")
    planned_at = Timestamptz(default=TimestamptzNow())
    leave_sent_at = Timestamptz(null=True, default=None, help_text="When the 'Vertrek nu' push was made.")
    disrupted_at = Timestamptz(null=True, default=None, help_text="When the disruption push was made.")
