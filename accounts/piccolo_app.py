import os

from piccolo.conf.apps import AppConfig

from accounts.tables import LoginAttempt, Session, User
from core.tables import AuditEntry, Notification, StoredChunk, StoredFile  # created by this app's migrations

APP_CONFIG = AppConfig(
    app_name="accounts",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[User, Session, LoginAttempt, AuditEntry, Notification, StoredFile, StoredChunk],
    migration_dependencies=[],
    commands=[],
)
