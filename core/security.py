"""Security headers on every response: set once on the app (cheap), and on piccolo-admin's mount
with a looser CSP, since its Vue pages need inline code."""

from __future__ import annotations

from litestar import Response
from litestar.datastructures import MutableScopeHeaders, ResponseHeader
from litestar.types import Message, Send

_COMMON = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
}
_CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'"
_ADMIN_CSP = "default-src 'self' 'unsafe-inline' 'unsafe-eval' data:; frame-ancestors 'none'"

HEADERS = {**_COMMON, "content-security-policy": _CSP}
RESPONSE_HEADERS = [ResponseHeader(name=name, value=value) for name, value in HEADERS.items()]


async def add_security_headers(response: Response) -> Response:
    """For responses the app-level headers do not reach: static files and error pages."""
    response.headers.update(HEADERS)
    return response


def with_admin_headers(send: Send) -> Send:
    """Wraps an ASGI send so the admin's responses carry the headers too."""

    async def send_with_headers(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = MutableScopeHeaders.from_message(message)
            for name, value in _COMMON.items():
                headers[name] = value
            headers["content-security-policy"] = _ADMIN_CSP
        await send(message)

    return send_with_headers
