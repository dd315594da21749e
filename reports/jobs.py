"""What a report worker does with the gathered data: build the document in the report's language,
then print it (PDF) or tabulate it (.xlsx). The data crosses to the worker as plain dataclasses;
everything CPU-heavy (formatting thousands of rows, Jinja, WeasyPrint, openpyxl) happens there,
so the web process stays responsive, and the PDF and the .xlsx are made side by side.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from core import i18n
from reports.document import Document


@contextmanager
def language(code: str):
    token = i18n.current_language.set(code if code in i18n.LANGUAGES else i18n.DEFAULT_LANGUAGE)
    try:
        yield
    finally:
        i18n.current_language.reset(token)


def build(kind: str, data: Any, code: str) -> Document:
    """The document of a report kind from its data, in language `code`."""
    from reports import followup, monthly, outcome

    builders = {"fair_outcome": outcome.build, "salespoint_monthly": monthly.build, "agreement_followup": followup.build}
    with language(code):
        document = builders[kind](data)
    document.language = code
    return document


@dataclass(frozen=True)
class Printed:
    pdf: bytes
    pages: int
    seconds: dict[str, float]


# A report whose listings are shorter than this is printed in one piece: splitting costs a second
# layout of the front part, which only pays off over a long listing.
SPLIT_FROM_PAGES = 12


@dataclass(frozen=True)
class Halves:
    """A long report cut in two print documents of about the same number of pages, to be rendered
    in two workers at once and merged: the front part with the first listing pages, then the rest."""

    first: str
    second: str
    first_pages: int
    second_pages: int
    seconds: dict[str, float]


def print_pdf(kind: str, data: Any, code: str) -> Printed:
    """The whole report as one PDF, in this process."""
    from reports import render

    started = time.perf_counter()
    document = build(kind, data, code)
    with language(code):
        html = render.print_html(document)
    return _printed(html, started)


def _printed(html: str, started: float) -> Printed:
    from reports import pdf

    laid_out = time.perf_counter()
    rendered = pdf.render_sync(html)
    return Printed(rendered.pdf, rendered.pages, {"html": laid_out - started, "weasyprint": time.perf_counter() - laid_out})


def prepare_print(kind: str, data: Any, code: str) -> Printed | Halves:
    """Either the PDF (a short report), or its two halves' HTML, numbered to follow each other.

    The listings' pages are counted when they are typeset; the front part is laid out once to count
    its own, which gives every page its number and the total before the halves are rendered."""
    from reports import pdf, render

    started = time.perf_counter()
    document = build(kind, data, code)
    with language(code):
        plan = render.PrintPlan(document)
        listing = plan.listing_pages
        if listing < SPLIT_FROM_PAGES:
            return _printed(plan.html(), started)
        # The page numbers in the contents and the total in the footers do not change the front's length.
        front = len(pdf.layout(plan.html(listing_pages=(0, 0), total_pages=listing + 999)).pages)
        total = front + listing
        split = min(listing, max(0, (total + 1) // 2 - front))
        first = plan.html(listing_pages=(0, split), total_pages=total)
        second = plan.html(front=False, listing_pages=(split, listing), first_page=front + split + 1, total_pages=total)
    return Halves(first, second, front + split, listing - split, {"prepare": time.perf_counter() - started})


def tabulate(kind: str, data: Any, code: str) -> bytes:
    from reports import render

    document = build(kind, data, code)
    with language(code):
        return render.xlsx(document)
