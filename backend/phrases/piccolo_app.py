import os

from piccolo.conf.apps import AppConfig

from backend.phrases.tables import OrganisationPhrase

CURRENT_DIRECTORY = os.path.dirname(os.path.abspath(__file__))

APP_CONFIG = AppConfig(
    app_name="phrases",
    migrations_folder_path=os.path.join(CURRENT_DIRECTORY, "piccolo_migrations"),
    table_classes=[OrganisationPhrase],
    migration_dependencies=["backend.accounts.piccolo_app", "backend.organisations.piccolo_app"],
    commands=[],
)
