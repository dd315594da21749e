import os

from piccolo.conf.apps import AppConfig

from catalog.tables import Buyer, ImportUpload, Producer, ProducerMember, Product, ProductPhoto

APP_CONFIG = AppConfig(
    app_name="catalog",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[Producer, Product, Buyer, ProducerMember, ImportUpload, ProductPhoto],
    migration_dependencies=["accounts.piccolo_app"],
    commands=[],
)
