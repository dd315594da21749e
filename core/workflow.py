"""The one check of a workflow step: a record moves only along the transitions its module declares."""

from __future__ import annotations

from collections.abc import Mapping, Set
from enum import Enum
from typing import TypeVar

from core.errors import Conflict

S = TypeVar("S", bound=Enum)


def ensure_transition(transitions: Mapping[S, Set[S]], current: S, target: S, refusal: str) -> None:
    """Refuses (Conflict, with `refusal` naming %(current)s and %(target)s) a step the workflow does not have."""
    if target not in transitions[current]:
        raise Conflict(refusal, current=current.value, target=target.value)
