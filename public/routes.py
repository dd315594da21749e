"""Anonymous pages: /p/{code} (the QR stamp's address), /catalogue, /producers/{id}.

No session or CSRF work for these readers; every page carries an ETag of its content and a
repeated request with If-None-Match is answered 304 without a body.
"""

from __future__ import annotations

import hashlib
import json
from typing import Optional

from litestar import Controller, Request, Response, get
from litestar.di import Provide

from catalog import reference
from catalog.routes import provide_product_filter
from catalog.schemas import ProductFilter, ProductOut
from catalog.services import today
from core.errors import NotFound
from core.i18n import current_language
from core.security import HEADERS
from public import services


def _cached(request: Request, template: str, context: dict, status: int = 200) -> Response:
    """Renders, tags the content, and answers 304 when the client already has this version."""
    engine = request.app.template_engine
    body = engine.get_template(template).render(request=request, **context).encode()
    tag = '"' + hashlib.blake2b(body + current_language.get().encode(), digest_size=12).hexdigest() + '"'
    headers = {**HEADERS, "etag": tag, "cache-control": "public, max-age=60", "vary": "Cookie, Accept-Language"}
    if request.headers.get("if-none-match") == tag:
        return Response(b"", status_code=304, headers=headers)
    return Response(body, status_code=status, media_type="text/html; charset=utf-8", headers=headers)


def _json_ld(product: ProductOut, producer: dict, certified: bool) -> str:
    """schema.org Product for search engines and e-commerce feeds (escaped for a <script> block)."""
    data = {
        "@context": "https://schema.org", "@type": "Product", "name": product.name, "sku": product.code,
        "brand": {"@type": "Organization", "name": producer["name"]},
        "category": (reference.groups().get(product.group_code).name_vi if reference.groups().get(product.group_code) else ""),
        "additionalProperty": [
            {"@type": "PropertyValue", "name": "OCOP", "value": f"{product.stars}★" if certified else "not certified"},
        ],
    }
    if product.barcode:
        data["gtin13"] = product.barcode
    if product.reference_price:
        data["offers"] = {"@type": "Offer", "price": product.reference_price, "priceCurrency": "VND"}
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")


class PublicPages(Controller):
    include_in_schema = False

    @get("/p/{code:str}")
    async def product(self, request: Request, code: str) -> Response:
        try:
            product = await services.product_by_code(code)
        except NotFound:  # unknown or malformed code: a friendly page with the search box
            return _cached(request, "public/not_found.html", {"code": code[:64]}, status=404)
        producer = await services.public_producer(product.producer_id)
        validity = services.validity(product, today())
        return _cached(request, "public/product.html", {
            "product": product, "producer": producer, "validity": validity,
            "where": await services.where_to_buy(product.id) if validity["certified"] else [],
            "others": await services.other_products(product),
            "json_ld": _json_ld(product, producer, validity["certified"]),
        })

    @get("/catalogue", dependencies={"filters": Provide(provide_product_filter)})
    async def catalogue(self, request: Request, filters: ProductFilter, kind: Optional[str] = None) -> Response:
        page = await services.catalogue(filters, kind or "")
        return _cached(request, "public/catalogue.html", {"page": page, "filters": filters, "kind": kind or "",
                                                           "query": request.url.query})

    @get("/producers/{producer_id:int}")
    async def producer(self, request: Request, producer_id: int) -> Response:
        producer = await services.public_producer(producer_id)
        page = await services.catalogue(ProductFilter(producer_id=producer_id, page_size=48))
        return _cached(request, "public/producer.html", {"producer": producer, "page": page})


