"""An organisation's own phrases for the phrasebook (the standard ones are catalogue files)."""

from piccolo.columns import JSON, UUID, ForeignKey, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from backend.organisations.tables import Organisation


class OrganisationPhrase(Table):
    """A sentence with slots an admin added for their organisation: Dutch always, other languages
    when someone translated it (a reader of a missing language gets the Dutch with the mark)."""

    id = UUID(primary_key=True)
    organisation = ForeignKey(references=Organisation, null=False, index=True)
    key = Varchar(length=300, unique=True, help_text="'<organisation>:<Dutch text, lower case>': one per organisation.")
    text_nl = Varchar(length=200)
    translations = JSON(default={}, help_text="Language code -> text, same placeholders as the Dutch.")
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
