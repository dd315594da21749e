"""One balance row per point × product × lot, one assortment row per point × product.

Composite unique constraints fail at table creation on SQLite through Piccolo, so they are
unique indexes made here (the same statement works on PostgreSQL).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.migrations import index_steps

ID = "2026-11-23T06:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique balance and assortment keys"

INDEXES = {
    "stock_balance_key": "UNIQUE INDEX IF NOT EXISTS stock_balance_key ON stock_balance (point, product, lot_code)",
    "assortment_item_key": "UNIQUE INDEX IF NOT EXISTS assortment_item_key ON assortment_item (point, product)",
    "stock_movement_point_time": "INDEX IF NOT EXISTS stock_movement_point_time ON stock_movement (point, happened_at)",
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="salespoints", description=DESCRIPTION)
    index_steps(manager, INDEXES)
    return manager
