"""What the privacy domain keeps itself: which people were erased (so it happens once)."""

from piccolo.columns import ForeignKey, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from backend.accounts.tables import Person


class Erasure(Table):
    """A person whose personal data was erased; the anonymised person row stays for the counts."""

    person = ForeignKey(references=Person, null=False, unique=True)
    erased_at = Timestamptz(default=TimestamptzNow())
    erased_by = ForeignKey(references=Person, null=True, help_text="Null when the retention job did it.")
    reason = Varchar(length=16, default="request", help_text="request or retention.")
