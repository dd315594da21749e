import os

from piccolo.conf.apps import AppConfig

from matchmaking.tables import Meeting, MeetingRequest, MeetingRoom, MeetingSlot, Offer, PairInterest, Participant

APP_CONFIG = AppConfig(
    app_name="matchmaking",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[MeetingRoom, MeetingSlot, Participant, Offer, PairInterest, MeetingRequest, Meeting],
    migration_dependencies=["catalog.piccolo_app", "fairs.piccolo_app", "agreements.piccolo_app"],
    commands=[],
)
