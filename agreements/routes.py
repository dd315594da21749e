"""Agreement pages (list, entry, the signing-ceremony page, follow-up, print, import) and
/api/v1/agreements. Thin: parse, call a service, render."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Response, Template

from accounts.enums import Role
from accounts.guards import acting, current_actor, require_roles
from agreements import importing, printing, services
from agreements.enums import TRANSITIONS, AgreementKind, AgreementStatus
from agreements.schemas import (
    AgreementFilter,
    AgreementIn,
    AgreementOut,
    AgreementPage,
    DeliveryIn,
    FairSummary,
    RescheduleIn,
    StatusIn,
)
from catalog.routes import optional_int
from catalog.services import today
from catalog.tables import Buyer, Producer, Product
from core import i18n
from core.audit import SYSTEM, audit_trail
from core.errors import N_, DomainError, Msg, NotFound, ValidationFailed, render
from core.forms import assemble, decimal_number, parse_date, parse_struct, whole_number
from core.routing import get, post, put
from core.settings import settings
from fairs.enums import FairStatus
from fairs.services.common import is_organizer
from fairs.tables import Fair

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
Upload = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]
_ID = re.compile(r"\[#(\d+)\]\s*$")
CEREMONY_LINES = 4
# Who reads agreements (a producer only those it is party to, see services.ensure_can_see); sales-point
# managers have no part in them.
require_reader = require_roles(Role.organizer, Role.viewer, Role.producer)
# Who reads the figures across every agreement: they name each producer's and buyer's committed value.
SUMMARY_READERS = (Role.admin, Role.organizer, Role.viewer)
require_summary_reader = require_roles(Role.organizer, Role.viewer)
# Entering and importing agreements is the organizers' work, and their pages show other agreements.
require_editor = require_roles(Role.organizer)
# Deliveries and their evidence: an organizer, or a producer party to the agreement (services.ensure_can_see).
require_party = require_roles(Role.organizer, Role.producer)


def _picked(value: Any) -> int | None:
    """The id in an autocomplete value "Name [#12]" (or a bare id)."""
    text = str(value or "").strip()
    match = _ID.search(text)
    if match:
        return int(match.group(1))
    return int(text) if text.isdigit() else None


async def _upload(upload: Any) -> tuple[str, bytes]:
    if not isinstance(upload, UploadFile):
        raise ValidationFailed({"file": N_("Choose a file to attach.")})
    return upload.filename or "", await upload.read()


class AgreementApi(Controller):
    path = "/api/v1/agreements"
    guards = [require_reader]
    tags = ["agreements"]

    @get("/")
    async def list_agreements(self, request: Request, fair_id: int | None = None, buyer_id: int | None = None,
                              producer_id: int | None = None, province_code: str = "",
                              status: AgreementStatus | None = None, overdue: bool = False, q: str = "", page: int = 1,
                              page_size: int = 50) -> AgreementPage:
        filters = AgreementFilter(fair_id=fair_id, buyer_id=buyer_id, producer_id=producer_id, province_code=province_code,
                                  status=status.value if status else "", overdue=overdue, q=q, page=page,
                                  page_size=page_size)
        return await services.list_agreements(filters, current_actor(request))

    @post("/", guards=[require_editor])
    async def create(self, request: Request, data: AgreementIn) -> AgreementOut:
        actor = acting(request)
        return await services.get_agreement(await services.create_agreement(data, actor), actor)

    @get("/summary", guards=[require_summary_reader])
    async def summary(self, request: Request, fair_id: int | None = None) -> FairSummary:
        return await services.fair_summary(fair_id)

    @get("/{agreement_id:int}")
    async def get_agreement(self, request: Request, agreement_id: int) -> AgreementOut:
        return await services.get_agreement(agreement_id, current_actor(request))

    @put("/{agreement_id:int}", guards=[require_editor])
    async def update(self, request: Request, agreement_id: int, data: AgreementIn) -> AgreementOut:
        actor = acting(request)
        await services.update_agreement(agreement_id, data, actor)
        return await services.get_agreement(agreement_id, actor)

    @post("/{agreement_id:int}/status", guards=[require_editor])
    async def change_status(self, request: Request, agreement_id: int, data: StatusIn) -> AgreementOut:
        actor = acting(request)
        await services.change_status(agreement_id, data.status, actor)
        return await services.get_agreement(agreement_id, actor)

    @post("/{agreement_id:int}/deliveries", guards=[require_party])
    async def deliver(self, request: Request, agreement_id: int, data: DeliveryIn) -> dict:
        return {"id": await services.record_delivery(agreement_id, data, acting(request))}

    @post("/{agreement_id:int}/attachments", guards=[require_party])
    async def attach(self, request: Request, agreement_id: int, data: Upload) -> dict:
        filename, content = await _upload(data.get("file"))
        return {"id": await services.attach(agreement_id, filename, content, acting(request))}

    @post("/{agreement_id:int}/milestones/{milestone_id:int}", guards=[require_editor])
    async def mark_milestone(self, request: Request, agreement_id: int, milestone_id: int, data: dict[str, Any]) -> None:
        done_on = parse_date(data["done_on"]) if data.get("done_on") else None
        await services.mark_milestone(agreement_id, milestone_id, done_on, acting(request))

    @post("/{agreement_id:int}/milestones/{milestone_id:int}/reschedule", status_code=204, guards=[require_editor])
    async def reschedule(self, request: Request, agreement_id: int, milestone_id: int, data: RescheduleIn) -> None:
        """Moves a milestone (even after deliveries), keeping the old date, the day it was agreed and why."""
        await services.reschedule_milestone(agreement_id, milestone_id, data, acting(request))

    @get("/templates/{kind:str}", guards=[require_editor])
    async def template(self, kind: str) -> dict:
        """The articles in force for a kind of agreement: placeholders {goods}, {schedule}, {term}, {copies}."""
        version, articles = await services.in_force(_kind(kind))
        return {"kind": kind, "version": version, "articles": [{"title": t, "body": b} for t, b in articles]}

    @put("/templates/{kind:str}", guards=[require_editor])
    async def save_template(self, request: Request, kind: str, data: dict[str, Any]) -> dict:
        """Saves the articles as the kind's next version; agreements signed before keep the text they were signed with."""
        articles = data.get("articles") if isinstance(data, dict) else None
        if not isinstance(articles, list) or not all(isinstance(a, dict) for a in articles):
            raise ValidationFailed({"articles": N_("Send the articles as a list of {title, body}.")})
        version = await services.save_articles(_kind(kind), [(str(a.get("title") or ""), str(a.get("body") or ""))
                                                             for a in articles], acting(request))
        return {"kind": kind, "version": version}

    @post("/import", guards=[require_editor])
    async def import_preview(self, request: Request, data: Upload) -> dict:
        filename, content = await _upload(data.get("file"))
        preview = await importing.preview(filename, content, _picked(data.get("fair_id")), acting(request))
        # the rows' problems in the reader's language, like every other message of the API
        return {**msgspec.to_builtins(preview), "problems": {
            number: [render(message, i18n.gettext) for message in messages] for number, messages in preview.problems.items()}}

    @post("/import/{token:str}/commit", guards=[require_editor])
    async def import_commit(self, request: Request, token: str, data: dict[str, str]) -> dict:
        return {"imported": await importing.commit(token, data, acting(request))}


