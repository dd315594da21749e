"""Rendered public pages kept in memory, so a QR scan is answered without querying and rendering.

A page is reused while the data version is unchanged: the newest audit row (every edit of a
product, producer, photo, fair or sales point leaves one), the newest ledger movement (stock, hence
where to buy), the newest booth assignment, and the day (validity is worded against today). The
version is read at most once a second (OCOP_PUBLIC_VERSION_SECONDS), and a page is rebuilt after a minute whatever the version
says, which bounds staleness for writes that leave no audit row (bulk imports) to what the pages'
`Cache-Control: max-age=60` already allows.
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from dataclasses import dataclass

from litestar import Request, Response

from catalog.services import today
from core.database import fetch_rows
from core.security import HEADERS
from core.settings import settings
from core.tables import AuditEntry

PAGE_SECONDS = 60.0
MAX_PAGES = 4000

_VERSION = ("SELECT (SELECT MAX(id) FROM audit_entry) AS audit, (SELECT MAX(id) FROM stock_movement) AS stock, "
            "(SELECT MAX(id) FROM booth_assignment) AS booths")


@dataclass(frozen=True)
class Page:
    body: bytes
    status: int
    etag: str
    built: float

    def response(self, request: Request) -> Response:
        headers = {**HEADERS, "etag": self.etag, "cache-control": "public, max-age=60", "vary": "Cookie, Accept-Language"}
        if request.headers.get("if-none-match") == self.etag:
            return Response(b"", status_code=304, headers=headers)
        # The framework adds "; charset=utf-8" to text types itself: naming it here doubled it.
        return Response(self.body, status_code=self.status, media_type="text/html", headers=headers)


def page(body: bytes, status: int, language: str) -> Page:
    tag = '"' + hashlib.blake2b(body + language.encode(), digest_size=12).hexdigest() + '"'
    return Page(body, status, tag, time.monotonic())


class PageCache:
    """Per worker process: a bounded LRU of pages, each valid for the data version it was built from."""

    def __init__(self) -> None:
        self._pages: OrderedDict[tuple, tuple[tuple, Page]] = OrderedDict()
        self._version: tuple | None = None
        self._read_at = 0.0

    async def version(self) -> tuple:
        now = time.monotonic()
        if self._version is None or now - self._read_at >= settings.public_version_seconds:
            row = (await fetch_rows(AuditEntry._meta.db, _VERSION))[0]
            self._version, self._read_at = (row["audit"], row["stock"], row["booths"], today()), now
        return self._version

    def get(self, key: tuple, version: tuple) -> Page | None:
        found = self._pages.get(key)
        if found is None or found[0] != version or time.monotonic() - found[1].built > PAGE_SECONDS:
            return None
        self._pages.move_to_end(key)
        return found[1]

    def put(self, key: tuple, version: tuple, built: Page) -> None:
        self._pages[key] = (version, built)
        self._pages.move_to_end(key)
        while len(self._pages) > MAX_PAGES:
            self._pages.popitem(last=False)

    def clear(self) -> None:
        self._pages.clear()
        self._version = None


pages = PageCache()
