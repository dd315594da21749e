"""A zone themed by OCOP groups takes an exhibitor by its main group; an organizer may ask, per zone,
that every product shown belong to the zone's groups."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.migrations import ddl

ID = "2026-12-06T06:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "zones may require every product in their groups"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="fairs", description=DESCRIPTION)
    manager.add_raw(ddl("ALTER TABLE zone ADD COLUMN every_product BOOLEAN NOT NULL DEFAULT false"))
    manager.add_raw_backwards(ddl("ALTER TABLE zone DROP COLUMN every_product"))
    return manager
