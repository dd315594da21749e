import os

from piccolo.conf.apps import AppConfig

from fairs.tables import (
    AllocationRun,
    Application,
    ApplicationProduct,
    Booth,
    BoothAssignment,
    BoothSale,
    Fair,
    VisitorCount,
    Zone,
)

APP_CONFIG = AppConfig(
    app_name="fairs",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[Fair, Zone, Booth, Application, ApplicationProduct, BoothAssignment, AllocationRun, VisitorCount,
                   BoothSale],
    migration_dependencies=["accounts.piccolo_app", "catalog.piccolo_app"],
    commands=[],
)