class AgreementPages(Controller):
    path = "/agreements"
    guards = [require_reader]
    include_in_schema = False

    @get("/")
    async def agreements(self, request: Request, fair_id: str = "", buyer_id: str = "", producer_id: str = "",
                         province_code: str = "", status: str = "", overdue: str = "", q: str = "",
                         page: int = 1) -> Template:
        # The filter form sends its "all" choices as empty values.
        filters = AgreementFilter(fair_id=optional_int(fair_id), buyer_id=optional_int(buyer_id),
                                  producer_id=optional_int(producer_id), province_code=province_code, status=status,
                                  overdue=overdue in ("true", "1", "on"), q=q, page=page)
        actor = acting(request)
        return Template(template_name="agreements/list.html", context={
            "page": await services.list_agreements(filters, actor), "filters": filters,
            "summary": await services.fair_summary(filters.fair_id) if actor.role in SUMMARY_READERS else None,
            "fairs": await _fairs(), "query": request.url.query,
            "can_edit": is_organizer(actor)})

    # -- entry: the full form and the ceremony page

    @get("/new", guards=[require_editor])
    async def new(self, request: Request, fair_id: int | None = None) -> Template:
        return Template(template_name="agreements/edit.html",
                        context=await _entry_context(None, {"fair_id": fair_id, "signed_on": today()}, {}))

    @post("/new", guards=[require_editor])
    async def create(self, request: Request) -> Template | Redirect:
        form = await request.form()
        values = await _entry_values(form)
        try:
            data = _agreement_in(values)
            await _check_signing_day(values, data)
            agreement_id = await services.create_agreement(data, acting(request))
        except ValidationFailed as error:
            return Template(template_name="agreements/edit.html", status_code=422,
                            context=await _entry_context(None, values, error.errors))
        return Redirect(f"/agreements/{agreement_id}")

    @get("/ceremony", guards=[require_editor])
    async def ceremony(self, request: Request, fair_id: str = "", saved: str = "") -> Template:
        """Keyboard-first entry during a signing ceremony: save and next, running totals on screen.

        Without a fair named, the fair running today is meant (agreements entered without one would be
        left out of its reports); `fair_id=none` is for agreements signed elsewhere."""
        chosen = None if fair_id == "none" else optional_int(fair_id) or await _running_fair()
        return Template(template_name="agreements/ceremony.html", context=await _ceremony_context(
            chosen, {"fair_id": chosen, "signed_on": today().strftime("%d/%m/%Y")}, {}, saved))

    @post("/ceremony", guards=[require_editor])
    async def ceremony_save(self, request: Request) -> Template | Redirect:
        form = await request.form()
        values = await _entry_values(form)
        fair_id = _picked(values.get("fair_id"))
        try:
            data = _agreement_in(values)
            await _check_signing_day(values, data)
            agreement_id = await services.create_agreement(data, acting(request))
        except ValidationFailed as error:
            return Template(template_name="agreements/ceremony.html", status_code=422,
                            context=await _ceremony_context(fair_id, values, error.errors, ""))
        code = (await services.agreement_row(agreement_id))["code"]
        scope = f"fair_id={fair_id or 'none'}&"
        return Redirect(f"/agreements/ceremony?{scope}saved={code}")

    @get("/templates", guards=[require_editor])
    async def templates(self) -> Template:
        """The kinds of agreement, each with the version of its articles in force."""
        kinds = [(kind, (await services.in_force(kind))[0]) for kind in AgreementKind]
        return Template(template_name="agreements/templates.html", context={"kinds": kinds})

    @get("/templates/{kind:str}", guards=[require_editor])
    async def template(self, kind: str) -> Template:
        chosen = _kind(kind)
        version, articles = await services.in_force(chosen)
        return Template(template_name="agreements/template.html", context={
            "kind": chosen, "version": version, "articles": articles, "errors": {}})

    @post("/templates/{kind:str}", guards=[require_editor])
    async def save_template(self, request: Request, kind: str, data: Form) -> Template | Redirect:
        chosen = _kind(kind)
        articles = [(str(data.get(f"title_{n}") or ""), str(data.get(f"body_{n}") or "")) for n in range(60)
                    if f"title_{n}" in data or f"body_{n}" in data]
        try:
            await services.save_articles(chosen, articles, acting(request))
        except ValidationFailed as error:
            version, _ = await services.in_force(chosen)
            return Template(template_name="agreements/template.html", status_code=422, context={
                "kind": chosen, "version": version, "articles": articles, "errors": error.errors})
        return Redirect(f"/agreements/templates/{chosen.value}")

    @get("/products")
    async def product_options(self, producers: list[str] | None = None) -> Template:
        """The products of the producers picked so far, as <option>s for the line inputs (htmx)."""
        return Template(template_name="agreements/_product_options.html",
                        context={"products": await _products_of(producers or [])})

    # -- one agreement

    @get("/{agreement_id:int}")
    async def agreement(self, request: Request, agreement_id: int) -> Template:
        return Template(template_name="agreements/agreement.html",
                        context=await self._context(request, agreement_id, {}, ""))

    async def _context(self, request: Request, agreement_id: int, errors: dict, form: str,
                       values: dict | None = None) -> dict:
        actor = acting(request)
        agreement = await services.get_agreement(agreement_id, actor)
        buyer_link = f"{settings.base_url}{services.buyer_path(agreement.buyer_id)}" if is_organizer(actor) else ""
        return {"agreement": agreement, "audit": await audit_trail("agreement", agreement_id), "errors": errors,
                "values": values or {}, "buyer_link": buyer_link,
                "form": form, "can_edit": is_organizer(actor), "today": today(),
                "next_states": sorted(TRANSITIONS[agreement.status], key=list(AgreementStatus).index),
                "can_deliver": is_organizer(actor) or (actor.role.value == "producer" and bool(
                    actor.producer_ids & {p["id"] for p in agreement.producers}))}

    async def _act(self, request: Request, agreement_id: int, form: str, action,
                   values: dict | None = None) -> Template | Redirect:
        try:
            await action()
        except (ValidationFailed, DomainError) as error:
            errors = error.errors if isinstance(error, ValidationFailed) else {"_": error.message}
            # the form comes back as it was sent, with its errors: nothing typed is lost
            return Template(template_name="agreements/agreement.html", status_code=error.status_code,
                            context=await self._context(request, agreement_id, errors, form, values))
        return Redirect(f"/agreements/{agreement_id}")

    @post("/{agreement_id:int}/deliveries")
    async def deliver(self, request: Request, agreement_id: int, data: Form) -> Template | Redirect:
        values = {k: v for k, v in data.items() if k != "_csrf_token"}
        actor = acting(request)
        return await self._act(request, agreement_id, "delivery", lambda: services.record_delivery(
            agreement_id, parse_struct(values, DeliveryIn), actor), values)

    @post("/{agreement_id:int}/attachments")
    async def attach(self, request: Request, agreement_id: int, data: Upload) -> Template | Redirect:
        actor = acting(request)

        async def action():
            filename, content = await _upload(data.get("file"))
            await services.attach(agreement_id, filename, content, actor)

        return await self._act(request, agreement_id, "attachment", action)

    @post("/{agreement_id:int}/status")
    async def change_status(self, request: Request, agreement_id: int, data: Form) -> Template | Redirect:
        actor = acting(request)

        async def action():
            try:
                target = AgreementStatus(str(data.get("status")))
            except ValueError:
                raise ValidationFailed({"status": N_("Choose one of the listed values.")}) from None
            await services.change_status(agreement_id, target, actor)

        return await self._act(request, agreement_id, "status", action)

    @post("/{agreement_id:int}/milestones/{milestone_id:int}")
    async def mark_milestone(self, request: Request, agreement_id: int, milestone_id: int, data: Form) -> Template | Redirect:
        actor = acting(request)
        done_on = today() if data.get("done") == "1" else None
        return await self._act(request, agreement_id, "milestone", lambda: services.mark_milestone(
            agreement_id, milestone_id, done_on, actor))

    @post("/{agreement_id:int}/milestones/{milestone_id:int}/reschedule", guards=[require_editor])
    async def reschedule_milestone(self, request: Request, agreement_id: int, milestone_id: int,
                                   data: Form) -> Template | Redirect:
        values = {k: v for k, v in data.items() if k != "_csrf_token"}
        actor = acting(request)

        async def move() -> None:
            await services.reschedule_milestone(agreement_id, milestone_id, parse_struct(values, RescheduleIn), actor)

        return await self._act(request, agreement_id, f"milestone-{milestone_id}", move, values)

    @get("/attachments/{attachment_id:int}")
    async def download(self, request: Request, attachment_id: int) -> Response:
        row, content = await services.attachment_file(attachment_id, current_actor(request))
        return Response(content, media_type=row["media_type"], headers={
            "content-disposition": f'attachment; filename="{_ascii(row["filename"])}"', "x-content-type-options": "nosniff",
            "cache-control": "private, no-store"})

    @get("/{agreement_id:int}/print.pdf")
    async def print_pdf(self, request: Request, agreement_id: int) -> Response:
        agreement = await services.get_agreement(agreement_id, current_actor(request))
        pdf = await printing.agreement_pdf(request.app.template_engine, agreement,
                                           await services.articles_of(agreement.template_id, agreement.kind))
        return Response(pdf, media_type="application/pdf",
                        headers={"content-disposition": f'inline; filename="{_ascii(agreement.code)}.pdf"'})

    # -- import

    @get("/import", guards=[require_editor])
    async def import_form(self) -> Template:
        return Template(template_name="agreements/import.html", context={"fairs": await _fairs(), "errors": {},
                                                                         "preview": None})

    @post("/import", guards=[require_editor])
    async def import_preview(self, request: Request, data: Upload) -> Template:
        try:
            filename, content = await _upload(data.get("file"))
            preview = await importing.preview(filename, content, _picked(data.get("fair_id")), acting(request))
        except ValidationFailed as error:
            return Template(template_name="agreements/import.html", status_code=422,
                            context={"fairs": await _fairs(), "errors": error.errors, "preview": None})
        return Template(template_name="agreements/import.html", context={"fairs": await _fairs(), "errors": {},
                                                                         "preview": preview})

    @post("/import/{token:str}/commit", guards=[require_editor])
    async def import_commit(self, request: Request, token: str, data: Form) -> Template | Redirect:
        choices = {k: str(v) for k, v in data.items() if k.startswith(("buyer:", "producer:"))}
        try:
            count = await importing.commit(token, choices, acting(request))
        except ValidationFailed as error:
            return Template(template_name="agreements/import.html", status_code=422,
                            context={"fairs": await _fairs(), "errors": error.errors, "preview": None})
        return Redirect(f"/agreements/?imported={count}")


