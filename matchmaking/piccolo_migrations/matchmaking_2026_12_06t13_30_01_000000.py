"""One registration per buyer or producer and conference, one slot of each number, one interest row and one
meeting per pair (composite unique indexes, as elsewhere: Piccolo cannot create them at table creation on SQLite)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from core.migrations import index_steps

ID = "2026-12-06T13:30:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "matchmaking keys"

INDEXES = {
    "participant_buyer_key": "UNIQUE INDEX IF NOT EXISTS participant_buyer_key ON participant (fair, buyer) WHERE buyer IS NOT NULL",
    "participant_producer_key": "UNIQUE INDEX IF NOT EXISTS participant_producer_key ON participant (fair, producer) "
                                "WHERE producer IS NOT NULL",
    "meeting_slot_key": "UNIQUE INDEX IF NOT EXISTS meeting_slot_key ON meeting_slot (fair, number)",
    "pair_interest_key": "UNIQUE INDEX IF NOT EXISTS pair_interest_key ON pair_interest (buyer, producer)",
    "offer_key": "UNIQUE INDEX IF NOT EXISTS offer_key ON offer (participant, product)",
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="matchmaking", description=DESCRIPTION)
    index_steps(manager, INDEXES)
    return manager
