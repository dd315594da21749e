"""Milestones that move honestly: every new date is kept with the day it was agreed and why, so the
original date stays visible and a delivery is judged against the date in force when it was made."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.migrations import ddl

ID = "2026-12-06T10:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "milestone reschedules"


async def _table() -> None:
    from core.database import is_sqlite
    from piccolo_conf import DB

    key = "INTEGER PRIMARY KEY NOT NULL" if is_sqlite(DB) else "SERIAL PRIMARY KEY"
    await DB.run_ddl(
        f"CREATE TABLE IF NOT EXISTS milestone_change (id {key}, "
        "milestone INTEGER NOT NULL REFERENCES milestone (id) ON DELETE CASCADE, previous_due_on DATE NOT NULL, "
        "due_on DATE NOT NULL, agreed_on DATE NOT NULL, reason VARCHAR(255) NOT NULL DEFAULT '', "
        "changed_by INTEGER DEFAULT NULL, changed_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)")
    await DB.run_ddl("CREATE INDEX IF NOT EXISTS milestone_change_milestone ON milestone_change (milestone)")


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="agreements", description=DESCRIPTION)
    manager.add_raw(_table)
    manager.add_raw_backwards(ddl("DROP TABLE IF EXISTS milestone_change"))
    return manager
