"""A buyer confirms a delivery received, from the link in its e-mail: recorded beside the producer's entry."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.migrations import ddl

ID = "2026-12-06T09:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "deliveries confirmed by the buyer"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="agreements", description=DESCRIPTION)
    manager.add_raw(ddl("ALTER TABLE delivery ADD COLUMN buyer_confirmed_at TIMESTAMPTZ NULL"))
    manager.add_raw(ddl("ALTER TABLE delivery ADD COLUMN buyer_note VARCHAR(255) NOT NULL DEFAULT ''"))
    manager.add_raw_backwards(ddl("ALTER TABLE delivery DROP COLUMN buyer_note"))
    manager.add_raw_backwards(ddl("ALTER TABLE delivery DROP COLUMN buyer_confirmed_at"))
    return manager