def _ascii(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name)[:100] or "file"


async def _fairs() -> list[dict]:
    return await Fair.select(Fair.id, Fair.name, Fair.kind).order_by(Fair.starts_on, ascending=False)


async def _entry_values(form) -> dict[str, Any]:
    values = {k: v for k, v in form.items() if k != "_csrf_token"}
    slots = list(form.getall("producers")) if "producers" in form else []
    # Each producer slot has its representative beside it; the slot number ties them once blanks are dropped.
    values["representatives"] = [(values.get(f"producer_{i}_signatory", "").strip(), values.get(f"producer_{i}_title", "").strip())
                                 for i, p in enumerate(slots) if p.strip()]
    values["producers"] = [p for p in slots if p.strip()]
    # A name typed out in full, without picking it from the suggestions, is taken when it names one party.
    values["buyer"] = await _by_exact_name(Buyer, values.get("buyer"))
    values["producers"] = [await _by_exact_name(Producer, p) for p in values["producers"]]
    return values


async def _by_exact_name(table, typed: Any) -> Any:
    text = " ".join(str(typed or "").split())
    if not text or _picked(text) is not None:
        return typed
    found = await table.select(table.id, table.name).where(table.name == text).limit(2)
    return f"{found[0]['name']} [#{found[0]['id']}]" if len(found) == 1 else typed


