"""One version number per kind and subject: concurrent compilations cannot both take it."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.migrations import index_steps

ID = "2026-11-23T09:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "report versions unique per kind and subject"

INDEXES = {"report_artifact_version": "UNIQUE INDEX IF NOT EXISTS report_artifact_version "
                                      "ON report_artifact (kind, subject, version)"}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="reports", description=DESCRIPTION)
    index_steps(manager, INDEXES)
    return manager
