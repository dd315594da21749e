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


def print_pdf(kind: str, data: Any, code: str) -> Printed:
    from reports import pdf, render

    started = time.perf_counter()
    document = build(kind, data, code)
    with language(code):
        html = render.print_html(document)
    laid_out = time.perf_counter()
    rendered = pdf.render_sync(html)
    return Printed(rendered.pdf, rendered.pages, {"html": laid_out - started, "weasyprint": time.perf_counter() - laid_out})


def tabulate(kind: str, data: Any, code: str) -> bytes:
    from reports import render

    document = build(kind, data, code)
    with language(code):
        return render.xlsx(document)
