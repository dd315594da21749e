"""A per-client-IP rate limit on the anonymous pages (product pages, catalogue, producers, sales points,
fairs, open data, sitemap): a token bucket per address, refilled at the configured rate a minute.

Litestar's own `RateLimitMiddleware` was not used: it re-encodes the list of every request time in
the window as JSON under one global lock on each request (600 timestamps at the default), and its
429 carries RateLimit-* headers but no Retry-After. Here each request costs one dictionary lookup.

The buckets live in the worker's memory: with N workers behind a balancer a client gets up to N
times the rate, which is fine for a limit meant to stop scrapers, not to meter users. Behind a
proxy, the address is the one uvicorn takes from X-Forwarded-For (`--proxy-headers`, trusted hosts).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from litestar.openapi.spec import OpenAPIHeader, OpenAPIMediaType, OpenAPIResponse, OpenAPIType, Operation, Schema
from litestar.types import ASGIApp, Receive, Scope, Send

from core.i18n import gettext
from core.security import HEADERS
from core.settings import settings

MAX_CLIENTS = 100_000  # addresses remembered at once; past this, the idle ones are forgotten


class TokenBuckets:
    """`per_minute` requests a minute per client, in bursts of up to `per_minute`."""

    def __init__(self, per_minute: int, max_clients: int = MAX_CLIENTS) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0  # tokens a second
        self.max_clients = max_clients
        self._buckets: dict[str, tuple[float, float]] = {}  # client → (tokens, when counted)

    def take(self, client: str, now: float | None = None) -> float:
        """Spends one token of the client's: 0 when the request may go on, else the seconds until it may."""
        now = time.monotonic() if now is None else now
        tokens, then = self._buckets.get(client, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - then) * self.rate)
        if tokens >= 1:
            self._buckets[client] = (tokens - 1, now)
            if len(self._buckets) > self.max_clients:
                self._forget_idle(now)
            return 0.0
        self._buckets[client] = (tokens, now)
        return (1 - tokens) / self.rate

    def _forget_idle(self, now: float) -> None:
        # A bucket idle for a full minute is full again: the same as no bucket at all.
        full_after = self.capacity / self.rate
        self._buckets = {c: b for c, b in self._buckets.items() if now - b[1] < full_after}
        if len(self._buckets) > self.max_clients:  # that many busy addresses: start again rather than grow
            self._buckets.clear()


_buckets = TokenBuckets(settings.public_rate_limit) if settings.public_rate_limit > 0 else None


def public_rate_limit(app: ASGIApp) -> ASGIApp:
    """Middleware for the public controllers: 429 with Retry-After once a client's bucket is empty."""
    if _buckets is None:  # OCOP_PUBLIC_RATE_LIMIT=0
        return app
    buckets = _buckets

    async def limited(scope: Scope, receive: Receive, send: Send) -> None:
        client = scope.get("client")
        wait = buckets.take(client[0] if client else "")
        if not wait:
            await app(scope, receive, send)
            return
        seconds = max(1, math.ceil(wait))
        body = _too_many_page(scope, seconds)
        headers = [(k.encode(), v.encode()) for k, v in HEADERS.items()] + [
            (b"content-type", b"text/html; charset=utf-8"), (b"content-length", str(len(body)).encode()),
            (b"retry-after", str(seconds).encode()), (b"cache-control", b"no-store")]
        await send({"type": "http.response.start", "status": 429, "headers": headers})
        await send({"type": "http.response.body", "body": body, "more_body": False})

    return limited


def _too_many_page(scope: Scope, seconds: int) -> bytes:
    from litestar import Request

    message = gettext("Too many requests from your network. Please wait %(n)s seconds and try again.") % {"n": seconds}
    try:
        engine = scope["litestar_app"].template_engine
        assert engine is not None  # the app is always built with its templates (and any failure falls back below)
        return engine.get_template("public/too_many.html").render(request=Request(scope), message=message).encode()
    except Exception:  # noqa: BLE001 — the refusal must go out even if the page cannot be drawn
        return f"<!doctype html><meta charset=utf-8><p>{message}</p>".encode()


@dataclass
class RateLimitedOperation(Operation):
    """The published schema of an operation behind `public_rate_limit`: it names the limit's 429 as well."""

    def __post_init__(self) -> None:
        self.responses = {**(self.responses or {}), "429": OpenAPIResponse(
            description="Too many requests from this address: a page saying so; Retry-After gives the seconds to wait.",
            content={"text/html": OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING))},
            headers={"Retry-After": OpenAPIHeader(schema=Schema(type=OpenAPIType.INTEGER, minimum=1), required=True,
                                                  description="Seconds until this address may ask again.")},
        )}
