"""Consignment statements: the point's monthly statements, their documents and payment, and the producer's
own view of its goods at points. Thin: parse, call `settlements`, render."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request
from litestar.enums import RequestEncodingType
from litestar.params import Body, Parameter
from litestar.response import Redirect, Response, Template

from accounts.enums import Role
from accounts.guards import acting, current_actor, require_login, require_roles
from core.errors import N_, Conflict, Forbidden, ValidationFailed
from core.formatting import vietnam_today
from core.forms import parse_struct
from core.routing import get, post
from core.spreadsheets import xlsx_response
from salespoints import services, settlements, statement_documents
from salespoints.schemas import PaymentIn, SettlementOut

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
Month = Annotated[str, Parameter(description="A month as year-month, such as 2026-11.",
                                 schema_extra={"pattern": settlements.MONTH.pattern})]
require_point_writer = require_roles(Role.organizer, Role.salespoint_manager)


class StatementApi(Controller):
    path = "/api/v1/salespoints"
    guards = [require_login]
    tags = ["sales points"]

    @get("/{point_id:int}/statements")
    async def statements(self, request: Request, point_id: int, month: Month | None = None) -> list[SettlementOut]:
        """The point's consignment statements (newest month first), as far as the reader may see them."""
        await services.get_point(point_id)
        return await settlements.point_statements(point_id, current_actor(request), month)

    @post("/{point_id:int}/statements/{month:str}", guards=[require_point_writer])
    async def compile_month(self, request: Request, point_id: int, month: str) -> list[SettlementOut]:
        """Compiles the month's statements of the point (those not yet paid) and returns them all."""
        actor = acting(request)
        await settlements.compile_month(point_id, month, actor)
        return await settlements.point_statements(point_id, actor, month)

    @get("/statements/{statement_id:int}")
    async def statement(self, request: Request, statement_id: int) -> SettlementOut:
        return await settlements.get_statement(statement_id, current_actor(request))

    @post("/statements/{statement_id:int}/payment", guards=[require_point_writer])
    async def pay(self, request: Request, statement_id: int, data: PaymentIn) -> SettlementOut:
        """Records the payment of a statement, which closes it."""
        return await settlements.mark_paid(statement_id, data, acting(request))


class StatementPages(Controller):
    path = "/salespoints"
    guards = [require_login]
    include_in_schema = False

    @get("/{point_id:int}/statements")
    async def statements(self, request: Request, point_id: int, month: str = "") -> Template:
        return await self._list(request, point_id, month or settlements.previous_month(vietnam_today()), {})

    async def _list(self, request: Request, point_id: int, month: str, errors: dict, status_code: int = 200) -> Template:
        actor = acting(request)
        point = await services.get_point(point_id)
        listed = await settlements.point_statements(point_id, actor)
        return Template(template_name="salespoints/statements.html", status_code=status_code, context={
            "point": point, "statements": listed, "month": month, "errors": errors,
            "can_write": await services.can_write(actor, point_id)})

    @post("/{point_id:int}/statements", guards=[require_point_writer])
    async def compile_month(self, request: Request, point_id: int, data: Form) -> Template | Redirect:
        month = str(data.get("month") or "").strip()
        try:
            await settlements.compile_month(point_id, month, acting(request))
        except ValidationFailed as error:
            return await self._list(request, point_id, month, error.errors, error.status_code)
        return Redirect(f"/salespoints/{point_id}/statements?month={month}")

    @get("/statements/{statement_id:int}")
    async def statement(self, request: Request, statement_id: int) -> Template:
        return await self._statement(request, statement_id, {}, {})

    async def _statement(self, request: Request, statement_id: int, values: dict, errors: dict,
                         status_code: int = 200) -> Template:
        actor = acting(request)
        statement = await settlements.get_statement(statement_id, actor)
        return Template(template_name="salespoints/statement.html", status_code=status_code, context={
            "statement": statement, "lines": await settlements.statement_lines(statement), "values": values,
            "errors": errors, "can_write": await services.can_write(actor, statement.point_id),
            "today": vietnam_today()})

    @post("/statements/{statement_id:int}/paid", guards=[require_point_writer])
    async def pay(self, request: Request, statement_id: int, data: Form) -> Template | Redirect:
        actor = acting(request)
        statement = await settlements.get_statement(statement_id, actor)  # rights before the form's complaints
        await services.ensure_can_write(actor, statement.point_id)
        values = {k: v for k, v in data.items() if k in ("amount", "paid_on", "reference")}
        try:
            await settlements.mark_paid(statement_id, parse_struct(values, PaymentIn), actor)
        except (ValidationFailed, Conflict) as error:
            errors = error.errors if isinstance(error, ValidationFailed) else {"amount": error.message}
            return await self._statement(request, statement_id, values, errors, error.status_code)
        return Redirect(f"/salespoints/statements/{statement_id}")

    @get("/statements/{statement_id:int}/statement.pdf")
    async def statement_pdf(self, request: Request, statement_id: int) -> Response:
        statement = await settlements.get_statement(statement_id, acting(request))
        pdf = await statement_documents.statement_pdf(request.app.template_engine, statement,
                                                      await settlements.statement_lines(statement), vietnam_today())
        return Response(pdf, media_type="application/pdf", headers={
            "content-disposition": f'inline; filename="{statement_documents.filename(statement, "pdf")}"'})

    @get("/statements/{statement_id:int}/statement.xlsx")
    async def statement_xlsx(self, request: Request, statement_id: int) -> Response:
        statement = await settlements.get_statement(statement_id, acting(request))
        content = statement_documents.statement_xlsx(statement, await settlements.statement_lines(statement))
        return xlsx_response(content, statement_documents.filename(statement, "xlsx"))

    @get("/consigned")
    async def consigned(self, request: Request) -> Template:
        """A producer's own goods at sales points: stock held, latest sales, statements."""
        actor = acting(request)
        if actor.role is not Role.producer:
            raise Forbidden(N_("This page shows a producer's consigned goods: sign in as the producer."))
        return Template(template_name="salespoints/consigned.html",
                        context={"overview": await settlements.producer_overview(set(actor.producer_ids))})
