"""piccolo-admin at /admin for raw data, for admins only (it checks the shared session and `admin`)."""

from __future__ import annotations

from litestar import asgi
from litestar.types import Receive, Scope, Send
from piccolo_admin.endpoints import create_admin

from accounts.tables import AuditEntry, User, Session
from catalog.tables import Buyer, Producer, Product
from core.settings import settings

_admin_app = create_admin(
    tables=[Producer, Product, Buyer, User, AuditEntry],
    auth_table=User,
    session_table=Session,
    site_name="OCOP admin",
    production=settings.secure_cookies,
    allowed_hosts=[],
)


@asgi("/admin", is_mount=True, copy_scope=True)
async def admin_mount(scope: Scope, receive: Receive, send: Send) -> None:
    await _admin_app(scope, receive, send)  # type: ignore[arg-type]
