"""At most one open stock count per point, enforced by the database (two requests may race)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-23T06:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "one open stock count per point"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="salespoints", description=DESCRIPTION)

    def raw(sql: str):
        async def run():
            from piccolo_conf import DB

            await DB.run_ddl(sql)

        return run

    manager.add_raw(raw("CREATE UNIQUE INDEX IF NOT EXISTS stock_count_one_open ON stock_count (point) WHERE status = 'open'"))
    manager.add_raw_backwards(raw("DROP INDEX IF EXISTS stock_count_one_open"))
    return manager
