import os

from piccolo.conf.apps import AppConfig

from backend.commute.tables import CommuteCheck, CommuteWatch

CURRENT_DIRECTORY = os.path.dirname(os.path.abspath(__file__))

APP_CONFIG = AppConfig(
    app_name="commute",
    migrations_folder_path=os.path.join(CURRENT_DIRECTORY, "piccolo_migrations"),
    table_classes=[CommuteCheck, CommuteWatch],
    migration_dependencies=["backend.accounts.piccolo_app", "backend.schedule.piccolo_app"],
    commands=[],
)