def _kind(text: str) -> AgreementKind:
    try:
        return AgreementKind(text)
    except ValueError:
        raise NotFound(N_("There is no such kind of agreement.")) from None


async def _check_signing_day(values: dict[str, Any], data: AgreementIn) -> None:
    """A signing day outside the fair's days is said once before saving (a typo in the year is common);
    saved again as it is, it is kept: agreements are also signed after a fair."""
    if not data.fair_id or values.get("date_confirmed"):
        return
    fair = await Fair.select(Fair.starts_on, Fair.ends_on).where(Fair.id == data.fair_id).first()
    if fair and not fair["starts_on"] <= data.signed_on <= fair["ends_on"]:
        raise ValidationFailed({"signed_on": Msg(
            N_("%(day)s is not a day of the fair (%(start)s – %(end)s): check it, or save again to keep it."),
            day=data.signed_on.strftime("%d/%m/%Y"), start=fair["starts_on"].strftime("%d/%m/%Y"),
            end=fair["ends_on"].strftime("%d/%m/%Y")), "date_confirmed": "1"})


def _agreement_in(values: dict[str, Any]) -> AgreementIn:
    """An AgreementIn from the entry forms: autocomplete picks, line rows line_0_…, a signatory per party."""
    lines = []
    errors: dict[str, Any] = {}
    for number in range(50):
        product = values.get(f"line_{number}_product", "")
        quantity = values.get(f"line_{number}_quantity", "")
        if not str(product).strip() and not str(quantity).strip():
            continue
        try:
            lines.append({"product_id": _picked(product) or 0, "quantity": decimal_number(quantity or "0"),
                          "unit": values.get(f"line_{number}_unit", ""),
                          "unit_price": whole_number(values.get(f"line_{number}_unit_price") or "0")})
        except ValueError:
            errors[f"lines.{number}.quantity"] = N_("Enter a number: 2,5 or 1.200 (a whole number of đồng for the price).")
    signatories = [{"party": "buyer", "name": values.get("buyer_signatory", "").strip(),
                    "title": values.get("buyer_title", "").strip()}] if values.get("buyer_signatory", "").strip() else []
    representatives = values.get("representatives") or []
    for slot, producer in enumerate(values["producers"]):
        name, title = representatives[slot] if slot < len(representatives) else ("", "")
        if name:
            signatories.append({"party": "producer", "name": name, "title": title, "producer_id": _picked(producer) or 0})
    raw = {"buyer_id": _picked(values.get("buyer")) or 0, "producer_ids": [_picked(p) or 0 for p in values["producers"]],
           "signed_on": values.get("signed_on"), "kind": values.get("kind") or "memorandum", "code": values.get("code", ""),
           "fair_id": _picked(values.get("fair_id")), "place": values.get("place", ""),
           "valid_until": values.get("valid_until") or None, "notes": values.get("notes", ""),
           "status": values.get("status") or "signed"}
    try:
        parsed = parse_struct({k: v for k, v in raw.items() if v not in (None, "")},
                              _EntryHead)
    except ValidationFailed as error:
        errors.update(error.errors)
        parsed = None
    if errors:
        raise ValidationFailed(errors)
    return assemble({**msgspec.to_builtins(parsed), "lines": lines, "signatories": signatories,
                     "producer_ids": raw["producer_ids"]}, AgreementIn)


