"""Accounts: creating users, logging in with throttling, sessions, and the account fields an administrator edits.

Passwords are hashed by Piccolo's BaseUser (PBKDF2-SHA256, 600,000 iterations as OWASP
recommends); the hash runs in a worker thread so a login never stalls the event loop.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import math
import re
import secrets
import time
from collections import OrderedDict
from typing import Any

import msgspec

from accounts.enums import Role
from accounts.schemas import UserChange
from accounts.tables import LoginAttempt, Session, User, token_digest
from core import fields
from core.audit import SYSTEM, Actor, record_audit
from core.database import fetch_rows, is_sqlite
from core.errors import N_, NotFound, TooManyAttempts, ValidationFailed
from core.ids import is_id

# Login throttling: the numbers of the one rule, `login_wait`.
LOGIN_FREE_FAILURES = 5  # wrong passwords for one account from one address before any wait
ADDRESS_FREE_FAILURES = 50  # from one address over all accounts (an office behind NAT) before any wait
LOGIN_FIRST_WAIT_SECONDS = 1  # the first wait; each further failure doubles it
LOGIN_LONGEST_WAIT_SECONDS = 300
LOGIN_FAILURE_MEMORY = dt.timedelta(hours=24)  # older failures no longer count
_USERNAME = re.compile(r"^[a-zA-Z0-9._@-]{3,100}$")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _account_errors(username: str, password: str, email: str) -> dict[str, Any]:
    errors: dict[str, Any] = {}
    if not _USERNAME.match(username or ""):
        errors["username"] = N_("Use 3–100 letters, digits or . _ @ -")
    errors.update(_password_errors(password))
    errors.update(fields.problems({"email": email or ""}, UserChange))
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
    actor: Actor = SYSTEM,
) -> User:
    """Creates an active user; admins also get piccolo-admin access. Audited; runs inside the caller's
    transaction when there is one (user administration links the user to producers or points in it)."""
    errors = await new_account_errors(username, password, email)
    if errors:
        raise ValidationFailed(errors)
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


async def new_account_errors(username: str, password: str, email: str) -> dict[str, Any]:
    """What is wrong with a new account's fields, each field's first problem."""
    errors = _account_errors(username, password, email)
    if "username" not in errors and await User.exists().where(User.username == username):
        errors["username"] = N_("This username is already taken.")
    if "email" not in errors and await User.exists().where(User.email == email):
        errors["email"] = N_("This email address is already used.")
    return errors


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


async def login_wait(username: str, client: str, now: dt.datetime, *, before: int | None = None) -> int:
    """Seconds a login to `username` from the address `client` must still wait; 0: its password is checked.

    The rule, over the failures of the last LOGIN_FAILURE_MEMORY:
    - for this account from this address: after LOGIN_FREE_FAILURES failures, each further attempt waits
      LOGIN_FIRST_WAIT_SECONDS after the latest failure, doubled for every failure beyond, at most
      LOGIN_LONGEST_WAIT_SECONDS;
    - from this address over all accounts: the same after ADDRESS_FREE_FAILURES, so an office behind one
      address is slowed, never shut out. Skipped where this account has signed in from this address
      before: its user is not slowed by strangers sharing the address;
    - failures from other addresses never count: nobody elsewhere can make an account wait.
    The longer wait applies. A sign-in clears the account's failures from the address (`log_in`).
    With `before`, only attempts recorded before that one count (the one being judged does not).
    """
    failures = (LoginAttempt.attempted_at > now - LOGIN_FAILURE_MEMORY) & LoginAttempt.succeeded.eq(False)
    if before is not None:
        failures &= LoginAttempt.id < before
    from_here = LoginAttempt.client == client
    pair = (LoginAttempt.username == username) & from_here
    scopes = [(failures & pair, LOGIN_FREE_FAILURES)]
    if not await LoginAttempt.exists().where(pair & LoginAttempt.succeeded.eq(True)):
        scopes.append((failures & from_here, ADDRESS_FREE_FAILURES))
    wait = 0
    for scope, free in scopes:
        # Past this many failures the wait no longer grows, so no more rows are read.
        enough = free + math.ceil(math.log2(LOGIN_LONGEST_WAIT_SECONDS / LOGIN_FIRST_WAIT_SECONDS)) + 1
        latest = await LoginAttempt.select(LoginAttempt.attempted_at).where(scope).order_by(
            LoginAttempt.attempted_at, ascending=False).limit(enough)
        if len(latest) >= free:
            delay = min(LOGIN_FIRST_WAIT_SECONDS * 2 ** (len(latest) - free), LOGIN_LONGEST_WAIT_SECONDS)
            left = latest[0]["attempted_at"] + dt.timedelta(seconds=delay) - now
            wait = max(wait, math.ceil(left.total_seconds()))
    return wait


def _must_wait(seconds: int) -> TooManyAttempts:
    return TooManyAttempts(N_("Too many failed logins. Please wait %(seconds)s seconds and try again."),
                           retry_after=seconds, seconds=seconds)


async def log_in(
    username: str, password: str, client: str, *, session_hours: int = 12, now: dt.datetime | None = None
) -> str:
    """Checks the password and opens a session; returns its token.

    Throttled by the rule of `login_wait`: while this account must wait at this address, TooManyAttempts
    says for how many seconds, before any password is hashed. A sign-in clears the account's failures from
    the address and is remembered there. `now` stands for the clock.
    """
    username = (username or "").strip()[:100]
    client = client[:64]
    now = now or _now()
    # Judged before the attempt is recorded (a refused flood writes nothing) and again after (parallel
    # guesses that all passed the first look count each other); both before the slow hash.
    if wait := await login_wait(username, client, now):
        raise _must_wait(wait)
    attempt = (await LoginAttempt.insert(LoginAttempt(username=username, client=client, attempted_at=now)))[0]["id"]
    if wait := await login_wait(username, client, now, before=attempt):
        await LoginAttempt.delete().where(LoginAttempt.id == attempt)  # refused unchecked: no failure
        raise _must_wait(wait)
    user_id = await _check_password(username, (password or "")[: User._max_password_length])
    if user_id is None:
        raise ValidationFailed({"password": N_("Wrong username or password.")})
    # This attempt stays as the pair's record of a sign-in; its failures and any older record go.
    await LoginAttempt.update({LoginAttempt.succeeded: True}).where(LoginAttempt.id == attempt)
    await LoginAttempt.delete().where(
        (LoginAttempt.username == username) & (LoginAttempt.client == client) & (LoginAttempt.id != attempt))
    await User.update({User.last_login: _session_now()}).where(User.id == user_id)
    return await open_session(user_id, session_hours)


def _session_now() -> dt.datetime:
    # piccolo_api's session table stores naive local times; piccolo-admin compares with them.
    return dt.datetime.now()


async def open_session(user_id: int, hours: int = 12) -> str:
    """Opens a session for the user and returns its token; the table keeps only the token's digest."""
    now = _session_now()
    session = await Session.create_session(user_id, now + dt.timedelta(hours=hours), now + dt.timedelta(days=7))
    return session.token


