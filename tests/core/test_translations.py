"""Every text the pages, mails and reports show has its Vietnamese translation (Vietnamese is the default
language: a missing one shows English to every user)."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent.parent
CATALOG = ROOT / "core" / "locale" / "vi" / "LC_MESSAGES" / "messages.po"
SOURCES = ("accounts", "agreements", "catalog", "core", "fairs", "matchmaking", "ocop", "public_site", "reports", "salespoints",
           "scheduler", "templates")


def _msgids() -> dict[str | tuple[str, str], str]:
    """What Babel extracts with the project's babel.cfg (the command that fills the catalogue); a
    plural text (ngettext, {% trans count %}) as its (singular, plural) pair."""
    with (ROOT / "babel.cfg").open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    found = {}
    for filename, _line, message, _comments, _context in extract_from_dir(
            ROOT, method_map=method_map, options_map=options_map,
            keywords={"_": None, "N_": None, "gettext": None, "ngettext": (1, 2)}):
        if filename.split("/")[0] not in SOURCES:
            continue
        if isinstance(message, tuple) and len(message) == 2 and all(message):
            found.setdefault(message, filename)
            continue
        for text in message if isinstance(message, tuple) else (message,):
            if text:
                found.setdefault(text, filename)
    return found


def _translated(catalog, text: str | tuple[str, str]) -> bool:
    """A plural text is one entry keyed by its singular, with msgid_plural and every plural form filled."""
    entry = catalog.get(text[0] if isinstance(text, tuple) else text)
    if entry is None or isinstance(text, tuple) != entry.pluralizable:
        return False
    return all(entry.string) if isinstance(text, tuple) else bool(entry.string)


def test_every_text_shown_has_a_vietnamese_translation():
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle, locale="vi")
    extracted = _msgids()
    assert len(extracted) > 900  # the extraction read the sources
    missing = {text: where for text, where in extracted.items() if not _translated(catalog, text)}
    assert not missing, missing


def test_no_text_is_marked_inside_an_f_string_where_extraction_cannot_see_it():
    marked = re.compile(r"""\bf(["']).*?\{_\(""")
    found = [f"{path.relative_to(ROOT)}:{number}" for folder in SOURCES[:-1] for path in (ROOT / folder).rglob("*.py")
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if marked.search(line)]
    assert not found, found
