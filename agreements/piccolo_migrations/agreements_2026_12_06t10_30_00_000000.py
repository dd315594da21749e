"""The articles of each kind of agreement as organizers edit them, in versions: an agreement keeps the
version it was signed with, whatever is edited afterwards."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.migrations import ddl

ID = "2026-12-06T10:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "agreement templates, versioned"


async def _tables() -> None:
    from core.database import is_sqlite
    from piccolo_conf import DB

    key = "INTEGER PRIMARY KEY NOT NULL" if is_sqlite(DB) else "SERIAL PRIMARY KEY"
    await DB.run_ddl(
        f"CREATE TABLE IF NOT EXISTS agreement_template (id {key}, kind VARCHAR(24) NOT NULL, version INTEGER NOT NULL, "
        "articles TEXT NOT NULL DEFAULT '[]', created_by INTEGER DEFAULT NULL, "
        "created_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, UNIQUE (kind, version))")
    await DB.run_ddl("ALTER TABLE agreement ADD COLUMN template INTEGER NULL REFERENCES agreement_template (id)")


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="agreements", description=DESCRIPTION)
    manager.add_raw(_tables)
    manager.add_raw_backwards(ddl("ALTER TABLE agreement DROP COLUMN template"))
    manager.add_raw_backwards(ddl("DROP TABLE IF EXISTS agreement_template"))
    return manager