async def close_session(token: str) -> None:
    digest = token_digest(token)
    _session_cache.pop(digest, None)
    await Session.delete().where(Session.token == digest)


# Sessions read in the last few seconds, so a burst of requests (a counter syncing its queue)
# costs one lookup. Logging out here forgets at once; other workers within SESSION_CACHE_SECONDS.
# Keyed by the token's digest, like the table: a user's sessions are found by the rows' values alone.
SESSION_CACHE_SECONDS = 5.0
_session_cache: OrderedDict[str, tuple[float, dict[str, Any] | None]] = OrderedDict()


async def user_for_session(token: str) -> dict[str, Any] | None:
    """The active user behind a session token, or None if the token is unknown or expired."""
    if not token or len(token) > 100:
        return None
    digest = token_digest(token)
    cached = _session_cache.get(digest)
    now = time.monotonic()
    if cached is not None and cached[0] > now:
        return cached[1]
    user = await _load_session_user(digest)
    if user is not None:
        _session_cache[digest] = (now + SESSION_CACHE_SECONDS, user)
        _session_cache.move_to_end(digest)
        while len(_session_cache) > 10_000:
            _session_cache.popitem(last=False)
    return user


def forget_session(token: str) -> None:
    _session_cache.pop(token_digest(token), None)


async def _load_session_user(digest: str) -> dict[str, Any] | None:
    rows = await fetch_rows(Session._meta.db,
        "SELECT u.id, u.username, u.role, u.language, u.first_name, u.last_name "
        "FROM ocop_session s JOIN ocop_user u ON u.id = s.user_id "
        "WHERE s.token = {} AND s.expiry_date > {} AND u.active = {}",
        digest, _session_now(), True,
    )
    return rows[0] if rows else None


