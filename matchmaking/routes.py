"""The matchmaking of connection conferences: /api/v1/fairs/{fair}/matchmaking and the organizer's page. Thin:
parse, call a service, render."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template

from accounts.enums import Role
from accounts.guards import acting, require_login, require_roles
from agreements.schemas import LineIn
from catalog import reference
from core.errors import N_, Conflict, ValidationFailed
from core.forms import parse_struct
from core.routing import get, post, put
from core.settings import settings
from matchmaking import participant_links, services
from matchmaking.enums import MeetingStatus, Side
from matchmaking.schemas import (
    AnswerIn,
    ExtraMeetingIn,
    FunnelOut,
    InterestIn,
    MarkIn,
    MatchOut,
    MeetingAgreementForm,
    MeetingAgreementIn,
    MeetingOut,
    ParticipantIn,
    ParticipantOut,
    PlaceIn,
    RegistrationForm,
    RequestIn,
    RequestOut,
    RoomForm,
    RoomIn,
    RoomOut,
    ScheduleOut,
    SessionIn,
    SwapIn,
)

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
GROUP_OPTIONS = [(code, group.name_vi) for code, group in reference.groups().items()]
require_organizer = require_roles(Role.organizer)
require_reader = require_roles(Role.organizer, Role.viewer)


class MatchmakingApi(Controller):
    path = "/api/v1/fairs/{fair_id:int}/matchmaking"
    guards = [require_login]
    tags = ["matchmaking"]

    @put("/room", guards=[require_organizer])
    async def set_room(self, request: Request, fair_id: int, data: RoomIn) -> RoomOut:
        """The conference's tables and sessions (its time slots); refused once meetings are confirmed."""
        return await services.set_room(fair_id, data, acting(request))

    @get("/room", guards=[require_reader])
    async def room(self, fair_id: int) -> RoomOut:
        return await services.room(fair_id)

    @post("/participants", guards=[require_organizer])
    async def register(self, request: Request, fair_id: int, data: ParticipantIn) -> ParticipantOut:
        """Registers a buyer with its needs or a producer with its offer (again: updates the registration)."""
        participant = await services.register(fair_id, data, acting(request))
        return next(p for p in await services.participants(fair_id) if p.id == participant)

    @get("/participants", guards=[require_reader])
    async def participants(self, fair_id: int) -> list[ParticipantOut]:
        return await services.participants(fair_id)

    @post("/participants/{participant_id:int}/arrived", status_code=204, guards=[require_organizer])
    async def check_in(self, request: Request, fair_id: int, participant_id: int) -> None:
        await services.check_in(participant_id, acting(request), fair_id)

    @get("/matches", guards=[require_reader])
    async def matches(self, fair_id: int, buyer: int | None = None, producer: int | None = None,
                      limit: int = 50) -> list[MatchOut]:
        """Pairs best first, each with its score, its reasons and what each side said."""
        return await services.matches(fair_id, buyer, producer, max(1, min(limit, 1000)))

    @put("/interests", status_code=204, guards=[require_organizer])
    async def set_interest(self, request: Request, fair_id: int, data: InterestIn) -> None:
        """What one side says of meeting the other (must meet, would meet, no): "no" from either excludes the pair."""
        await services.set_interest(fair_id, data, acting(request))

    @post("/requests", guards=[require_organizer])
    async def send_request(self, request: Request, fair_id: int, data: RequestIn) -> RequestOut:
        made = await services.send_request(fair_id, data.buyer, data.producer, data.asked_by, acting(request))
        return next(r for r in await services.requests(fair_id) if r.id == made)

    @get("/requests", guards=[require_reader])
    async def requests(self, fair_id: int) -> list[RequestOut]:
        """Requests with their status; those unanswered at the organizer's deadline are expired."""
        return await services.requests(fair_id)

    @post("/requests/{request_id:int}/answer", status_code=204, guards=[require_organizer])
    async def answer(self, request: Request, fair_id: int, request_id: int, data: AnswerIn) -> None:
        await services.answer_request(request_id, data.accept, acting(request), fair_id)

    @post("/schedule", guards=[require_organizer])
    async def schedule(self, request: Request, fair_id: int) -> ScheduleOut:
        """Runs the scheduler: draft meetings are placed anew; confirmed, held and missed ones never move."""
        return await services.run_schedule(fair_id, acting(request))

    @post("/schedule/late", guards=[require_organizer])
    async def fit_late(self, request: Request, fair_id: int) -> ScheduleOut:
        """Fits late arrivals and changes into free slots and tables: no standing meeting moves."""
        return await services.fit_late(fair_id, acting(request))

    @post("/schedule/confirm", guards=[require_organizer])
    async def confirm(self, request: Request, fair_id: int) -> dict[str, int]:
        return {"confirmed": await services.confirm_drafts(fair_id, acting(request))}

    @get("/meetings", guards=[require_reader])
    async def meetings(self, fair_id: int, participant: int | None = None) -> list[MeetingOut]:
        return await services.meetings(fair_id, participant)

    @post("/meetings/{meeting_id:int}/mark", status_code=204, guards=[require_organizer])
    async def mark(self, request: Request, fair_id: int, meeting_id: int, data: MarkIn) -> None:
        await services.mark(meeting_id, data.status, acting(request), fair_id)

    @post("/meetings/{meeting_id:int}/agreement", guards=[require_organizer])
    async def agreement(self, request: Request, fair_id: int, meeting_id: int, data: MeetingAgreementIn) -> dict[str, int]:
        """Records the agreement a meeting produced (its parties and conference are the meeting's)."""
        return {"agreement_id": await services.agreement_from_meeting(meeting_id, data, acting(request), fair_id)}

    @post("/meetings", guards=[require_organizer])
    async def add_meeting(self, request: Request, fair_id: int, data: ExtraMeetingIn) -> MeetingOut:
        """An extra meeting in a free slot and table, confirmed at once and sent to both sides."""
        made = await services.add_meeting(fair_id, data.buyer, data.producer, data.slot, data.table, acting(request))
        return await services.meeting(made)

    @post("/meetings/{meeting_id:int}/move", status_code=204, guards=[require_organizer])
    async def move(self, request: Request, fair_id: int, meeting_id: int, data: PlaceIn) -> None:
        """A draft or confirmed meeting moved to a free slot and table (refused when a rule would break)."""
        await services.move_meeting(fair_id, meeting_id, data.slot, data.table, acting(request))

    @post("/meetings/{meeting_id:int}/swap", status_code=204, guards=[require_organizer])
    async def swap(self, request: Request, fair_id: int, meeting_id: int, data: SwapIn) -> None:
        """Two meetings exchange their slots and tables."""
        await services.swap_meetings(fair_id, meeting_id, data.other, acting(request))

    @get("/links", guards=[require_organizer])
    async def links(self, fair_id: int) -> dict[int, str]:
        """Each participant's own page (no account needed): participant id → link."""
        return {k: f"{settings.base_url}{v}" for k, v in (await participant_links.paths(fair_id)).items()}

    @post("/links/send", guards=[require_organizer])
    async def send_links(self, request: Request, fair_id: int) -> dict[str, int]:
        """E-mails each participant its link, once each; returns how many messages were queued."""
        return {"queued": await participant_links.send_links(fair_id, acting(request))}

    @get("/funnel", guards=[require_reader])
    async def funnel(self, fair_id: int) -> FunnelOut:
        """Requests, meetings, no-shows, and the agreements and trade they became."""
        return await services.funnel(fair_id)


