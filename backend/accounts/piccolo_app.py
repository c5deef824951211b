import os

from piccolo.conf.apps import AppConfig

from backend.accounts.tables import Invite, PasswordReset, Person, Session, SignInThrottle

CURRENT_DIRECTORY = os.path.dirname(os.path.abspath(__file__))

APP_CONFIG = AppConfig(
    app_name="accounts",
    migrations_folder_path=os.path.join(CURRENT_DIRECTORY, "piccolo_migrations"),
    table_classes=[Person, Session, Invite, PasswordReset, SignInThrottle],
    migration_dependencies=["backend.organisations.piccolo_app"],
    commands=[],
)
