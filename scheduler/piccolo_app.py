import os

from piccolo.conf.apps import AppConfig

from scheduler.tables import JobRun, ScheduledTask, SchedulerLease

APP_CONFIG = AppConfig(
    app_name="scheduler",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[SchedulerLease, JobRun, ScheduledTask],
    migration_dependencies=["accounts.piccolo_app"],
    commands=[],
)
