"""An application may declare its exhibitor's main OCOP group (what themed zones look at); empty:
the group of most of the products it shows."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.migrations import ddl

ID = "2026-12-06T08:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "applications may declare their main group"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="fairs", description=DESCRIPTION)
    manager.add_raw(ddl("ALTER TABLE application ADD COLUMN main_group VARCHAR(32) NOT NULL DEFAULT ''"))
    manager.add_raw_backwards(ddl("ALTER TABLE application DROP COLUMN main_group"))
    return manager
