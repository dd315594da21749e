"""Sales-point pages and the /api/v1/salespoints endpoints. Thin: parse, call a service, render."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from litestar import Controller, Request, get, post, put
from litestar.enums import RequestEncodingType
from litestar.params import Body, Parameter
from litestar.response import Redirect, Response, Template

from accounts.guards import current_actor, require_login
from core.errors import N_, Forbidden, ValidationFailed
from core.forms import parse_struct
from core.spreadsheets import xlsx_response
from salespoints import exporting, services
from salespoints.enums import MovementKind
from salespoints.ledger import InsufficientStock
from salespoints.schemas import (
    AssortmentIn,
    BalanceOut,
    BatchIn,
    CountLineIn,
    CountSheet,
    ManagerIn,
    MovementIn,
    MovementOut,
    MovementResult,
    SalesPointIn,
    SalesPointOut,
    TransferIn,
)

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
IdempotencyKey = Annotated[
    str | None,
    Parameter(header="Idempotency-Key", required=False, description="Retries with the same key take effect once."),
]



class SalesPointApi(Controller):
    path = "/api/v1/salespoints"
    guards = [require_login]
    tags = ["sales points"]

    @get("/")
    async def list_points(self, request: Request) -> list[SalesPointOut]:
        return await services.list_points(current_actor(request))

    @post("/")
    async def create_point(self, request: Request, data: SalesPointIn) -> SalesPointOut:
        return await services.get_point(await services.create_point(data, current_actor(request)))

    @get("/{point_id:int}")
    async def get_point(self, point_id: int) -> SalesPointOut:
        return await services.get_point(point_id)

    @put("/{point_id:int}/assortment/{product_id:int}")
    async def set_assortment(self, request: Request, point_id: int, product_id: int, data: AssortmentIn) -> None:
        await services.set_assortment(point_id, product_id, data, current_actor(request))

    @post("/{point_id:int}/managers", status_code=204)
    async def add_manager(self, request: Request, point_id: int, data: ManagerIn) -> None:
        await services.add_manager(point_id, data.user_id, current_actor(request))

    @post("/{point_id:int}/movements")
    async def record_movement(
        self, request: Request, point_id: int, data: MovementIn, idempotency_key: IdempotencyKey = None
    ) -> MovementResult:
        """One movement; sale quantities are positive (the kind gives the direction)."""
        return await services.record_movement(point_id, data, current_actor(request), idempotency_key)

    @post("/{point_id:int}/movements/batch")
    async def record_batch(
        self, request: Request, point_id: int, data: BatchIn, idempotency_key: IdempotencyKey = None
    ) -> MovementResult:
        """Up to 10,000 movements, all or nothing; lines whose key is already recorded are not repeated."""
        return await services.record_batch(point_id, data.movements, current_actor(request), idempotency_key)

    @post("/{point_id:int}/transfers")
    async def transfer(
        self, request: Request, point_id: int, data: TransferIn, idempotency_key: IdempotencyKey = None
    ) -> MovementResult:
        return await services.transfer(point_id, data, current_actor(request), idempotency_key)

    @get("/{point_id:int}/balances")
    async def balances(self, point_id: int) -> list[BalanceOut]:
        await services.get_point(point_id)
        return await services.balances(point_id)

    @get("/{point_id:int}/stock")
    async def stock_as_of(self, point_id: int, as_of: datetime) -> list[dict]:
        """Stock per product and lot at a past moment (ISO date-time), summed from the ledger."""
        await services.get_point(point_id)
        moment = as_of if as_of.tzinfo else as_of.replace(tzinfo=VIETNAM)
        if moment.year < 2000:
            return []
        # Nothing happens after tomorrow; a later moment near year 9999 would overflow on its way to UTC.
        moment = min(moment, datetime.now(UTC) + timedelta(days=2))
        return await services.stock_as_of(point_id, moment.astimezone(UTC))

    @post("/{point_id:int}/counts")
    async def open_count(self, request: Request, point_id: int) -> CountSheet:
        """Opens a stock count (kiểm kê) at the point."""
        return await services.count_sheet(await services.open_count(point_id, current_actor(request)))

    @get("/counts/{count_id:int}")
    async def count_sheet(self, count_id: int) -> CountSheet:
        return await services.count_sheet(count_id)

    @put("/counts/{count_id:int}/lines")
    async def count_line(self, request: Request, count_id: int, data: CountLineIn) -> CountSheet:
        await services.count_line(count_id, data, current_actor(request))
        return await services.count_sheet(count_id)

    @post("/counts/{count_id:int}/post")
    async def post_count(self, request: Request, count_id: int) -> MovementResult:
        """Posts the count: corrections bring each counted lot to what was counted."""
        return await services.post_count(count_id, current_actor(request))

    @get("/{point_id:int}/movements")
    async def movements(
        self, point_id: int, product_id: int | None = None, limit: int = 100, kind: MovementKind | None = None,
        since: date | None = None, until: date | None = None,
    ) -> list[MovementOut]:
        """Movement history, newest first, filtered by product, kind and Vietnam dates (inclusive)."""
        await services.get_point(point_id)
        return await services.history(point_id, product_id, limit, kind.value if kind else "", since, until)

    @get("/{point_id:int}/sales")
    async def sales(self, point_id: int, since: date, until: date) -> list[dict]:
        """Units and revenue per product over a period, best sellers first."""
        await services.get_point(point_id)
        if until < since or (until - since).days > 366:
            raise ValidationFailed({"until": N_("Choose a period of at most a year, ending after it starts.")})
        return await services.sales_by_product(point_id, since, until)


class SalesPointPages(Controller):
    path = "/salespoints"
    guards = [require_login]
    include_in_schema = False

    @get("/")
    async def points(self, request: Request) -> Template:
        actor = current_actor(request)
        return Template(
            template_name="salespoints/points.html",
            context={"overview": await services.overview(), "mine": await services.managed_point_ids(actor)},
        )

    @get("/{point_id:int}")
    async def point(self, request: Request, point_id: int) -> Template:
        return Template(template_name="salespoints/point.html", context=await self._context(request, point_id, {}, {}))

    @post("/{point_id:int}/movements")
    async def record(self, request: Request, point_id: int, data: Form) -> Template | Redirect:
        values = {k: v for k, v in data.items() if k != "_csrf_token"}
        try:
            line = parse_struct(values, MovementIn)
            await services.record_movement(point_id, line, current_actor(request))
        except (ValidationFailed, InsufficientStock) as error:
            errors = error.errors if isinstance(error, ValidationFailed) else {"quantity": error.message}
            context = await self._context(request, point_id, values, errors)
            return Template(template_name="salespoints/point.html", context=context, status_code=error.status_code)
        return Redirect(f"/salespoints/{point_id}")

    @post("/{point_id:int}/transfers")
    async def transfer(self, request: Request, point_id: int, data: Form) -> Template | Redirect:
        values = {k: v for k, v in data.items() if k not in ("_csrf_token", "idempotency_key")}
        try:
            transfer = parse_struct(values, TransferIn)
            await services.transfer(point_id, transfer, current_actor(request), str(data.get("idempotency_key") or "") or None)
        except (ValidationFailed, InsufficientStock) as error:
            errors = error.errors if isinstance(error, ValidationFailed) else {"quantity": error.message}
            context = await self._context(request, point_id, {}, {})
            context.update(transfer_values=values, transfer_errors=errors)
            return Template(template_name="salespoints/point.html", context=context, status_code=error.status_code)
        return Redirect(f"/salespoints/{point_id}")

    @get("/{point_id:int}/stock.xlsx")
    async def stock_export(self, point_id: int) -> Response:
        await services.get_point(point_id)
        return xlsx_response(exporting.stock_workbook(await services.balances(point_id)), f"ton-kho-{point_id}.xlsx")

    @get("/{point_id:int}/movements.xlsx")
    async def movements_export(self, point_id: int) -> Response:
        await services.get_point(point_id)
        return xlsx_response(exporting.movements_workbook(await services.history(point_id, limit=100_000)), f"nhap-xuat-{point_id}.xlsx")

    @get("/{point_id:int}/counter")
    async def counter(self, request: Request, point_id: int) -> Template:
        """The phone-first counter: scan or search, two taps for a sale, works offline."""
        point = await services.get_point(point_id)
        await services.ensure_can_write(current_actor(request), point_id)
        return Template(template_name="salespoints/counter.html",
                        context={"point": point, "items": await services.counter_items(point_id)})

    @post("/{point_id:int}/counts")
    async def open_count(self, request: Request, point_id: int) -> Redirect:
        count_id = await services.open_count(point_id, current_actor(request))
        return Redirect(f"/salespoints/counts/{count_id}")

    @get("/counts/{count_id:int}")
    async def count(self, count_id: int) -> Template:
        sheet = await services.count_sheet(count_id)
        return Template(template_name="salespoints/count.html",
                        context={"sheet": sheet, "point": await services.get_point(sheet.point_id), "errors": {}})

    @post("/counts/{count_id:int}/lines")
    async def count_line(self, request: Request, count_id: int, data: Form) -> Template | Redirect:
        try:
            line = parse_struct({k: v for k, v in data.items() if k != "_csrf_token"}, CountLineIn)
            await services.count_line(count_id, line, current_actor(request))
        except ValidationFailed as error:
            sheet = await services.count_sheet(count_id)
            return Template(template_name="salespoints/count.html", status_code=422,
                            context={"sheet": sheet, "point": await services.get_point(sheet.point_id), "errors": error.errors})
        return Redirect(f"/salespoints/counts/{count_id}")

    @post("/counts/{count_id:int}/post")
    async def post_count(self, request: Request, count_id: int) -> Redirect:
        sheet = await services.count_sheet(count_id)
        await services.post_count(count_id, current_actor(request))
        return Redirect(f"/salespoints/{sheet.point_id}")

    async def _context(self, request: Request, point_id: int, values: dict, errors: dict) -> dict:
        point = await services.get_point(point_id)
        stock = await services.balances(point_id)
        actor = current_actor(request)
        try:
            await services.ensure_can_write(actor, point_id)
            can_write = True
        except Forbidden:
            can_write = False
        return {
            "point": point,
            "stock": stock,
            "low": await services.low_stock(point_id),
            "movements": await services.history(point_id, limit=30),
            "expiring": await services.expiring_lots(point_id),
            "compliance": await services.compliance(point_id),
            "sales": await services.sales_by_day(point_id),
            "product_options": [(a["product"], a["product_name"]) for a in await services.assortment(point_id)],
            "point_options": [(p.id, p.name) for p in await services.list_points(actor) if p.id != point_id],
            "transfer_values": {"idempotency_key": uuid.uuid4().hex},
            "transfer_errors": {},
            "can_write": can_write,
            # A fresh key per form: a double-submitted form records the movement once.
            "values": {"idempotency_key": uuid.uuid4().hex, **{k: v for k, v in values.items() if k != "idempotency_key"}},
            "errors": errors,
        }
