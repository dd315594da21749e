"""Every party signs: a signatory stands for one producer of the agreement (one block each on the
printed document) and may sign on its own day."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.migrations import ddl

ID = "2026-12-06T08:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "signatories per producer, with their signing day"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="agreements", description=DESCRIPTION)
    manager.add_raw(ddl("ALTER TABLE signatory ADD COLUMN producer INTEGER NULL REFERENCES producer (id)"))
    manager.add_raw(ddl("ALTER TABLE signatory ADD COLUMN signed_on DATE NULL"))
    manager.add_raw_backwards(ddl("ALTER TABLE signatory DROP COLUMN signed_on"))
    manager.add_raw_backwards(ddl("ALTER TABLE signatory DROP COLUMN producer"))
    return manager
