"""Piccolo's configuration: the engine and the apps (one per domain)."""

from piccolo.conf.apps import AppRegistry

from backend.db import engine_from_url
from backend.settings import get_settings

DB = engine_from_url(get_settings().database_url)

APP_REGISTRY = AppRegistry(
    apps=[
        "backend.organisations.piccolo_app",
        "backend.accounts.piccolo_app",
        "backend.schedule.piccolo_app",
        "backend.coaching.piccolo_app",
        "backend.privacy.piccolo_app",
        "notifications.piccolo_app",
        "backend.transit.piccolo_app",
        "backend.mobility.piccolo_app",
        "backend.commute.piccolo_app",
        "backend.phrases.piccolo_app",
    ]
)
