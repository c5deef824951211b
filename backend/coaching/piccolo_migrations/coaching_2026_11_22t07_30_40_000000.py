from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-22T07:30:40:000000"
VERSION = "1.38.0"
DESCRIPTION = "Unique index on Flag.open_key (after the column exists; SQLite cannot add a UNIQUE column)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="coaching", description=DESCRIPTION)

    async def unique_open_key():
        from piccolo.table import Table

        class Flag(Table):  # only for the connection; the migration stays self-contained
            pass

        await Flag.raw('CREATE UNIQUE INDEX IF NOT EXISTS flag_open_key_unique ON "flag" ("open_key")')

    manager.add_raw(unique_open_key)
    return manager
