"""What comes in and goes out of the sales-point module."""

from __future__ import annotations

import datetime as dt

import msgspec

from salespoints.enums import MovementKind, PointKind, Policy


class SalesPointIn(msgspec.Struct, kw_only=True):
    name: str
    province_code: str
    kind: PointKind = PointKind.showroom
    commune: str = ""
    address: str = ""
    opening_hours: str = ""
    opened_on: dt.date | None = None
    policy: Policy = Policy.strict_ocop
    min_ocop_share: int = 100


class SalesPointOut(msgspec.Struct, kw_only=True):
    id: int
    name: str
    kind: str
    province_code: str
    province_name: str
    commune: str
    address: str
    opening_hours: str
    opened_on: dt.date | None
    status: str
    policy: str
    min_ocop_share: int


class AssortmentIn(msgspec.Struct, kw_only=True):
    selling_price: int = 0
    reorder_threshold: int = 0
    specialty: bool = False


class AssortmentItemIn(msgspec.Struct, kw_only=True):
    """The point page's range form: a product and its terms at the point (the price must be typed)."""

    product_id: int
    selling_price: int
    reorder_threshold: int = 0
    specialty: bool = False

    def terms(self) -> AssortmentIn:
        return AssortmentIn(selling_price=self.selling_price, reorder_threshold=self.reorder_threshold,
                            specialty=self.specialty)


class ManagerIn(msgspec.Struct, kw_only=True):
    user_id: int


class MovementIn(msgspec.Struct, kw_only=True):
    """A movement as the counter enters it: the quantity is positive, the kind gives the direction
    (adjustments and count corrections carry their own sign)."""

    product_id: int
    kind: MovementKind
    quantity: int
    unit_price: int | None = None
    lot_code: str = ""
    lot_expiry: dt.date | None = None
    happened_at: dt.datetime | None = None
    corrects: int | None = None
    note: str = ""
    idempotency_key: str | None = None


class BatchIn(msgspec.Struct, kw_only=True):
    movements: list[MovementIn]


class TransferIn(msgspec.Struct, kw_only=True):
    to_point_id: int
    product_id: int
    quantity: int
    lot_code: str = ""
    note: str = ""


class MovementResult(msgspec.Struct, kw_only=True):
    movement_ids: list[int]
    balances: list[int]
    replayed: bool


class BalanceOut(msgspec.Struct, kw_only=True):
    product_id: int
    product_name: str
    lot_code: str
    lot_expiry: dt.date | None
    quantity: int
    reorder_threshold: int
    selling_price: int
    low: bool


class MovementOut(msgspec.Struct, kw_only=True):
    id: int
    product_id: int
    product_name: str
    kind: str
    quantity: int
    unit_price: int
    lot_code: str
    happened_at: dt.datetime
    recorded_by: int | None
    corrects: int | None
    transfer: str | None
    note: str


class CountLineIn(msgspec.Struct, kw_only=True):
    product_id: int
    counted: int
    lot_code: str = ""


class CountRow(msgspec.Struct, kw_only=True):
    product_id: int
    product_name: str
    lot_code: str
    booked: int
    counted: int | None
    difference: int | None


class CountSheet(msgspec.Struct, kw_only=True):
    id: int
    point_id: int
    status: str
    opened_at: dt.datetime
    rows: list[CountRow]
