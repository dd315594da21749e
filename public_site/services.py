"""What the public may see. Only published facts: no stock quantities (in stock / low only), no
unpublished phone, address or email, no prices agreed between parties, no accounts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec

from catalog import reference
from catalog.schemas import ProducerCard, ProductFilter, ProductOut
from catalog.services import list_products
from catalog.tables import Producer, Product
from core.database import fetch_rows
from core.errors import N_, NotFound
from core.ids import is_id
from salespoints.tables import StockBalance

MAX_CODE = 64


def validity(product: ProductOut, on: dt.date) -> dict[str, Any]:
    """The certificate's state in words a shopper reads: certified or not, until when, how soon."""
    certified = reference.is_certified(product.stars, product.status)
    days_left = (product.expires_on - on).days if product.expires_on else None
    return {"certified": certified, "status": product.status if product.stars >= 3 else "not_certified",
            "days_left": days_left, "expires_on": product.expires_on, "withdrawn_on": product.withdrawn_on}


class PublicProducer(msgspec.Struct, frozen=True, kw_only=True):
    """A producer as the public sees it: contact details only if the producer chose to publish them."""

    id: int
    name: str
    kind: str
    province: str
    commune: str
    address: str
    phone: str


async def product_by_code(code: str) -> tuple[ProductOut, PublicProducer]:
    """The product behind a QR code and its producer as the public sees it."""
    from catalog.services import product_and_producer_by_code

    if not code or len(code) > MAX_CODE or "\x00" in code:
        raise NotFound(N_("No OCOP product has this code."))
    product, producer = await product_and_producer_by_code(code)
    return product, _public(producer)


async def public_producer(producer_id: int) -> PublicProducer:
    """A producer as the public sees it."""
    if not is_id(producer_id):
        raise NotFound(N_("This producer does not exist."))
    found = await fetch_rows(Producer._meta.db, "SELECT id, name, kind, province_code, commune, address, phone, publish_contact "
                               "FROM producer WHERE id = {}", producer_id)
    if not found:
        raise NotFound(N_("This producer does not exist."))
    row = found[0]
    return _public(ProducerCard(**{**row, "publish_contact": bool(row["publish_contact"])}))


def _public(producer: ProducerCard) -> PublicProducer:
    published = producer.publish_contact
    return PublicProducer(id=producer.id, name=producer.name, kind=producer.kind,
                          province=reference.province_name(producer.province_code), commune=producer.commune,
                          address=producer.address if published else "", phone=producer.phone if published else "")


async def where_to_buy(product_id: int) -> list[dict[str, Any]]:
    """Open sales points that carry the product and have it on hand now (in stock or low, never the count)."""
    rows = await fetch_rows(StockBalance._meta.db,
        "SELECT sp.id, sp.name, sp.address, sp.commune, sp.province_code, sp.opening_hours, "
        "SUM(b.quantity) AS quantity, a.reorder_threshold "
        "FROM stock_balance b JOIN sales_point sp ON sp.id = b.point "
        "JOIN assortment_item a ON a.point = b.point AND a.product = b.product "
        "WHERE b.product = {} AND sp.status = 'active' GROUP BY sp.id, sp.name, sp.address, sp.commune, "
        "sp.province_code, sp.opening_hours, a.reorder_threshold HAVING SUM(b.quantity) > 0 ORDER BY sp.name",
        product_id,
    )
    return [
        {"id": r["id"], "name": r["name"], "address": ", ".join(p for p in (r["address"], r["commune"], reference.province_name(r["province_code"])) if p),
         "opening_hours": r["opening_hours"], "level": "low" if r["quantity"] <= r["reorder_threshold"] else "in_stock"}
        for r in rows
    ]


