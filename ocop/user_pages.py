"""User administration pages (`/users`, admins only): accounts with their links to producers and points."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template

from accounts import services as accounts
from accounts.enums import Role
from accounts.guards import acting, current_actor, require_admin
from accounts.schemas import UserChange, picked_ids, search_text
from core.audit import audit_trail
from core.errors import N_, ValidationFailed
from core.forms import parse_struct
from core.routing import get, post
from ocop import users as services

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
LINK_SLOTS = 3  # producer or sales-point fields on the new-user form; the user page adds more


class UserPages(Controller):
    path = "/users"
    guards = [require_admin]
    include_in_schema = False

    @get("/")
    async def users(self) -> Template:
        return Template(template_name="accounts/users.html", context=await _users_context({}, {}))

    @post("/")
    async def create_user(self, request: Request) -> Template | Redirect:
        form = await request.form()
        values: dict[str, Any] = {k: str(v) for k, v in form.items() if k not in ("_csrf_token", "producers", "points")}
        values["producers"], values["points"] = _picks(form, "producers"), _picks(form, "points")
        try:
            role = Role(values.get("role", ""))
        except ValueError:
            role = None
        try:
            if role is None:
                raise ValidationFailed({"role": N_("Choose one of the listed values.")})
            await services.create_user(
                values.get("username", ""), values.get("password", ""), role, values.get("email", ""),
                first_name=values.get("first_name", ""), last_name=values.get("last_name", ""),
                producer_ids=picked_ids(values["producers"]), point_ids=picked_ids(values["points"]),
                actor=acting(request),
            )
        except ValidationFailed as error:
            return Template(template_name="accounts/users.html", context=await _users_context(values, error.errors),
                            status_code=422)
        return Redirect("/users")

    @get("/producer-choices")
    async def producer_choices(self, producers: str = "") -> Template:
        """Suggestions for a producer field as the admin types (htmx sends the field under its own name)."""
        return Template(template_name="accounts/_producer_choices.html",
                        context={"producers": await services.producer_choices(search_text(producers))})

    @get("/{user_id:int}")
    async def user(self, request: Request, user_id: int) -> Template:
        return Template(template_name="accounts/user.html", context=await _user_context(request, user_id))

    @post("/{user_id:int}")
    async def update_user(self, request: Request, user_id: int, data: Form) -> Template | Redirect:
        values = {k: v for k, v in data.items() if k != "_csrf_token"}
        try:
            await services.update_user(user_id, parse_struct(values, UserChange), acting(request))
        except ValidationFailed as error:
            return await _user_page(request, user_id, values=values, errors=error.errors)
        return Redirect(f"/users/{user_id}")

    @post("/{user_id:int}/password")
    async def set_password(self, request: Request, user_id: int, data: Form) -> Template | Redirect:
        password = str(data.get("password", ""))
        try:
            if password != str(data.get("password_again", "")):
                raise ValidationFailed({"password_again": N_("The two passwords are not the same.")})
            await accounts.set_password(user_id, password, acting(request))
        except ValidationFailed as error:
            return await _user_page(request, user_id, password_errors=error.errors)
        return Redirect(f"/users/{user_id}")

    @post("/{user_id:int}/producers")
    async def link_producers(self, request: Request, user_id: int) -> Template | Redirect:
        picks = _picks(await request.form(), "producers")
        try:
            await services.link_producers(user_id, picked_ids(picks), acting(request))
        except ValidationFailed as error:
            return await _user_page(request, user_id, link_values={"producers": picks}, link_errors=error.errors)
        return Redirect(f"/users/{user_id}")

    @post("/{user_id:int}/producers/{producer_id:int}/delete")
    async def unlink_producer(self, request: Request, user_id: int, producer_id: int) -> Redirect:
        await services.unlink_producer(user_id, producer_id, acting(request))
        return Redirect(f"/users/{user_id}")

    @post("/{user_id:int}/points")
    async def link_points(self, request: Request, user_id: int) -> Template | Redirect:
        picks = _picks(await request.form(), "points")
        try:
            await services.link_points(user_id, picked_ids(picks), acting(request))
        except ValidationFailed as error:
            return await _user_page(request, user_id, link_values={"points": picks}, link_errors=error.errors)
        return Redirect(f"/users/{user_id}")

    @post("/{user_id:int}/points/{point_id:int}/delete")
    async def unlink_point(self, request: Request, user_id: int, point_id: int) -> Redirect:
        await services.unlink_point(user_id, point_id, acting(request))
        return Redirect(f"/users/{user_id}")


def _picks(form: Any, name: str) -> list[str]:
    """The non-empty values of a repeated form field (a picker with several inputs)."""
    return [str(v) for v in form.getall(name, []) if str(v).strip()] if hasattr(form, "getall") else []


async def _users_context(values: dict[str, Any], errors: dict[str, Any]) -> dict[str, Any]:
    return {"users": await services.list_users(), "points": await services.point_choices(), "values": values,
            "errors": errors, "link_slots": LINK_SLOTS}


async def _user_context(request: Request, user_id: int, *, values: dict[str, Any] | None = None,
                        errors: dict[str, Any] | None = None, password_errors: dict[str, Any] | None = None,
                        link_values: dict[str, Any] | None = None, link_errors: dict[str, Any] | None = None) -> dict:
    user = await services.get_user(user_id)
    actor = current_actor(request)
    return {
        "user": user,
        "values": values if values is not None else {k: user[k] for k in ("role", "email", "active", "first_name", "last_name")},
        "errors": errors or {}, "password_errors": password_errors or {},
        "link_values": link_values or {}, "link_errors": link_errors or {},
        "points": await services.point_choices(),
        "history": await audit_trail("user", user_id),
        "is_self": actor is not None and actor.user_id == user_id,
    }


async def _user_page(request: Request, user_id: int, **form_state: Any) -> Template:
    """The user page again with what was typed and what is wrong with it."""
    return Template(template_name="accounts/user.html", status_code=422,
                    context=await _user_context(request, user_id, **form_state))
