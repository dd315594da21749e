"""Piccolo configuration: the engine comes from DATABASE_URL (a SQLite file when unset)."""

import os

from piccolo.conf.apps import AppRegistry

from core.database import engine_from_url

DB = engine_from_url(os.environ.get("DATABASE_URL"))

APP_REGISTRY = AppRegistry(
    apps=[
        "accounts.piccolo_app",
        "catalog.piccolo_app",
        "salespoints.piccolo_app",
        "fairs.piccolo_app",
        "agreements.piccolo_app",
        "matchmaking.piccolo_app",
        "scheduler.piccolo_app",
        "reports.piccolo_app",
    ]
)
