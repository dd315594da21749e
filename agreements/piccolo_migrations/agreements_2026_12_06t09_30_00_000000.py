"""Quantities as traded, decimals allowed (2,5 tấn): lines, milestones and deliveries keep them in
whole thousandths from now on, so the numbers already there are scaled once."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.migrations import ddl

ID = "2026-12-06T09:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "quantities in thousandths"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="agreements", description=DESCRIPTION)
    for table, columns in (("agreement_line", ("quantity", "delivered_quantity")), ("milestone", ("quantity",)),
                           ("delivery", ("quantity",))):
        scaled = ", ".join(f"{c} = {c} * 1000" for c in columns)
        manager.add_raw(ddl(f"UPDATE {table} SET {scaled}"))
        manager.add_raw_backwards(ddl(f"UPDATE {table} SET {', '.join(f'{c} = {c} / 1000' for c in columns)}"))
    return manager
