"""A substring index over the products' folded search text, so a catalogue search reads the matching
rows instead of scanning the whole catalogue: an FTS5 trigram table kept in step by triggers on
SQLite, a pg_trgm GIN index (which serves LIKE '%word%' as it is) on PostgreSQL."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-23T14:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "product search index"

SQLITE_FORWARDS = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS product_search USING fts5("
    "search_text, content='product', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER IF NOT EXISTS product_search_insert AFTER INSERT ON product BEGIN "
    "INSERT INTO product_search (rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS product_search_delete AFTER DELETE ON product BEGIN "
    "INSERT INTO product_search (product_search, rowid, search_text) VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS product_search_update AFTER UPDATE OF search_text ON product BEGIN "
    "INSERT INTO product_search (product_search, rowid, search_text) VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO product_search (rowid, search_text) VALUES (new.id, new.search_text); END",
    "INSERT INTO product_search (product_search) VALUES ('rebuild')",
    # The columns a search filters and sorts its matches by, reached by id: a search sorts its ids here
    # instead of reading and sorting whole product rows.
    "CREATE INDEX IF NOT EXISTS product_listing ON product "
    "(id, stars, expires_on, withdrawn_on, province_code, group_code, producer, name)",
]
SQLITE_BACKWARDS = [
    "DROP INDEX IF EXISTS product_listing",
    "DROP TRIGGER IF EXISTS product_search_insert",
    "DROP TRIGGER IF EXISTS product_search_delete",
    "DROP TRIGGER IF EXISTS product_search_update",
    "DROP TABLE IF EXISTS product_search",
]


async def _forwards() -> None:
    from core.database import is_sqlite
    from piccolo_conf import DB

    if is_sqlite(DB):
        for statement in SQLITE_FORWARDS:
            await DB.run_ddl(statement)
        return
    # pg_trgm ships with PostgreSQL's contrib and is a trusted extension (the database owner may add it);
    # without it searches still work, by scanning.
    available = await DB.run_querystring(_query("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'"))
    if available:
        await DB.run_ddl("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        await DB.run_ddl("CREATE INDEX IF NOT EXISTS product_search_trgm ON product USING gin (search_text gin_trgm_ops)")


async def _backwards() -> None:
    from core.database import is_sqlite
    from piccolo_conf import DB

    statements = SQLITE_BACKWARDS if is_sqlite(DB) else ["DROP INDEX IF EXISTS product_search_trgm"]
    for statement in statements:
        await DB.run_ddl(statement)


def _query(sql: str):
    from piccolo.querystring import QueryString

    return QueryString(sql)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="catalog", description=DESCRIPTION)
    manager.add_raw(_forwards)
    manager.add_raw_backwards(_backwards)
    return manager
