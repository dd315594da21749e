"""Tables every module writes: the audit log, the notification outbox and the stored files.

They are created by the accounts app's migrations (whose history predates their move here), which is
why `accounts.piccolo_app` lists them among its tables.
"""

from piccolo.columns import JSON, BigInt, Bytea, Integer, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class AuditEntry(Table):
    """Who did what to which record, when, with the values before and after."""

    id: Serial

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

    id: Serial

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


class StoredFile(Table):
    """A file kept in the database under its SHA-256 (scans, photos, compiled reports), so a backup holds
    it and every application server on the database sees it. Its bytes are in `StoredChunk` rows."""

    id: Serial

    sha256 = Varchar(length=64, unique=True)
    size = BigInt()
    chunks = Integer()
    stored_at = Timestamptz(default=TimestamptzNow())


class StoredChunk(Table):
    """One piece of a stored file, in order by `number` (unique with `sha256`): a file is read and sent
    piece by piece, never whole in one row."""

    id: Serial

    sha256 = Varchar(length=64)
    number = Integer()
    data = Bytea()
