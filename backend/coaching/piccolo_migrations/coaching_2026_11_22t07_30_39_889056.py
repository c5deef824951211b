from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-22T07:30:39:889056"
VERSION = "1.38.0"
DESCRIPTION = "Flag.open_key: at most one open flag per (person, rule)"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="coaching", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="Flag",
        tablename="flag",
        column_name="open_key",
        db_column_name="open_key",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 80,
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
