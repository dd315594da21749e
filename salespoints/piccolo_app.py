import os

from piccolo.conf.apps import AppConfig

from salespoints.tables import (
    AssortmentItem,
    RefusedSale,
    SalesPoint,
    SalesPointManager,
    Settlement,
    SettlementLine,
    StockBalance,
    StockCount,
    StockCountLine,
    StockMovement,
    StockSnapshot,
    StockSnapshotRun,
)

APP_CONFIG = AppConfig(
    app_name="salespoints",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[SalesPoint, SalesPointManager, AssortmentItem, StockMovement, StockBalance, StockCount, StockCountLine,
                   StockSnapshotRun, StockSnapshot, RefusedSale, Settlement, SettlementLine],
    migration_dependencies=["accounts.piccolo_app", "catalog.piccolo_app"],
    commands=[],
)
