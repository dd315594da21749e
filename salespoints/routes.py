"""Sales-point pages and the /api/v1/salespoints endpoints. Thin: parse, call a service, render."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime, timedelta
from itertools import zip_longest
from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, Request
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, Parameter
from litestar.response import Redirect, Response, Template

from accounts.enums import Role
from accounts.guards import acting, current_actor, require_login, require_roles
from core.errors import N_, ValidationFailed
from core.formatting import VIETNAM
from core.forms import parse_struct
from core.routing import get, post, put
from core.settings import settings
from core.spreadsheets import xlsx_response
from salespoints import exporting, importing, refused_sales, services
from salespoints.enums import MovementKind
from salespoints.ledger import HeldForAnother, InsufficientStock
from salespoints.reading_scope import product_scope, within
from salespoints.schemas import (
    AssortmentIn,
    AssortmentItemIn,
    BalanceOut,
    BatchIn,
    CountLineIn,
    CountSheet,
    ManagerIn,
    MovementIn,
    MovementOut,
    MovementResult,
    RefusedSaleIn,
    RefusedSaleOut,
    SalesPointIn,
    SalesPointOut,
    TransferIn,
)

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
COUNTER_WORKER = settings.static_dir / "js" / "counter-sw.js"
IdempotencyKey = Annotated[
    str | None,
    Parameter(header="Idempotency-Key", required=False, description="Retries with the same key take effect once."),
]
# A moment as the API reads one: an ISO date, or date and time to the minute, second or microsecond, with an
# offset or Z (Vietnam time without one). Published as the parameter's pattern, and checked against it.
MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?)?$")
Moment = Annotated[str, Parameter(description="An ISO date or date-time, such as 2026-11-30T18:00.",
                                  schema_extra={"pattern": MOMENT.pattern})]



# Who may write at all, checked before a request's body is read (a refusal comes before any complaint about
# the body); which points a manager may write at is the services' check (ensure_can_write).
require_organizer = require_roles(Role.organizer)
require_point_writer = require_roles(Role.organizer, Role.salespoint_manager)


class SalesPointApi(Controller):
    path = "/api/v1/salespoints"
    guards = [require_login]
    tags = ["sales points"]

    @get("/")
    async def list_points(self, request: Request) -> list[SalesPointOut]:
        return await services.list_points(acting(request))

    @post("/", guards=[require_organizer])
    async def create_point(self, request: Request, data: SalesPointIn) -> SalesPointOut:
        return await services.get_point(await services.create_point(data, acting(request)))

    @get("/{point_id:int}")
    async def get_point(self, point_id: int) -> SalesPointOut:
        return await services.get_point(point_id)

    @put("/{point_id:int}/assortment/{product_id:int}", guards=[require_point_writer])
    async def set_assortment(self, request: Request, point_id: int, product_id: int, data: AssortmentIn) -> None:
        await services.set_assortment(point_id, product_id, data, acting(request))

    @post("/{point_id:int}/managers", status_code=204, guards=[require_organizer])
    async def add_manager(self, request: Request, point_id: int, data: ManagerIn) -> None:
        await services.add_manager(point_id, data.user_id, acting(request))

    @post("/{point_id:int}/movements", guards=[require_point_writer])
    async def record_movement(
        self, request: Request, point_id: int, data: MovementIn, idempotency_key: IdempotencyKey = None
    ) -> MovementResult:
        """One movement; sale quantities are positive (the kind gives the direction)."""
        return await services.record_movement(point_id, data, acting(request), idempotency_key)

    @post("/{point_id:int}/movements/batch", guards=[require_point_writer])
    async def record_batch(
        self, request: Request, point_id: int, data: BatchIn, idempotency_key: IdempotencyKey = None
    ) -> MovementResult:
        """Up to 10,000 movements, all or nothing; lines whose key is already recorded are not repeated."""
        return await services.record_batch(point_id, data.movements, acting(request), idempotency_key)

    @post("/{point_id:int}/refused-sales", guards=[require_point_writer])
    async def report_refused_sale(self, request: Request, point_id: int, data: RefusedSaleIn) -> RefusedSaleOut:
        """A counter's queued sale the server refused at sync, kept for the manager; reported twice, kept once."""
        return await refused_sales.report(point_id, data, acting(request))

    @get("/{point_id:int}/refused-sales", guards=[require_point_writer])
    async def refused_sale_list(self, request: Request, point_id: int,
                                status: Literal["open", "recorded", "dismissed"] = "open") -> list[RefusedSaleOut]:
        await services.get_point(point_id)
        await services.ensure_can_write(acting(request), point_id)
        return await refused_sales.listed(point_id, status)

    @post("/{point_id:int}/transfers", guards=[require_point_writer])
    async def transfer(
        self, request: Request, point_id: int, data: TransferIn, idempotency_key: IdempotencyKey = None
    ) -> MovementResult:
        return await services.transfer(point_id, data, acting(request), idempotency_key)

    @get("/{point_id:int}/balances")
    async def balances(self, request: Request, point_id: int) -> list[BalanceOut]:
        await services.get_point(point_id)
        return within(await services.balances(point_id), await product_scope(current_actor(request)))

    @get("/{point_id:int}/stock")
    async def stock_as_of(self, request: Request, point_id: int, as_of: Moment) -> list[dict]:
        """Stock per product and lot at a past moment (an ISO date or date-time, Vietnam time when no
        offset is given), summed from the ledger."""
        try:  # ISO only: a bare number ("0.5") is not a moment, though a generic parser reads it as seconds
            if not MOMENT.fullmatch(as_of):
                raise ValueError(as_of)
            parsed = datetime.fromisoformat(as_of)
        except ValueError:
            raise ValidationFailed({"as_of": N_("Give the moment as an ISO date or date-time, such as 2026-11-30T18:00.")}) \
                from None
        await services.get_point(point_id)
        moment = parsed if parsed.tzinfo else parsed.replace(tzinfo=VIETNAM)
        if moment.year < 2000:
            return []
        # Nothing happens after tomorrow; a later moment near year 9999 would overflow on its way to UTC.
        moment = min(moment, datetime.now(UTC) + timedelta(days=2))
        return within(await services.stock_as_of(point_id, moment.astimezone(UTC)), await product_scope(current_actor(request)))

    @post("/{point_id:int}/counts", guards=[require_point_writer])
    async def open_count(self, request: Request, point_id: int) -> CountSheet:
        """Opens a stock count (kiểm kê) at the point."""
        return await services.count_sheet(await services.open_count(point_id, acting(request)))

    @get("/counts/{count_id:int}")
    async def count_sheet(self, request: Request, count_id: int) -> CountSheet:
        return await _scoped_sheet(request, count_id)

    @put("/counts/{count_id:int}/lines", guards=[require_point_writer])
    async def count_line(self, request: Request, count_id: int, data: CountLineIn) -> CountSheet:
        await services.count_line(count_id, data, acting(request))
        return await services.count_sheet(count_id)

    @post("/counts/{count_id:int}/post", guards=[require_point_writer])
    async def post_count(self, request: Request, count_id: int) -> MovementResult:
        """Posts the count: corrections bring each counted lot to what was counted."""
        return await services.post_count(count_id, acting(request))

    @get("/{point_id:int}/movements")
    async def movements(
        self, request: Request, point_id: int, product_id: int | None = None, limit: int = 100,
        kind: MovementKind | None = None, since: date | None = None, until: date | None = None,
    ) -> list[MovementOut]:
        """Movement history, newest first, filtered by product, kind and Vietnam dates (inclusive)."""
        await services.get_point(point_id)
        return await services.history(point_id, product_id, limit, kind.value if kind else "", since, until,
                                      products=await product_scope(current_actor(request)))

    @get("/{point_id:int}/sales")
    async def sales(self, request: Request, point_id: int, since: date, until: date) -> list[dict]:
        """Units and revenue per product over a period, best sellers first."""
        await services.get_point(point_id)
        if until < since or (until - since).days > 366:
            raise ValidationFailed({"until": N_("Choose a period of at most a year, ending after it starts.")})
        return within(await services.sales_by_product(point_id, since, until), await product_scope(current_actor(request)))


