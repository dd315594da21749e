"""Fair pages for staff and producers, and the /api/v1/fairs endpoints. Thin: parse, call a service, render."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from litestar import Controller, Request
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Response, Template

from accounts.enums import REPORT_READERS, Role
from accounts.guards import acting, current_actor, require_login, require_roles
from catalog import reference
from catalog.routes import optional_int
from catalog.services import today
from catalog.tables import Producer, Product
from core import i18n
from core.errors import N_, Conflict, DomainError, NotFound, ValidationFailed
from core.forms import parse_date, parse_struct, whole_number
from core.ids import is_id
from core.kept_pages import KeptPages
from core.routing import delete, get, post, put
from core.settings import settings
from core.spreadsheets import read_table
from fairs import directory, importing, services
from fairs.enums import TRANSITIONS, ApplicationStatus, FairStatus
from fairs.plans import plan_pdf, plan_svg
from fairs.schemas import (
    AllocationOut,
    ApplicationIn,
    ApplicationOut,
    AssignIn,
    BoothIn,
    BoothSaleIn,
    CheckInIn,
    DayEntryIn,
    DayFigures,
    DayGridIn,
    FairIn,
    FairOut,
    FloorPlan,
    GridIn,
    StatusIn,
    SwapIn,
    VisitorsIn,
    WeightsIn,
    ZoneIn,
    ZoneOut,
)
from fairs.services import directory as directory_service
from fairs.services.common import ensure_organizer, is_organizer

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
Upload = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]
BOOTH_COLUMNS = {
    "zone": ("khu", "ma khu", "zone code"), "code": ("ma", "ma gian", "gian", "booth", "booth code"),
    "x": ("vi tri x",), "y": ("vi tri y",), "width": ("rong", "chieu rong", "ngang"),
    "depth": ("sau", "chieu sau"), "kind": ("loai", "loai gian", "type"), "amenities": ("tien ich", "dich vu"),
    "price": ("gia", "phi", "fee"),
}


# Forms that only organizers (and admins) may submit are not shown to anyone else either.
require_organizer = require_roles(Role.organizer)
# Who may apply for a booth: a producer's user for its producer, an organizer for any.
require_applicant = require_roles(Role.organizer, Role.producer)
# Who sees every exhibitor's booth sales: staff who read the fairs' reports; others their own only.
SALES_READERS = (Role.admin, Role.organizer, Role.viewer)


def _day(text: str) -> dt.date:
    try:
        return parse_date(text)
    except ValueError:
        raise ValidationFailed({"day": N_("Enter a date as dd/mm/yyyy.")}) from None


def _form(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k != "_csrf_token"}


def _number_or_none(text: Any, field: str) -> int | None:
    """A typed whole number (with the reader's thousands marks), or None for a blank cell."""
    if text is None or not str(text).strip():
        return None
    try:
        return whole_number(text)
    except ValueError:
        raise ValidationFailed({field: N_("Enter a whole number.")}) from None


def _grid(form: Any, lines: list[str]) -> DayGridIn:
    """The day's grid as typed: every cell that is not a number named at once."""
    errors: dict[str, Any] = {}
    entries = []
    for line in lines:
        if not is_id(optional_int(line) or 0):
            raise ValidationFailed({"_": N_("Choose a record from the list.")})
        cells = {}
        for field in ("revenue", "transactions"):
            try:
                cells[field] = _number_or_none(form.get(f"{field}-{line}"), f"{field}-{line}")
            except ValidationFailed as error:
                errors.update(error.errors)
        entries.append(DayEntryIn(application_id=int(line), revenue=cells.get("revenue"),
                                  transactions=cells.get("transactions") or 0, notes=str(form.get(f"notes-{line}") or "")))
    try:
        visitors = _number_or_none(form.get("visitors"), "visitors")
    except ValidationFailed as error:
        errors.update(error.errors)
        visitors = None
    if errors:
        raise ValidationFailed(errors)
    return DayGridIn(visitors=visitors, entries=entries)


def _grid_errors(errors: dict, lines: list[str]) -> dict:
    """The service names a wrong line by its place in the grid; the page by its exhibitor."""
    named = {}
    for key, message in errors.items():
        parts = key.split(".")
        if parts[0] == "entries" and len(parts) == 3 and parts[1].isdigit() and int(parts[1]) < len(lines):
            named[f"{parts[2]}-{lines[int(parts[1])]}"] = message
        else:
            named[key] = message
    return named


async def _application_values(request: Request) -> dict[str, Any]:
    form = await request.form()
    values = _form(dict(form))
    for many in ("product_ids", "amenities", "zone_preferences"):
        # a field with nothing ticked is not sent at all
        values[many] = [v for v in form.getall(many, []) if v] if hasattr(form, "getall") else values.get(many, [])
    return values


async def _read_booth_rows(upload: Any) -> list[dict]:
    if not isinstance(upload, UploadFile):
        raise ValidationFailed({"file": N_("Choose a file to import.")})
    return read_table(upload.filename or "", await upload.read(), settings.max_upload_bytes, BOOTH_COLUMNS)


# -- JSON API -------------------------------------------------------------------------------------


_kept = KeptPages()  # floor-plan pages, per worker


class FairApi(Controller):
    path = "/api/v1/fairs"
    guards = [require_login]
    tags = ["fairs"]

    @get("/")
    async def list_fairs(self, status: FairStatus | None = None) -> list[FairOut]:
        return await services.list_fairs(status.value if status else "")

    @post("/", guards=[require_organizer])
    async def create_fair(self, request: Request, data: FairIn) -> FairOut:
        return await services.get_fair(await services.create_fair(data, acting(request)))

    @get("/{fair_id:int}")
    async def get_fair(self, fair_id: int) -> FairOut:
        return await services.get_fair(fair_id)

    @put("/{fair_id:int}", guards=[require_organizer])
    async def update_fair(self, request: Request, fair_id: int, data: FairIn) -> FairOut:
        await services.update_fair(fair_id, data, acting(request))
        return await services.get_fair(fair_id)

    @post("/{fair_id:int}/status", guards=[require_organizer])
    async def change_status(self, request: Request, fair_id: int, data: StatusIn) -> FairOut:
        await services.change_status(fair_id, data.status, acting(request))
        return await services.get_fair(fair_id)

    @put("/{fair_id:int}/weights", guards=[require_organizer])
    async def set_weights(self, request: Request, fair_id: int, data: WeightsIn) -> FairOut:
        await services.set_weights(fair_id, data, acting(request))
        return await services.get_fair(fair_id)

    @get("/{fair_id:int}/zones")
    async def zones(self, fair_id: int) -> list[ZoneOut]:
        await services.get_fair(fair_id)
        return await services.zones(fair_id)

    @post("/{fair_id:int}/zones", guards=[require_organizer])
    async def add_zone(self, request: Request, fair_id: int, data: ZoneIn) -> dict:
        return {"id": await services.add_zone(fair_id, data, acting(request))}

    @post("/{fair_id:int}/booths", guards=[require_organizer])
    async def add_booth(self, request: Request, fair_id: int, data: BoothIn) -> dict:
        return {"id": await services.add_booth(fair_id, data, acting(request))}

    @post("/{fair_id:int}/booths/grid", guards=[require_organizer])
    async def generate_booths(self, request: Request, fair_id: int, data: GridIn) -> dict:
        return {"created": await services.generate_booths(fair_id, data, acting(request))}

    @post("/{fair_id:int}/booths/import", guards=[require_organizer])
    async def import_booths(self, request: Request, fair_id: int, data: Upload) -> dict:
        rows = await _read_booth_rows(data.get("file"))
        return {"created": await services.import_booths(fair_id, rows, acting(request))}

    @put("/{fair_id:int}/zones/{zone_id:int}", guards=[require_organizer])
    async def update_zone(self, request: Request, fair_id: int, zone_id: int, data: ZoneIn) -> dict:
        await services.update_zone(fair_id, zone_id, data, acting(request))
        return {"id": zone_id}

    @delete("/{fair_id:int}/zones/{zone_id:int}", status_code=204, guards=[require_organizer])
    async def delete_zone(self, request: Request, fair_id: int, zone_id: int) -> None:
        await services.delete_zone(fair_id, zone_id, acting(request))

    @delete("/{fair_id:int}/booths/{booth_id:int}", status_code=204, guards=[require_organizer])
    async def delete_booth(self, request: Request, fair_id: int, booth_id: int) -> None:
        await services.delete_booth(fair_id, booth_id, acting(request))

    @put("/{fair_id:int}/booths/{booth_id:int}", guards=[require_organizer])
    async def update_booth(self, request: Request, fair_id: int, booth_id: int, data: BoothIn) -> None:
        if (await services.booth_row(booth_id))["fair"] != fair_id:
            raise ValidationFailed({"booth": N_("This booth is in another fair.")})
        await services.update_booth(booth_id, data, acting(request))

    @get("/{fair_id:int}/reach", guards=[require_organizer])
    async def reach(self, request: Request, fair_id: int) -> services.Reach:
        """How the published plan reached the exhibitors: sent, waiting, refused by the mail server, no address."""
        return await services.reach(fair_id, acting(request))

    @get("/{fair_id:int}/plan")
    async def plan(self, request: Request, fair_id: int) -> FloorPlan:
        return await services.floor_plan(fair_id, public=not is_organizer(current_actor(request)))

    @get("/{fair_id:int}/applications")
    async def applications(self, request: Request, fair_id: int,
                           status: ApplicationStatus | None = None) -> list[ApplicationOut]:
        return await services.list_applications(fair_id, current_actor(request), status.value if status else "")

    @post("/{fair_id:int}/applications", guards=[require_applicant])
    async def apply(self, request: Request, fair_id: int, data: ApplicationIn) -> ApplicationOut:
        actor = acting(request)
        return await services.get_application(await services.apply(fair_id, data, actor), actor)

    @get("/applications/{application_id:int}")
    async def application(self, request: Request, application_id: int) -> ApplicationOut:
        return await services.get_application(application_id, current_actor(request))

    @post("/applications/{application_id:int}/withdraw", guards=[require_applicant])
    async def withdraw(self, request: Request, application_id: int) -> ApplicationOut:
        actor = acting(request)
        await services.withdraw(application_id, actor)
        return await services.get_application(application_id, actor)

    @post("/applications/{application_id:int}/confirm", guards=[require_applicant])
    async def confirm(self, request: Request, application_id: int) -> ApplicationOut:
        actor = acting(request)
        await services.confirm(application_id, actor)
        return await services.get_application(application_id, actor)

    @post("/applications/{application_id:int}/check-in", guards=[require_organizer])
    async def check_in(self, request: Request, application_id: int) -> ApplicationOut:
        actor = acting(request)
        await services.check_in(application_id, actor)
        return await services.get_application(application_id, actor)

    @post("/{fair_id:int}/allocation", guards=[require_organizer])
    async def allocate(self, request: Request, fair_id: int) -> AllocationOut:
        return await services.run_allocation(fair_id, acting(request))

    @post("/{fair_id:int}/assignments", status_code=204, guards=[require_organizer])
    async def assign(self, request: Request, fair_id: int, data: AssignIn) -> None:
        await services.assign(fair_id, data, acting(request))

    @post("/{fair_id:int}/swaps", status_code=204, guards=[require_organizer])
    async def swap(self, request: Request, fair_id: int, data: SwapIn) -> None:
        await services.swap(fair_id, data, acting(request))

    @delete("/{fair_id:int}/booths/{booth_id:int}/assignment", status_code=204, guards=[require_organizer])
    async def release(self, request: Request, fair_id: int, booth_id: int) -> None:
        await services.release(fair_id, booth_id, acting(request))

    @put("/{fair_id:int}/booths/{booth_id:int}/lock", status_code=204, guards=[require_organizer])
    async def lock(self, request: Request, fair_id: int, booth_id: int, data: dict[str, bool]) -> None:
        await services.set_lock(fair_id, booth_id, bool(data.get("locked", True)), acting(request))

    @post("/{fair_id:int}/visitors", status_code=204, guards=[require_organizer])
    async def visitors(self, request: Request, fair_id: int, data: VisitorsIn) -> None:
        await services.record_visitors(fair_id, data, acting(request))

    @post("/{fair_id:int}/sales", status_code=204, guards=[require_applicant])
    async def sales(self, request: Request, fair_id: int, data: BoothSaleIn) -> None:
        await services.record_booth_sales(fair_id, data, acting(request))

    @get("/{fair_id:int}/days")
    async def days(self, fair_id: int) -> list[DayFigures]:
        return await services.daily_figures(fair_id)

    @put("/{fair_id:int}/days/{day:date}", guards=[require_organizer])
    async def day_grid(self, request: Request, fair_id: int, day: dt.date, data: DayGridIn) -> dict[str, int]:
        """A whole day at once: visitors and every booth's sales; all saved, or none with each wrong line named.
        The day is an ISO date (2026-11-30); the path of any other names nothing (404)."""
        return {"changed": await services.record_day(fair_id, day, data, acting(request))}

    @put("/{fair_id:int}/check-ins", guards=[require_organizer])
    async def check_ins(self, request: Request, fair_id: int, data: CheckInIn) -> dict[str, int]:
        """Of the applications in `shown`, those in `arrived` have checked in, the others not."""
        return {"changed": await services.set_check_ins(fair_id, data, acting(request))}


# -- pages ------------------------------------------------------------------------------------------


class FairPages(Controller):
    path = "/fairs"
    guards = [require_login]
    include_in_schema = False

    @get("/")
    async def fairs(self, request: Request) -> Template:
        return Template(template_name="fairs/list.html", context={
            "fairs": await services.list_fairs(), "can_edit": is_organizer(current_actor(request))})

    @get("/new", guards=[require_organizer])
    async def new(self) -> Template:
        return Template(template_name="fairs/edit.html", context={"fair": None, "values": {"min_stars": 3}, "errors": {}})

    @post("/new", guards=[require_organizer])
    async def create(self, request: Request, data: Form) -> Template | Redirect:
        values = _form(data)
        try:
            fair_id = await services.create_fair(parse_struct(values, FairIn), acting(request))
        except ValidationFailed as error:
            return Template(template_name="fairs/edit.html", status_code=422,
                            context={"fair": None, "values": values, "errors": error.errors})
        return Redirect(f"/fairs/{fair_id}")

    @get("/{fair_id:int}/edit", guards=[require_organizer])
    async def edit(self, fair_id: int) -> Template:
        fair = await services.get_fair(fair_id)
        return Template(template_name="fairs/edit.html", context={"fair": fair, "values": _fair_values(fair), "errors": {}})

    @post("/{fair_id:int}/edit", guards=[require_organizer])
    async def update(self, request: Request, fair_id: int, data: Form) -> Template | Redirect:
        values = _form(data)
        try:
            await services.update_fair(fair_id, parse_struct(values, FairIn), acting(request))
        except ValidationFailed as error:
            return Template(template_name="fairs/edit.html", status_code=422,
                            context={"fair": await services.get_fair(fair_id), "values": values, "errors": error.errors})
        return Redirect(f"/fairs/{fair_id}")

    @get("/{fair_id:int}")
    async def fair(self, request: Request, fair_id: int) -> Template:
        return Template(template_name="fairs/fair.html", context=await self._overview(request, fair_id))

    @post("/{fair_id:int}/status")
    async def change_status(self, request: Request, fair_id: int, data: Form) -> Template | Redirect:
        try:
            target = FairStatus(str(data.get("status")))
            if target is FairStatus.closed and not data.get("confirm"):
                # Closing cannot be undone: the page asks for a tick beside the button.
                raise Conflict(N_("Tick the box to confirm: a closed fair cannot be opened again."))
            await services.change_status(fair_id, target, acting(request))
        except (DomainError, ValueError) as error:
            context = await self._overview(request, fair_id)
            context["status_error"] = error.message if isinstance(error, DomainError) else str(error)
            # a refused role gets 403, a move the workflow does not allow 409
            status = error.status_code if isinstance(error, DomainError) else 409
            return Template(template_name="fairs/fair.html", context=context, status_code=status)
        return Redirect(f"/fairs/{fair_id}")

    @post("/{fair_id:int}/allocate")
    async def allocate(self, request: Request, fair_id: int) -> Redirect:
        await services.run_allocation(fair_id, acting(request))
        return Redirect(f"/fairs/{fair_id}/applications")

    @post("/{fair_id:int}/weights")
    async def weights(self, request: Request, fair_id: int, data: Form) -> Template | Redirect:
        try:
            await services.set_weights(fair_id, parse_struct(_form(data), WeightsIn), acting(request))
        except ValidationFailed as error:
            context = await self._overview(request, fair_id)
            context["weight_errors"] = error.errors
            return Template(template_name="fairs/fair.html", context=context, status_code=422)
        return Redirect(f"/fairs/{fair_id}")

    async def _overview(self, request: Request, fair_id: int) -> dict:
        fair = await services.get_fair(fair_id)
        actor = acting(request)
        told = fair.status in (FairStatus.published, FairStatus.running, FairStatus.closed) and is_organizer(actor)
        return {"reach": await services.reach(fair_id, actor) if told else None, "fair": fair, "can_edit": is_organizer(actor), "can_read_reports": actor.role in REPORT_READERS, "next_states": sorted(
                    # the next step forward first (the primary button), steps back after it
                    TRANSITIONS[fair.status], key=lambda s: (list(FairStatus).index(s) < list(FairStatus).index(fair.status),
                                                             list(FairStatus).index(s))), "run": await services.last_run(fair_id),
                "now": await services.floor_now(fair_id), "days": await services.daily_figures(fair_id), "status_error": None, "weight_errors": {}}

    # -- floor plan

    @get("/{fair_id:int}/plan")
    async def plan(self, request: Request, fair_id: int) -> Response:
        # The drawing and its forms take milliseconds to build: kept while the fair and the names are unchanged.
        return await _kept.page(request, "fairs/plan.html", ("fairs", "catalog"), current_actor(request),
                                lambda: self._plan_context(request, fair_id))

    @get("/{fair_id:int}/directory.pdf", guards=[require_organizer])
    async def directory_pdf(self, fair_id: int, contacts: str = "") -> Response:
        """The exhibitor directory to print: for visitors (contacts only where published), or with
        every contact for the organizers (`contacts=all`)."""
        fair = await services.get_fair(fair_id)
        pdf = await directory.directory_pdf(fair, await directory_service.directory(fair_id), public=contacts != "all")
        return Response(pdf, media_type="application/pdf",
                        headers={"Content-Disposition": f'inline; filename="danh-muc-don-vi-{fair_id}.pdf"'})

    @get("/{fair_id:int}/exhibitors.xlsx", guards=[require_organizer])
    async def exhibitors_xlsx(self, fair_id: int) -> Response:
        fair = await services.get_fair(fair_id)
        content = directory.directory_xlsx(fair, await directory_service.directory(fair_id))
        return Response(content, media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        headers={"Content-Disposition": f'attachment; filename="don-vi-tham-gia-{fair_id}.xlsx"'})

    @get("/{fair_id:int}/plan.pdf")
    async def plan_pdf(self, fair_id: int) -> Response:
        fair = await services.get_fair(fair_id)
        pdf = await plan_pdf(fair, await services.floor_plan(fair_id))
        return Response(pdf, media_type="application/pdf",
                        headers={"Content-Disposition": f'inline; filename="so-do-gian-hang-{fair_id}.pdf"'})

    async def _plan_context(self, request: Request, fair_id: int, errors: dict | None = None, form: str = "",
                            values: dict | None = None) -> dict:
        fair = await services.get_fair(fair_id)
        plan = await services.floor_plan(fair_id)
        actor = current_actor(request)
        return {"fair": fair, "plan": plan, "svg": plan_svg(plan, interactive=is_organizer(actor)),
                "can_edit": is_organizer(actor),
                "booth_options": [(b.id, f"{b.code} · {b.exhibitor}" if b.exhibitor else b.code) for b in plan.booths],
                "zone_options": [(z.id, f"{z.code} · {z.name}") for z in plan.zones],
                "zone_names": {z.id: z.name for z in plan.zones},
                "application_options": await services.placeable_choices(fair_id) if is_organizer(actor) else [],
                "errors": errors or {}, "form": form, "values": values or {}}

    async def _plan_action(self, request: Request, fair_id: int, form: str, action) -> Template | Redirect:
        submitted = await request.form()
        values = _form(dict(submitted))
        if "amenities" in submitted:  # several checkboxes of one name
            values["amenities"] = submitted.getall("amenities")
        try:
            await action(values)
        except (ValidationFailed, DomainError) as error:
            errors = error.errors if isinstance(error, ValidationFailed) else {"_": error.message}
            context = await self._plan_context(request, fair_id, errors, form, values)
            return Template(template_name="fairs/plan.html", context=context, status_code=error.status_code)
        return Redirect(f"/fairs/{fair_id}/plan")

    @post("/{fair_id:int}/zones")
    async def add_zone(self, request: Request, fair_id: int) -> Template | Redirect:
        actor = acting(request)
        return await self._plan_action(request, fair_id, "zone",
                                       lambda v: services.add_zone(fair_id, parse_struct(v, ZoneIn), actor))

    @post("/{fair_id:int}/zones/{zone_id:int}")
    async def edit_zone(self, request: Request, fair_id: int, zone_id: int) -> Template | Redirect:
        actor = acting(request)
        return await self._plan_action(request, fair_id, f"zone-{zone_id}",
                                       lambda v: services.update_zone(fair_id, zone_id, parse_struct(v, ZoneIn), actor))

    @post("/{fair_id:int}/zones/{zone_id:int}/delete")
    async def remove_zone(self, request: Request, fair_id: int, zone_id: int) -> Template | Redirect:
        actor = acting(request)
        return await self._plan_action(request, fair_id, "zones", lambda v: services.delete_zone(fair_id, zone_id, actor))

    @post("/{fair_id:int}/booths/{booth_id:int}/delete")
    async def remove_booth(self, request: Request, fair_id: int, booth_id: int) -> Template | Redirect:
        actor = acting(request)
        return await self._plan_action(request, fair_id, f"booth-{booth_id}",
                                       lambda v: services.delete_booth(fair_id, booth_id, actor))

    @post("/{fair_id:int}/grid")
    async def grid(self, request: Request, fair_id: int) -> Template | Redirect:
        actor = acting(request)
        return await self._plan_action(request, fair_id, "grid",
                                       lambda v: services.generate_booths(fair_id, parse_struct(v, GridIn), actor))

    @post("/{fair_id:int}/booths/import")
    async def import_booths(self, request: Request, fair_id: int, data: Upload) -> Template | Redirect:
        actor = acting(request)
        try:
            await services.import_booths(fair_id, await _read_booth_rows(data.get("file")), actor)
        except ValidationFailed as error:
            context = await self._plan_context(request, fair_id, error.errors, "import")
            return Template(template_name="fairs/plan.html", context=context, status_code=422)
        return Redirect(f"/fairs/{fair_id}/plan")

    @get("/{fair_id:int}/booths/{booth_id:int}/edit")
    async def booth_form(self, request: Request, fair_id: int, booth_id: int) -> Template:
        """One booth's edit form, fetched by the plan page when its "Edit" is opened."""
        ensure_organizer(acting(request))
        plan = await services.floor_plan(fair_id)
        booth = next((b for b in plan.booths if b.id == booth_id), None)
        if booth is None:
            raise NotFound(N_("This booth does not exist."))
        return Template(template_name="fairs/_booth_form.html", context={
            "fair": await services.get_fair(fair_id), "b": booth, "errors": {}, "form": "", "values": {},
            "zone_options": [(z.id, f"{z.code} · {z.name}") for z in plan.zones]})

    @post("/{fair_id:int}/booths/{booth_id:int}")
    async def update_booth(self, request: Request, fair_id: int, booth_id: int) -> Template | Redirect:
        actor = acting(request)
        return await self._plan_action(request, fair_id, f"booth-{booth_id}",
                                       lambda v: services.update_booth(booth_id, parse_struct(v, BoothIn), actor))

    @post("/{fair_id:int}/assign")
    async def assign(self, request: Request, fair_id: int) -> Template | Redirect:
        actor = acting(request)
        form = await request.form()
        booth_ids = form.getall("booth_ids", []) if hasattr(form, "getall") else form.get("booth_ids")

        async def action(values):
            data = parse_struct({**values, "booth_ids": booth_ids}, AssignIn)
            await services.assign(fair_id, data, actor)

        return await self._plan_action(request, fair_id, "assign", action)

    @post("/{fair_id:int}/swap")
    async def swap(self, request: Request, fair_id: int) -> Template | Redirect:
        actor = acting(request)
        return await self._plan_action(request, fair_id, "swap",
                                       lambda v: services.swap(fair_id, parse_struct(v, SwapIn), actor))

    @post("/{fair_id:int}/booths/{booth_id:int}/release")
    async def release(self, request: Request, fair_id: int, booth_id: int) -> Template | Redirect:
        actor = acting(request)
        return await self._plan_action(request, fair_id, "release", lambda v: services.release(fair_id, booth_id, actor))

    @post("/{fair_id:int}/booths/{booth_id:int}/lock")
    async def lock(self, request: Request, fair_id: int, booth_id: int) -> Template | Redirect:
        actor = acting(request)
        return await self._plan_action(request, fair_id, "lock", lambda v: services.set_lock(
            fair_id, booth_id, v.get("locked") in ("1", "true", "on"), actor))

    # -- applications

    @get("/{fair_id:int}/applications")
    async def applications(self, request: Request, fair_id: int, status: str = "") -> Template:
        actor = current_actor(request)
        return Template(template_name="fairs/applications.html", context={
            "fair": await services.get_fair(fair_id), "applications": await services.list_applications(fair_id, actor, status),
            "status": status, "can_edit": is_organizer(actor)})

    @get("/{fair_id:int}/applications/import", guards=[require_organizer])
    async def import_form(self, fair_id: int) -> Template:
        return Template(template_name="fairs/import.html", context={
            "fair": await services.get_fair(fair_id), "errors": {}, "checked": None})

    @post("/{fair_id:int}/applications/import", guards=[require_organizer])
    async def import_preview(self, request: Request, fair_id: int, data: Upload) -> Template:
        upload = data.get("file")
        fair = await services.get_fair(fair_id)
        try:
            if not isinstance(upload, UploadFile):
                raise ValidationFailed({"file": importing.NO_FILE})
            token, checked = await importing.preview_applications(fair_id, upload.filename or "", await upload.read(),
                                                                  acting(request))
        except ValidationFailed as error:
            return Template(template_name="fairs/import.html", status_code=422,
                            context={"fair": fair, "errors": error.errors, "checked": None})
        return Template(template_name="fairs/import.html", context={"fair": fair, "errors": {}, "checked": checked,
                                                                    "token": token})

    @post("/{fair_id:int}/applications/import/{token:str}/commit", guards=[require_organizer])
    async def import_commit(self, request: Request, fair_id: int, token: str) -> Template | Redirect:
        try:
            await importing.commit_applications(fair_id, token, acting(request))
        except ValidationFailed as error:
            return Template(template_name="fairs/import.html", status_code=422, context={
                "fair": await services.get_fair(fair_id), "errors": error.errors, "checked": None})
        return Redirect(f"/fairs/{fair_id}/applications")

    @get("/{fair_id:int}/apply", guards=[require_applicant])
    async def apply_form(self, request: Request, fair_id: int, producer_id: str = "") -> Template:
        return Template(template_name="fairs/apply.html", context=await self._apply_context(request, fair_id, {
            "producer_id": optional_int(producer_id)}, {}))

    @post("/{fair_id:int}/apply/zones", guards=[require_applicant])
    async def zone_warnings(self, request: Request, fair_id: int) -> Template:
        """The apply form's live check: preferred zones that could never take the application as it stands."""
        try:
            data = parse_struct(await _application_values(request), ApplicationIn)
            warnings = await services.preferred_zone_warnings(fair_id, data, acting(request))
        except ValidationFailed:
            warnings = []  # the form is not complete yet: nothing to say about zones
        return Template(template_name="fairs/_zone_warnings.html", context={"zone_warnings": warnings})

    @post("/{fair_id:int}/apply", guards=[require_applicant])
    async def apply(self, request: Request, fair_id: int) -> Template | Redirect:
        values = await _application_values(request)
        try:
            data = parse_struct(values, ApplicationIn)
            # A preferred zone that can never take it is said before it is sent (live on the form, or
            # here once without script); sent again as it is, it is recorded: booths may still change.
            warnings = [] if values.get("warned") else await services.preferred_zone_warnings(fair_id, data, acting(request))
            if warnings:
                raise ValidationFailed({"zone_preferences": " ".join(warnings), "warned": "1"})
            application_id = await services.apply(fair_id, data, acting(request))
        except (ValidationFailed, DomainError) as error:
            errors = error.errors if isinstance(error, ValidationFailed) else {"_": error.message}
            return Template(template_name="fairs/apply.html", status_code=error.status_code,
                            context=await self._apply_context(request, fair_id, values, errors))
        return Redirect(f"/fairs/applications/{application_id}")

    async def _apply_context(self, request: Request, fair_id: int, values: dict, errors: dict) -> dict:
        actor = acting(request)
        fair = await services.get_fair(fair_id)
        if is_organizer(actor):
            producers = await Producer.select(Producer.id, Producer.name).order_by(Producer.name)
        else:
            producers = await Producer.select(Producer.id, Producer.name).where(
                Producer.id.is_in(list(actor.producer_ids) or [0]))
        producer_id = values.get("producer_id") or (producers[0]["id"] if len(producers) == 1 else None)
        products = []
        if producer_id:
            products = await Product.select(Product.id, Product.name, Product.stars, Product.expires_on,
                                            Product.certified_on, Product.withdrawn_on, Product.group_code).where(
                Product.producer == int(producer_id)).order_by(Product.name)
            # What the fair cannot admit is shown with its reason, not offered: applying with it earns a refusal.
            rules = {"min_stars": fair.min_stars, "starts_on": fair.starts_on, "ends_on": fair.ends_on}
            for product in products:
                product["problems"] = services.render_problems(services.eligibility_problems(rules, [product]))
        names = {code: group.name_vi if i18n.current_language.get() == "vi" else group.name_en
                 for code, group in reference.groups().items()}
        groups = [(code, names.get(code, code)) for code in sorted({p["group_code"] for p in products if p["group_code"]})]
        return {"fair": fair, "producers": producers, "products": products, "zones": await services.zones(fair_id),
                "groups": groups, "values": {**values, "producer_id": int(producer_id) if producer_id else None},
                "errors": errors}

    @get("/applications/{application_id:int}")
    async def application(self, request: Request, application_id: int) -> Template:
        application = await services.get_application(application_id, current_actor(request))
        names = {z.id: f"{z.code} · {z.name}" for z in await services.zones(application.fair_id)}
        return Template(template_name="fairs/application.html", context={
            "application": application, "fair": await services.get_fair(application.fair_id),
            "zone_names": [names[z] for z in application.zone_preferences if z in names],
            "can_edit": is_organizer(current_actor(request))})

    @post("/applications/{application_id:int}/{action:str}", guards=[require_applicant])
    async def application_action(self, request: Request, application_id: int, action: str) -> Redirect:
        actor = acting(request)
        handlers = {"withdraw": services.withdraw, "confirm": services.confirm, "check-in": services.check_in}
        if action not in handlers:
            raise ValidationFailed({"action": N_("Unknown action.")})
        await handlers[action](application_id, actor)
        return Redirect(f"/fairs/applications/{application_id}")

    # -- the days of the fair

    @get("/{fair_id:int}/days")
    async def days(self, request: Request, fair_id: int) -> Template:
        return Template(template_name="fairs/days.html", context=await self._days_context(request, fair_id, {}, {}))

    async def _days_context(self, request: Request, fair_id: int, values: dict, errors: dict) -> dict:
        actor = acting(request)
        applications = await services.list_applications(fair_id, actor)
        sales = await services.sales_of(fair_id)
        if actor.role not in SALES_READERS:  # an exhibitor sees its own booth's sales, not its neighbours'
            own = {a.id for a in applications}
            sales = [s for s in sales if s["application"] in own]
        return {"fair": await services.get_fair(fair_id), "days": await services.daily_figures(fair_id),
                "today": today(), "exhibitors": [a for a in applications if a.booths],
                "sales": sales, "can_edit": is_organizer(actor),
                "values": values, "errors": errors}

    @get("/{fair_id:int}/days/{day:str}", guards=[require_organizer])
    async def day_grid(self, fair_id: int, day: str) -> Template:
        return Template(template_name="fairs/day_grid.html", context=await self._grid_context(fair_id, _day(day), None, {}))

    @post("/{fair_id:int}/days/{day:str}", guards=[require_organizer])
    async def save_day_grid(self, request: Request, fair_id: int, day: str) -> Template | Redirect:
        when = _day(day)
        form = await request.form()
        lines = list(form.getall("line", [])) if hasattr(form, "getall") else []
        values = {k: v for k, v in form.items() if k != "_csrf_token"}
        try:
            await services.record_day(fair_id, when, _grid(form, lines), acting(request))
        except ValidationFailed as error:
            return Template(template_name="fairs/day_grid.html", status_code=error.status_code,
                            context=await self._grid_context(fair_id, when, values, _grid_errors(error.errors, lines)))
        except DomainError as error:
            return Template(template_name="fairs/day_grid.html", status_code=error.status_code,
                            context=await self._grid_context(fair_id, when, values, {"_": error.message}))
        return Redirect(f"/fairs/{fair_id}/days")

    async def _grid_context(self, fair_id: int, day: dt.date, values: dict | None, errors: dict) -> dict:
        grid = await services.day_grid(fair_id, day)
        return {"fair": await services.get_fair(fair_id), "grid": grid, "values": values, "errors": errors}

    @get("/{fair_id:int}/check-in", guards=[require_organizer])
    async def check_in_list(self, fair_id: int) -> Template:
        return Template(template_name="fairs/check_in.html", context={
            "fair": await services.get_fair(fair_id), "entries": await services.check_in_list(fair_id), "error": None})

    @post("/{fair_id:int}/check-in", guards=[require_organizer])
    async def save_check_ins(self, request: Request, fair_id: int) -> Template | Redirect:
        """The whole list sent at once, or one row as it is ticked (`row`: that application alone)."""
        form = await request.form()
        many = form.getall if hasattr(form, "getall") else (lambda name, default: [])
        row = form.get("row")
        try:
            shown = [row] if row else many("shown", [])
            data = parse_struct({"shown": shown, "arrived": [a for a in many("arrived", []) if a in shown]}, CheckInIn)
            await services.set_check_ins(fair_id, data, acting(request))
        except DomainError as error:
            return Template(template_name="fairs/check_in.html", status_code=error.status_code, context={
                "fair": await services.get_fair(fair_id), "entries": await services.check_in_list(fair_id),
                "error": error.message if not isinstance(error, ValidationFailed) else next(iter(error.errors.values()))})
        if row:
            entries = await services.check_in_list(fair_id)
            return Template(template_name="fairs/_check_in_count.html", context={"entries": entries})
        return Redirect(f"/fairs/{fair_id}/check-in")

    @post("/{fair_id:int}/visitors")
    async def visitors(self, request: Request, fair_id: int, data: Form) -> Template | Redirect:
        return await self._record(request, fair_id, data, VisitorsIn, services.record_visitors)

    @post("/{fair_id:int}/sales", guards=[require_applicant])
    async def sales(self, request: Request, fair_id: int, data: Form) -> Template | Redirect:
        return await self._record(request, fair_id, data, BoothSaleIn, services.record_booth_sales)

    async def _record(self, request: Request, fair_id: int, data: dict, struct, service) -> Template | Redirect:
        values = _form(data)
        try:
            await service(fair_id, parse_struct(values, struct), current_actor(request))
        except (ValidationFailed, DomainError) as error:
            errors = error.errors if isinstance(error, ValidationFailed) else {"_": error.message}
            return Template(template_name="fairs/days.html", status_code=error.status_code,
                            context=await self._days_context(request, fair_id, values, errors))
        return Redirect(f"/fairs/{fair_id}/days")


def _fair_values(fair: FairOut) -> dict:
    return {field: getattr(fair, field) for field in FairIn.__struct_fields__}


class ExhibitorLinkPages(Controller):
    """An exhibitor's own page, opened from the signed link in its e-mail: no account, this application only."""

    path = "/exhibitor"
    include_in_schema = False

    @get("/{token:str}")
    async def page(self, token: str) -> Template:
        actor, application_id = await services.link_holder(token)
        application = await services.get_application(application_id, actor)
        names = {z.id: f"{z.code} · {z.name}" for z in await services.zones(application.fair_id)}
        return Template(template_name="fairs/exhibitor.html", context={
            "application": application, "fair": await services.get_fair(application.fair_id), "token": token,
            "zone_names": [names[z] for z in application.zone_preferences if z in names]},
            headers={"x-robots-tag": "noindex", "cache-control": "no-store"})

    @post("/{token:str}/confirm")
    async def confirm(self, token: str) -> Redirect:
        actor, application_id = await services.link_holder(token)
        await services.confirm(application_id, actor)
        return Redirect(f"/exhibitor/{token}")
