import os

from piccolo.conf.apps import AppConfig

from backend.organisations.tables import Organisation, Workplace

CURRENT_DIRECTORY = os.path.dirname(os.path.abspath(__file__))

APP_CONFIG = AppConfig(
    app_name="organisations",
    migrations_folder_path=os.path.join(CURRENT_DIRECTORY, "piccolo_migrations"),
    table_classes=[Organisation, Workplace],
    migration_dependencies=[],
    commands=[],
)
