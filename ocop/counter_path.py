"""The counter's hot path: `POST /api/v1/salespoints/{id}/movements` answered before the framework's
routing, middleware and dependency resolution, which cost three times the ledger write itself.

It takes only requests whose every part is plain: a JSON body within 16 KB that decodes strictly
into `MovementIn`, a logged-in session, a CSRF header matching the CSRF cookie (checked exactly as
Litestar's CSRF middleware checks it), at most one of each header it reads. It calls the route's
service (`services.record_movement`, where the scope, the assortment and the certificate are
checked) and answers 201 with the app's security headers. Anything else, refusals included, goes on
with its body replayed to the Litestar route, which words every error as the API does everywhere
and documents the endpoint in OpenAPI. A refusal has written nothing (a unit is all or nothing),
so the route's second look at it is safe.
"""

from __future__ import annotations

import hashlib
import hmac
import re

import msgspec
from litestar.middleware.csrf import CSRF_SECRET_LENGTH
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from core.i18n import current_language
from core.security import security_headers
from core.settings import settings
from ocop.auth import CSRF_COOKIE, cookies_of, identify
from salespoints import services
from salespoints.schemas import MovementIn

PATH = re.compile(r"/api/v1/salespoints/(\d{1,18})/movements")
MAX_BODY = 16 * 1024
_JSON = b"application/json"
# What every answer of this path carries besides its length, made once: its type and the app's security headers.
_ANSWER_HEADERS = ((b"content-type", _JSON), *security_headers("/api/v1/salespoints/0/movements"))
_READ = frozenset({b"content-type", b"content-length", b"cookie", b"x-csrftoken", b"idempotency-key",
                   b"transfer-encoding", b"content-encoding"})


# Tokens whose signature checked out: a token stays valid as long as the secret key does.
_signed: dict[str, str] = {}


def _csrf_secret(token: str) -> str | None:
    """The random part of a CSRF token whose HMAC is valid (Litestar's token format)."""
    if (secret := _signed.get(token)) is not None:
        return secret
    if len(token) < CSRF_SECRET_LENGTH + 1:
        return None
    secret, signature = token[:CSRF_SECRET_LENGTH], token[CSRF_SECRET_LENGTH:]
    expected = hmac.new(settings.secret_key.encode(), secret.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(signature, expected):
        return None
    if len(_signed) >= 10_000:
        _signed.clear()
    _signed[token] = secret
    return secret


def csrf_tokens_match(header_token: str, cookie_token: str) -> bool:
    header_secret, cookie_secret = _csrf_secret(header_token), _csrf_secret(cookie_token)
    return header_secret is not None and cookie_secret is not None and hmac.compare_digest(header_secret, cookie_secret)


def _plain_headers(scope: Scope) -> dict[bytes, bytes] | None:
    """The headers this path reads, or None when one of them comes twice (the route decides then)."""
    found: dict[bytes, bytes] = {}
    for name, value in scope["headers"]:
        if name in _READ:
            if name in found:
                return None
            found[name] = value
    return found


async def _read_body(receive: Receive) -> tuple[list[Message], bytes | None]:
    """The request's messages as received, and its body (None past MAX_BODY: not read further)."""
    messages, size = [], 0
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            return messages, None  # the client went away
        size += len(message.get("body", b""))
        if size > MAX_BODY:
            return messages, None
        if not message.get("more_body", False):
            return messages, b"".join(m.get("body", b"") for m in messages)


def _replaying(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replay() -> Message:
        return pending.pop(0) if pending else await receive()

    return replay


async def serve(route: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
    """Answers a movement POST (PATH matched) itself, or hands it to `route`, the whole application."""
    headers = _plain_headers(scope)
    length = headers.get(b"content-length", b"") if headers is not None else b""
    if (headers is None or headers.get(b"content-type") != _JSON or b"transfer-encoding" in headers
            or b"content-encoding" in headers or not length.isdigit() or int(length) > MAX_BODY):
        await route(scope, receive, send)
        return
    cookies = cookies_of(scope)
    header_token = headers.get(b"x-csrftoken", b"").decode("latin-1")
    cookie_token = cookies.get(CSRF_COOKIE, "")
    actor, language = await identify(scope, cookies)
    messages, body = await _read_body(receive)
    line = None
    if actor is not None and header_token and cookie_token and csrf_tokens_match(header_token, cookie_token) and body:
        try:
            line = msgspec.json.decode(body, type=MovementIn)
        except msgspec.DecodeError:  # malformed or invalid: the route words the error
            line = None
    if line is None:
        await route(scope, _replaying(messages, receive), send)
        return
    key = headers.get(b"idempotency-key")
    token = current_language.set(language)
    try:
        result = await services.record_movement(
            int(PATH.fullmatch(scope["path"]).group(1)), line, actor, key.decode("latin-1") if key is not None else None)
    except Exception:  # noqa: BLE001 - nothing was written (a unit is all or nothing): the route answers
        await route(scope, _replaying(messages, receive), send)
        return
    finally:
        current_language.reset(token)
    payload = msgspec.json.encode(result)
    await send({"type": "http.response.start", "status": 201,
                "headers": [*_ANSWER_HEADERS, (b"content-length", str(len(payload)).encode())]})
    await send({"type": "http.response.body", "body": payload})
