from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-03T17:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "A person's plannings by start, one person's attendance on one item, live series by horizon"

# A person's items in a few days (the Home, `home.reads._ITEMS`) were found through all of that
# person's plannings ever, each item then looked up by its id and times, and each with the person's
# own attendance through the person's index, which walked all of their attendance rows for every
# item. For a worker with a year of history (336 plannings, 300 check-ins) that took 305 us on SQLite
# against 33 us for a new worker (issue 14). Now:
# - `participant.starts_at` (added by the migration before) is filled from its item, and indexed with
#   the person: the plannings of a few days are one range of that index;
# - attendance by item and person is one lookup.
# Together 305 -> 28 us for that worker (`home.reads._ITEMS`).
# And the live series not expanded up to a day (`home.reads._LIVE`, on every Home) are found in a
# partial index instead of a scan of every series of every organisation (1,000 series: 115 -> 2.4 us).
# Written out (Piccolo has no composite indexes); the same statements work on SQLite and PostgreSQL.
STATEMENTS = (
    'UPDATE "participant" SET "starts_at" = (SELECT i."starts_at" FROM "schedule_item" i '
    'WHERE i."id" = "participant"."item") WHERE "starts_at" IS NULL',
    'CREATE INDEX IF NOT EXISTS "participant_person_starts" ON "participant" ("person", "starts_at", "item")',
    'CREATE INDEX IF NOT EXISTS "attendance_item_person" ON "attendance" ("item", "person")',
    'CREATE INDEX IF NOT EXISTS "schedule_series_live_until" ON "schedule_series" ("expanded_until") '
    'WHERE "ended_at" IS NULL',
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="schedule", description=DESCRIPTION)

    async def fill_and_index():
        from piccolo.table import Table

        class Participant(Table):  # only for the connection; the migration stays self-contained
            pass

        for statement in STATEMENTS:
            await Participant.raw(statement)

    manager.add_raw(fill_and_index)
    return manager
