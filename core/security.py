"""Security headers on every response, set in one place: a `before_send` hook of the application sees
the start of every response it sends — pages, the API, static files, errors, redirects and the
piccolo-admin mount — and adds what the response does not already carry.

The pages' policy allows nothing inline: scripts and styles come from /static (htmx is told not to
inject its indicator <style>, see layout.html), the floor plan and the report charts are SVG with
presentation attributes only, and the product page's JSON-LD is a data block, which browsers do not
execute and CSP does not govern. Two places are looser, each for a reason given beside its policy."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from litestar.connection import Request
from litestar.datastructures import MutableScopeHeaders
from litestar.datastructures.cookie import Cookie
from litestar.enums import RequestEncodingType, ScopeType
from litestar.exceptions import PermissionDeniedException
from litestar.middleware.csrf import CSRF_SECRET_BYTES, CSRF_SECRET_LENGTH, CSRFMiddleware
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
    """A double-submit CSRF check (token in a cookie, the same token in the `x-csrftoken` header or the
    form's `_csrf_token`) whose token is bound to the session: its HMAC covers the session cookie too, so a
    token pair taken from one browser is refused beside another's session cookie.

    A safe request whose cookie is missing or bound to another session gets a fresh token; a response that
    sets or clears the session cookie (login, logout) carries the fresh token for the new session with it.
    A token's HMAC is verified once per worker, not on every request."""

    _verified: dict[tuple[str, str], bool]

    def __init__(self, app, config, session_cookie: str) -> None:
        super().__init__(app, config)
        self.session_cookie = session_cookie
        self._session_prefix = f"{session_cookie}=".encode()
        self._verified = {}

    def _hash(self, nonce: str, session: str) -> str:
        return hmac.new(self.config.secret.encode(), f"{nonce}.{session}".encode(), hashlib.sha256).hexdigest()

    def _new_token(self, session: str) -> str:
        nonce = secrets.token_hex(CSRF_SECRET_BYTES)
        return nonce + self._hash(nonce, session)

    def _bound_to(self, token: str, session: str) -> bool:
        known = self._verified.get((token, session))
        if known is None:
            nonce, mac = token[:CSRF_SECRET_LENGTH], token[CSRF_SECRET_LENGTH:]
            known = len(nonce) == CSRF_SECRET_LENGTH and hmac.compare_digest(mac, self._hash(nonce, session))
            if len(self._verified) >= 20_000:  # tokens live as long as their cookie: a bound, not an expiry
                self._verified.clear()
            self._verified[(token, session)] = known
        return known

    def _cookie_header(self, token: str) -> bytes:
        return Cookie(key=self.config.cookie_name, value=token, path=self.config.cookie_path,
                      secure=self.config.cookie_secure, httponly=self.config.cookie_httponly,
                      samesite=self.config.cookie_samesite, domain=self.config.cookie_domain).to_header(header="").encode()

    def _sending(self, send: Send, token: str | None) -> Send:
        """Adds the CSRF cookie `token` to the response, or, when the response changes the session,
        a token for the new session."""

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or [])
                fresh = token
                for name, value in headers:
                    if bytes(name).lower() == b"set-cookie" and bytes(value).startswith(self._session_prefix):
                        session = bytes(value)[len(self._session_prefix):].split(b";", 1)[0].decode("latin-1").strip('"')
                        fresh = self._new_token(session)
                if fresh is not None:
                    headers.append((b"set-cookie", self._cookie_header(fresh)))
                    message["headers"] = headers
            await send(message)

        return send_with_cookie

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or (self.exclude and self.exclude.findall(scope["path"])):
            await self.app(scope, receive, send)
            return
        request: Request = Request(scope=scope, receive=receive)
        cookies = request.cookies
        session = cookies.get(self.session_cookie, "")
        cookie_token = cookies.get(self.config.cookie_name)
        state = ScopeState.from_scope(scope)
        if scope["method"] in self.config.safe_methods:
            if cookie_token is not None and self._bound_to(cookie_token, session):
                state.csrf_token = cookie_token
                await self.app(scope, receive, self._sending(send, None))
            else:
                state.csrf_token = self._new_token(session)
                await self.app(scope, receive, self._sending(send, state.csrf_token))
            return
        submitted = request.headers.get(self.config.header_name)
        if submitted is None and request.content_type[0] in (RequestEncodingType.URL_ENCODED, RequestEncodingType.MULTI_PART):
            submitted = (await request.form()).get("_csrf_token")
        if not (isinstance(submitted, str) and cookie_token is not None and hmac.compare_digest(submitted, cookie_token)
                and self._bound_to(cookie_token, session)):
            raise PermissionDeniedException("CSRF token verification failed")
        state.csrf_token = submitted
        await self.app(scope, receive, self._sending(send, None))
