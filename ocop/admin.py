"""piccolo-admin at /admin for raw data, for admins only (it checks the shared session and `admin`)."""

from __future__ import annotations

from litestar import asgi
from litestar.types import Receive, Scope, Send
from piccolo_admin.endpoints import create_admin

from accounts.enums import Role
from accounts.tables import Session, User
from catalog.tables import Buyer, Producer, Product
from core.security import with_admin_headers
from core.settings import settings
from core.tables import AuditEntry

_admin_app = create_admin(
    tables=[Producer, Product, Buyer, User, AuditEntry],
    auth_table=User,
    session_table=Session,
    site_name="OCOP admin",
    production=settings.secure_cookies,
    allowed_hosts=settings.allowed_hosts,
)


async def _refuse(send: Send, status: int, location: str | None = None) -> None:
    send = with_admin_headers(send)
    headers = [(b"content-type", b"text/plain; charset=utf-8")]
    if location:
        headers.append((b"location", location.encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": b"Administrators only.", "more_body": False})


@asgi("/admin", is_mount=True, copy_scope=True)
async def admin_mount(scope: Scope, receive: Receive, send: Send) -> None:
    """Only admins reach piccolo-admin; everyone else is sent to log in or refused."""
    actor = scope.get("user")
    if actor is None:
        await _refuse(send, 302, "/login?next=/admin/")
        return
    if actor.role is not Role.admin:
        await _refuse(send, 403)
        return
    if settings.session_cookie != ADMIN_SESSION_COOKIE:
        scope["headers"] = [renamed_cookie(name, value, settings.session_cookie) for name, value in scope["headers"]]
    await _admin_app(scope, receive, with_admin_headers(send))


ADMIN_SESSION_COOKIE = "id"  # piccolo-admin's own name for the session cookie


def renamed_cookie(name: bytes, value: bytes, session_cookie: str) -> tuple[bytes, bytes]:
    """Under HTTPS the session cookie is __Host-id: piccolo-admin is handed it under the name it reads."""
    if name != b"cookie":
        return name, value
    prefix = session_cookie.encode() + b"="
    return name, b"; ".join(ADMIN_SESSION_COOKIE.encode() + b"=" + part[len(prefix):] if part.startswith(prefix) else part
                            for part in (p.strip() for p in value.split(b";")))
