"""Accounts: creating users, logging in with throttling, sessions, and the audit log.

Passwords are hashed by Piccolo's BaseUser (PBKDF2-SHA256, 600,000 iterations as OWASP
recommends); the hash runs in a worker thread so a login never stalls the event loop.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import secrets
import time
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from accounts.enums import Role
from accounts.schemas import UserChange
from accounts.tables import AuditEntry, LoginAttempt, Notification, Session, User
from core.errors import N_, NotFound, TooManyAttempts, ValidationFailed
from ocop.database import is_sqlite

CLIENT_ATTEMPTS_FACTOR = 4
_USERNAME = re.compile(r"^[a-zA-Z0-9._@-]{3,100}$")


@dataclass(frozen=True)
class Actor:
    """Who is acting: what services need to check rights and write audit rows."""

    user_id: int | None
    username: str
    role: Role
    producer_ids: frozenset[int] = frozenset()
    language: str = "vi"

    @property
    def is_admin(self) -> bool:
        return self.role is Role.admin


SYSTEM = Actor(user_id=None, username="system", role=Role.admin)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _account_errors(username: str, password: str, email: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not _USERNAME.match(username or ""):
        errors["username"] = N_("Use 3–100 letters, digits or . _ @ -")
    errors.update(_password_errors(password))
    if not email or "@" not in email:
        errors["email"] = N_("Enter a valid email address.")
    return errors


def _password_errors(password: str) -> dict[str, str]:
    if not password or len(password) < 8:
        return {"password": N_("The password needs at least 8 characters.")}
    if len(password) > User._max_password_length:
        return {"password": N_("The password is too long.")}
    return {}


async def create_user(
    username: str,
    password: str,
    role: Role,
    email: str,
    *,
    first_name: str = "",
    last_name: str = "",
    language: str = "vi",
    producer_ids: Iterable[int] = (),
    point_ids: Iterable[int] = (),
    actor: Actor = SYSTEM,
) -> User:
    """Creates an active user; admins also get piccolo-admin access. A producer user is linked to the
    producers they act for, a sales-point manager to the points they manage: all in one transaction,
    every write audited, and nothing written when any field or link is wrong."""
    producer_ids, point_ids = list(dict.fromkeys(producer_ids)), list(dict.fromkeys(point_ids))
    errors: dict[str, str] = {**_account_errors(username, password, email),
                              **await _link_errors(role, producer_ids, point_ids)}
    if errors:
        raise ValidationFailed(errors)
    if await User.exists().where(User.username == username):
        raise ValidationFailed({"username": N_("This username is already taken.")})
    if await User.exists().where(User.email == email):
        raise ValidationFailed({"email": N_("This email address is already used.")})
    hashed = await asyncio.to_thread(User.hash_password, password)
    user = User(
        username=username,
        password=hashed,
        email=email,
        first_name=first_name,
        last_name=last_name,
        role=role.value,
        language=language,
        active=True,
        admin=role is Role.admin,
        superuser=role is Role.admin,
    )
    async with User._meta.db.transaction():
        await user.save()
        await record_audit(actor, "create", "user", user.id, None, {"username": username, "role": role.value})
        for producer_id in producer_ids:
            await _add_producer(user.id, producer_id, actor)
        for point_id in point_ids:
            await _add_point(user.id, point_id, actor)
    return user


async def _check_password(username: str, password: str) -> int | None:
    row = await User.select(User.id, User.password, User.active).where(User.username == username).first()
    if row is None or not row["active"]:
        await asyncio.to_thread(User.hash_password, password)  # same cost: no user enumeration by timing
        return None
    try:
        _, iterations, salt, _ = User.split_stored_password(row["password"])
    except ValueError:
        return None
    computed = await asyncio.to_thread(User.hash_password, password, salt, int(iterations))
    return row["id"] if secrets.compare_digest(computed, row["password"]) else None


async def log_in(
    username: str, password: str, client: str, *, attempts: int, window_minutes: int, session_hours: int = 12
) -> str:
    """Checks the password and opens a session; returns its token.

    After `attempts` failures for a username (or four times as many from one client)
    within the window, logins are refused with TooManyAttempts before the password is checked.
    """
    username = (username or "").strip()[:100]
    since = _now() - dt.timedelta(minutes=window_minutes)
    for_user = await LoginAttempt.count().where((LoginAttempt.attempted_at > since) & (LoginAttempt.username == username))
    # A client gets more room than one account: several people may share an office's address.
    for_client = await LoginAttempt.count().where((LoginAttempt.attempted_at > since) & (LoginAttempt.client == client))
    if for_user >= attempts or for_client >= attempts * CLIENT_ATTEMPTS_FACTOR:
        raise TooManyAttempts(N_("Too many failed logins. Try again in %(minutes)s minutes."), minutes=window_minutes)
    # The attempt is counted before the slow hash, so parallel guesses cannot all pass the check.
    attempt = (await LoginAttempt.insert(LoginAttempt(username=username, client=client[:64])))[0]["id"]
    user_id = await _check_password(username, (password or "")[: User._max_password_length])
    if user_id is None:
        raise ValidationFailed({"password": N_("Wrong username or password.")})
    await LoginAttempt.delete().where(LoginAttempt.id == attempt)
    await User.update({User.last_login: _session_now()}).where(User.id == user_id)
    return await open_session(user_id, session_hours)


def _session_now() -> dt.datetime:
    # piccolo_api's session table stores naive local times; piccolo-admin compares with them.
    return dt.datetime.now()


async def open_session(user_id: int, hours: int = 12) -> str:
    token = secrets.token_urlsafe(32)
    now = _session_now()
    await Session.insert(
        Session(
            token=token,
            user_id=user_id,
            expiry_date=now + dt.timedelta(hours=hours),
            max_expiry_date=now + dt.timedelta(days=7),
        )
    )
    return token


async def close_session(token: str) -> None:
    forget_session(token)
    await Session.delete().where(Session.token == token)


# Sessions read in the last few seconds, so a burst of requests (a counter syncing its queue)
# costs one lookup. Logging out here forgets at once; other workers within SESSION_CACHE_SECONDS.
SESSION_CACHE_SECONDS = 5.0
_session_cache: OrderedDict[str, tuple[float, dict[str, Any] | None]] = OrderedDict()


async def user_for_session(token: str) -> dict[str, Any] | None:
    """The active user behind a session token, or None if the token is unknown or expired."""
    if not token or len(token) > 100:
        return None
    cached = _session_cache.get(token)
    now = time.monotonic()
    if cached is not None and cached[0] > now:
        return cached[1]
    user = await _load_session_user(token)
    if user is not None:
        _session_cache[token] = (now + SESSION_CACHE_SECONDS, user)
        _session_cache.move_to_end(token)
        while len(_session_cache) > 10_000:
            _session_cache.popitem(last=False)
    return user


def forget_session(token: str) -> None:
    _session_cache.pop(token, None)


async def _load_session_user(token: str) -> dict[str, Any] | None:
    rows = await Session.raw(
        "SELECT u.id, u.username, u.role, u.language, u.first_name, u.last_name "
        "FROM ocop_session s JOIN ocop_user u ON u.id = s.user_id "
        "WHERE s.token = {} AND s.expiry_date > {} AND u.active = {}",
        token, _session_now(), True,
    )
    return rows[0] if rows else None


async def set_language(user_id: int, language: str) -> None:
    await User.update({User.language: language}).where(User.id == user_id)


# -- user administration ----------------------------------------------------------------------------
# Links live in the modules above accounts (catalog.ProducerMember, salespoints.SalesPointManager);
# they are imported where used, since those modules import this one.

_ACCOUNT_FIELDS = ("role", "email", "active", "first_name", "last_name")
MAX_ID = 2**31 - 1


async def list_users() -> list[dict[str, Any]]:
    """Every user with the producers they act for and the sales points they manage, by username."""
    from catalog.tables import ProducerMember
    from salespoints.tables import SalesPointManager

    users = await User.select(
        User.id, User.username, User.email, User.role, User.active, User.last_login
    ).order_by(User.username)
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
    from catalog.tables import ProducerMember
    from salespoints.tables import SalesPointManager

    row = None
    if 0 < user_id <= MAX_ID:
        row = await User.select(
            User.id, User.username, User.email, User.role, User.active, User.first_name, User.last_name, User.last_login
        ).where(User.id == user_id).first()
    if row is None:
        raise NotFound(N_("This user does not exist."))
    row["producers"] = await ProducerMember.select(
        ProducerMember.producer.as_alias("id"), ProducerMember.producer.name.as_alias("name")
    ).where(ProducerMember.user == user_id).order_by(ProducerMember.producer.name)
    row["points"] = await SalesPointManager.select(
        SalesPointManager.point.as_alias("id"), SalesPointManager.point.name.as_alias("name")
    ).where(SalesPointManager.user == user_id).order_by(SalesPointManager.point.name)
    return row


async def point_choices() -> list[dict[str, Any]]:
    """Every sales point (a few hundred at most), for the manager's point picker."""
    from salespoints.tables import SalesPoint

    return await SalesPoint.select(SalesPoint.id, SalesPoint.name, SalesPoint.province_code).order_by(SalesPoint.name)