class MatchmakingPages(Controller):
    path = "/fairs/{fair_id:int}/meetings"
    guards = [require_login, require_reader]
    include_in_schema = False

    @get("/")
    async def overview(self, request: Request, fair_id: int) -> Template:
        return await self._overview(request, fair_id)

    async def _overview(self, request: Request, fair_id: int, form: str = "", values: dict | None = None,
                        errors: dict | None = None, status_code: int = 200) -> Template:
        fair = await services.conference(fair_id)
        organizer = acting(request).role in services.ORGANIZERS
        return Template(template_name="matchmaking/overview.html", status_code=status_code, context={
            "fair": fair, "room": await services.room(fair_id), "participants": await services.participants(fair_id),
            "matches": await services.matches(fair_id, limit=30), "meetings": await services.meetings(fair_id),
            "funnel": await services.funnel(fair_id), "organizer": organizer,
            "parties": await services.party_options(fair_id) if organizer else {}, "groups": GROUP_OPTIONS,
            "requests": await services.requests(fair_id),
            "links_sent": request.query_params.get("links") == "sent",
            "form": form, "values": values or {}, "errors": errors or {}})

    @post("/room", guards=[require_organizer])
    async def set_room(self, request: Request, fair_id: int, data: Form) -> Template | Redirect:
        """The room from the page: the day, the tables, a morning and an afternoon session."""
        values = {k: str(v) for k, v in data.items() if k != "_csrf_token"}
        try:
            form = parse_struct(values, RoomForm)
            sessions = [SessionIn(starts=starts, slots=slots) for starts, slots in (
                (form.morning_starts, form.morning_slots), (form.afternoon_starts, form.afternoon_slots)) if slots]
            await services.set_room(fair_id, RoomIn(day=form.day, tables=form.tables, meeting_minutes=form.meeting_minutes,
                                                    sessions=sessions), acting(request))
        except (ValidationFailed, Conflict) as error:
            errors = error.errors if isinstance(error, ValidationFailed) else {"day": error.message}
            return await self._overview(request, fair_id, "room", values, errors, error.status_code)
        return Redirect(f"/fairs/{fair_id}/meetings/")

    @post("/participants", guards=[require_organizer])
    async def register(self, request: Request, fair_id: int, data: Form) -> Template | Redirect:
        """A buyer with the groups it looks for, or a producer with its OCOP products, registered from the page."""
        values: dict[str, Any] = {k: str(v) for k, v in data.items() if k not in ("_csrf_token", "groups")}
        groups = _as_list(data.get("groups"))  # a repeated field arrives as a list
        try:
            form = parse_struct(values, RegistrationForm)
            party = {"buyer_id": form.party_id} if form.side is Side.buyer else {
                "producer_id": form.party_id, "product_ids": await services.certified_products(form.party_id)}
            registration = msgspec.convert({"side": form.side, "quota": form.quota, "min_stars": form.min_stars,
                                            "groups": groups if form.side is Side.buyer else [], **party}, ParticipantIn)
            await services.register(fair_id, registration, acting(request))
        except (ValidationFailed, msgspec.ValidationError) as error:
            errors: dict[str, Any] = dict(error.errors) if isinstance(error, ValidationFailed) else {
                "groups": N_("Choose the groups from the OCOP list.")}
            for field in ("buyer_id", "producer_id"):
                if field in errors:
                    errors["party_id"] = errors.pop(field)
            return await self._overview(request, fair_id, f"register-{values.get('side', '')}", values, errors, 422)
        return Redirect(f"/fairs/{fair_id}/meetings/#participants-title")

    @post("/interests", guards=[require_organizer])
    async def set_interest(self, request: Request, fair_id: int, data: Form) -> Template | Redirect:
        """What one side says of a pair, as the organizer heard it (by phone, at the desk)."""
        values = {k: str(v) for k, v in data.items() if k != "_csrf_token"}
        try:
            await services.set_interest(fair_id, parse_struct(values, InterestIn), acting(request))
        except ValidationFailed as error:
            return await self._overview(request, fair_id, "matches", values, error.errors, error.status_code)
        return Redirect(f"/fairs/{fair_id}/meetings/#matches-title")

    @post("/requests", guards=[require_organizer])
    async def send_request(self, request: Request, fair_id: int, data: Form) -> Template | Redirect:
        values = {k: str(v) for k, v in data.items() if k != "_csrf_token"}
        try:
            asked = parse_struct(values, RequestIn)
            await services.send_request(fair_id, asked.buyer, asked.producer, asked.asked_by, acting(request))
        except (ValidationFailed, Conflict) as error:
            errors = error.errors if isinstance(error, ValidationFailed) else {"producer": error.message}
            return await self._overview(request, fair_id, "matches", values, errors, error.status_code)
        return Redirect(f"/fairs/{fair_id}/meetings/#requests-title")

    @post("/requests/{request_id:int}/answer", guards=[require_organizer])
    async def answer(self, request: Request, fair_id: int, request_id: int, data: Form) -> Template | Redirect:
        try:
            await services.answer_request(request_id, str(data.get("accept") or "") == "1", acting(request), fair_id)
        except Conflict as error:
            return await self._overview(request, fair_id, "requests", {}, {"request": error.message}, error.status_code)
        return Redirect(f"/fairs/{fair_id}/meetings/#requests-title")

    @post("/schedule", guards=[require_organizer])
    async def schedule(self, request: Request, fair_id: int) -> Template | Redirect:
        try:
            await services.run_schedule(fair_id, acting(request))
        except (ValidationFailed, Conflict) as error:
            errors = error.errors if isinstance(error, ValidationFailed) else {"room": error.message}
            return await self._overview(request, fair_id, "schedule", {}, errors, error.status_code)
        return Redirect(f"/fairs/{fair_id}/meetings/")

    @post("/confirm", guards=[require_organizer])
    async def confirm(self, request: Request, fair_id: int) -> Redirect:
        await services.confirm_drafts(fair_id, acting(request))
        return Redirect(f"/fairs/{fair_id}/meetings/")

    @post("/{meeting_id:int}/mark", guards=[require_organizer])
    async def mark(self, request: Request, fair_id: int, meeting_id: int, data: Form) -> Redirect:
        try:
            status = MeetingStatus(str(data.get("status") or ""))
        except ValueError as error:
            raise ValidationFailed({"status": N_("A meeting is marked held, no-show or cancelled.")}) from error
        await services.mark(meeting_id, status, acting(request), fair_id)
        return Redirect(f"/fairs/{fair_id}/meetings/#meeting-{meeting_id}")

    @get("/{meeting_id:int}/agreement", guards=[require_organizer])
    async def agreement_form(self, request: Request, fair_id: int, meeting_id: int) -> Template:
        return await self._agreement_page(fair_id, meeting_id, {}, {})

    async def _agreement_page(self, fair_id: int, meeting_id: int, values: dict, errors: dict,
                              status_code: int = 200) -> Template:
        meeting = await services.meeting(meeting_id)
        producer = next(p for p in await services.participants(fair_id) if p.id == meeting.producer)
        products = await services.product_names(producer.product_ids)
        return Template(template_name="matchmaking/agreement.html", status_code=status_code, context={
            "fair": await services.conference(fair_id), "meeting": meeting, "products": products,
            "values": values or {"signed_on": date.today().isoformat(), "unit": "sản phẩm"}, "errors": errors})

    @post("/{meeting_id:int}/agreement", guards=[require_organizer])
    async def record_agreement(self, request: Request, fair_id: int, meeting_id: int, data: Form) -> Template | Redirect:
        """The agreement a meeting produced, with its first line; more lines are added on the agreement's page."""
        values = {k: str(v) for k, v in data.items() if k != "_csrf_token"}
        try:
            form = parse_struct(values, MeetingAgreementForm)
            signed = MeetingAgreementIn(signed_on=form.signed_on, kind=form.kind, lines=[LineIn(
                product_id=form.product_id, quantity=form.quantity, unit=form.unit, unit_price=form.unit_price)])
            agreement = await services.agreement_from_meeting(meeting_id, signed, acting(request), fair_id)
        except (ValidationFailed, Conflict) as error:
            errors = error.errors if isinstance(error, ValidationFailed) else {"product_id": error.message}
            return await self._agreement_page(fair_id, meeting_id, values, errors, error.status_code)
        return Redirect(f"/agreements/{agreement}")


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]
