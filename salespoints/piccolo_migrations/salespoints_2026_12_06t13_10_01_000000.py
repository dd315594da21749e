"""One statement per point × producer × month; a point's consigned movements found by owner and time
without reading its own goods' movements (the partial index holds the consigned ones only)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.migrations import index_steps

ID = "2026-12-06T13:10:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "statement keys and the consigned movements' index"

INDEXES = {
    "settlement_key": "UNIQUE INDEX IF NOT EXISTS settlement_key ON settlement (point, producer, month)",
    "stock_movement_consigned": "INDEX IF NOT EXISTS stock_movement_consigned "
                                "ON stock_movement (point, owner, happened_at) WHERE owner <> 0",
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="salespoints", description=DESCRIPTION)
    index_steps(manager, INDEXES)
    return manager
