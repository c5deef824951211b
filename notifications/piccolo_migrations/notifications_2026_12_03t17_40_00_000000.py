from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-03T17:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "A person's unread messages, indexed"

# The unread count (the Home and the menu, on every start of the app) was found through the
# person's index: every message they ever got, each looked up for `read_at`. For a worker with a
# year of reminders (210 messages, 26 unread) that took 55 us on SQLite, 20 us with this index by
# person and `read_at` (issue 14). Not a partial index of the unread ones: PostgreSQL, before it
# has statistics of a freshly filled table, took such an index for the caseload's unread counts of
# everyone (`coaching.facts.unread_counts`, no person given) and ANDed it with the reminder index
# once per reminder: 16 -> 435 ms a caseload. Written out (Piccolo has no composite indexes); the
# same statement works on SQLite and PostgreSQL.
INDEXES = (
    'CREATE INDEX IF NOT EXISTS "recipient_person_read" ON "recipient" ("person", "read_at")',
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
