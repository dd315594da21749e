"""The framework's ceiling for bench/public_face.py: a Litestar endpoint answering /p/{code} with the same bytes
every time (a page of the product page's size, read from OCOP_BARE_PAGE at start-up)."""

import os
from pathlib import Path

from litestar import Litestar, Response, get

PAGE = Path(os.environ["OCOP_BARE_PAGE"]).read_bytes() if os.environ.get("OCOP_BARE_PAGE") else b"<!doctype html><p>OCOP</p>"


@get("/p/{code:str}")
async def static_page(code: str) -> Response:
    return Response(PAGE, media_type="text/html; charset=utf-8")


@get("/health")
async def health() -> dict:
    return {"status": "ok"}


app = Litestar(route_handlers=[static_page, health])
