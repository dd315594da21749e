"""Login, logout and language choice (user administration pages: ocop.user_pages)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template

from accounts import services
from accounts.guards import current_actor, require_login
from core.errors import TooManyAttempts, ValidationFailed
from core.i18n import pick_language
from core.routing import get, post
from core.settings import settings

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]

SESSION_COOKIE = settings.session_cookie
LANGUAGE_COOKIE = "lang"
LINK_SLOTS = 3  # producer or sales-point fields on the new-user form; the user page adds more


def _safe_next(target: str | None) -> str:
    """Only same-site paths: an open redirect would let a link send a user anywhere after login."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


class AccountPages(Controller):
    include_in_schema = False

    @get("/login")
    async def login_page(self, next: str = "/") -> Template:
        return Template(template_name="accounts/login.html", context={"next": _safe_next(next), "errors": {}})

    @post("/login")
    async def log_in(self, request: Request, data: Form) -> Template | Redirect:
        username = str(data.get("username", ""))
        target = _safe_next(str(data.get("next", "/")))
        client = request.client.host if request.client else "unknown"
        try:
            token = await services.log_in(
                username,
                str(data.get("password", "")),
                client,
                session_hours=settings.session_hours,
            )
        except (ValidationFailed, TooManyAttempts) as error:
            errors = error.errors if isinstance(error, ValidationFailed) else {"password": error.message}
            wait = error.retry_after if isinstance(error, TooManyAttempts) else None
            return Template(
                template_name="accounts/login.html",
                context={"next": target, "errors": errors, "username": username},
                status_code=error.status_code,
                headers={"Retry-After": str(wait)} if wait else None,
            )
        response = Redirect(target)
        response.set_cookie(
            SESSION_COOKIE, token, httponly=True, samesite="lax", secure=settings.secure_cookies,
            max_age=settings.session_hours * 3600,
        )
        return response

    @post("/logout", guards=[require_login])
    async def log_out(self, request: Request) -> Redirect:
        await services.close_session(request.cookies.get(SESSION_COOKIE, ""))
        response = Redirect("/login")
        response.delete_cookie(SESSION_COOKIE)
        return response

    @post("/language")
    async def choose_language(self, request: Request, data: Form) -> Redirect:
        language = pick_language(str(data.get("language", "")))
        actor = current_actor(request)
        if actor is not None and actor.user_id is not None:
            await services.set_language(actor.user_id, language)
        response = Redirect(_safe_next(str(data.get("next", "/"))))
        response.set_cookie(LANGUAGE_COOKIE, language, samesite="lax", max_age=365 * 24 * 3600)
        return response
