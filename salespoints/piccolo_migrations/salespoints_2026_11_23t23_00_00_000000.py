"""A stamp that changes whenever a point's product terms may have: a product's name, an assortment
row's threshold or price (see salespoints/balance_list.py, which keeps those terms between reads).
SQLite only: triggers give the stamp a new random value, so no two states of the data share one,
not even across a restored backup."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-23T23:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "stamp of the points' product terms"

_RESTAMP = "UPDATE reference_stamp SET stamp = random() WHERE name = 'point_terms'; END"
_TRIGGERS = {
    "point_terms_product_name": "AFTER UPDATE OF name ON product",
    "point_terms_product_delete": "AFTER DELETE ON product",
    "point_terms_assortment_insert": "AFTER INSERT ON assortment_item",
    "point_terms_assortment_update": "AFTER UPDATE ON assortment_item",
    "point_terms_assortment_delete": "AFTER DELETE ON assortment_item",
}
SQLITE_FORWARDS = [
    "CREATE TABLE IF NOT EXISTS reference_stamp (name TEXT PRIMARY KEY, stamp INTEGER NOT NULL)",
    "INSERT OR IGNORE INTO reference_stamp (name, stamp) VALUES ('point_terms', random())",
    *(f"CREATE TRIGGER IF NOT EXISTS {name} {event} FOR EACH ROW BEGIN {_RESTAMP}" for name, event in _TRIGGERS.items()),
]
SQLITE_BACKWARDS = [*(f"DROP TRIGGER IF EXISTS {name}" for name in _TRIGGERS), "DROP TABLE IF EXISTS reference_stamp"]


async def _run(statements: list[str]) -> None:
    from core.database import is_sqlite
    from piccolo_conf import DB

    if is_sqlite(DB):
        for statement in statements:
            await DB.run_ddl(statement)


async def _forwards() -> None:
    await _run(SQLITE_FORWARDS)


async def _backwards() -> None:
    await _run(SQLITE_BACKWARDS)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="salespoints", description=DESCRIPTION)
    manager.add_raw(_forwards)
    manager.add_raw_backwards(_backwards)
    return manager
