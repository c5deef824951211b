"""The last computed way to work per worker and shift, so the caseload reads it in one query."""

from piccolo.columns import UUID, Date, ForeignKey, Timestamptz, Varchar
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
