"""A consignment statement as the producer and the accountant take it: a PDF signed by the point (always
Vietnamese: it is the document both sides keep) and an .xlsx of every settled movement."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from core import i18n
from core.formatting import VIETNAM
from core.spreadsheets import workbook_of
from salespoints.enums import MovementKind
from salespoints.schemas import SettlementOut

KIND_NAMES = {
    MovementKind.receipt.value: "Nhập ký gửi",
    MovementKind.sale.value: "Bán",
    MovementKind.customer_return.value: "Khách trả lại",
    MovementKind.producer_return.value: "Trả chủ thể",
    MovementKind.transfer_out.value: "Chuyển đi",
    MovementKind.transfer_in.value: "Chuyển đến",
    MovementKind.adjustment.value: "Điều chỉnh",
    MovementKind.count_correction.value: "Chênh lệch kiểm kê",
    MovementKind.write_off.value: "Hủy (hết hạn, hư hỏng)",
}


def filename(statement: SettlementOut, extension: str) -> str:
    return f"quyet-toan-ky-gui-{statement.month}-{statement.point_id}-{statement.producer_id}.{extension}"


def terms_text(line: dict) -> str:
    if line["producer_price"] is not None:
        return f"giá trả {line['producer_price']:,} đ".replace(",", ".")
    if line["commission_bp"] is not None:
        return f"hoa hồng {line['commission_bp'] / 100:g} %".replace(".", ",")
    return ""


def by_product(lines: list[dict]) -> list[dict]:
    """The month's sales per product and terms (what the producer checks against its deliveries): units, value, owed."""
    rows: dict[tuple[str, str], dict] = {}
    for line in lines:
        if line["kind"] not in (MovementKind.sale.value, MovementKind.customer_return.value):
            continue
        row = rows.setdefault((line["product_name"], terms_text(line)), {
            "product_name": line["product_name"], "terms": terms_text(line), "sold": 0, "value": 0, "owed": 0, "sales": 0})
        row["sold"] -= line["quantity"]
        row["value"] += line["value"]
        row["owed"] += line["owed"]
        row["sales"] += 1
    return sorted(rows.values(), key=lambda r: (r["product_name"], r["terms"]))


async def statement_pdf(engine: Any, statement: SettlementOut, lines: list[dict], today: dt.date) -> bytes:
    """Renders the statement with WeasyPrint, off the event loop: the figures, the sales per product, and each
    movement of an earlier month recorded late (every movement is in the .xlsx and on the statement's page)."""
    token = i18n.current_language.set("vi")
    try:
        html = engine.get_template("salespoints/print/statement.html").render(
            statement=statement, products=by_product(lines), late=[line for line in lines if line["earlier"]],
            kinds=KIND_NAMES, terms=terms_text, today=today, local=lambda moment: moment.astimezone(VIETNAM))
    finally:
        i18n.current_language.reset(token)

    def render() -> bytes:
        from weasyprint import HTML

        return HTML(string=html, url_fetcher=_no_fetching).write_pdf()

    return await asyncio.to_thread(render)


def statement_xlsx(statement: SettlementOut, lines: list[dict]) -> bytes:
    """Two sheets: the statement's figures, and every settled movement with what it owes."""
    summary: list[list[Any]] = [
        ["Điểm bán", statement.point_name], ["Chủ thể", statement.producer_name], ["Tháng", statement.month],
        ["Trạng thái", "Đã thanh toán" if statement.status == "paid" else "Chưa thanh toán"],
        ["Số lượng nhận", statement.received], ["Số lượng bán (trừ khách trả)", statement.sold],
        ["Doanh số (đồng)", statement.sales_value], ["Hoa hồng điểm bán (đồng)", statement.commission],
        ["Phải trả chủ thể (đồng)", statement.owed], ["Trong đó: điều chỉnh tháng trước (đồng)", statement.carried],
        ["Trả lại chủ thể", statement.returned], ["Biến động khác", statement.other], ["Tồn cuối tháng", statement.held],
        ["Đã trả (đồng)", statement.paid_amount], ["Ngày trả", statement.paid_on], ["Chứng từ", statement.paid_reference],
    ]
    rows = [[line["id"], line["happened_at"].astimezone(VIETNAM).replace(tzinfo=None), line["product_name"],
             line["lot_code"], KIND_NAMES.get(line["kind"], line["kind"]), line["quantity"], line["unit_price"],
             terms_text(line), line["value"], line["owed"], "tháng trước" if line["earlier"] else ""] for line in lines]
    return workbook_of([
        ("Quyết toán", ["Mục", "Giá trị"], summary),
        ("Chi tiết", ["Số phiếu", "Thời điểm", "Sản phẩm", "Lô", "Loại", "Số lượng", "Đơn giá (đồng)", "Điều kiện",
                      "Doanh số (đồng)", "Phải trả (đồng)", "Ghi chú"], rows),
    ])


def _no_fetching(url: str, *args, **kwargs):
    raise ValueError(f"the printed statement fetches nothing ({url})")
