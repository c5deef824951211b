import os

from piccolo.conf.apps import AppConfig

from backend.schedule.tables import (
    AbsenceReport,
    Attendance,
    AttendanceChange,
    CalendarFeed,
    Group,
    GroupMember,
    IdempotentRequest,
    Participant,
    ScheduleItem,
    ScheduleSeries,
)

CURRENT_DIRECTORY = os.path.dirname(os.path.abspath(__file__))

APP_CONFIG = AppConfig(
    app_name="schedule",
    migrations_folder_path=os.path.join(CURRENT_DIRECTORY, "piccolo_migrations"),
    table_classes=[Group, GroupMember, ScheduleSeries, ScheduleItem, Participant, Attendance,
                   AttendanceChange, AbsenceReport, IdempotentRequest, CalendarFeed],
    migration_dependencies=["backend.accounts.piccolo_app", "backend.organisations.piccolo_app"],
    commands=[],
)
