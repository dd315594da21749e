"""What a published list does not say stays unknown: a product's score may be missing (real lists
give stars only), and a product names the decision that certified it, shared by the products that
decision lists, beside its own certificate number (unique, when a province issues one). An import
keeps the clerk's answers to its preview, and heading choices are kept as named profiles.

SQLite cannot drop a NOT NULL constraint with ALTER TABLE; removing one does not change what is
stored, so the table's declaration is edited in place as SQLite documents for such changes
(writable_schema, schema_version raised so every open connection reads it again)."""

import re

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.migrations import ddl

ID = "2026-12-06T05:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "score optional, decision number, import choices and profiles"

_SCORE_NOT_NULL = re.compile(r'"score" INTEGER NOT NULL DEFAULT 0')


async def _score_optional() -> None:
    from core.database import is_sqlite
    from piccolo_conf import DB

    if not is_sqlite(DB):
        await DB.run_ddl("ALTER TABLE product ALTER COLUMN score DROP NOT NULL")
        await DB.run_ddl("ALTER TABLE product ALTER COLUMN score SET DEFAULT NULL")
        return
    declared = (await DB.run_ddl("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'product'"))[0]["sql"]
    if not _SCORE_NOT_NULL.search(declared):
        return  # already optional
    version = (await DB.run_ddl("PRAGMA schema_version"))[0]["schema_version"]
    async with DB.transaction():
        await DB.run_ddl("PRAGMA writable_schema = ON")
        await DB.run_ddl(
            "UPDATE sqlite_master SET sql = '" + _SCORE_NOT_NULL.sub('"score" INTEGER DEFAULT null', declared).replace("'", "''")
            + "' WHERE type = 'table' AND name = 'product'")
        await DB.run_ddl(f"PRAGMA schema_version = {int(version) + 1}")
        await DB.run_ddl("PRAGMA writable_schema = OFF")


async def _profiles() -> None:
    from core.database import is_sqlite
    from piccolo_conf import DB

    key = "INTEGER PRIMARY KEY NOT NULL" if is_sqlite(DB) else "SERIAL PRIMARY KEY"
    await DB.run_ddl(
        f"CREATE TABLE IF NOT EXISTS import_profile (id {key}, name VARCHAR(120) NOT NULL UNIQUE, "
        "headings TEXT NOT NULL DEFAULT '{}', updated_by INTEGER DEFAULT NULL, "
        "updated_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)")


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="catalog", description=DESCRIPTION)
    manager.add_raw(_score_optional)
    manager.add_raw(ddl("ALTER TABLE product ADD COLUMN decision_number VARCHAR(64) NOT NULL DEFAULT ''"))
    manager.add_raw_backwards(ddl("ALTER TABLE product DROP COLUMN decision_number"))
    manager.add_raw(ddl("ALTER TABLE import_upload ADD COLUMN choices TEXT NOT NULL DEFAULT '{}'"))
    manager.add_raw_backwards(ddl("ALTER TABLE import_upload DROP COLUMN choices"))
    manager.add_raw(_profiles)
    manager.add_raw_backwards(ddl("DROP TABLE IF EXISTS import_profile"))
    return manager
