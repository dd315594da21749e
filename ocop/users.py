"""User administration across modules: an account (accounts) with the producers it acts for (catalog)
and the sales points it manages (salespoints). It lives in the shell because it needs all three and
none of them may import the others upward.

Every public function is one transaction, audited on the user (and, for points, on the point too).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from accounts import services as accounts
from accounts.enums import Role
from accounts.schemas import UserChange
from accounts.tables import User
from catalog import services as catalog
from catalog.tables import Producer, ProducerMember
from core.audit import SYSTEM, Actor, record_audit
from core.errors import N_, ValidationFailed
from core.ids import is_id
from salespoints import services as salespoints
from salespoints.tables import SalesPoint, SalesPointManager


async def list_users() -> list[dict[str, Any]]:
    """Every user with the producers they act for and the sales points they manage, by username."""
    users = await accounts.list_accounts()
    producers: dict[int, list[str]] = {}
    for row in await ProducerMember.select(ProducerMember.user, ProducerMember.producer.name.as_alias("name")).order_by(
            ProducerMember.producer.name):
        producers.setdefault(row["user"], []).append(row["name"])
    points: dict[int, list[str]] = {}
    for row in await SalesPointManager.select(SalesPointManager.user, SalesPointManager.point.name.as_alias("name")).order_by(
            SalesPointManager.point.name):
        points.setdefault(row["user"], []).append(row["name"])
    for user in users:
        user["producers"], user["points"] = producers.get(user["id"], []), points.get(user["id"], [])
    return users


async def get_user(user_id: int) -> dict[str, Any]:
    """One user's account, with `producers` and `points`: the links as [{id, name}], by name."""
    row = await accounts.get_account(user_id)
    row["producers"] = await ProducerMember.select(
        ProducerMember.producer.as_alias("id"), ProducerMember.producer.name.as_alias("name")
    ).where(ProducerMember.user == user_id).order_by(ProducerMember.producer.name)
    row["points"] = await SalesPointManager.select(
        SalesPointManager.point.as_alias("id"), SalesPointManager.point.name.as_alias("name")
    ).where(SalesPointManager.user == user_id).order_by(SalesPointManager.point.name)
    return row


async def point_choices() -> list[dict[str, Any]]:
    """Every sales point (a few hundred at most), for the manager's point picker."""
    return await SalesPoint.select(SalesPoint.id, SalesPoint.name, SalesPoint.province_code).order_by(SalesPoint.name)


async def producer_choices(q: str, limit: int = 20) -> list[dict[str, Any]]:
    """Producers whose name matches what was typed, for the producer picker (the catalogue has thousands)."""
    return await catalog.producer_choices(q, limit=limit) if q.strip() else []


async def create_user(username: str, password: str, role: Role, email: str, *, first_name: str = "",
                      last_name: str = "", producer_ids: Iterable[int] = (), point_ids: Iterable[int] = (),
                      actor: Actor = SYSTEM) -> User:
    """Creates an active user; a producer user is linked to the producers they act for, a sales-point
    manager to the points they manage: all in one transaction, every write audited, and nothing
    written when any field or link is wrong (every problem is reported at once)."""
    producer_ids, point_ids = list(dict.fromkeys(producer_ids)), list(dict.fromkeys(point_ids))
    errors = {**await accounts.new_account_errors(username, password, email),
              **await _link_errors(role, producer_ids, point_ids)}
    if errors:
        raise ValidationFailed(errors)
    async with User._meta.db.transaction():
        user = await accounts.create_user(username, password, role, email, first_name=first_name,
                                          last_name=last_name, actor=actor)
        for producer_id in producer_ids:
            await _add_producer(user.id, producer_id, actor)
        for point_id in point_ids:
            await _add_point(user.id, point_id, actor)
    return user


async def update_user(user_id: int, change: UserChange, actor: Actor) -> None:
    """Changes a user's account (`accounts.update_account` says what is refused); links the new role no
    longer uses are removed (audited too). A role change is seen on the user's next request."""
    async with User._meta.db.transaction():
        before = await accounts.update_account(user_id, change, actor)
        if before is None:
            return
        if change.role is not Role.producer:
            for link in await ProducerMember.select(ProducerMember.producer).where(ProducerMember.user == user_id):
                await _remove_producer(user_id, link["producer"], actor)
        if change.role is not Role.salespoint_manager:
            for link in await SalesPointManager.select(SalesPointManager.point).where(SalesPointManager.user == user_id):
                await _remove_point(user_id, link["point"], actor)
    await accounts.forget_sessions_of(user_id)


