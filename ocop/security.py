"""Security headers on every response (piccolo-admin's own pages get a looser CSP: it needs inline code)."""

from __future__ import annotations

from litestar.datastructures import MutableScopeHeaders
from litestar.types import ASGIApp, Message, Receive, Scope, Send

_COMMON = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
}
_CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'"
_ADMIN_CSP = "default-src 'self' 'unsafe-inline' 'unsafe-eval' data:; frame-ancestors 'none'"


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        csp = _ADMIN_CSP if scope["path"].startswith("/admin") else _CSP

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableScopeHeaders.from_message(message)
                for name, value in _COMMON.items():
                    headers[name] = value
                headers["content-security-policy"] = csp
            await send(message)

        await self.app(scope, receive, send_with_headers)
