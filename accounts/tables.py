"""Accounts: users (with a role), database-backed sessions shared by every worker, login attempts."""

from piccolo.apps.user.tables import BaseUser
from piccolo.columns import Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table
from piccolo_api.session_auth.tables import SessionsBase

from accounts.enums import Role


class User(BaseUser, tablename="ocop_user"):
    """A person who logs in; piccolo-admin uses the same table, so one login serves both."""

    role = Varchar(length=32, choices=Role, default=Role.viewer.value)
    language = Varchar(length=5, default="vi")


class Session(SessionsBase, tablename="ocop_session"):
    """A login session (token in a cookie), readable by every worker."""


class LoginAttempt(Table):
    """A failed login, kept to throttle guessing across all workers."""

    id: Serial

    username = Varchar(length=100, index=True)
    client = Varchar(length=64)
    attempted_at = Timestamptz(default=TimestamptzNow(), index=True)
