"""Accounts: users (with a role), database-backed sessions shared by every worker, login attempts."""

import datetime as dt
import hashlib
import secrets

from piccolo.apps.user.tables import BaseUser
from piccolo.columns import Boolean, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table
from piccolo_api.session_auth.tables import SessionsBase

from accounts.enums import Role


class User(BaseUser, tablename="ocop_user"):
    """A person who logs in; piccolo-admin uses the same table, so one login serves both."""

    role = Varchar(length=32, choices=Role, default=Role.viewer.value)
    language = Varchar(length=5, default="vi")


def token_digest(token: str) -> str:
    """What the session table stores for a token: its SHA-256 in hex (the token itself is random, so no salt)."""
    return hashlib.sha256(token.encode()).hexdigest()


class Session(SessionsBase, tablename="ocop_session"):
    """A login session, readable by every worker. The cookie holds a random token and the row only its
    SHA-256, so a copy of the table (a backup) opens no session. piccolo-admin reaches the table through
    the classmethods below, which hash like accounts.services does."""

    @classmethod
    async def create_session(
        cls, user_id: int, expiry_date: dt.datetime | None = None, max_expiry_date: dt.datetime | None = None
    ) -> "Session":
        """Stores a new session; the returned object carries the token itself (for the cookie), the row its digest."""
        token = secrets.token_urlsafe(32)  # 256 random bits: a collision is not worth a query
        session = cls(token=token_digest(token), user_id=user_id)
        if expiry_date:
            session.expiry_date = expiry_date
        if max_expiry_date:
            session.max_expiry_date = max_expiry_date
        await session.save()
        session.token = token  # in memory only: piccolo-admin sets its cookie from it and never saves it again
        return session

    @classmethod
    async def get_user_id(cls, token: str, increase_expiry: dt.timedelta | None = None) -> int | None:
        return await super().get_user_id(token_digest(token), increase_expiry)

    @classmethod
    async def remove_session(cls, token: str) -> None:
        await super().remove_session(token_digest(token))


class LoginAttempt(Table):
    """A login to an account from a client address, kept to throttle guessing across all workers
    (accounts.services.login_wait): the failures, and the latest sign-in from there."""

    id: Serial

    username = Varchar(length=100, index=True)
    client = Varchar(length=64)
    attempted_at = Timestamptz(default=TimestamptzNow(), index=True)
    succeeded = Boolean(default=False)  # the account signed in from this address: strangers' failures spare it
