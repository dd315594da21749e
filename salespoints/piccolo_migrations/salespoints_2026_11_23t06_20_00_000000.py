"""One line per product and lot in a stock count."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-23T06:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique stock count line key"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="salespoints", description=DESCRIPTION)

    def raw(sql: str):
        async def run():
            from piccolo_conf import DB

            await DB.run_ddl(sql)

        return run

    manager.add_raw(raw("CREATE UNIQUE INDEX IF NOT EXISTS stock_count_line_key ON stock_count_line (count, product, lot_code)"))
    manager.add_raw_backwards(raw("DROP INDEX IF EXISTS stock_count_line_key"))
    return manager
