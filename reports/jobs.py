"""What a report worker does with the gathered data: build the document in the report's language,
then print it (PDF) or tabulate it (.xlsx). The data crosses to the worker as plain dataclasses;
everything CPU-heavy (formatting thousands of rows, Jinja, WeasyPrint, openpyxl) happens there,
so the web process stays responsive, and the PDF and the .xlsx are made side by side.
"""

from __future__ import annotations

import time
from collections.abc import Callable
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

    builders: dict[str, Callable[[Any], Document]] = {"fair_outcome": outcome.build, "salespoint_monthly": monthly.build, "agreement_followup": followup.build}
    with language(code):
        document = builders[kind](data)
    document.language = code
    return document


@dataclass(frozen=True)
class Printed:
    pdf: bytes
    pages: int
    seconds: dict[str, float]


def print_pdf(kind: str, data: Any, code: str) -> Printed:
    """The report as one PDF, in this process.

    WeasyPrint prints the front part (cover, contents, figures, charts, short tables), with an empty page
    standing in for each page of the listings at the end, so that it numbers every page and fills the
    contents as for the whole document; the listings, typeset already, are drawn straight into PDF
    (reports/listing_pdf.py) and appended."""
    from reports import i18n as report_i18n
    from reports import listing_pdf, pdf, render
    from reports.formats import date
    from reports.text import printable

    started = time.perf_counter()
    document = build(kind, data, code)
    with language(code):
        plan = render.PrintPlan(document)
        listing = plan.listing_pages
        html = plan.html()
        furniture = listing_pdf.Furniture(
            printable(f"{document.title} · {document.subject}"),
            report_i18n.gettext("Compiled on %(day)s") % {"day": date(document.generated_on)},
            report_i18n.gettext("Page"))
    typeset = time.perf_counter()
    laid_out = pdf.layout(html)
    front = len(laid_out.pages) - listing
    if listing:
        laid_out = laid_out.copy(laid_out.pages[:front])
    front_pdf = laid_out.write_pdf()
    weasyprint = time.perf_counter()
    if not listing:
        return Printed(front_pdf, front, {"html": typeset - started, "weasyprint": weasyprint - typeset})
    listings = listing_pdf.draw(plan, furniture, first_page=front + 1, total_pages=front + listing)
    drawn = time.perf_counter()
    merged = pdf.merge([front_pdf, listings])
    return Printed(merged, front + listing, {"html": typeset - started, "weasyprint": weasyprint - typeset,
                                             "listings": drawn - weasyprint, "merge": time.perf_counter() - drawn})


def tabulate(kind: str, data: Any, code: str) -> bytes:
    from reports import render

    document = build(kind, data, code)
    with language(code):
        return render.xlsx(document)
