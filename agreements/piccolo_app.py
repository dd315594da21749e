import os

from piccolo.conf.apps import AppConfig

from agreements.tables import (
    Agreement,
    AgreementLine,
    AgreementProducer,
    Attachment,
    Delivery,
    Milestone,
    Signatory,
)

APP_CONFIG = AppConfig(
    app_name="agreements",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[Agreement, AgreementProducer, Signatory, AgreementLine, Milestone, Attachment, Delivery],
    migration_dependencies=["catalog.piccolo_app", "fairs.piccolo_app"],
    commands=[],
)
