"""One line per product and lot in a stock count."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.migrations import index_steps

ID = "2026-11-23T06:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique stock count line key"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="salespoints", description=DESCRIPTION)
    index_steps(manager, {"stock_count_line_key": "UNIQUE INDEX IF NOT EXISTS stock_count_line_key ON stock_count_line (count, product, lot_code)"})
    return manager
