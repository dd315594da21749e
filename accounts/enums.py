"""Roles a user can hold."""

import enum

from core.errors import N_


class Role(str, enum.Enum):
    admin = "admin"
    organizer = "organizer"
    salespoint_manager = "salespoint_manager"
    producer = "producer"
    viewer = "viewer"


# Roles that may change catalog data (producers, products, buyers).
CATALOG_EDITORS = frozenset({Role.admin, Role.organizer})


LABELS = (
    (Role.admin, N_("Administrator")),
    (Role.organizer, N_("Organizer")),
    (Role.salespoint_manager, N_("Sales-point manager")),
    (Role.producer, N_("Producer")),
    (Role.viewer, N_("Viewer")),
)


# Audit actions as people read them in a record's history.
ACTION_LABELS = {"create": N_("created"), "update": N_("updated"), "import": N_("imported")}
