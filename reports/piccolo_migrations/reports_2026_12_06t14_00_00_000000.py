"""A stamp area for a connection conference's matchmaking (core/stamps.py): the outcome report of a conference
counts its meetings, so a render kept under the stamps is stale once a participant, an interest, a request or a
meeting changes."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-06T14:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "a stamp area for meetings"

TABLES = ("meeting_room", "meeting_slot", "participant", "offer", "pair_interest", "meeting_request", "meeting")
EVENTS = ("insert", "update", "delete")


async def _run(sqlite: list[str], postgres: list[str]) -> None:
    from core.database import is_sqlite
    from piccolo_conf import DB

    for statement in sqlite if is_sqlite(DB) else postgres:
        await DB.run_ddl(statement)


async def _forwards() -> None:
    sqlite = ["INSERT OR IGNORE INTO data_stamp (name, stamp) VALUES ('meetings', random())"]
    sqlite += [f"CREATE TRIGGER IF NOT EXISTS stamp_{table}_{event} AFTER {event.upper()} ON {table} FOR EACH ROW "
               "BEGIN UPDATE data_stamp SET stamp = random() WHERE name = 'meetings'; END"
               for table in TABLES for event in EVENTS]
    postgres = ["INSERT INTO data_stamp (name, stamp) VALUES ('meetings', (random() * 9e18)::bigint) ON CONFLICT DO NOTHING"]
    postgres += [f"CREATE OR REPLACE TRIGGER stamp_{table} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
                 "FOR EACH STATEMENT EXECUTE FUNCTION data_restamp('meetings')" for table in TABLES]
    await _run(sqlite, postgres)


async def _backwards() -> None:
    await _run([f"DROP TRIGGER IF EXISTS stamp_{t}_{e}" for t in TABLES for e in EVENTS] + [
        "DELETE FROM data_stamp WHERE name = 'meetings'"],
        [f"DROP TRIGGER IF EXISTS stamp_{t} ON {t}" for t in TABLES] + ["DELETE FROM data_stamp WHERE name = 'meetings'"])


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="reports", description=DESCRIPTION)
    manager.add_raw(_forwards)
    manager.add_raw_backwards(_backwards)
    return manager
