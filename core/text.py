"""Text helpers shared by every module."""

from __future__ import annotations

import re
import unicodedata


def fold(text: str) -> str:
    """Lower-case text without diacritics, đ as d: how Vietnamese users type a search."""
    text = unicodedata.normalize("NFD", text.lower()).replace("đ", "d")
    return "".join(ch for ch in text if unicodedata.category(ch) != "Mn")


def natural_key(code: str) -> tuple:
    """A2 before A10: booth codes sort as people read them."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", code or ""))