async def public_point(point_id: int) -> dict[str, Any]:
    """A sales point as a shopper sees it: where and when, and what it carries with a stock level only
    (in stock, low, none; never the count), what is on the shelf first."""
    from salespoints.services import get_point

    point = await get_point(point_id)
    rows = await fetch_rows(StockBalance._meta.db,
        "SELECT p.id, p.code, p.name, p.stars, p.unit, a.reorder_threshold, "
        "COALESCE((SELECT SUM(b.quantity) FROM stock_balance b WHERE b.point = a.point AND b.product = a.product), 0) "
        "AS quantity FROM assortment_item a JOIN product p ON p.id = a.product WHERE a.point = {} ORDER BY p.name, p.id",
        point.id,
    )
    levels = {"in_stock": 0, "low": 1, "none": 2}
    items = [{"code": r["code"], "name": r["name"], "stars": r["stars"], "unit": r["unit"],
              "level": "none" if r["quantity"] <= 0 else "low" if r["quantity"] <= r["reorder_threshold"] else "in_stock"}
             for r in rows]
    items.sort(key=lambda item: levels[item["level"]])  # stable: by name within each level
    address = ", ".join(part for part in (point.address, point.commune, point.province_name) if part)
    return {"point": point, "address": address, "open": point.status == "active",
            "items": items if point.status == "active" else []}


async def other_products(product: ProductOut, limit: int = 12) -> list[dict[str, Any]]:
    """The producer's other products, in list order: what the page links to (code, name, stars)."""
    return await fetch_rows(Product._meta.db, "SELECT code, name, stars FROM product WHERE producer = {} AND id <> {} "
                             "ORDER BY name, id LIMIT {}", product.producer_id, product.id, limit)


async def catalogue(filters: ProductFilter, producer_kind: str = "") -> Any:
    """Certified products only (3★+, certificate valid or expiring), with the staff list's search and filters."""
    status = filters.status if filters.status in ("valid", "expiring") else ""
    public_filters = msgspec.structs.replace(filters, status=status, page_size=min(filters.page_size, 48))
    return await list_products(public_filters, certified_only=True, producer_kind=producer_kind)





# Open data: the certified catalogue, public fields only.
FEED_FIELDS = ["code", "name", "producer_name", "province_name", "group_code", "subgroup_code", "stars",
               "certificate_number", "certified_on", "expires_on", "status", "unit", "reference_price", "barcode"]
FEED_HEADERS = ["Mã QR", "Tên sản phẩm", "Chủ thể", "Tỉnh/thành", "Nhóm", "Phân nhóm", "Số sao", "Số giấy chứng nhận",
                "Ngày công nhận", "Ngày hết hạn", "Trạng thái", "Đơn vị tính", "Giá tham khảo (VND)", "Mã vạch"]


async def open_data_rows() -> list[dict[str, Any]]:
    from catalog.services import all_products

    products = await all_products(ProductFilter(), certified_only=True)
    return [{field: getattr(p, field) for field in FEED_FIELDS} for p in products]


PUBLIC_FAIR_STATES = ("published", "running", "closed")


async def fairs_showing(product_id: int, on: dt.date) -> list[dict[str, Any]]:
    """Fairs showing the product now or soon (published plan, not yet over), with the booth codes."""
    rows = await fetch_rows(StockBalance._meta.db,
        "SELECT f.id, f.name, f.venue, f.starts_on, f.ends_on, b.code AS booth "
        "FROM application_product ap JOIN application a ON a.id = ap.application JOIN fair f ON f.id = a.fair "
        "JOIN booth_assignment ba ON ba.application = a.id JOIN booth b ON b.id = ba.booth "
        "WHERE ap.product = {} AND f.status IN ('published', 'running') AND f.ends_on >= {} "
        "ORDER BY f.starts_on, f.id, b.code",
        product_id, on,
    )
    fairs: dict[int, dict[str, Any]] = {}
    for r in rows:
        fair = fairs.setdefault(r["id"], {"fair_id": r["id"], "name": r["name"], "venue": r["venue"],
                                          "starts_on": _day(r["starts_on"]), "ends_on": _day(r["ends_on"]), "booths": []})
        if r["booth"] not in fair["booths"]:
            fair["booths"].append(r["booth"])
    return list(fairs.values())


def _day(value: Any) -> dt.date:
    # raw queries give dates as text on SQLite and as dates on PostgreSQL
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


async def public_fair(fair_id: int) -> dict[str, Any]:
    """A fair whose floor plan is published: its facts, plan and exhibitors (nothing private)."""
    from fairs import services as fairs

    fair = await fairs.get_fair(fair_id)
    if fair.status.value not in PUBLIC_FAIR_STATES:
        raise NotFound(N_("This fair has not published its floor plan yet."))
    return {"fair": fair, "plan": await fairs.floor_plan(fair_id, public=True), "exhibitors": await fairs.exhibitors(fair_id)}