async def link_producers(user_id: int, producer_ids: Iterable[int], actor: Actor) -> None:
    """Lets a producer user act for more producers, all or none. Audited; a link already there is kept as is."""
    user = await accounts.get_account(user_id)
    producer_ids = list(dict.fromkeys(producer_ids))
    errors = await _link_errors(Role(user["role"]), producer_ids, []) if producer_ids else {
        "producers": N_("Choose a producer from the suggestions.")}
    if errors:
        raise ValidationFailed(errors)
    async with User._meta.db.transaction():
        for producer_id in producer_ids:
            await _add_producer(user_id, producer_id, actor)
    await accounts.forget_sessions_of(user_id)


async def unlink_producer(user_id: int, producer_id: int, actor: Actor) -> None:
    """The user no longer acts for this producer. Audited."""
    await accounts.get_account(user_id)
    async with User._meta.db.transaction():
        await _remove_producer(user_id, producer_id, actor)
    await accounts.forget_sessions_of(user_id)


async def link_points(user_id: int, point_ids: Iterable[int], actor: Actor) -> None:
    """Makes a sales-point manager user a manager of more points, all or none, through the sales points'
    own service. Audited on each point and on the user; a link already there is kept as is."""
    user = await accounts.get_account(user_id)
    point_ids = list(dict.fromkeys(point_ids))
    errors = await _link_errors(Role(user["role"]), [], point_ids) if point_ids else {
        "points": N_("Choose a sales point from the list.")}
    if errors:
        raise ValidationFailed(errors)
    async with User._meta.db.transaction():
        for point_id in point_ids:
            await _add_point(user_id, point_id, actor)


async def unlink_point(user_id: int, point_id: int, actor: Actor) -> None:
    """The user no longer manages this point. Audited on the point and on the user."""
    await accounts.get_account(user_id)
    async with User._meta.db.transaction():
        await _remove_point(user_id, point_id, actor)


async def _link_errors(role: Role, producer_ids: list[int], point_ids: list[int]) -> dict[str, str]:
    """What is wrong with linking a user of `role` to these producers and points (each must exist and fit the role)."""
    errors: dict[str, str] = {}
    if producer_ids and role is not Role.producer:
        errors["producers"] = N_("Only a user with the producer role acts for producers.")
    elif producer_ids and (any(not is_id(i) for i in producer_ids)
                           or len(set(producer_ids)) != await Producer.count().where(Producer.id.is_in(producer_ids))):
        errors["producers"] = N_("Choose a producer from the suggestions.")
    if point_ids and role is not Role.salespoint_manager:
        errors["points"] = N_("Only a user with the sales-point manager role manages sales points.")
    elif point_ids and (any(not is_id(i) for i in point_ids)
                        or len(set(point_ids)) != await SalesPoint.count().where(SalesPoint.id.is_in(point_ids))):
        errors["points"] = N_("Choose a sales point from the list.")
    return errors


async def _add_producer(user_id: int, producer_id: int, actor: Actor) -> None:
    """Inside a transaction: the link and its audit row, unless the link is there already."""
    if await catalog.add_member(user_id, producer_id):
        name = (await catalog.producer_names([producer_id]))[producer_id]
        await record_audit(actor, "update", "user", user_id, None, {"producer_added": f"{name} (#{producer_id})"})


async def _remove_producer(user_id: int, producer_id: int, actor: Actor) -> None:
    if await catalog.remove_member(user_id, producer_id):
        name = (await catalog.producer_names([producer_id])).get(producer_id, "")
        await record_audit(actor, "update", "user", user_id, None, {"producer_removed": f"{name} (#{producer_id})"})


async def _add_point(user_id: int, point_id: int, actor: Actor) -> None:
    """Inside a transaction: the sales points' add_manager (which audits the point) and a row on the user."""
    if await SalesPointManager.exists().where((SalesPointManager.point == point_id) & (SalesPointManager.user == user_id)):
        return
    await salespoints.add_manager(point_id, user_id, actor)
    name = await SalesPoint.select(SalesPoint.name).where(SalesPoint.id == point_id).first()
    assert name is not None  # add_manager found the point
    await record_audit(actor, "update", "user", user_id, None, {"point_added": f"{name['name']} (#{point_id})"})


async def _remove_point(user_id: int, point_id: int, actor: Actor) -> None:
    if not await salespoints.remove_manager(point_id, user_id, actor):
        return
    name = await SalesPoint.select(SalesPoint.name).where(SalesPoint.id == point_id).first()
    await record_audit(actor, "update", "user", user_id, None,
                       {"point_removed": f"{name['name'] if name else ''} (#{point_id})"})
