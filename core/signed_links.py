"""Links that need no login: an id signed with the site's secret key, good until a stated day.

A link names its purpose (the salt), so a link made for one page opens no other. It carries its
last valid day in clear: the signature covers it, so changing it breaks the link.
"""

from __future__ import annotations

import datetime as dt

from itsdangerous import BadSignature, URLSafeSerializer

from core.errors import N_, Forbidden
from core.settings import settings


def _signer(purpose: str) -> URLSafeSerializer:
    return URLSafeSerializer(settings.secret_key, salt=f"ocop-link:{purpose}")


def sign(purpose: str, value: int, valid_until: dt.date) -> str:
    """A token for `value`, accepted by `read` with the same purpose up to and including `valid_until`."""
    return _signer(purpose).dumps([value, valid_until.isoformat()])


def read(purpose: str, token: str, today: dt.date) -> int:
    """The value a token was made for; Forbidden when it was altered, made for another purpose, or is past its day."""
    try:
        value, until = _signer(purpose).loads(token)
        valid_until = dt.date.fromisoformat(until)
    except (BadSignature, ValueError, TypeError):
        raise Forbidden(N_("This link is not valid. Use the link in your e-mail, or ask the organizers for a new one.")) \
            from None
    if not isinstance(value, int) or today > valid_until:
        raise Forbidden(N_("This link has expired. Ask the organizers for a new one."))
    return value
