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
from accounts.tables import AuditEntry, LoginAttempt, Notification, Session, User
from core.errors import N_, NotFound, TooManyAttempts, ValidationFailed

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


async def create_user(
    username: str,
    password: str,
    role: Role,
    email: str,
    *,
    first_name: str = "",
    last_name: str = "",
    language: str = "vi",
    actor: Actor = SYSTEM,
) -> User:
    """Creates an active user; admins also get piccolo-admin access. Audited."""
    errors: dict[str, str] = {}
    if not _USERNAME.match(username or ""):
        errors["username"] = N_("Use 3–100 letters, digits or . _ @ -")
    if not password or len(password) < 8:
        errors["password"] = N_("The password needs at least 8 characters.")
    elif len(password) > User._max_password_length:
        errors["password"] = N_("The password is too long.")
    if not email or "@" not in email:
        errors["email"] = N_("Enter a valid email address.")
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


async def list_users() -> list[dict[str, Any]]:
    return await User.select(
        User.id, User.username, User.email, User.role, User.active, User.last_login
    ).order_by(User.username)


async def get_user(user_id: int) -> dict[str, Any]:
    row = await User.select(User.id, User.username, User.email, User.role).where(User.id == user_id).first()
    if row is None:
        raise NotFound(N_("This user does not exist."))
    return row


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
