import os

from piccolo.conf.apps import AppConfig

from agreements.tables import (
    Agreement,
    AgreementLine,
    AgreementProducer,
    AgreementTemplate,
    Attachment,
    Delivery,
    Milestone,
    MilestoneChange,
    Signatory,
)

APP_CONFIG = AppConfig(
    app_name="agreements",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[AgreementTemplate, Agreement, AgreementProducer, Signatory, AgreementLine, Milestone, MilestoneChange, Attachment,
                   Delivery],
    migration_dependencies=["catalog.piccolo_app", "fairs.piccolo_app"],
    commands=[],
)
