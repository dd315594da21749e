"""Indexes for the catalogue list: its pages are ordered by name within the usual filters."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.migrations import index_steps

ID = "2026-11-23T06:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "catalogue list indexes"

INDEXES = {
    "product_name_id": "INDEX IF NOT EXISTS product_name_id ON product (name, id)",
    "product_group_name": "INDEX IF NOT EXISTS product_group_name ON product (group_code, name, id)",
    "product_province_name": "INDEX IF NOT EXISTS product_province_name ON product (province_code, name, id)",
    "product_stars_name": "INDEX IF NOT EXISTS product_stars_name ON product (stars, name, id)",
    "producer_name_id": "INDEX IF NOT EXISTS producer_name_id ON producer (name, id)",
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="catalog", description=DESCRIPTION)
    index_steps(manager, INDEXES)
    return manager
