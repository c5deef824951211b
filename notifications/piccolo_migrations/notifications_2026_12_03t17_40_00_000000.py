from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-03T17:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "A person's unread messages, indexed"

# The unread count (the Home and the menu, on every start of the app) was found through the
# person's index: every message they ever got, each looked up for `read_at`. For a worker with a
# year of reminders (210 messages, 26 unread) that took 55 us on SQLite, 17 us with this partial
# index of the unread ones (issue 14). Written out (Piccolo has no partial indexes); the same
# statement works on SQLite and PostgreSQL.
INDEXES = (
    'CREATE INDEX IF NOT EXISTS "recipient_unread" ON "recipient" ("person") WHERE "read_at" IS NULL',
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="notifications", description=DESCRIPTION)

    async def unread_index():
        from piccolo.table import Table

        class Recipient(Table):  # only for the connection; the migration stays self-contained
            pass

        for statement in INDEXES:
            await Recipient.raw(statement)

    manager.add_raw(unread_index)
    return manager
