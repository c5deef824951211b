from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-02T18:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Covering indexes for a person's items in a date range (the Home, the week)"

# A person's items in a few days (`home.reads.own_items`, `schedule.services.read_items`) are found
# through all of that person's plannings, then each item by its id and its times. With these two
# indexes both steps read an index alone, not the table rows: for a worker with 336 plannings,
# 278 -> 186 us on SQLite (issue 14). Piccolo has no composite indexes, so they are written out;
# the same statement works on SQLite and PostgreSQL.
INDEXES = (
    'CREATE INDEX IF NOT EXISTS "participant_person_item" ON "participant" ("person", "item")',
    'CREATE INDEX IF NOT EXISTS "schedule_item_id_times" ON "schedule_item" ("id", "starts_at", "ends_at")',
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="schedule", description=DESCRIPTION)

    async def covering_indexes():
        from piccolo.table import Table

        class Participant(Table):  # only for the connection; the migration stays self-contained
            pass

        for statement in INDEXES:
            await Participant.raw(statement)

    manager.add_raw(covering_indexes)
    return manager