class _EntryHead(msgspec.Struct, kw_only=True):
    buyer_id: int
    signed_on: dt.date
    kind: str = "memorandum"
    code: str = ""
    fair_id: int | None = None
    place: str = ""
    valid_until: dt.date | None = None
    notes: str = ""
    status: str = "signed"


async def _choices() -> dict:
    buyers = await Buyer.select(Buyer.id, Buyer.name).order_by(Buyer.name)
    producers = await Producer.select(Producer.id, Producer.name).order_by(Producer.name)
    return {"buyers": buyers, "producers": producers}


async def _entry_context(agreement, values: dict, errors: dict) -> dict:
    producers = values.get("producers") or []
    return {"agreement": agreement, "values": values, "errors": errors, "fairs": await _fairs(), **await _choices(),
            "line_count": max(CEREMONY_LINES, _line_rows(values)),
            "products": await _products_of(producers)}


async def _running_fair() -> int | None:
    row = await Fair.select(Fair.id).where(Fair.status == FairStatus.running.value).order_by(
        Fair.starts_on, ascending=False).first()
    return row["id"] if row else None


async def _ceremony_context(fair_id: int | None, values: dict, errors: dict, saved: str) -> dict:
    context = await _entry_context(None, values, errors)
    fair = await Fair.select(Fair.id, Fair.name).where(Fair.id == fair_id).first() if fair_id else None
    # The list shows what the totals count: the fair's agreements, or those signed at no fair.
    recent = (await services.list_agreements(
        AgreementFilter(fair_id=fair_id, signed_at_no_fair=not fair_id, page_size=8), SYSTEM)).items
    context.update(fair=fair, totals=await services.running_totals(fair_id), saved=saved, recent=recent)
    return context


