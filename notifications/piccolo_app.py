import os

from piccolo.conf.apps import AppConfig

from notifications.tables import (
    Delivery,
    NotificationSettings,
    PushSubscription,
    Recipient,
    Reminder,
    ReminderMention,
    ReminderRule,
)

CURRENT_DIRECTORY = os.path.dirname(os.path.abspath(__file__))

APP_CONFIG = AppConfig(
    app_name="notifications",
    migrations_folder_path=os.path.join(CURRENT_DIRECTORY, "piccolo_migrations"),
    table_classes=[PushSubscription, ReminderRule, Reminder, Recipient, ReminderMention, Delivery,
                   NotificationSettings],
    migration_dependencies=["backend.accounts.piccolo_app", "backend.organisations.piccolo_app"],
    commands=[],
)
