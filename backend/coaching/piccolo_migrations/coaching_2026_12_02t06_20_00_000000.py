from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-02T06:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Standard trajectory steps get a key, so their words come from the catalogues (column)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="coaching", description=DESCRIPTION)

    manager.add_column(
        table_class_name="TemplateStep",
        tablename="template_step",
        column_name="key",
        db_column_name="key",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 40,
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
