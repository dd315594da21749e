"""The last number given to an agreement code per prefix (fair or elsewhere, and year): the next code is
one counter update away, however many agreements a year holds, instead of a search among their codes."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.migrations import ddl

ID = "2026-12-06T00:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "agreement code counters"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="agreements", description=DESCRIPTION)
    manager.add_raw(ddl("CREATE TABLE IF NOT EXISTS agreement_code_counter "
                        "(prefix VARCHAR(40) PRIMARY KEY, last_number INTEGER NOT NULL)"))
    manager.add_raw_backwards(ddl("DROP TABLE IF EXISTS agreement_code_counter"))
    return manager
