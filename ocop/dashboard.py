"""The home page: a dashboard fitted to the role of whoever is logged in."""

from __future__ import annotations

import datetime as dt
from typing import cast

from litestar import Request
from litestar.response import Template

from accounts.enums import Role
from catalog import services as catalog
from catalog.schemas import ProductFilter
from salespoints import services as salespoints


async def dashboard(request: Request) -> Template:
    actor = request.scope.get("user")
    context: dict = {"actor": actor}
    if actor is not None:
        context["product_total"] = (await catalog.list_products(ProductFilter(page_size=1))).total
        if actor.role is Role.producer:
            # A producer renews its own certificates: the programme's list is not its business.
            context["own_products"] = [
                p for pid in sorted(actor.producer_ids)
                for p in (await catalog.list_products(ProductFilter(producer_id=pid, page_size=50))).items
            ]
            pages = [await catalog.list_products(ProductFilter(producer_id=pid, status="expiring", page_size=10))
                     for pid in sorted(actor.producer_ids)]
            # each page is nearest first: the ten nearest of them all are among them
            # an expiring product has an expiry date
            context["expiring_items"] = sorted((p for page in pages for p in page.items),
                                               key=lambda p: cast(dt.date, p.expires_on))[:10]
            context["expiring_total"] = sum(page.total for page in pages)
        else:
            expiring = await catalog.list_products(ProductFilter(status="expiring", page_size=10))
            context["expiring_items"], context["expiring_total"] = expiring.items, expiring.total
        if actor.role is Role.salespoint_manager:
            mine = await salespoints.managed_point_ids(actor)
            context["my_points"] = [
                {"point": point, "low": await salespoints.low_stock(point.id)}
                for point in await salespoints.list_points(actor) if point.id in mine
            ]
    return Template(template_name="home.html", context=context)
