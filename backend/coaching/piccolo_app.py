import os

from piccolo.conf.apps import AppConfig

from backend.coaching.tables import (
    Assignment,
    AuditEntry,
    CoachingSettings,
    Flag,
    Milestone,
    Note,
    NoteRevision,
    StatusChange,
    TemplateStep,
    TrajectoryTemplate,
    WorkerFile,
)

CURRENT_DIRECTORY = os.path.dirname(os.path.abspath(__file__))

APP_CONFIG = AppConfig(
    app_name="coaching",
    migrations_folder_path=os.path.join(CURRENT_DIRECTORY, "piccolo_migrations"),
    table_classes=[CoachingSettings, TrajectoryTemplate, TemplateStep, WorkerFile, StatusChange,
                   Assignment, Milestone, Note, NoteRevision, Flag, AuditEntry],
    migration_dependencies=["backend.accounts.piccolo_app", "backend.organisations.piccolo_app"],
    commands=[],
)