async def producer_choices(q: str, limit: int = 20) -> list[dict[str, Any]]:
    """Producers whose name matches what was typed, for the producer picker (the catalogue has thousands)."""
    from catalog.services import producer_choices

    return await producer_choices(q, limit=limit) if q.strip() else []


async def update_user(user_id: int, change: UserChange, actor: Actor) -> None:
    """Changes a user's role, email, names and whether they may log in. Audited, in one transaction.

    An administrator cannot demote or deactivate themselves, and the last active administrator stays
    one. Links that the new role no longer uses are removed (audited too). A deactivated user's
    sessions end at once; a role change is seen on their next request.
    """
    before = await get_user(user_id)
    email = (change.email or "").strip()
    errors: dict[str, str] = {}
    if not email or "@" not in email or len(email) > 255:
        errors["email"] = N_("Enter a valid email address.")
    elif email != before["email"] and await User.exists().where((User.email == email) & (User.id != user_id)):
        errors["email"] = N_("This email address is already used.")
    was_admin = before["role"] == Role.admin.value and before["active"]
    if was_admin and (change.role is not Role.admin or not change.active):
        field = "role" if change.role is not Role.admin else "active"
        if user_id == actor.user_id:
            errors[field] = N_("You cannot remove your own administrator rights or deactivate yourself.")
        elif not await User.exists().where((User.role == Role.admin.value) & User.active.eq(True) & (User.id != user_id)):
            errors[field] = N_("This is the last active administrator.")
    if errors:
        raise ValidationFailed(errors)
    after = {"role": change.role.value, "email": email, "active": change.active,
             "first_name": change.first_name.strip()[:100], "last_name": change.last_name.strip()[:100]}
    old = {k: before[k] for k in _ACCOUNT_FIELDS}
    if after == old:
        return
    demoted = was_admin and (change.role is not Role.admin or not change.active)
    async with User._meta.db.transaction():
        if demoted and not is_sqlite(User._meta.db):
            # Two admins demoting each other at once: the active admins' rows are locked, so the second
            # waits and its check below sees the first one's change. (SQLite writes one at a time.)
            await User.select(User.id).where((User.role == Role.admin.value) & User.active.eq(True)).lock_rows()
        await User.update({User.role: after["role"], User.email: email, User.active: after["active"],
                           User.first_name: after["first_name"], User.last_name: after["last_name"],
                           User.admin: change.role is Role.admin, User.superuser: change.role is Role.admin}
                          ).where(User.id == user_id)
        if demoted and not await User.exists().where((User.role == Role.admin.value) & User.active.eq(True)):
            raise ValidationFailed({"role" if change.role is not Role.admin else "active":
                                    N_("This is the last active administrator.")})  # undoes the update
        await record_audit(actor, "update", "user", user_id, old, after)
        if change.role is not Role.producer:
            for producer in before["producers"]:
                await _remove_producer(user_id, producer["id"], actor)
        if change.role is not Role.salespoint_manager:
            for point in before["points"]:
                await _remove_point(user_id, point["id"], actor)
        if not change.active:
            await Session.delete().where(Session.user_id == user_id)
    await _forget_sessions_of(user_id)


