"""The dispatcher's index: due rows by status and time."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.migrations import index_steps

ID = "2026-11-23T08:15:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "notifications by status and due time"

INDEXES = {"notification_due": "INDEX IF NOT EXISTS notification_due ON notification (status, due_at)"}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="scheduler", description=DESCRIPTION)
    index_steps(manager, INDEXES)
    return manager
