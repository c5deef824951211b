from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-02T06:20:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "Keys for the standard steps made before keys existed (after the column exists: raw SQL runs first)"

# The default LDE steps as backend/coaching/trajectory.py made them before keys existed.
STANDARD = {
    "intake": "Intake",
    "basic_training": "Basisopleiding",
    "work_experience": "Werkervaring",
    "certificate": "VCA- of heftruckattest",
    "internship": "Stage bij een reguliere werkgever",
    "moved_on": "Doorgestroomd naar regulier werk",
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="coaching", description=DESCRIPTION)

    async def keys_for_standard_steps():
        from piccolo.table import Table

        class TemplateStep(Table, tablename="template_step"):  # only for the connection
            pass

        for key, title in STANDARD.items():
            await TemplateStep.raw(
                'UPDATE "template_step" SET "key" = {} WHERE "key" IS NULL AND "title_nl" = {}', key, title)

    manager.add_raw(keys_for_standard_steps)
    return manager
