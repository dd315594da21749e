"""Sales points (điểm giới thiệu và bán sản phẩm OCOP), their assortment, and the stock ledger.

`StockMovement` is append-only: never updated or deleted. `StockBalance` is kept in the same
transaction as each movement and can be rebuilt from the ledger (`ocop stock rebuild`).
"""

from piccolo.columns import BigInt, Boolean, Date, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from accounts.tables import User
from catalog.tables import Product
from salespoints.enums import CountStatus, MovementKind, PointKind, PointStatus, Policy


class SalesPoint(Table):
    id: Serial
    name = Varchar(length=255)
    kind = Varchar(length=32, choices=PointKind, default=PointKind.showroom.value)
    province_code = Varchar(length=32, index=True)
    commune = Varchar(length=120, default="")
    address = Varchar(length=255, default="")
    # The place before 1 July 2025, as the list the point came from writes it.
    legacy_province = Varchar(length=120, default="")
    legacy_district = Varchar(length=120, default="")
    opening_hours = Varchar(length=120, default="")
    opened_on = Date(null=True, default=None)
    status = Varchar(length=16, choices=PointStatus, default=PointStatus.active.value)
    policy = Varchar(length=32, choices=Policy, default=Policy.strict_ocop.value)
    min_ocop_share = Integer(default=100)  # % of items that must be valid OCOP 3★+ (Quảng Ninh: 70)
    created_at = Timestamptz(default=TimestamptzNow())


class SalesPointManager(Table):
    """A user with the sales-point manager role who may work at this point."""

    id: Serial

    point = ForeignKey(references=SalesPoint, index=True)
    user = ForeignKey(references=User, index=True)


class AssortmentItem(Table):
    """A product the point carries, its selling price and reorder threshold."""

    id: Serial

    point = ForeignKey(references=SalesPoint, index=True)
    product = ForeignKey(references=Product, index=True)
    selling_price = BigInt(default=0)  # VND
    reorder_threshold = Integer(default=0)
    specialty = Boolean(default=False)  # a listed non-OCOP local specialty the policy admits


class StockMovement(Table):
    """One line of the ledger (phiếu nhập / xuất): a signed quantity of a product at a point."""

    id: Serial

    point = ForeignKey(references=SalesPoint, index=True)
    product = ForeignKey(references=Product, index=True)
    kind = Varchar(length=24, choices=MovementKind)
    quantity = Integer()
    unit_price = BigInt(default=0)  # VND
    lot_code = Varchar(length=64, default="")
    lot_expiry = Date(null=True, default=None)
    happened_at = Timestamptz(default=TimestamptzNow(), index=True)
    recorded_by = Integer(null=True)
    idempotency_key = Varchar(length=128, null=True, default=None, unique=True)
    corrects = Integer(null=True, default=None)  # the movement this one corrects
    transfer = Varchar(length=64, null=True, default=None, index=True)  # pairs transfer_out/in
    note = Text(default="")


class StockBalance(Table):
    """On-hand quantity per point × product × lot; always equal to the sum of the ledger."""

    id: Serial

    point = ForeignKey(references=SalesPoint, index=True)
    product = ForeignKey(references=Product, index=True)
    lot_code = Varchar(length=64, default="")
    lot_expiry = Date(null=True, default=None)
    quantity = Integer(default=0)


class StockCount(Table):
    """Kiểm kê: a stocktake of one point; posting it writes count corrections to the ledger."""

    id: Serial

    point = ForeignKey(references=SalesPoint, index=True)
    status = Varchar(length=16, choices=CountStatus, default=CountStatus.open.value)
    opened_at = Timestamptz(default=TimestamptzNow())
    opened_by = Integer(null=True)
    posted_at = Timestamptz(null=True, default=None)
    posted_by = Integer(null=True)
    note = Text(default="")


class StockCountLine(Table):
    """What was counted of one product and lot (one line per product and lot in a count)."""

    id: Serial

    count = ForeignKey(references=StockCount, index=True)
    product = ForeignKey(references=Product)
    lot_code = Varchar(length=64, default="")
    counted = Integer()
    booked = Integer(default=0)  # the ledger's quantity when this line was counted


class StockSnapshotRun(Table):
    """A moment at which a point's stock was written down, so "stock as of" starts from it."""

    id: Serial

    point = ForeignKey(references=SalesPoint, index=True)
    taken_at = Timestamptz()


class StockSnapshot(Table):
    """Stock of one product and lot at a snapshot run (rows with zero are not kept)."""

    id: Serial

    point = ForeignKey(references=SalesPoint, index=True)
    product = Integer()
    lot_code = Varchar(length=64, default="")
    taken_at = Timestamptz()
    quantity = Integer(default=0)


class RefusedSale(Table):
    """A sale queued at a counter that the server refused when it was sent (another phone had sold the last
    units, the lot was gone…): kept with the reason until the point's manager records it again or dismisses
    it with a note, so no sale made in front of a customer disappears with a phone's local log."""

    id: Serial

    point = ForeignKey(references=SalesPoint, index=True)
    product = ForeignKey(references=Product, null=True)  # the product as queued (the first of its lines)
    product_name = Varchar(length=255, default="")
    kind = Varchar(length=24, choices=MovementKind)
    quantity = Integer()
    lot_code = Varchar(length=64, default="")
    happened_at = Timestamptz(null=True, default=None)  # when the sale was made at the counter
    key = Varchar(length=200, unique=True)  # the queued sale's first idempotency key: reported twice, kept once
    reason = Varchar(length=1000, default="")
    refused_at = Timestamptz(default=TimestamptzNow())
    reported_by = Integer(null=True)
    status = Varchar(length=16, default="open", index=True)  # open, recorded, dismissed
    resolved_at = Timestamptz(null=True, default=None)
    resolved_by = Integer(null=True)
    movement = Integer(null=True)  # the movement that recorded it again
    note = Text(default="")
