"""One balance row per point × product × lot, one assortment row per point × product.

Composite unique constraints fail at table creation on SQLite through Piccolo, so they are
unique indexes made here (the same statement works on PostgreSQL).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

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

    def raw(sql: str):
        async def run():
            from piccolo_conf import DB

            await DB.run_ddl(sql)

        return run

    for statement in INDEXES.values():
        manager.add_raw(raw(f"CREATE {statement}"))
    for name in INDEXES:
        manager.add_raw_backwards(raw(f"DROP INDEX IF EXISTS {name}"))
    return manager
