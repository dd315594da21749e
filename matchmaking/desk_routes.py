"""The organizer's pages for one participant and for the day: a registration with every need and offer, its own
link, its meetings to move, swap or add to; the check-in desk; the links sent to every participant. Thin: parse,
call a service, render."""

from __future__ import annotations

import re
from typing import Annotated, Any
from urllib.parse import urlencode

import msgspec
from litestar import Controller, Request
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template

from accounts.guards import acting, require_login
from catalog.reference import fold
from core.errors import DomainError, ValidationFailed
from core.forms import parse_struct
from core.ids import is_id
from core.routing import get, post
from core.settings import settings
from matchmaking import needs_forms, participant_links, services
from matchmaking.enums import Side
from matchmaking.link_signing import participant_path
from matchmaking.routes import require_organizer, require_reader
from matchmaking.schemas import ExtraMeetingIn, ParticipantIn, PlaceIn, SwapIn

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]


def _back_to(data: dict) -> int | None:
    """The participant page a form came from (its `back` field), when it names one."""
    text = str(data.get("back") or "")
    return int(text) if re.fullmatch(r"[0-9]{1,10}", text) and is_id(int(text)) else None


def _back(fair_id: int, data: dict, anchor: str = "meetings-title") -> Redirect:
    """Back to the participant page the form came from, or to the conference's page."""
    participant = _back_to(data)
    if participant is not None:
        return Redirect(f"/fairs/{fair_id}/meetings/participants/{participant}#{anchor}")
    return Redirect(f"/fairs/{fair_id}/meetings/#{anchor}")


class ParticipantPages(Controller):
    path = "/fairs/{fair_id:int}/meetings"
    guards = [require_login, require_reader]
    include_in_schema = False

    @get("/participants/{participant_id:int}")
    async def participant(self, request: Request, fair_id: int, participant_id: int) -> Template:
        return await self._page(request, fair_id, participant_id)

    async def _page(self, request: Request, fair_id: int, participant_id: int, values: dict | None = None,
                    errors: dict | None = None, status_code: int = 200, problem: Any = None) -> Template:
        fair = await services.conference(fair_id)
        participant = await services.participant(fair_id, participant_id)
        room = await services.room(fair_id)
        organizer = acting(request).role in services.ORGANIZERS
        buyer = participant.side == Side.buyer.value
        others = [(p.id, p.name) for p in await services.participants(fair_id)
                  if p.side != participant.side]
        link = f"{settings.base_url}{participant_path(participant_id, fair['ends_on'])}" if organizer else ""
        return Template(template_name="matchmaking/participant_admin.html", status_code=status_code, context={
            "fair": fair, "participant": participant, "room": room, "organizer": organizer, "link": link,
            "meetings": await services.meetings(fair_id, participant_id), "others": others, "buyer": buyer,
            "values": values or needs_forms.shown(participant), "errors": errors or {}, "problem": problem,
            "choices": await needs_forms.choices(participant, room)})

    @post("/participants/{participant_id:int}", guards=[require_organizer])
    async def save(self, request: Request, fair_id: int, participant_id: int, data: Form) -> Template | Redirect:
        """The registration as the organizer heard it: needs or offer, slots attended, quota."""
        values = needs_forms.form_values(data)
        try:
            participant = await services.participant(fair_id, participant_id)
            form = needs_forms.read(values)
            await services.register(fair_id, ParticipantIn(
                side=Side(participant.side), buyer_id=participant.buyer_id, producer_id=participant.producer_id,
                **msgspec.structs.asdict(form)), acting(request))
        except ValidationFailed as error:
            return await self._page(request, fair_id, participant_id, values, dict(error.errors), 422)
        return Redirect(f"/fairs/{fair_id}/meetings/participants/{participant_id}")

    @post("/participants/{participant_id:int}/arrived", guards=[require_organizer])
    async def arrived(self, request: Request, fair_id: int, participant_id: int, data: Form) -> Redirect:
        await services.check_in(participant_id, acting(request), fair_id)
        if str(data.get("back") or "") == "desk":
            query = urlencode({"q": str(data.get("q") or "")})
            return Redirect(f"/fairs/{fair_id}/meetings/desk?{query}#participant-{participant_id}")
        return Redirect(f"/fairs/{fair_id}/meetings/participants/{participant_id}")

    async def _change(self, request: Request, fair_id: int, data: dict, action) -> Template | Redirect:
        """Runs a hand change; a refusal shows the page it came from again, with the reason."""
        try:
            await action()
        except DomainError as error:
            message = error.message if not isinstance(error, ValidationFailed) else next(iter(error.errors.values()))
            back = _back_to(data)
            if back is not None:
                return await self._page(request, fair_id, back, status_code=error.status_code, problem=message)
            raise
        return _back(fair_id, data)

    @post("/add", guards=[require_organizer])
    async def add(self, request: Request, fair_id: int, data: Form) -> Template | Redirect:
        """An extra meeting in a free slot and table."""
        async def change() -> None:
            extra = parse_struct({k: str(v) for k, v in data.items()}, ExtraMeetingIn)
            await services.add_meeting(fair_id, extra.buyer, extra.producer, extra.slot, extra.table, acting(request))
        return await self._change(request, fair_id, data, change)

    @post("/{meeting_id:int}/move", guards=[require_organizer])
    async def move(self, request: Request, fair_id: int, meeting_id: int, data: Form) -> Template | Redirect:
        async def change() -> None:
            place = parse_struct({k: str(v) for k, v in data.items()}, PlaceIn)
            await services.move_meeting(fair_id, meeting_id, place.slot, place.table, acting(request))
        return await self._change(request, fair_id, data, change)

    @post("/{meeting_id:int}/swap", guards=[require_organizer])
    async def swap(self, request: Request, fair_id: int, meeting_id: int, data: Form) -> Template | Redirect:
        async def change() -> None:
            swap = parse_struct({k: str(v) for k, v in data.items()}, SwapIn)
            await services.swap_meetings(fair_id, meeting_id, swap.other, acting(request))
        return await self._change(request, fair_id, data, change)

    @get("/desk")
    async def desk(self, request: Request, fair_id: int, q: str = "") -> Template:
        """The check-in desk: participants found by name, who has arrived, and a button for those who have not."""
        everyone = await services.participants(fair_id)
        words = fold(q).split()
        found = [p for p in everyone if all(word in fold(p.name) for word in words)]
        return Template(template_name="matchmaking/desk.html", context={
            "fair": await services.conference(fair_id), "q": q, "found": found[:60], "more": max(0, len(found) - 60),
            "arrived": sum(p.arrived for p in everyone), "total": len(everyone),
            "organizer": acting(request).role in services.ORGANIZERS})

    @post("/links", guards=[require_organizer])
    async def send_links(self, request: Request, fair_id: int) -> Redirect:
        """E-mails each participant the link to its own page (once each)."""
        await participant_links.send_links(fair_id, acting(request))
        return Redirect(f"/fairs/{fair_id}/meetings/?links=sent#participants-title")
