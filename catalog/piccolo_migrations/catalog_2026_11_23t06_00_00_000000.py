"""Indexes for the catalogue list: its pages are ordered by name within the usual filters."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-23T06:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "catalogue list indexes"

INDEXES = {
    "product_name_id": "product (name, id)",
    "product_group_name": "product (group_code, name, id)",
    "product_province_name": "product (province_code, name, id)",
    "product_stars_name": "product (stars, name, id)",
    "producer_name_id": "producer (name, id)",
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="catalog", description=DESCRIPTION)

    def raw(sql: str):
        async def run():
            from piccolo_conf import DB

            await DB.run_ddl(sql)

        return run

    for name, target in INDEXES.items():
        manager.add_raw(raw(f"CREATE INDEX IF NOT EXISTS {name} ON {target}"))
        manager.add_raw_backwards(raw(f"DROP INDEX IF EXISTS {name}"))
    return manager
