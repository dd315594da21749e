"""Keys of the stock snapshots: one run per point and moment, one row per product and lot in a run."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.migrations import index_steps

ID = "2026-11-23T06:59:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "stock snapshot keys"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="salespoints", description=DESCRIPTION)
    index_steps(manager, {
        "stock_snapshot_run_key": "UNIQUE INDEX IF NOT EXISTS stock_snapshot_run_key ON stock_snapshot_run (point, taken_at)",
        "stock_snapshot_key": "UNIQUE INDEX IF NOT EXISTS stock_snapshot_key ON stock_snapshot (point, taken_at, product, lot_code)",
    })
    return manager
