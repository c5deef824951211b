from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-02T02:35:39:546146"
VERSION = "1.38.0"
DESCRIPTION = "A named pickup point has an address (home and ride)."


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="mobility", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="Home",
        tablename="home",
        column_name="pickup_address",
        db_column_name="pickup_address",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 300,
            "default": "",
            "null": False,
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

    manager.add_column(
        table_class_name="Ride",
        tablename="buddy_ride",
        column_name="pickup_address",
        db_column_name="pickup_address",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 300,
            "default": "",
            "null": False,
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
