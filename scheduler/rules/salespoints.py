"""The morning digest for sales-point managers: low stock and lots expiring within 30 days."""

from __future__ import annotations

import datetime as dt

from core.outbox import Outgoing, enqueue_notifications
from core.settings import settings
from salespoints.tables import AssortmentItem, SalesPoint, StockBalance
from scheduler import clock
from scheduler.rules.recipients import point_managers


async def daily_digest(now: dt.datetime) -> int:
    """From the digest hour on, once a day per point and manager, only when there is something to say."""
    local = clock.local_now()
    if local.hour < settings.digest_hour:
        return 0
    today = local.date()
    points = {p["id"]: p for p in await SalesPoint.select(SalesPoint.id, SalesPoint.name).where(SalesPoint.status == "active")}
    managers = await point_managers(set(points))
    if not managers:
        return 0
    on_hand: dict[tuple[int, int], int] = {}
    expiring: dict[int, list[dict]] = {}
    soon = today + dt.timedelta(days=30)
    for row in await StockBalance.select(StockBalance.point, StockBalance.product, StockBalance.product.name,
                                         StockBalance.lot_code, StockBalance.lot_expiry, StockBalance.quantity).where(
            StockBalance.point.is_in(list(managers)), StockBalance.quantity > 0):
        key = (row["point"], row["product"])
        on_hand[key] = on_hand.get(key, 0) + row["quantity"]
        if row["lot_expiry"] and row["lot_expiry"] <= soon:
            expiring.setdefault(row["point"], []).append(
                {"product": row["product.name"], "lot": row["lot_code"], "expiry": row["lot_expiry"], "quantity": row["quantity"]})
    low: dict[int, list[dict]] = {}
    for item in await AssortmentItem.select(AssortmentItem.point, AssortmentItem.product, AssortmentItem.product.name,
                                            AssortmentItem.reorder_threshold).where(
            AssortmentItem.point.is_in(list(managers)), AssortmentItem.reorder_threshold > 0):
        quantity = on_hand.get((item["point"], item["product"]), 0)
        if quantity <= item["reorder_threshold"]:
            low.setdefault(item["point"], []).append({"product": item["product.name"], "quantity": quantity,
                                                      "threshold": item["reorder_threshold"]})
    outgoing = []
    for point, users in managers.items():
        if point not in points or not (low.get(point) or expiring.get(point)):
            continue
        data = {"point_id": point, "point": points[point]["name"], "day": today,
                "low": sorted(low.get(point, []), key=lambda r: r["product"])[:50],
                "expiring": sorted(expiring.get(point, []), key=lambda r: r["expiry"])[:50]}
        for user in users:
            outgoing.append(Outgoing(f"salespoint:{point}:digest:{today.isoformat()}:{user}", user, "salespoint_digest", data))
    return await enqueue_notifications(outgoing)


RULES = [daily_digest]
