"""Users' addresses for core's outbox, which may not import this module's tables itself."""

from __future__ import annotations

from accounts.tables import User
from core.outbox import CHUNK, use_recipient_directory


async def recipients(user_ids: list[int]) -> dict[int, tuple[str, str]]:
    """{user id: (email, language)} of the users that exist."""
    found: dict[int, tuple[str, str]] = {}
    for start in range(0, len(user_ids), CHUNK):
        for row in await User.select(User.id, User.email, User.language).where(User.id.is_in(user_ids[start:start + CHUNK])):
            found[row["id"]] = (row["email"], row["language"])
    return found


use_recipient_directory(recipients)
