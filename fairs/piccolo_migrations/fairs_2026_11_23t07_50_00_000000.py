"""Composite unique keys of the fairs module (unique indexes: Piccolo's composite constraints fail on SQLite)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.migrations import index_steps

ID = "2026-11-23T07:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique booth and zone codes per fair, one application per producer and fair, one figure per day"

INDEXES = {
    "booth_code_key": "UNIQUE INDEX IF NOT EXISTS booth_code_key ON booth (fair, code)",
    "zone_code_key": "UNIQUE INDEX IF NOT EXISTS zone_code_key ON zone (fair, code)",
    "application_producer_key": "UNIQUE INDEX IF NOT EXISTS application_producer_key ON application (fair, producer)",
    "visitor_count_day_key": "UNIQUE INDEX IF NOT EXISTS visitor_count_day_key ON visitor_count (fair, day)",
    "booth_sale_day_key": "UNIQUE INDEX IF NOT EXISTS booth_sale_day_key ON booth_sale (application, day)",
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="fairs", description=DESCRIPTION)
    index_steps(manager, INDEXES)
    return manager