async def set_password(user_id: int, password: str, actor: Actor) -> None:
    """Sets a new password, hashed as at creation; the user's other sessions end. Audited (not the password)."""
    await get_user(user_id)
    errors = _password_errors(password)
    if errors:
        raise ValidationFailed(errors)
    hashed = await asyncio.to_thread(User.hash_password, password)
    async with User._meta.db.transaction():
        await User.update({User.password: hashed}).where(User.id == user_id)
        await record_audit(actor, "update", "user", user_id, None, {"password_set": True})
        if user_id != actor.user_id:  # whoever knew the old password is logged out; the admin changing their own stays
            await Session.delete().where(Session.user_id == user_id)
    await _forget_sessions_of(user_id)


async def link_producers(user_id: int, producer_ids: Iterable[int], actor: Actor) -> None:
    """Lets a producer user act for more producers, all or none. Audited; a link already there is kept as is."""
    user = await get_user(user_id)
    producer_ids = list(dict.fromkeys(producer_ids))
    errors = await _link_errors(Role(user["role"]), producer_ids, []) if producer_ids else {
        "producers": N_("Choose a producer from the suggestions.")}
    if errors:
        raise ValidationFailed(errors)
    async with User._meta.db.transaction():
        for producer_id in producer_ids:
            await _add_producer(user_id, producer_id, actor)
    await _forget_sessions_of(user_id)


