"""A sales point keeps the province and district its address named before the July 2025 merger, as
the list it came from writes them."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.migrations import ddl

ID = "2026-12-06T05:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "sales points keep their pre-2025 place names"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="salespoints", description=DESCRIPTION)
    for column in ("legacy_province", "legacy_district"):
        manager.add_raw(ddl(f"ALTER TABLE sales_point ADD COLUMN {column} VARCHAR(120) NOT NULL DEFAULT ''"))
        manager.add_raw_backwards(ddl(f"ALTER TABLE sales_point DROP COLUMN {column}"))
    return manager
