"""Enumerations of the sales-point module."""

import enum

from core.errors import N_


class PointKind(str, enum.Enum):
    showroom = "showroom"  # điểm giới thiệu và bán sản phẩm cố định
    tourist_kiosk = "tourist_kiosk"
    market_corner = "market_corner"  # góc OCOP trong siêu thị / chợ
    online = "online"


class PointStatus(str, enum.Enum):
    active = "active"
    closed = "closed"


class Policy(str, enum.Enum):
    strict_ocop = "strict_ocop"  # only valid OCOP 3★+ products
    with_specialties = "with_specialties"  # also listed non-OCOP local specialties


class MovementKind(str, enum.Enum):
    receipt = "receipt"  # phiếu nhập từ chủ thể
    sale = "sale"
    customer_return = "customer_return"
    producer_return = "producer_return"
    transfer_out = "transfer_out"
    transfer_in = "transfer_in"
    adjustment = "adjustment"
    count_correction = "count_correction"
    write_off = "write_off"  # hết hạn, hư hỏng


class CountStatus(str, enum.Enum):
    open = "open"
    posted = "posted"
    cancelled = "cancelled"


# The sign a movement's quantity must carry; None: either (adjustments, corrections).
SIGN = {
    MovementKind.receipt: 1,
    MovementKind.sale: -1,
    MovementKind.customer_return: 1,
    MovementKind.producer_return: -1,
    MovementKind.transfer_out: -1,
    MovementKind.transfer_in: 1,
    MovementKind.adjustment: None,
    MovementKind.count_correction: None,
    MovementKind.write_off: -1,
}

# Movements that bring goods into the point's offer, and so must pass the product policy.
ADMITTING = frozenset({MovementKind.receipt, MovementKind.sale, MovementKind.transfer_in})

LABELS = (
    (PointKind.showroom, N_("Showroom")),
    (PointKind.tourist_kiosk, N_("Kiosk at a tourist site")),
    (PointKind.market_corner, N_("Corner in a supermarket or market")),
    (PointKind.online, N_("Online shop")),
    (PointStatus.active, N_("Open")),
    (PointStatus.closed, N_("Closed")),
    (Policy.strict_ocop, N_("OCOP 3★+ only")),
    (Policy.with_specialties, N_("OCOP 3★+ and listed specialties")),
    (MovementKind.receipt, N_("Receipt")),
    (MovementKind.sale, N_("Sale")),
    (MovementKind.customer_return, N_("Customer return")),
    (MovementKind.producer_return, N_("Return to producer")),
    (MovementKind.transfer_out, N_("Transfer out")),
    (MovementKind.transfer_in, N_("Transfer in")),
    (MovementKind.adjustment, N_("Adjustment")),
    (MovementKind.count_correction, N_("Count correction")),
    (MovementKind.write_off, N_("Write-off")),
    (CountStatus.open, N_("Counting")),
    (CountStatus.posted, N_("Posted")),
    (CountStatus.cancelled, N_("Cancelled")),
)