async def unlink_producer(user_id: int, producer_id: int, actor: Actor) -> None:
    """The user no longer acts for this producer. Audited."""
    await get_user(user_id)
    async with User._meta.db.transaction():
        await _remove_producer(user_id, producer_id, actor)
    await _forget_sessions_of(user_id)


async def link_points(user_id: int, point_ids: Iterable[int], actor: Actor) -> None:
    """Makes a sales-point manager user a manager of more points, all or none, through the sales points'
    own service. Audited on each point and on the user; a link already there is kept as is."""
    user = await get_user(user_id)
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
    await get_user(user_id)
    async with User._meta.db.transaction():
        await _remove_point(user_id, point_id, actor)


async def _link_errors(role: Role, producer_ids: list[int], point_ids: list[int]) -> dict[str, str]:
    """What is wrong with linking a user of `role` to these producers and points (each must exist and fit the role)."""
    if not producer_ids and not point_ids:
        return {}
    from catalog.tables import Producer
    from salespoints.tables import SalesPoint

    errors: dict[str, str] = {}
    if producer_ids and role is not Role.producer:
        errors["producers"] = N_("Only a user with the producer role acts for producers.")
    elif producer_ids and (any(not 0 < i <= MAX_ID for i in producer_ids)
                           or len(set(producer_ids)) != await Producer.count().where(Producer.id.is_in(producer_ids))):
        errors["producers"] = N_("Choose a producer from the suggestions.")
    if point_ids and role is not Role.salespoint_manager:
        errors["points"] = N_("Only a user with the sales-point manager role manages sales points.")
    elif point_ids and (any(not 0 < i <= MAX_ID for i in point_ids)
                        or len(set(point_ids)) != await SalesPoint.count().where(SalesPoint.id.is_in(point_ids))):
        errors["points"] = N_("Choose a sales point from the list.")
    return errors


async def _add_producer(user_id: int, producer_id: int, actor: Actor) -> None:
    """Inside a transaction: the link and its audit row, unless the link is there already."""
    from catalog.tables import Producer, ProducerMember

    if await ProducerMember.exists().where((ProducerMember.user == user_id) & (ProducerMember.producer == producer_id)):
        return
    await ProducerMember.insert(ProducerMember(user=user_id, producer=producer_id))
    name = await Producer.select(Producer.name).where(Producer.id == producer_id).first()
    await record_audit(actor, "update", "user", user_id, None, {"producer_added": f"{name['name']} (#{producer_id})"})


async def _remove_producer(user_id: int, producer_id: int, actor: Actor) -> None:
    from catalog.tables import Producer, ProducerMember

    link = (ProducerMember.user == user_id) & (ProducerMember.producer == producer_id)
    if not 0 < producer_id <= MAX_ID or not await ProducerMember.exists().where(link):
        return
    await ProducerMember.delete().where(link)
    name = await Producer.select(Producer.name).where(Producer.id == producer_id).first()
    await record_audit(actor, "update", "user", user_id, None,
                       {"producer_removed": f"{name['name'] if name else ''} (#{producer_id})"})


async def _add_point(user_id: int, point_id: int, actor: Actor) -> None:
    """Inside a transaction: the sales points' add_manager (which audits the point) and a row on the user."""
    from salespoints.services import add_manager
    from salespoints.tables import SalesPoint, SalesPointManager

    if await SalesPointManager.exists().where((SalesPointManager.point == point_id) & (SalesPointManager.user == user_id)):
        return
    await add_manager(point_id, user_id, actor)
    name = await SalesPoint.select(SalesPoint.name).where(SalesPoint.id == point_id).first()
    await record_audit(actor, "update", "user", user_id, None, {"point_added": f"{name['name']} (#{point_id})"})


async def _remove_point(user_id: int, point_id: int, actor: Actor) -> None:
    from salespoints.services import remove_manager
    from salespoints.tables import SalesPoint

    if not await remove_manager(point_id, user_id, actor):
        return
    name = await SalesPoint.select(SalesPoint.name).where(SalesPoint.id == point_id).first()
    await record_audit(actor, "update", "user", user_id, None,
                       {"point_removed": f"{name['name'] if name else ''} (#{point_id})"})


