import os

from piccolo.conf.apps import AppConfig

from reports.tables import ReportArtifact

APP_CONFIG = AppConfig(
    app_name="reports",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[ReportArtifact],
    migration_dependencies=["accounts.piccolo_app", "fairs.piccolo_app", "matchmaking.piccolo_app"],
    commands=[],
)