class SalesPointPages(Controller):
    path = "/salespoints"
    guards = [require_login]
    include_in_schema = False

    @get("/")
    async def points(self, request: Request) -> Template:
        actor = acting(request)
        return Template(
            template_name="salespoints/points.html",
            # Each point's totals sum every producer's stock: not shown to one producer (reading_scope).
            context={"overview": await services.overview(), "mine": await services.managed_point_ids(actor),
                     "show_stock": await product_scope(actor) is None},
        )

    @get("/new", guards=[require_organizer])
    async def new_point(self) -> Template:
        return Template(template_name="salespoints/point_form.html", context={"point": None, "values": {}, "errors": {}})

    @post("/new", guards=[require_organizer])
    async def create_point(self, request: Request, data: Form) -> Template | Redirect:
        try:
            point_id = await services.create_point(parse_struct(data, SalesPointIn), acting(request))
        except ValidationFailed as error:
            return Template(template_name="salespoints/point_form.html", status_code=422,
                            context={"point": None, "values": data, "errors": error.errors})
        return Redirect(f"/salespoints/{point_id}")

    @get("/{point_id:int}/edit", guards=[require_organizer])
    async def edit_point(self, point_id: int) -> Template:
        point = await services.get_point(point_id)
        values = {k: getattr(point, k) for k in SalesPointIn.__struct_fields__}
        return Template(template_name="salespoints/point_form.html", context={"point": point, "values": values, "errors": {}})

    @post("/{point_id:int}/edit", guards=[require_organizer])
    async def update_point(self, request: Request, point_id: int, data: Form) -> Template | Redirect:
        try:
            await services.update_point(point_id, parse_struct(data, SalesPointIn), acting(request))
        except ValidationFailed as error:
            return Template(template_name="salespoints/point_form.html", status_code=422,
                            context={"point": await services.get_point(point_id), "values": data, "errors": error.errors})
        return Redirect(f"/salespoints/{point_id}")

    @get("/import", guards=[require_organizer])
    async def import_form(self) -> Template:
        return Template(template_name="salespoints/import.html", context={"errors": {}, "checked": None})

    @post("/import", guards=[require_organizer])
    async def import_preview(self, request: Request,
                             data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]) -> Template:
        upload = data.get("file")
        try:
            if not isinstance(upload, UploadFile):
                raise ValidationFailed({"file": importing.NO_FILE})
            token, checked = await importing.preview_points(upload.filename or "", await upload.read(), acting(request))
        except ValidationFailed as error:
            return Template(template_name="salespoints/import.html", status_code=422,
                            context={"errors": error.errors, "checked": None})
        return Template(template_name="salespoints/import.html", context={"errors": {}, "checked": checked, "token": token})

    @post("/import/{token:str}/commit", guards=[require_organizer])
    async def import_commit(self, request: Request, token: str) -> Template | Redirect:
        try:
            await importing.commit_points(token, acting(request))
        except ValidationFailed as error:
            return Template(template_name="salespoints/import.html", status_code=422,
                            context={"errors": error.errors, "checked": None})
        return Redirect("/salespoints/")

    @get("/{point_id:int}")
    async def point(self, request: Request, point_id: int, q: str = "", add: int | None = None) -> Template:
        """The point; `q` searches products to add to its range, `add` offers one (a refused transfer links here)."""
        context = await self._context(request, point_id, {}, {}, range_q=q, range_values={"product_id": add})
        return Template(template_name="salespoints/point.html", context=context)

    @post("/{point_id:int}/movements")
    async def record(self, request: Request, point_id: int, data: Form) -> Template | Redirect:
        values = {k: v for k, v in data.items() if k != "_csrf_token"}
        try:
            line = parse_struct(values, MovementIn)
            await services.record_movement(point_id, line, acting(request))
        except (ValidationFailed, InsufficientStock, HeldForAnother) as error:
            errors = error.errors if isinstance(error, ValidationFailed) else {
                "lot_code" if isinstance(error, HeldForAnother) else "quantity": error.message}
            context = await self._context(request, point_id, values, errors)
            return Template(template_name="salespoints/point.html", context=context, status_code=error.status_code)
        return Redirect(f"/salespoints/{point_id}")

    @post("/{point_id:int}/transfers")
    async def transfer(self, request: Request, point_id: int, data: Form) -> Template | Redirect:
        actor = acting(request)
        values = {k: v for k, v in data.items() if k not in ("_csrf_token", "idempotency_key")}
        try:
            transfer = parse_struct(values, TransferIn)
            await services.transfer(point_id, transfer, actor, str(data.get("idempotency_key") or "") or None)
        except (ValidationFailed, InsufficientStock) as error:
            errors = error.errors if isinstance(error, ValidationFailed) else {"quantity": error.message}
            context = await self._context(request, point_id, {}, {})
            context.update(transfer_values=values, transfer_errors=errors)
            if isinstance(error, services.NotCarriedThere):
                # The way forward: the receiving point's range, where those who may change it add the product.
                context.update(receiver=await services.get_point(error.point_id), receiver_product=error.product_id,
                               receiver_can_write=await services.can_write(actor, error.point_id))
            return Template(template_name="salespoints/point.html", context=context, status_code=error.status_code)
        return Redirect(f"/salespoints/{point_id}")

    @post("/{point_id:int}/assortment")
    async def set_assortment(self, request: Request, point_id: int, data: Form) -> Template | Redirect:
        """Adds a product to the point's range, or changes a carried product's price and threshold."""
        actor = acting(request)
        await services.get_point(point_id)
        await services.ensure_can_write(actor, point_id)
        values = {k: v for k, v in data.items() if k not in ("_csrf_token", "q")}
        try:
            item = parse_struct(values, AssortmentItemIn)
            await services.set_assortment(point_id, item.product_id, item.terms(), actor, check_policy=True)
        except ValidationFailed as error:
            context = await self._context(request, point_id, {}, {}, range_q=str(data.get("q") or ""),
                                          range_values=values, range_errors=error.errors)
            return Template(template_name="salespoints/point.html", context=context, status_code=error.status_code)
        return Redirect(f"/salespoints/{point_id}#range")

    @get("/{point_id:int}/stock.xlsx")
    async def stock_export(self, request: Request, point_id: int) -> Response:
        await services.get_point(point_id)
        stock = within(await services.balances(point_id), await product_scope(current_actor(request)))
        return xlsx_response(exporting.stock_workbook(stock), f"ton-kho-{point_id}.xlsx")

    @get("/{point_id:int}/movements.xlsx")
    async def movements_export(self, request: Request, point_id: int) -> Response:
        await services.get_point(point_id)
        movements = await services.history(point_id, limit=100_000, products=await product_scope(current_actor(request)))
        return xlsx_response(exporting.movements_workbook(movements), f"nhap-xuat-{point_id}.xlsx")

    @get("/{point_id:int}/counter")
    async def counter(self, request: Request, point_id: int) -> Template:
        """The phone-first counter: scan or search, two taps for a sale, works offline."""
        point = await services.get_point(point_id)
        await services.ensure_can_write(acting(request), point_id)
        # The ledger's last movement before the stock is read: the phone adds what it sent later (an offline copy).
        ledger = await services.ledger_position(point_id)
        return Template(template_name="salespoints/counter.html",
                        context={"point": point, "items": await services.counter_items(point_id),
                                 "refused": await refused_sales.open_count(point_id), "ledger": ledger})

    @get("/counter-sw.js")
    async def counter_worker(self) -> Response:
        """The counter's service worker, served under /salespoints/ so that it may keep the counter pages; asked
        for again on each visit (no-cache), so a new release reaches the phones."""
        return Response(COUNTER_WORKER.read_bytes(), media_type="text/javascript",
                        headers={"cache-control": "no-cache"})

    @get("/{point_id:int}/refused")
    async def refused(self, request: Request, point_id: int) -> Template:
        return await self._refused_page(request, point_id, None, {}, {})

    async def _refused_page(self, request: Request, point_id: int, failed: int | None, values: dict,
                            errors: dict, status_code: int = 200) -> Template:
        """The point's refused sales: each with its reason, to record again or dismiss."""
        point = await services.get_point(point_id)
        await services.ensure_can_write(acting(request), point_id)
        return Template(template_name="salespoints/refused.html", status_code=status_code, context={
            "point": point, "open": await refused_sales.listed(point_id), "failed": failed, "values": values,
            "errors": errors, "recorded": await refused_sales.listed(point_id, refused_sales.RECORDED),
            "dismissed": await refused_sales.listed(point_id, refused_sales.DISMISSED),
            "products": await services.counter_items(point_id)})

    @post("/{point_id:int}/refused/{refused_id:int}/record")
    async def record_refused(self, request: Request, point_id: int, refused_id: int, data: Form) -> Template | Redirect:
        values = {k: v for k, v in data.items() if k in ("product_id", "quantity", "lot_code", "kind", "note")}
        try:
            line = parse_struct(values, MovementIn)
            await refused_sales.record_again(point_id, refused_id, line, acting(request))
        except (ValidationFailed, InsufficientStock) as error:
            errors = error.errors if isinstance(error, ValidationFailed) else {"quantity": error.message}
            return await self._refused_page(request, point_id, refused_id, values, errors, error.status_code)
        return Redirect(f"/salespoints/{point_id}/refused")

    @post("/{point_id:int}/refused/{refused_id:int}/dismiss")
    async def dismiss_refused(self, request: Request, point_id: int, refused_id: int, data: Form) -> Template | Redirect:
        try:
            await refused_sales.dismiss(point_id, refused_id, str(data.get("note") or ""), acting(request))
        except ValidationFailed as error:
            return await self._refused_page(request, point_id, refused_id, {"note": data.get("note")}, error.errors,
                                            error.status_code)
        return Redirect(f"/salespoints/{point_id}/refused")

    @post("/{point_id:int}/counts")
    async def open_count(self, request: Request, point_id: int) -> Redirect:
        count_id = await services.open_count(point_id, acting(request))
        return Redirect(f"/salespoints/counts/{count_id}")

    @get("/counts/{count_id:int}")
    async def count(self, request: Request, count_id: int) -> Template:
        sheet = await _scoped_sheet(request, count_id)
        return Template(template_name="salespoints/count.html",
                        context={"sheet": sheet, "point": await services.get_point(sheet.point_id), "errors": {},
                                 "typed": {}, "row_errors": {}})

    @post("/counts/{count_id:int}/lines")
    async def count_line(self, request: Request, count_id: int, data: Form) -> Template | Redirect:
        """Saves every line typed on the count sheet at once (a single line too); a bad line saves none."""
        sheet = await services.count_sheet(count_id)
        await services.ensure_can_write(acting(request), sheet.point_id)
        refused = await self._save_counts(request, sheet, data)
        if refused is not None:
            return refused
        # Back to the sheet, which puts the cursor on the first line not counted yet (not at the top).
        return Redirect(f"/salespoints/counts/{count_id}")

    @post("/counts/{count_id:int}/post")
    async def post_count(self, request: Request, count_id: int, data: Form) -> Template | Redirect:
        """Posts the count, saving first whatever was typed on the sheet and not yet saved."""
        sheet = await services.count_sheet(count_id)
        await services.ensure_can_write(acting(request), sheet.point_id)
        refused = await self._save_counts(request, sheet, data)
        if refused is not None:
            return refused
        await services.post_count(count_id, acting(request))
        return Redirect(f"/salespoints/{sheet.point_id}")

    async def _save_counts(self, request: Request, sheet: CountSheet, data: dict) -> Template | None:
        """The sheet's changed lines, saved in one go (`services.count_lines`). Each row sends its product,
        lot, the count typed and the count it showed ("was"): only rows whose count changed are sent, so
        two people counting one sheet do not overwrite each other's lines. None once saved; else the
        sheet again, 422, with every typed value, the bad lines marked, and nothing saved."""

        def column(name: str) -> list[str]:
            value = data.get(name, [])
            return [str(v) for v in value] if isinstance(value, list) else [str(value)]

        rows = [dict(zip(("product_id", "lot_code", "counted", "was"), row, strict=True)) for row in
                zip_longest(column("product_id"), column("lot_code"), column("counted"), column("was"), fillvalue="")]
        changed = [n for n, row in enumerate(rows) if row["counted"].strip() and row["counted"].strip() != row["was"].strip()]
        lines: list[CountLineIn] = []
        errors: dict[str, Any] = {}
        row_errors: dict[int, dict] = {}
        for n in changed:
            try:
                lines.append(parse_struct({k: v for k, v in rows[n].items() if k != "was"}, CountLineIn))
            except ValidationFailed as error:
                row_errors[n] = error.errors
        if not row_errors:
            try:
                await services.count_lines(sheet.id, lines, acting(request))
            except ValidationFailed as error:
                for field, message in error.errors.items():
                    found = re.fullmatch(r"lines\[(\d+)\]\.(\w+)", field)
                    if found and int(found.group(1)) < len(changed):
                        row_errors.setdefault(changed[int(found.group(1))], {})[found.group(2)] = message
                    else:
                        errors[field] = message
        if not row_errors and not errors:
            return None
        by_line = {(rows[n]["product_id"], rows[n]["lot_code"]): messages for n, messages in row_errors.items()}
        return Template(template_name="salespoints/count.html", status_code=422, context={
            "sheet": sheet, "point": await services.get_point(sheet.point_id), "errors": errors,
            "typed": {(row["product_id"], row["lot_code"]): row for row in rows},
            "row_errors": {key: list(messages.values()) for key, messages in by_line.items()},
        })

    async def _context(self, request: Request, point_id: int, values: dict, errors: dict, *, range_q: str = "",
                       range_values: dict | None = None, range_errors: dict | None = None) -> dict:
        point = await services.get_point(point_id)
        actor = acting(request)
        scope = await product_scope(actor)
        stock = within(await services.balances(point_id), scope)
        can_write = await services.can_write(actor, point_id)
        assortment = await services.assortment(point_id)
        range_values = range_values or {}
        offered: Any = range_values.get("product_id")  # a form value: text, or absent
        offered = int(offered) if str(offered or "").isdigit() and len(str(offered)) < 10 else None
        return {
            "point": point,
            "stock": stock,
            "low": within(await services.low_stock(point_id), scope),
            "movements": await services.history(point_id, limit=30, products=scope),
            "expiring": within(await services.expiring_lots(point_id), scope),
            "compliance": await services.compliance(point_id) if scope is None else None,
            # The point's takings by day sum every producer's sales: not shown to one producer.
            "sales": await services.sales_by_day(point_id) if scope is None else [],
            # Two producers may sell products of the same name: the producer tells them apart.
            "product_options": [(a["product"], f'{a["product_name"]} · {a["producer_name"]}') for a in assortment],
            "point_options": [(p.id, p.name) for p in await services.list_points(actor) if p.id != point_id],
            "transfer_values": {"idempotency_key": uuid.uuid4().hex},
            "transfer_errors": {},
            "can_write": can_write,
            # A fresh key per form: a double-submitted form records the movement once.
            "values": {"idempotency_key": uuid.uuid4().hex, **{k: v for k, v in values.items() if k != "idempotency_key"}},
            "errors": errors,
            # The product range (assortment): what the point carries, and products to add to it.
            "assortment": within(assortment, scope),
            "range_q": range_q[:200],
            "candidates": await services.assortment_candidates(point_id, range_q, offered) if can_write else [],
            "range_values": range_values,
            "range_errors": range_errors or {},
            "lists_specialties": await services.lists_specialties(actor, point_id),
        }


async def _scoped_sheet(request: Request, count_id: int) -> CountSheet:
    sheet = await services.count_sheet(count_id)
    scope = await product_scope(current_actor(request))
    return sheet if scope is None else msgspec.structs.replace(sheet, rows=within(sheet.rows, scope))
