"""Excel exports of a point's stock and movements."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from core.formatting import VIETNAM
from core.i18n import translations
from core.spreadsheets import workbook
from salespoints.enums import LABELS
from salespoints.schemas import BalanceOut, MovementOut

# The sheets are in Vietnamese, as the programme's offices file them.
_KINDS = {member.value: text for member, text in LABELS if type(member).__name__ == "MovementKind"}


def _kind(code: str) -> str:
    code = getattr(code, "value", code)
    return translations("vi").gettext(_KINDS[code]) if code in _KINDS else code


def _local(moment: dt.datetime) -> dt.datetime:
    """Vietnam's wall-clock time, without a zone (Excel has none)."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    return aware.astimezone(VIETNAM).replace(tzinfo=None)


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
        ["Số phiếu", "Thời gian", "Mã sản phẩm", "Sản phẩm", "Loại", "Số lượng", "Đơn giá (VND)", "Lô", "Ghi chú"],
        ([m.id, _local(m.happened_at), m.product_id, m.product_name, _kind(m.kind), m.quantity, m.unit_price,
          m.lot_code, m.note] for m in movements),
    )