async def set_language(user_id: int, language: str) -> None:
    await User.update({User.language: language}).where(User.id == user_id)


async def forget_sessions_of(user_id: int) -> None:
    """This worker reads the user's sessions afresh on their next request (other workers within
    SESSION_CACHE_SECONDS), so a new role, a deactivation or new links count at once."""
    for row in await Session.select(Session.token).where(Session.user_id == user_id):
        _session_cache.pop(row["token"], None)  # the row holds the digest the cache is keyed by
    stale = [digest for digest, (_, user) in _session_cache.items() if user is not None and user["id"] == user_id]
    for digest in stale:
        _session_cache.pop(digest, None)


# -- user administration: the account itself (links to producers and points are the shell's: ocop.users) --

ACCOUNT_FIELDS = ("role", "email", "active", "first_name", "last_name")


async def list_accounts() -> list[dict[str, Any]]:
    """Every user's account, by username."""
    return await User.select(
        User.id, User.username, User.email, User.role, User.active, User.last_login
    ).order_by(User.username)


async def get_account(user_id: int) -> dict[str, Any]:
    row = None
    if is_id(user_id):
        row = await User.select(
            User.id, User.username, User.email, User.role, User.active, User.first_name, User.last_name, User.last_login
        ).where(User.id == user_id).first()
    if row is None:
        raise NotFound(N_("This user does not exist."))
    return row


async def update_account(user_id: int, change: UserChange, actor: Actor) -> dict[str, Any] | None:
    """Changes a user's role, email, names and whether they may log in; the account as it was, or None
    when nothing changed. Audited; runs inside the caller's transaction when there is one.

    An administrator cannot demote or deactivate themselves, and the last active administrator stays
    one. A deactivated user's sessions end (call `forget_sessions_of` after the transaction).
    """
    before = await get_account(user_id)
    email = (change.email or "").strip()
    errors: dict[str, Any] = fields.problems(msgspec.structs.replace(change, email=email))
    if "email" not in errors and email != before["email"] and await User.exists().where((User.email == email) & (User.id != user_id)):
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
    old = {k: before[k] for k in ACCOUNT_FIELDS}
    if after == old:
        return None
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
        if not change.active:
            await Session.delete().where(Session.user_id == user_id)
    return before


async def set_password(user_id: int, password: str, actor: Actor) -> None:
    """Sets a new password, hashed as at creation; the user's other sessions end. Audited (not the password)."""
    await get_account(user_id)
    errors = _password_errors(password)
    if errors:
        raise ValidationFailed(errors)
    hashed = await asyncio.to_thread(User.hash_password, password)
    async with User._meta.db.transaction():
        await User.update({User.password: hashed}).where(User.id == user_id)
        await record_audit(actor, "update", "user", user_id, None, {"password_set": True})
        if user_id != actor.user_id:  # whoever knew the old password is logged out; the admin changing their own stays
            await Session.delete().where(Session.user_id == user_id)
    await forget_sessions_of(user_id)
