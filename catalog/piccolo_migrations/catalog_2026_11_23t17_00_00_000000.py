"""The catalogue list's indexes carry every column it filters on, so a page's ids and its total are
read from one index without touching the product rows; the single-column indexes they start with go."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.migrations import ddl

ID = "2026-11-23T17:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "catalogue list indexes cover their filters"

_FILTERS = ("stars", "province_code", "group_code", "expires_on", "withdrawn_on")
COVERING = {
    name: f"CREATE INDEX IF NOT EXISTS {name} ON product ({lead}, name, id, "
          f"{', '.join(c for c in _FILTERS if c != lead)})"
    for name, lead in (("product_stars_list", "stars"), ("product_province_list", "province_code"),
                       ("product_group_list", "group_code"))
}
REPLACED = {
    "product_stars_name": "CREATE INDEX IF NOT EXISTS product_stars_name ON product (stars, name, id)",
    "product_province_name": "CREATE INDEX IF NOT EXISTS product_province_name ON product (province_code, name, id)",
    "product_group_name": "CREATE INDEX IF NOT EXISTS product_group_name ON product (group_code, name, id)",
    "product_stars": "CREATE INDEX IF NOT EXISTS product_stars ON product (stars)",
    "product_province_code": "CREATE INDEX IF NOT EXISTS product_province_code ON product (province_code)",
    "product_group_code": "CREATE INDEX IF NOT EXISTS product_group_code ON product (group_code)",
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="catalog", description=DESCRIPTION)
    for statement in COVERING.values():
        manager.add_raw(ddl(statement))
    for name in REPLACED:
        manager.add_raw(ddl(f"DROP INDEX IF EXISTS {name}"))
    for statement in REPLACED.values():
        manager.add_raw_backwards(ddl(statement))
    for name in COVERING:
        manager.add_raw_backwards(ddl(f"DROP INDEX IF EXISTS {name}"))
    return manager
