"""Reading the PDFs the product prints, with pypdf (a wheel: no system package)."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader


def pdf_text(content: bytes, first: int = 1, last: int | None = None) -> str:
    """The text of pages first..last (1-based), laid out as on the page so a table row stays on one line
    (the columns' padding closed up to one space, whatever its characters); pages are separated by a form feed."""
    assert content.startswith(b"%PDF-"), content[:40]
    pages = PdfReader(io.BytesIO(content)).pages[first - 1:last]
    text = "\f".join(page.extract_text(extraction_mode="layout") for page in pages)
    return re.sub(r"[^\S\n\f]+", " ", text)  # any run of spaces (pypdf pads with Unicode ones) as one


def pdf_pages(content: bytes) -> int:
    return len(PdfReader(io.BytesIO(content)).pages)


def pdf_page_size(content: bytes, number: int = 1) -> tuple[float, float]:
    """Width and height of a page in points."""
    box = PdfReader(io.BytesIO(content)).pages[number - 1].mediabox
    return float(box.width), float(box.height)
