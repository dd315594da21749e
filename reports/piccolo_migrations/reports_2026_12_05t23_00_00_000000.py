"""Stamps of the data behind kept renders (core/stamps.py): a row per area, given a new random value
by triggers at every write to the area's tables. PostgreSQL restamps once per statement (or per row
where only some rows count); SQLite, which has only row triggers, once per row."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-05T23:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "stamps of the data behind kept renders"

AREA_TABLES = {
    "fairs": ("fair", "zone", "booth", "application", "application_product", "booth_assignment", "allocation_run",
              "visitor_count", "booth_sale"),
    "catalog": ("producer", "product", "buyer"),
}
# Rows of these tables count for `fair_agreements` only when their agreement was signed at a fair.
AGREEMENT_PARTS = ("agreement_producer", "signatory", "agreement_line", "milestone", "delivery")
EVENTS = ("insert", "update", "delete")


def _sqlite_forwards() -> list[str]:
    def restamp(area: str) -> str:
        return f"BEGIN UPDATE data_stamp SET stamp = random() WHERE name = '{area}'; END"

    statements = ["CREATE TABLE IF NOT EXISTS data_stamp (name TEXT PRIMARY KEY, stamp INTEGER NOT NULL)"]
    for area in (*AREA_TABLES, "fair_agreements"):
        statements.append(f"INSERT OR IGNORE INTO data_stamp (name, stamp) VALUES ('{area}', random())")
    for area, tables in AREA_TABLES.items():
        for table in tables:
            for event in EVENTS:
                statements.append(f"CREATE TRIGGER IF NOT EXISTS stamp_{table}_{event} AFTER {event.upper()} ON {table} "
                                  f"FOR EACH ROW {restamp(area)}")
    for event in EVENTS:
        row = "OLD" if event == "delete" else "NEW"
        also = " OR OLD.fair IS NOT NULL" if event == "update" else ""
        statements.append(f"CREATE TRIGGER IF NOT EXISTS stamp_agreement_{event} AFTER {event.upper()} ON agreement "
                          f"FOR EACH ROW WHEN {row}.fair IS NOT NULL{also} {restamp('fair_agreements')}")
        for table in AGREEMENT_PARTS:
            statements.append(
                f"CREATE TRIGGER IF NOT EXISTS stamp_{table}_{event} AFTER {event.upper()} ON {table} FOR EACH ROW "
                f"WHEN (SELECT fair FROM agreement WHERE id = {row}.agreement) IS NOT NULL {restamp('fair_agreements')}")
    return statements


def _sqlite_backwards() -> list[str]:
    tables = [t for tables in AREA_TABLES.values() for t in tables] + ["agreement", *AGREEMENT_PARTS]
    return [*(f"DROP TRIGGER IF EXISTS stamp_{t}_{e}" for t in tables for e in EVENTS), "DROP TABLE IF EXISTS data_stamp"]


_PG_NEW_STAMP = "(random() * 9e18)::bigint"


def _postgres_forwards() -> list[str]:
    statements = [
        "CREATE TABLE IF NOT EXISTS data_stamp (name TEXT PRIMARY KEY, stamp BIGINT NOT NULL)",
        *(f"INSERT INTO data_stamp (name, stamp) VALUES ('{area}', {_PG_NEW_STAMP}) ON CONFLICT DO NOTHING"
          for area in (*AREA_TABLES, "fair_agreements")),
        "CREATE OR REPLACE FUNCTION data_restamp() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"UPDATE data_stamp SET stamp = {_PG_NEW_STAMP} WHERE name = TG_ARGV[0]; RETURN NULL; END $$",
        # An agreement counts when it is (or was) a fair's; its parts when their agreement is one.
        "CREATE OR REPLACE FUNCTION data_restamp_fair_agreement() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "DECLARE counts boolean; BEGIN "
        "IF TG_TABLE_NAME = 'agreement' THEN "
        "  counts := (TG_OP <> 'DELETE' AND NEW.fair IS NOT NULL) OR (TG_OP <> 'INSERT' AND OLD.fair IS NOT NULL); "
        "ELSIF TG_OP = 'DELETE' THEN "
        "  counts := EXISTS (SELECT 1 FROM agreement WHERE id = OLD.agreement AND fair IS NOT NULL); "
        "ELSE "
        "  counts := EXISTS (SELECT 1 FROM agreement WHERE id = NEW.agreement AND fair IS NOT NULL); "
        "END IF; "
        f"IF counts THEN UPDATE data_stamp SET stamp = {_PG_NEW_STAMP} WHERE name = 'fair_agreements'; END IF; "
        "RETURN NULL; END $$",
    ]
    for area, tables in AREA_TABLES.items():
        for table in tables:
            statements.append(f"CREATE OR REPLACE TRIGGER stamp_{table} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                              f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION data_restamp('{area}')")
    for table in ("agreement", *AGREEMENT_PARTS):
        statements.append(f"CREATE OR REPLACE TRIGGER stamp_{table} AFTER INSERT OR UPDATE OR DELETE ON {table} "
                          "FOR EACH ROW EXECUTE FUNCTION data_restamp_fair_agreement()")
    return statements


def _postgres_backwards() -> list[str]:
    tables = [t for tables in AREA_TABLES.values() for t in tables] + ["agreement", *AGREEMENT_PARTS]
    return [*(f"DROP TRIGGER IF EXISTS stamp_{t} ON {t}" for t in tables),
            "DROP FUNCTION IF EXISTS data_restamp_fair_agreement()", "DROP FUNCTION IF EXISTS data_restamp()",
            "DROP TABLE IF EXISTS data_stamp"]


async def _run(sqlite: list[str], postgres: list[str]) -> None:
    from core.database import is_sqlite
    from piccolo_conf import DB

    for statement in sqlite if is_sqlite(DB) else postgres:
        await DB.run_ddl(statement)


async def _forwards() -> None:
    await _run(_sqlite_forwards(), _postgres_forwards())


async def _backwards() -> None:
    await _run(_sqlite_backwards(), _postgres_backwards())


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="reports", description=DESCRIPTION)
    manager.add_raw(_forwards)
    manager.add_raw_backwards(_backwards)
    return manager
