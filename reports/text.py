"""Text that prints: NFC, no control characters, and nothing the shipped fonts lack.

A character none of the four DejaVu files has (an emoji, a rare CJK ideograph…) would be drawn as
an empty box or by whatever font the server happens to have; it is replaced by U+FFFD instead, so
every PDF looks the same everywhere and says plainly that something was not printable.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from reports.typeset import FONTS_DIR

REPLACEMENT = "\ufffd"
FONT_FILES = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSansCondensed.ttf", "DejaVuSansCondensed-Bold.ttf")
# Invisible joiners and selectors that only shape emoji: dropped rather than replaced.
_DROPPED = {0x200B, 0x200C, 0x200D, 0x2060, 0xFE0E, 0xFE0F}


@cache
def covered() -> frozenset[int]:
    """The code points every shipped font has a glyph for."""
    from fontTools.ttLib import TTFont

    sets = []
    for name in FONT_FILES:
        font = TTFont(str(FONTS_DIR / name), lazy=True)
        sets.append(set(font.getBestCmap()))
        font.close()
    return frozenset(set.intersection(*sets))


@cache
def _unprintable() -> re.Pattern:
    """Any character outside the fonts (a newline aside), as one character class."""
    codes = sorted(covered() | {ord("\n")})
    ranges, start, last = [], codes[0], codes[0]
    for code in codes[1:]:
        if code != last + 1:
            ranges.append((start, last))
            start = code
        last = code
    ranges.append((start, last))
    body = "".join(re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges)
    return re.compile(f"[^{body}]")


def _replace(match: re.Match) -> str:
    char = match.group(0)
    if ord(char) in _DROPPED or unicodedata.category(char) in ("Cc", "Cf"):
        return ""
    return REPLACEMENT


def printable(text: str) -> str:
    """`text` in NFC with control characters removed and characters the fonts lack replaced."""
    if not text:
        return text
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    elif text.isprintable():
        return text
    return _unprintable().sub(_replace, text)


def normal(text: str) -> str:
    """NFC only: what the HTML preview and the spreadsheet get (a browser has fonts for the rest)."""
    return unicodedata.normalize("NFC", text) if text else text
