"""Print HTML to PDF with WeasyPrint, in worker processes: a render takes whole seconds of CPU,
which must not stall the event loop (a thread would hold the GIL), and WeasyPrint's memory grows
with use, so a worker is replaced after a number of tasks.

The URL fetcher lets a document load the shipped fonts and nothing else: report text comes from
user input, and an <img src> or url() in it must not reach the network or the server's files.
"""

from __future__ import annotations

import asyncio
import io
import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import cast
from urllib.parse import unquote, urlparse

from reports.typeset import FONTS_DIR

WORKERS = max(1, min(2, os.cpu_count() or 1))
TASKS_PER_WORKER = 60  # a report is two tasks (its PDF, its .xlsx)
_pool: ProcessPoolExecutor | None = None
_lock = threading.Lock()
_font_config = None  # one per worker process: fonts are loaded once, not for every document


@dataclass(frozen=True)
class Rendered:
    pdf: bytes
    pages: int


def _fetcher():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    fonts = FONTS_DIR.resolve()

    class FontsOnly(URLFetcher):
        """Fetches the report fonts from static/fonts; refuses every other URL."""

        def fetch(self, url: str, headers=None):
            parsed = urlparse(url)
            path = Path(unquote(parsed.path)).resolve() if parsed.scheme == "file" else None
            if path is None or path.parent != fonts or path.suffix != ".ttf" or not path.is_file():
                raise ValueError(f"reports fetch nothing but their fonts ({url[:80]})")
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": "font/ttf"}, 200)

    return FontsOnly()


def layout(html: str):
    """HTML laid out in pages (a WeasyPrint document), not yet drawn."""
    global _font_config
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    if _font_config is None:
        _font_config = FontConfiguration()
    return HTML(string=html, base_url=FONTS_DIR.as_uri() + "/", url_fetcher=_fetcher()).render(font_config=_font_config)


def render_sync(html: str) -> Rendered:
    """HTML to PDF in this process (a worker calls it; tests and the benchmark may too)."""
    document = layout(html)
    return Rendered(document.write_pdf(), len(document.pages))


def merge(parts: list[bytes]) -> bytes:
    """PDFs one after the other, as one: pages, bookmarks and the first part's metadata and language."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import DictionaryObject, NameObject

    readers = [PdfReader(io.BytesIO(part)) for part in parts]
    writer = PdfWriter()
    for reader in readers:
        writer.append(reader)
    if readers[0].metadata:
        writer.add_metadata(dict(readers[0].metadata))
    catalog = cast(DictionaryObject, readers[0].trailer["/Root"])  # the document catalog is a dictionary
    for key in ("/Lang", "/PageMode"):
        if key in catalog:
            writer.root_object[NameObject(key)] = catalog[key]
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _exit_with_parent(parent: int) -> None:
    """A worker whose server was killed (SIGKILL, OOM) would live on as an orphan: it leaves instead."""
    while True:
        time.sleep(2)
        if os.getppid() != parent:
            os._exit(0)


def _warm() -> None:
    """Pays for importing WeasyPrint and loading the fonts when the worker starts, not on the first report."""
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()
    render_sync('<html><head><meta charset="utf-8"><style>@font-face { font-family: R; '
                f'src: url({FONTS_DIR.as_uri()}/DejaVuSans.ttf); }} body {{ font-family: R; }}</style></head>'
                "<body><p>Ấm</p></body></html>")


def pool() -> ProcessPoolExecutor:
    """The workers, started on first use ("spawn": a clean process, not a fork of a server with threads)."""
    global _pool
    with _lock:
        if _pool is None:
            _pool = ProcessPoolExecutor(max_workers=WORKERS, mp_context=multiprocessing.get_context("spawn"),
                                        initializer=_warm, max_tasks_per_child=TASKS_PER_WORKER)
        return _pool


def warm_up() -> None:
    """Starts the workers now. The report benchmark calls it; the application does not, so the first report
    after a start waits for the workers to load (several seconds), which every test server would pay too."""
    executor = pool()
    for future in [executor.submit(_noop) for _ in range(WORKERS)]:
        future.result()


def _noop() -> None:
    return None


def shutdown() -> None:
    global _pool
    with _lock:
        if _pool is not None:
            _pool.shutdown(wait=False, cancel_futures=True)
            _pool = None


async def render(html: str) -> Rendered:
    """HTML to PDF in a worker process, awaited without blocking the event loop."""
    return await asyncio.get_running_loop().run_in_executor(pool(), render_sync, html)
