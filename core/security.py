"""Security headers on every response, set in one place: a `before_send` hook of the application sees
the start of every response it sends — pages, the API, static files, errors, redirects and the
piccolo-admin mount — and adds what the response does not already carry.

The pages' policy allows nothing inline: scripts and styles come from /static (htmx is told not to
inject its indicator <style>, see layout.html), the floor plan and the report charts are SVG with
presentation attributes only, and the product page's JSON-LD is a data block, which browsers do not
execute and CSP does not govern. Two places are looser, each for a reason given beside its policy."""

from __future__ import annotations

import re

from litestar.connection import Request
from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.exceptions import PermissionDeniedException
from litestar.middleware.csrf import CSRFMiddleware
from litestar.types import Message, Receive, Scope, Send
from litestar.utils.scope.state import ScopeState

_COMMON = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",  # stricter than strict-origin-when-cross-origin: no referrer leaves the site
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(self), microphone=(), geolocation=(), payment=(), usb=()",  # the counter scans with the camera
}


def _policy(directives: dict[str, str]) -> str:
    return "; ".join(f"{name} {value}" for name, value in directives.items())


_PAGES = {
    "default-src": "'self'", "script-src": "'self'", "style-src": "'self'", "img-src": "'self'", "font-src": "'self'",
    "connect-src": "'self'", "base-uri": "'self'", "form-action": "'self'", "frame-ancestors": "'none'",
}
CSP = _policy(_PAGES)
# The notification preview shows an email's HTML in a sandboxed srcdoc frame, which inherits this page's
# policy; emails carry their styles inline (mail clients drop stylesheets). Scripts stay refused.
_EMAIL_PREVIEW_CSP = _policy({**_PAGES, "style-src": "'self' 'unsafe-inline'"})
# piccolo-admin's Vue build sets style attributes as it renders; its scripts are files under /admin.
ADMIN_CSP = _policy({**_PAGES, "style-src": "'self' 'unsafe-inline'", "img-src": "'self' data:", "font-src": "'self' data:"})

_POLICIES = ((re.compile(r"^/admin(/|$)"), ADMIN_CSP), (re.compile(r"^/notifications/\d+/?$"), _EMAIL_PREVIEW_CSP))

HEADERS = {**_COMMON, "content-security-policy": CSP}


def policy_for(path: str) -> str:
    for pattern, policy in _POLICIES:
        if pattern.match(path):
            return policy
    return CSP


_COMMON_RAW = tuple((name.encode(), value.encode()) for name, value in _COMMON.items())
_CSP = b"content-security-policy"


async def add_security_headers(message: Message, scope: Scope) -> None:
    """The application's `before_send` hook: a response keeps any of these headers it set itself."""
    if message["type"] != "http.response.start":
        return
    # Raw (name, value) pairs, not MutableScopeHeaders: this runs on every response and its
    # header-by-header lookups cost more than a counter sale's ledger write.
    headers = message.get("headers")
    headers = list(headers) if headers is not None and not isinstance(headers, list) else headers
    if headers is None:
        headers = []
    present = {bytes(name).lower() for name, _ in headers}
    headers.extend(pair for pair in security_headers(scope.get("path", "")) if pair[0] not in present)
    message["headers"] = headers


def security_headers(path: str) -> list[tuple[bytes, bytes]]:
    """Every security header a response at `path` carries, as raw pairs."""
    return [*_COMMON_RAW, (_CSP, policy_for(path).encode())]


def with_admin_headers(send: Send) -> Send:
    """Wraps an ASGI send so the admin's responses carry the admin's policy whatever path they answer."""

    async def send_with_headers(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = MutableScopeHeaders.from_message(message)
            for name, value in _COMMON.items():
                headers[name] = value
            headers["content-security-policy"] = ADMIN_CSP
        await send(message)

    return send_with_headers


class CSRFCheck(CSRFMiddleware):
    """Litestar's double-submit CSRF check (token in a cookie, the same token in the `x-csrftoken`
    header or the form's `_csrf_token`), with two costs taken off every request: a token's HMAC is
    verified once per worker, not on every request, and the request it reads is a plain one, not the
    application's richer request class."""

    _verified: dict[str, str | None]

    def __init__(self, app, config) -> None:
        super().__init__(app, config)
        self._verified = {}

    def _decode_csrf_token(self, token: str) -> str | None:
        if token in self._verified:
            return self._verified[token]
        secret = super()._decode_csrf_token(token)
        if len(self._verified) >= 20_000:  # tokens live as long as their cookie: a bound, not an expiry
            self._verified.clear()
        self._verified[token] = secret
        return secret

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or scope["method"] in self.config.safe_methods or (
                self.exclude and self.exclude.findall(scope["path"])):
            await super().__call__(scope, receive, send)
            return
        request: Request = Request(scope=scope, receive=receive)
        header_token = request.headers.get(self.config.header_name)
        if header_token is None:  # a form: Litestar's own path reads the token from the body
            await super().__call__(scope, receive, send)
            return
        cookie_token = request.cookies.get(self.config.cookie_name)
        if cookie_token is None or not self._csrf_tokens_match(header_token, cookie_token):
            raise PermissionDeniedException("CSRF token verification failed")
        ScopeState.from_scope(scope).csrf_token = header_token
        await self.app(scope, receive, send)
