"""Accounts: users (with a role), database-backed sessions shared by every worker, audit rows."""

from piccolo.apps.user.tables import BaseUser
from piccolo.columns import JSON, Integer, Timestamptz, Varchar
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

    username = Varchar(length=100, index=True)
    client = Varchar(length=64)
    attempted_at = Timestamptz(default=TimestamptzNow(), index=True)


class AuditEntry(Table):
    """Who did what to which record, when, with the values before and after."""

    happened_at = Timestamptz(default=TimestamptzNow(), index=True)
    user_id = Integer(null=True, index=True)
    username = Varchar(length=100, default="")
    action = Varchar(length=32)
    entity = Varchar(length=64, index=True)
    entity_id = Varchar(length=64, index=True)
    before = JSON(null=True)
    after = JSON(null=True)


class Notification(Table):
    """The outbox and every user's inbox: a message due to someone. Rules write rows; the
    scheduler's dispatcher delivers them.

    `key` names the rule and subject ("fair 3 published, application 12"), so writing the same
    notification twice leaves one row. `message_id` is fixed before the first attempt, so a
    message sent again after a crash carries the same Message-ID and the receiver can tell.
    """

    key = Varchar(length=200, unique=True)
    recipient = Integer(null=True, default=None, index=True)  # a user id; none for an outside party (a buyer)
    email = Varchar(length=255, default="")  # where the email goes; empty: in-app only
    language = Varchar(length=5, default="vi")
    channel = Varchar(length=16, default="email")  # email (and the inbox) or inapp (the inbox only)
    template = Varchar(length=64)
    data = JSON(default="{}")
    due_at = Timestamptz(default=TimestamptzNow(), index=True)
    status = Varchar(length=16, default="pending", index=True)  # pending, sending, sent, failed
    attempts = Integer(default=0)
    claimed_by = Varchar(length=64, default="")
    claimed_until = Timestamptz(null=True, default=None)
    message_id = Varchar(length=255, default="")
    error = Varchar(length=1000, default="")
    sent_at = Timestamptz(null=True, default=None)
    read_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
