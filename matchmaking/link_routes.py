"""A participant's own page, opened from the signed link in its e-mails: no account, its own registration, matches,
requests and meetings only. Thin: read the link's holder, call a service, render."""

from __future__ import annotations

import re
from typing import Annotated, Any

from litestar import Controller, Request
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Response, Template

from accounts.routes import LANGUAGE_COOKIE
from core import i18n
from core.errors import N_, DomainError, ValidationFailed
from core.ids import is_id
from core.routing import get, post
from matchmaking import documents, needs_forms, participant_links
from matchmaking.enums import Interest, MeetingStatus
from matchmaking.schemas import OwnNeedsIn

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
PRIVATE = {"x-robots-tag": "noindex", "cache-control": "no-store"}


def _number(data: dict, name: str) -> int:
    """A record's id as a form sends it; anything else is refused in words."""
    text = str(data.get(name) or "")
    if not re.fullmatch(r"[0-9]{1,10}", text) or not is_id(int(text)):
        raise ValidationFailed({name: N_("Choose a record from the list.")})
    return int(text)


class ParticipantLinkPages(Controller):
    path = "/meet"
    include_in_schema = False

    @get("/{token:str}")
    async def page(self, request: Request, token: str) -> Template:
        return await self._page(request, token)

    async def _page(self, request: Request, token: str, values: dict | None = None, errors: dict | None = None,
                    status_code: int = 200, problem: Any = None) -> Template:
        who = await participant_links.holder(token)
        if not request.query_params.get("lang") and not request.cookies.get(LANGUAGE_COOKIE):
            i18n.current_language.set(who.participant.language)  # the page speaks as its e-mails do, unless asked
        context = await participant_links.page(who)
        return Template(template_name="matchmaking/participant.html", status_code=status_code, headers=PRIVATE, context={
            **context, "token": token, "values": values or needs_forms.shown(who.participant), "errors": errors or {},
            "choices": await needs_forms.choices(who.participant, context["room"]), "problem": problem})

    async def _done(self, request: Request, token: str, action, anchor: str) -> Template | Redirect:
        """Runs a change; a refusal shows the page again with its reason at the top."""
        try:
            await action()
        except DomainError as error:
            message = error.message if not isinstance(error, ValidationFailed) else next(iter(error.errors.values()))
            return await self._page(request, token, status_code=error.status_code, problem=message)
        return Redirect(f"/meet/{token}#{anchor}")

    @post("/{token:str}/needs")
    async def needs(self, request: Request, token: str, data: Form) -> Template | Redirect:
        """The participant's own needs or offer, and the slots it attends."""
        values = needs_forms.form_values(data)
        try:
            form = needs_forms.read(values)
            await participant_links.update_needs(token, OwnNeedsIn(**{
                name: getattr(form, name) for name in OwnNeedsIn.__struct_fields__}))
        except ValidationFailed as error:
            return await self._page(request, token, values, dict(error.errors), 422)
        return Redirect(f"/meet/{token}#needs-title")

    @post("/{token:str}/interests")
    async def interest(self, request: Request, token: str, data: Form) -> Template | Redirect:
        async def change() -> None:
            try:
                says = Interest(str(data.get("says") or ""))
            except ValueError as error:
                raise ValidationFailed({"says": N_("Choose one of the listed values.")}) from error
            await participant_links.say(token, _number(data, "other"), says)
        return await self._done(request, token, change, "matches-title")

    @post("/{token:str}/requests")
    async def ask(self, request: Request, token: str, data: Form) -> Template | Redirect:
        async def change() -> None:
            await participant_links.ask(token, _number(data, "other"))
        return await self._done(request, token, change, "requests-title")

    @post("/{token:str}/requests/{request_id:int}/answer")
    async def answer(self, request: Request, token: str, request_id: int, data: Form) -> Template | Redirect:
        async def change() -> None:
            await participant_links.answer(token, request_id, str(data.get("accept") or "") == "1")
        return await self._done(request, token, change, "requests-title")

    @post("/{token:str}/meetings/{meeting_id:int}/mark")
    async def mark(self, request: Request, token: str, meeting_id: int, data: Form) -> Template | Redirect:
        async def change() -> None:
            try:
                status = MeetingStatus(str(data.get("status") or ""))
            except ValueError as error:
                raise ValidationFailed({"status": N_("A meeting is marked held, no-show or cancelled.")}) from error
            await participant_links.mark(token, meeting_id, status)
        return await self._done(request, token, change, f"meeting-{meeting_id}")

    @get("/{token:str}/calendar.ics")
    async def calendar(self, token: str) -> Response:
        name, content = await participant_links.calendar(token)
        return Response(content, media_type="text/calendar; charset=utf-8",
                        headers={**PRIVATE, "content-disposition": f'attachment; filename="{name}"'})

    @get("/{token:str}/schedule.pdf")
    async def schedule_pdf(self, token: str) -> Response:
        """The participant's printed schedule."""
        name, content = await documents.participant_schedule_pdf((await participant_links.holder(token)).participant.id)
        return Response(content, media_type="application/pdf",
                        headers={**PRIVATE, "content-disposition": f'inline; filename="{name}"'})
