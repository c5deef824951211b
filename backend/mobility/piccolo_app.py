import os

from piccolo.conf.apps import AppConfig

from backend.mobility.tables import BuddyProfile, GeocodeCache, Home, Ride, RideOffer, RideRequest, SeatDay

CURRENT_DIRECTORY = os.path.dirname(os.path.abspath(__file__))

APP_CONFIG = AppConfig(
    app_name="mobility",
    migrations_folder_path=os.path.join(CURRENT_DIRECTORY, "piccolo_migrations"),
    table_classes=[Home, GeocodeCache, BuddyProfile, RideOffer, RideRequest, Ride, SeatDay],
    migration_dependencies=["backend.accounts.piccolo_app", "backend.organisations.piccolo_app",
                            "backend.schedule.piccolo_app"],
    commands=[],
)
