"""At most one open stock count per point, enforced by the database (two requests may race)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.migrations import index_steps

ID = "2026-11-23T06:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "one open stock count per point"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="salespoints", description=DESCRIPTION)
    index_steps(manager, {"stock_count_one_open": "UNIQUE INDEX IF NOT EXISTS stock_count_one_open ON stock_count (point) WHERE status = 'open'"})
    return manager
