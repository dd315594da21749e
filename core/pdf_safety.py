"""What a scanned document must not carry: a PDF that runs JavaScript, launches a program or hides
files inside is refused before it is stored, because the office hands it on to whoever opens it.

The whole object graph reachable from the document's trailer is walked (objects packed in object
streams too, as pypdf resolves them), so a key cannot hide behind compression.
"""

from __future__ import annotations

import io

from pypdf import PdfReader
from pypdf.errors import PdfReadError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

from core.errors import N_

JAVASCRIPT = N_("JavaScript")
LAUNCH = N_("an action that launches a program")
EMBEDDED = N_("files hidden inside it")
UNREADABLE = N_("a structure that cannot be read (damaged or encrypted)")
_MAX_OBJECTS = 200_000  # far past any scan: a document built to exhaust the walk is refused as unreadable


def active_content(content: bytes) -> list[str]:
    """What the PDF carries that a scan never needs (messages to translate); empty when it is inert."""
    try:
        reader = PdfReader(io.BytesIO(content), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            return [UNREADABLE]
        return _walk(reader.trailer)
    except (PdfReadError, ValueError, KeyError, TypeError, RecursionError, OSError):
        return [UNREADABLE]


def _walk(root) -> list[str]:
    found: list[str] = []
    seen: set[tuple[int, int]] = set()
    stack = [root]
    visited = 0
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            key = (item.idnum, item.generation)
            if key in seen:
                continue
            seen.add(key)
            item = item.get_object()
        visited += 1
        if visited > _MAX_OBJECTS:
            return [UNREADABLE]
        if isinstance(item, DictionaryObject):
            _judge(item, found)
            stack.extend(item.values())
        elif isinstance(item, ArrayObject):
            stack.extend(item)
    return found


def _judge(entry: DictionaryObject, found: list[str]) -> None:
    action = entry.get("/S")
    if ("/JS" in entry or "/JavaScript" in entry or action == NameObject("/JavaScript")) and JAVASCRIPT not in found:
        found.append(JAVASCRIPT)
    if (action == NameObject("/Launch") or "/Launch" in entry) and LAUNCH not in found:
        found.append(LAUNCH)
    if ("/EmbeddedFiles" in entry or entry.get("/Type") == NameObject("/EmbeddedFile")) and EMBEDDED not in found:
        found.append(EMBEDDED)
