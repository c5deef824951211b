import os

from piccolo.conf.apps import AppConfig

from backend.transit.tables import TransitFeed, TransitFeedChunk, TransitLive

CURRENT_DIRECTORY = os.path.dirname(os.path.abspath(__file__))

APP_CONFIG = AppConfig(
    app_name="transit",
    migrations_folder_path=os.path.join(CURRENT_DIRECTORY, "piccolo_migrations"),
    table_classes=[TransitFeed, TransitFeedChunk, TransitLive],
    migration_dependencies=[],
    commands=[],
)
