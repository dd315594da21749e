"""The notification outbox: what every module writes when someone is to be told something.

Rows address a user by id (their inbox, and e-mail at their address in their language) or an outside
party by e-mail alone. Users live in `accounts`, above this module: accounts hands the outbox its
lookup of users' addresses when it is imported (`use_recipient_directory`), so the outbox never
imports upward.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

from core.audit import jsonable
from core.tables import Notification

# user ids → {id: (email, language)} of those that exist
RecipientDirectory = Callable[[list[int]], Awaitable[dict[int, tuple[str, str]]]]
_directory: RecipientDirectory | None = None


def use_recipient_directory(directory: RecipientDirectory) -> None:
    global _directory
    _directory = directory


@dataclass(frozen=True)
class Outgoing:
    """One notification to write: `key` names the rule and subject, so writing it twice leaves one row.

    A user recipient gets it in their inbox, and by email at their address in their language; an
    outside party (a buyer) has no user and is written to by `email` only."""

    key: str
    recipient: int | None
    template: str
    data: dict[str, Any]
    due_at: dt.datetime | None = None
    channel: str = "email"
    email: str | None = None
    language: str | None = None


CHUNK = 500  # rows per statement: well under PostgreSQL's 32,767 parameters


async def enqueue_notifications(outgoing: Iterable[Outgoing]) -> int:
    """Writes the outbox rows whose keys are not there yet; returns how many it wrote.

    A rule's whole batch costs a few statements, not three per notification. Call it inside the
    transaction of the change that causes it: the notifications exist if and only if the change does.
    """
    wanted = {item.key[:200]: item for item in outgoing}  # the first of a repeated key is kept
    if not wanted:
        return 0
    keys = list(wanted)
    for start in range(0, len(keys), CHUNK):
        for row in await Notification.select(Notification.key).where(Notification.key.is_in(keys[start:start + CHUNK])):
            wanted.pop(row["key"], None)
    recipients = list({item.recipient for item in wanted.values() if item.recipient is not None})
    if recipients and _directory is None:
        raise RuntimeError("the outbox has no recipient directory: import accounts first")
    users = await _directory(recipients) if recipients and _directory is not None else {}
    now = dt.datetime.now(dt.UTC)
    rows = []
    for key, item in wanted.items():
        email, language = item.email, item.language
        if item.recipient is not None:
            user = users.get(item.recipient)
            if user is None:  # a user deleted since the rule looked
                continue
            email = user[0] if email is None else email
            language = language or user[1]
        rows.append(Notification(key=key, recipient=item.recipient, email=email or "", language=language or "vi",
                                 template=item.template, data=jsonable(item.data), channel=item.channel,
                                 due_at=item.due_at or now))
    written = 0
    for start in range(0, len(rows), CHUNK):
        # A row written meanwhile by another process is skipped, not an error.
        inserted = await Notification.insert(*rows[start:start + CHUNK]).on_conflict(
            target=Notification.key, action="DO NOTHING").returning(Notification.id)
        written += len(inserted)
    return written


async def enqueue_notification(key: str, recipient: int | None, template: str, data: dict[str, Any],
                               due_at: dt.datetime | None = None, channel: str = "email", email: str | None = None,
                               language: str | None = None) -> bool:
    """Writes one outbox row unless a row with this key exists; True when it wrote one."""
    return await enqueue_notifications(
        [Outgoing(key, recipient, template, data, due_at=due_at, channel=channel, email=email, language=language)]) == 1
