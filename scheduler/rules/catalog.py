"""Certificates expiring: to the producer and to the managers of the sales points that carry the product."""

from __future__ import annotations

import datetime as dt

from catalog.tables import Product
from core.outbox import Outgoing, enqueue_notifications
from core.settings import settings
from salespoints.tables import AssortmentItem
from scheduler import clock
from scheduler.rules.recipients import point_managers, producer_users


async def certificates_expiring(now: dt.datetime) -> int:
    """Once per product and lead time (90 days, then 30), the tightest one reached."""
    today = clock.today()
    horizon = max(settings.certificate_days)
    products = await Product.select(Product.id, Product.name, Product.code, Product.producer, Product.expires_on,
                                    Product.certificate_number).where(
        Product.expires_on >= today, Product.expires_on <= today + dt.timedelta(days=horizon), Product.withdrawn_on.is_null())
    if not products:
        return 0
    ids = [p["id"] for p in products]
    carried: dict[int, set[int]] = {}
    for item in await AssortmentItem.select(AssortmentItem.product, AssortmentItem.point).where(
            AssortmentItem.product.is_in(ids)):
        carried.setdefault(item["product"], set()).add(item["point"])
    members = await producer_users({p["producer"] for p in products})
    managers = await point_managers(set().union(*carried.values()) if carried else set())
    outgoing = []
    for product in products:
        left = (product["expires_on"] - today).days
        lead = min(d for d in settings.certificate_days if left <= d)
        data = {"product_id": product["id"], "product": product["name"], "code": product["code"],
                "certificate": product["certificate_number"] or "", "expires_on": product["expires_on"], "days": left}
        recipients = set(members.get(product["producer"], []))
        for point in carried.get(product["id"], set()):
            recipients |= set(managers.get(point, []))
        for user in sorted(recipients):
            outgoing.append(Outgoing(f"product:{product['id']}:expiry:{product['expires_on'].isoformat()}:d{lead}:{user}",
                                     user, "certificate_expiring", data))
    return await enqueue_notifications(outgoing)


RULES = [certificates_expiring]
