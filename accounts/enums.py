"""Roles a user can hold (the enum itself is core's, since every Actor carries one), their labels and groups."""

from core.errors import N_
from core.roles import Role

__all__ = ["ACTION_LABELS", "CATALOG_EDITORS", "LABELS", "REPORT_READERS", "Role"]


# Roles that may change catalog data (producers, products, buyers).
CATALOG_EDITORS = frozenset({Role.admin, Role.organizer})


LABELS = (
    (Role.admin, N_("Administrator")),
    (Role.organizer, N_("Organizer")),
    (Role.salespoint_manager, N_("Sales-point manager")),
    (Role.producer, N_("Producer")),
    (Role.viewer, N_("Viewer")),
)


# Who reads the outcome reports and their stored versions (every module that links to them asks here).
REPORT_READERS = (Role.admin, Role.organizer, Role.viewer)


# Audit actions as people read them in a record's history.
ACTION_LABELS = {
    "create": N_("created"), "update": N_("updated"), "import": N_("imported"), "allocate": N_("allocated the booths"),
    "apply": N_("applied for a booth"), "assign": N_("assigned booths"), "attach": N_("attached a file"),
    "booth_sales": N_("recorded booth sales"), "check_in": N_("checked in"), "compile": N_("compiled"),
    "confirm": N_("confirmed"), "deliver": N_("recorded a delivery"), "generate": N_("added booths"),
    "milestone": N_("set a delivery milestone"), "release": N_("released a booth"), "status": N_("changed the status"),
    "swap": N_("swapped booths"), "unlock": N_("unlocked a booth"), "lock": N_("locked a booth"),
    "visitors": N_("recorded visitors"), "withdraw": N_("withdrew"),
}