async def _forget_sessions_of(user_id: int) -> None:
    """This worker reads the user's sessions afresh on their next request (other workers within
    SESSION_CACHE_SECONDS), so a new role, a deactivation or new links count at once."""
    for row in await Session.select(Session.token).where(Session.user_id == user_id):
        forget_session(row["token"])
    stale = [token for token, (_, user) in _session_cache.items() if user is not None and user["id"] == user_id]
    for token in stale:
        forget_session(token)


async def record_audit(
    actor: Actor,
    action: str,
    entity: str,
    entity_id: Any,
    before: dict | None,
    after: dict | None,
) -> None:
    """Writes one audit row; call it inside the transaction of the change it records."""
    await AuditEntry.insert(
        AuditEntry(
            user_id=actor.user_id,
            username=actor.username,
            action=action,
            entity=entity,
            entity_id=str(entity_id),
            before=_jsonable(before),
            after=_jsonable(after),
        )
    )


def _jsonable(values: Any) -> Any:
    """Values JSON can hold: dates as ISO text, all the way down."""
    if isinstance(values, dict):
        return {k: _jsonable(v) for k, v in values.items()}
    if isinstance(values, (list, tuple, set, frozenset)):
        return [_jsonable(v) for v in values]
    if isinstance(values, (dt.date, dt.datetime)):
        return values.isoformat()
    return values


async def audit_trail(entity: str, entity_id: Any, limit: int = 50) -> list[dict[str, Any]]:
    """The newest audit rows of one record, for its page."""
    return await (
        AuditEntry.select()
        .where((AuditEntry.entity == entity) & (AuditEntry.entity_id == str(entity_id)))
        .order_by(AuditEntry.id, ascending=False)
        .limit(limit)
    )



@dataclass(frozen=True)
class Outgoing:
    """One notification to write: `key` names the rule and subject, so writing it twice leaves one row.

    A user recipient gets it in their inbox, and by email at their address in their language; an
    outside party (a buyer) has no user and is written to by `email` only."""

    key: str
    recipient: int | None
    template: str
    data: dict
    due_at: dt.datetime | None = None
    channel: str = "email"
    email: str | None = None
    language: str | None = None


_ENQUEUE_CHUNK = 500  # rows per statement: well under PostgreSQL's 32,767 parameters


async def enqueue_notifications(outgoing: Iterable[Outgoing]) -> int:
    """Writes the outbox rows whose keys are not there yet; returns how many it wrote.

    A rule's whole batch costs a few statements, not three per notification. Call it inside the
    transaction of the change that causes it: the notifications exist if and only if the change does.
    """
    wanted = {item.key[:200]: item for item in outgoing}  # the first of a repeated key is kept
    if not wanted:
        return 0
    keys = list(wanted)
    for start in range(0, len(keys), _ENQUEUE_CHUNK):
        for row in await Notification.select(Notification.key).where(Notification.key.is_in(keys[start:start + _ENQUEUE_CHUNK])):
            wanted.pop(row["key"], None)
    recipients = list({item.recipient for item in wanted.values() if item.recipient is not None})
    users: dict[int, dict] = {}
    for start in range(0, len(recipients), _ENQUEUE_CHUNK):
        users.update((u["id"], u) for u in await User.select(User.id, User.email, User.language).where(
            User.id.is_in(recipients[start:start + _ENQUEUE_CHUNK])))
    now = dt.datetime.now(dt.UTC)
    rows = []
    for key, item in wanted.items():
        email, language = item.email, item.language
        if item.recipient is not None:
            user = users.get(item.recipient)
            if user is None:  # a user deleted since the rule looked
                continue
            email = user["email"] if email is None else email
            language = language or user["language"]
        rows.append(Notification(key=key, recipient=item.recipient, email=email or "", language=language or "vi",
                                 template=item.template, data=_jsonable(item.data), channel=item.channel,
                                 due_at=item.due_at or now))
    written = 0
    for start in range(0, len(rows), _ENQUEUE_CHUNK):
        # A row written meanwhile by another process is skipped, not an error.
        inserted = await Notification.insert(*rows[start:start + _ENQUEUE_CHUNK]).on_conflict(
            target=Notification.key, action="DO NOTHING").returning(Notification.id)
        written += len(inserted)
    return written


async def enqueue_notification(key: str, recipient: int | None, template: str, data: dict,
                               due_at: dt.datetime | None = None, channel: str = "email", email: str | None = None,
                               language: str | None = None) -> bool:
    """Writes one outbox row unless a row with this key exists; True when it wrote one."""
    return await enqueue_notifications(
        [Outgoing(key, recipient, template, data, due_at=due_at, channel=channel, email=email, language=language)]) == 1