async def _products_of(picks: list[str]) -> list[dict]:
    ids = [i for i in (_picked(p) for p in picks) if i]
    if not ids:
        return []
    return await Product.select(Product.id, Product.name, Product.unit).where(Product.producer.is_in(ids)).order_by(Product.name)


def _line_rows(values: dict) -> int:
    numbers = [int(k.split("_")[1]) for k in values if k.startswith("line_") and k.split("_")[1].isdigit()]
    return max(numbers, default=-1) + 1


class PartnerPages(Controller):
    """A buyer's own page, opened from the signed link in its e-mails: no account, its agreements only."""

    path = "/partner"
    include_in_schema = False

    @get("/{token:str}")
    async def page(self, token: str) -> Template:
        buyer, agreements = await services.buyer_agreements(token)
        return Template(template_name="agreements/partner.html", context={
            "buyer": buyer, "agreements": agreements, "token": token},
            headers={"x-robots-tag": "noindex", "cache-control": "no-store"})

    @get("/{token:str}/agreements/{agreement_id:int}/print.pdf")
    async def print_pdf(self, request: Request, token: str, agreement_id: int) -> Response:
        agreement = await services.buyer_agreement(token, agreement_id)
        pdf = await printing.agreement_pdf(request.app.template_engine, agreement,
                                           await services.articles_of(agreement.template_id, agreement.kind))
        return Response(pdf, media_type="application/pdf",
                        headers={"content-disposition": f'inline; filename="{_ascii(agreement.code)}.pdf"'})

    @post("/{token:str}/deliveries/{delivery_id:int}/confirm")
    async def confirm(self, token: str, delivery_id: int, data: Form) -> Redirect:
        await services.confirm_received(token, delivery_id, str(data.get("note") or ""))
        return Redirect(f"/partner/{token}")
