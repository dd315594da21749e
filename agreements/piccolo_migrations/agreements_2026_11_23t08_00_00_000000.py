"""One row per producer and agreement (a unique index: Piccolo's composite constraints fail on SQLite)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.migrations import index_steps

ID = "2026-11-23T08:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique producer per agreement; deliveries by line and day"

INDEXES = {
    "agreement_producer_key": "UNIQUE INDEX IF NOT EXISTS agreement_producer_key ON agreement_producer (agreement, producer)",
    "delivery_line_day": "INDEX IF NOT EXISTS delivery_line_day ON delivery (line, delivered_on)",
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="agreements", description=DESCRIPTION)
    index_steps(manager, INDEXES)
    return manager
