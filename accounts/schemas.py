"""What comes in to user administration: the fields an administrator may change on a user."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Annotated

import msgspec

from accounts.enums import Role
from core.fields import email, text

_PICKED = re.compile(r"\[#(\d+)\]\s*$")


class UserChange(msgspec.Struct, kw_only=True):
    """A user's account as the user page edits it (the username stays: it is how they log in)."""

    role: Role
    email: Annotated[str, email(required=True)]
    active: bool = False  # an unticked checkbox is not sent at all
    first_name: Annotated[str, text(255)] = ""
    last_name: Annotated[str, text(255)] = ""


def picked_id(value: object) -> int:
    """The id in an autocomplete pick "Name [#12]" (or a bare id); 0 when the text names nothing."""
    text = str(value or "").strip()
    match = _PICKED.search(text)
    if match:
        return int(match.group(1))
    text = text.lstrip("#")
    return int(text) if text.isdigit() and len(text) < 12 else 0


def picked_ids(values: Iterable[object]) -> list[int]:
    """The ids of the non-empty picks, in order, each once."""
    return list(dict.fromkeys(picked_id(v) for v in values if str(v or "").strip()))


def search_text(value: object) -> str:
    """What to search for in a pick field: the typed text without a chosen suggestion's "[#12]"."""
    return _PICKED.sub("", str(value or "")).strip()[:100]
