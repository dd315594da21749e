"""Translations for the reports: the application's catalogue, normalised to NFC (a PDF's fonts
have the composed Vietnamese letters)."""

from __future__ import annotations

import unicodedata

from core import i18n
from core.errors import Msg


def gettext(message: str) -> str:
    return unicodedata.normalize("NFC", i18n.gettext(message))


def ngettext(singular: str, plural: str, n: int) -> str:
    return gettext(singular if n == 1 else plural)


def render(message: Msg | str) -> str:
    return message.render(gettext) if isinstance(message, Msg) else gettext(message)
