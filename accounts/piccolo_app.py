import os

from piccolo.conf.apps import AppConfig

from accounts.tables import AuditEntry, LoginAttempt, Notification, Session, User

APP_CONFIG = AppConfig(
    app_name="accounts",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[User, Session, LoginAttempt, AuditEntry, Notification],
    migration_dependencies=[],
    commands=[],
)
