"""Login throttling per account and address (accounts.services.login_wait): an attempt row may record
a sign-in, which spares that account at that address the address's failures; the address's failures
are read by address and time."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.migrations import ddl, index_steps

ID = "2026-12-06T08:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "login attempts record sign-ins; indexed by address"

INDEXES = {
    "login_attempt_client_time": "INDEX IF NOT EXISTS login_attempt_client_time ON login_attempt (client, attempted_at)",
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="accounts", description=DESCRIPTION)
    manager.add_raw(ddl("ALTER TABLE login_attempt ADD COLUMN succeeded BOOLEAN NOT NULL DEFAULT false"))
    manager.add_raw_backwards(ddl("ALTER TABLE login_attempt DROP COLUMN succeeded"))
    index_steps(manager, INDEXES)
    return manager
