"""Route guards (async: Litestar would run sync ones in a thread): who may call a handler. The middleware in `ocop.auth` puts an Actor (or None) in scope."""

from __future__ import annotations

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from accounts.enums import CATALOG_EDITORS, Role
from core.audit import Actor


def current_actor(connection: ASGIConnection) -> Actor | None:
    return connection.scope.get("user")


def acting(connection: ASGIConnection) -> Actor:
    """The logged-in actor, for handlers behind a guard that already refused anonymous requests."""
    actor = current_actor(connection)
    if actor is None:
        raise NotAuthorizedException("Log in to continue.")
    return actor


async def require_login(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    if current_actor(connection) is None:
        raise NotAuthorizedException("Log in to continue.")


def require_roles(*roles: Role):
    """A guard admitting only the given roles (admins always pass)."""
    allowed = frozenset(roles) | {Role.admin}

    async def guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:
        actor = current_actor(connection)
        if actor is None:
            raise NotAuthorizedException("Log in to continue.")
        if actor.role not in allowed:
            raise PermissionDeniedException("Your role does not allow this.")

    return guard


require_catalog_editor = require_roles(*CATALOG_EDITORS)
require_admin = require_roles(Role.admin)
