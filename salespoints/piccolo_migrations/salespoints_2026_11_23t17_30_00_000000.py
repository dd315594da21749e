"""A point's stock read from indexes alone: its balances with quantity and lot expiry, its assortment
terms with threshold and price (the balance list of a point carrying thousands of products)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.migrations import index_steps

ID = "2026-11-23T17:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "covering indexes for a point's balances"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="salespoints", description=DESCRIPTION)
    index_steps(manager, {
        "stock_balance_on_hand": "INDEX IF NOT EXISTS stock_balance_on_hand "
                                 "ON stock_balance (point, product, lot_code, quantity, lot_expiry)",
        "assortment_item_terms": "INDEX IF NOT EXISTS assortment_item_terms "
                                 "ON assortment_item (point, product, reorder_threshold, selling_price)",
    })
    return manager
