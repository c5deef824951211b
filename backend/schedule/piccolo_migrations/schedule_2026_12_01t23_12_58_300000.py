from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-01T23:12:58:300000"
VERSION = "1.38.0"
DESCRIPTION = "Attendance.received_at of earlier check-ins (after the column exists: raw steps run first)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="schedule", description=DESCRIPTION)

    async def receipts_of_earlier_check_ins():
        from piccolo.table import Table

        class Attendance(Table):  # only for the connection; the migration stays self-contained
            pass

        # Until now a check-in was stamped when it arrived: its receipt time is its check-in time.
        await Attendance.raw(
            'UPDATE "attendance" SET "received_at" = "checked_in_at" '
            'WHERE "checked_in_at" IS NOT NULL AND "received_at" IS NULL'
        )

    manager.add_raw(receipts_of_earlier_check_ins)
    return manager
