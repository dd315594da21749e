"""Excel exports of a point's stock and movements."""

from __future__ import annotations

from collections.abc import Iterable

from core.spreadsheets import workbook
from salespoints.schemas import BalanceOut, MovementOut


def stock_workbook(stock: Iterable[BalanceOut]) -> bytes:
    return workbook(
        "Ton kho",
        ["Mã sản phẩm", "Sản phẩm", "Lô", "Hạn sử dụng", "Số lượng", "Giá bán (VND)", "Giá trị (VND)", "Ngưỡng đặt hàng"],
        ([b.product_id, b.product_name, b.lot_code, b.lot_expiry, b.quantity, b.selling_price, b.quantity * b.selling_price,
          b.reorder_threshold] for b in stock),
    )


def movements_workbook(movements: Iterable[MovementOut]) -> bytes:
    return workbook(
        "Nhap xuat",
        ["Số phiếu", "Thời gian (UTC)", "Mã sản phẩm", "Sản phẩm", "Loại", "Số lượng", "Đơn giá (VND)", "Lô", "Ghi chú"],
        ([m.id, m.happened_at.replace(tzinfo=None), m.product_id, m.product_name, m.kind, m.quantity, m.unit_price,
          m.lot_code, m.note] for m in movements),
    )
