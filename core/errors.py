"""Domain errors raised by services; the web layer turns them into 4xx pages or JSON problems.

Messages are English msgids marked with `N_` and translated when shown, so a service
never needs to know the user's language.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import msgspec

PROBLEM_MEDIA_TYPE = "application/problem+json"


def N_(message: str) -> str:
    """Marks a string for extraction into the message catalogues without translating it."""
    return message


class Msg:
    """A translatable message with named parameters: Msg(N_("Only %(n)s left"), n=3)."""

    __slots__ = ("msgid", "params")

    def __init__(self, msgid: str, **params: Any) -> None:
        self.msgid = msgid
        self.params = params

    def render(self, gettext: Callable[[str], str] = lambda s: s) -> str:
        text = gettext(self.msgid)
        return text % self.params if self.params else text

    def __repr__(self) -> str:
        return f"Msg({self.render()!r})"



def render(message: str | Msg, gettext: Callable[[str], str] = lambda s: s) -> str:
    return message.render(gettext) if isinstance(message, Msg) else gettext(message)


class Problem(msgspec.Struct, omit_defaults=True):
    """The body of every error the JSON API answers (RFC 9457 problem details, the members it uses):
    `errors` maps each field to what is wrong with it, when the fault lies in fields."""

    status: int
    title: str
    errors: dict[str, str] | None = None


class DomainError(Exception):
    """Base of every error a user can cause; carries a translatable message."""

    status_code = 400

    def __init__(self, message: str | Msg, **params: Any) -> None:
        self.message = Msg(message, **params) if isinstance(message, str) else message
        super().__init__(self.message.render())


class ValidationFailed(DomainError):
    """Input that breaks a rule; `errors` maps each field to what is wrong with it."""

    status_code = 422

    def __init__(self, errors: Mapping[str, str | Msg]) -> None:
        self.errors = {field: (Msg(m) if isinstance(m, str) else m) for field, m in errors.items()}
        super().__init__(N_("Some fields are not valid."))


class NotFound(DomainError):
    status_code = 404


class Conflict(DomainError):
    status_code = 409


class Forbidden(DomainError):
    status_code = 403


class TooManyAttempts(DomainError):
    """Refused for a while; `retry_after` is how many seconds, for the Retry-After header."""

    status_code = 429

    def __init__(self, message: str | Msg, *, retry_after: int | None = None, **params: Any) -> None:
        self.retry_after = retry_after
        super().__init__(message, **params)
