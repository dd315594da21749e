"""Text helpers shared by every module."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Lower-case text without diacritics, đ as d: how Vietnamese users type a search."""
    text = unicodedata.normalize("NFD", text.lower()).replace("đ", "d")
    return "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
