"""Who receives what: the users behind producers, sales points and the organizing office."""

from __future__ import annotations

from collections import defaultdict

from accounts.enums import Role
from accounts.tables import User
from catalog import services as catalog_services
from salespoints.tables import SalesPointManager


async def producer_users(producer_ids: set[int] | None = None) -> dict[int, list[int]]:
    """Producer id → the ids of the users acting for it."""
    return await catalog_services.producer_users(producer_ids)


async def point_managers(point_ids: set[int] | None = None) -> dict[int, list[int]]:
    """Sales point id → the ids of its managers."""
    query = SalesPointManager.select(SalesPointManager.point, SalesPointManager.user).where(
        SalesPointManager.user._.active.eq(True))
    if point_ids is not None:
        query = query.where(SalesPointManager.point.is_in(list(point_ids) or [0]))
    managers: dict[int, list[int]] = defaultdict(list)
    for row in await query:
        managers[row["point"]].append(row["user"])
    return managers


async def organizers() -> list[int]:
    """The organizing office's users (the admins when there is no organizer)."""
    rows = await User.select(User.id, User.role).where(User.active.eq(True),
                                                       User.role.is_in([Role.organizer.value, Role.admin.value]))
    chosen = [r["id"] for r in rows if r["role"] == Role.organizer.value]
    return chosen or [r["id"] for r in rows]
