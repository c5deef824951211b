import os

from piccolo.conf.apps import AppConfig

from backend.privacy.tables import Erasure

CURRENT_DIRECTORY = os.path.dirname(os.path.abspath(__file__))

APP_CONFIG = AppConfig(
    app_name="privacy",
    migrations_folder_path=os.path.join(CURRENT_DIRECTORY, "piccolo_migrations"),
    table_classes=[Erasure],
    migration_dependencies=["backend.accounts.piccolo_app"],
    commands=[],
)
