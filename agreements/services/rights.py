"""Who may change agreements: the organizing office (and administrators)."""

from __future__ import annotations

from accounts.enums import Role
from core.audit import Actor
from core.errors import N_, Forbidden

EDITORS = (Role.admin, Role.organizer)


def ensure_editor(actor: Actor) -> None:
    if actor.role not in EDITORS:
        raise Forbidden(N_("Only organizers may do this."))
