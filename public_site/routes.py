"""Anonymous pages: /p/{code} (the QR stamp's address), /catalogue, /producers/{id}, /s/{id} (a sales
point), /f/... (published fairs), open data and the sitemap; product photos at /media/photos/{name}.

No session or CSRF work for these readers; every page carries an ETag of its content and a
repeated request with If-None-Match is answered 304 without a body. The pages (not the photos,
which browsers cache for a year) are rate-limited per client address (`public_site.throttle`).
"""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
from collections.abc import Awaitable, Callable
from html import escape

import msgspec
from litestar import Controller, Request, Response
from litestar.datastructures import ResponseHeader
from litestar.di import Provide
from litestar.response import Stream

from accounts.guards import require_login
from catalog import imaging, reference
from catalog import photos as product_photos
from catalog.routes import provide_product_filter
from catalog.schemas import PhotoOut, ProductFilter, ProductOut
from catalog.services import today
from core import uploads
from core.errors import N_, NotFound, ValidationFailed
from core.i18n import current_language
from core.kept_pages import render
from core.routing import get
from core.security import HEADERS
from core.settings import settings
from core.spreadsheets import XLSX_MEDIA_TYPE, safe_cell, workbook
from fairs.plans import plan_svg
from public_site import cache, labels, services
from public_site.services import PublicProducer
from public_site.throttle import RateLimitedOperation, public_rate_limit

Built = tuple[str, dict] | tuple[str, dict, int]


async def _served(request: Request, build: Callable[[], Awaitable[Built]]) -> Response:
    """The page as last rendered for this address and language while the data is unchanged; else built,
    rendered and kept. Tagged with its content: a repeated request with If-None-Match gets 304."""
    language = current_language.get()
    key = (request.url.path, request.url.query, language)
    version = await cache.pages.version() if settings.public_page_cache else None
    kept = cache.pages.get(key, version) if version else None
    if kept is None:
        template, context, *status = await build()
        kept = cache.page(render(request, template, context).encode(), status[0] if status else 200, language)
        if version:
            cache.pages.put(key, version, kept)
    return kept.response(request)


def _json_ld(product: ProductOut, producer: PublicProducer, certified: bool, images: list[str]) -> str:
    """schema.org Product for search engines and e-commerce feeds (escaped for a <script> block)."""
    data = {
        "@context": "https://schema.org", "@type": "Product", "name": product.name, "sku": product.code,
        "brand": {"@type": "Organization", "name": producer.name},
        "category": (group.name_vi if (group := reference.groups().get(product.group_code)) else ""),
        "additionalProperty": [
            {"@type": "PropertyValue", "name": "OCOP", "value": f"{product.stars}★" if certified else "not certified"},
        ],
    }
    if images:
        data["image"] = images
    if product.barcode:  # checked as a GTIN when stored; its length names the schema.org property
        data[f"gtin{len(product.barcode)}"] = product.barcode
    if product.reference_price:
        data["offers"] = {"@type": "Offer", "price": product.reference_price, "priceCurrency": "VND"}
    return msgspec.json.encode(data).decode().replace("<", "\\u003c")


def _download(content: bytes, media_type: str, filename: str) -> Response:
    return Response(content, media_type=media_type,
                    headers={**HEADERS, "content-disposition": f'attachment; filename="{filename}"', "cache-control": "public, max-age=3600"})


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


class PublicPages(Controller):
    include_in_schema = False
    middleware = [public_rate_limit]

    @get("/p/{code:str}")
    async def product(self, request: Request, code: str) -> Response:
        async def build() -> Built:
            try:
                product, producer = await services.product_by_code(code)
            except NotFound:  # unknown or malformed code: a friendly page with the search box
                return "public/not_found.html", {"code": code[:64]}, 404
            validity = services.validity(product, today())
            photos: list[PhotoOut] = await product_photos.product_photos(product.id)
            return "public/product.html", {
                "product": product, "producer": producer, "validity": validity, "photos": photos,
                "where": await services.where_to_buy(product.id) if validity["certified"] else [],
                "others": await services.other_products(product),
                "fairs": await services.fairs_showing(product.id, today()) if validity["certified"] else [],
                "json_ld": _json_ld(product, producer, validity["certified"], [_base(request) + p.display_url for p in photos]),
            }

        return await _served(request, build)

    @get("/s/{point_id:int}")
    async def sales_point(self, request: Request, point_id: int) -> Response:
        """A sales point's public page: address, hours, a map link, and what is on its shelves."""
        async def build() -> Built:
            return "public/point.html", await services.public_point(point_id)

        return await _served(request, build)

    @get("/catalogue", dependencies={"filters": Provide(provide_product_filter)})
    async def catalogue(self, request: Request, filters: ProductFilter, kind: str | None = None) -> Response:
        async def build() -> Built:
            page = await services.catalogue(filters, kind or "")
            return "public/catalogue.html", {"page": page, "filters": filters, "kind": kind or "", "query": request.url.query}

        return await _served(request, build)

    @get("/producers/{producer_id:int}")
    async def producer(self, request: Request, producer_id: int) -> Response:
        async def build() -> Built:
            producer = await services.public_producer(producer_id)
            page = await services.catalogue(ProductFilter(producer_id=producer_id, page_size=48))
            return "public/producer.html", {"producer": producer, "page": page}

        return await _served(request, build)


class PublicFairs(Controller):
    """A published fair for visitors: the plan, the exhibitor list, and one page (and QR code) per booth."""

    path = "/f"
    include_in_schema = False
    middleware = [public_rate_limit]

    @get("/{fair_id:int}")
    async def fair(self, request: Request, fair_id: int) -> Response:
        async def build() -> Built:
            data = await services.public_fair(fair_id)
            return "public/fair.html", {**data, "svg": plan_svg(data["plan"], public=True, link=f"/f/{fair_id}/b")}

        return await _served(request, build)

    @get("/{fair_id:int}/b/{code:str}")
    async def booth(self, request: Request, fair_id: int, code: str) -> Response:
        async def build() -> Built:
            data = await services.public_fair(fair_id)
            exhibitor = next((e for e in data["exhibitors"] if code.upper() in e["booths"]), None)
            if exhibitor is None and code.upper() not in {b.code for b in data["plan"].booths}:
                raise NotFound(N_("This booth does not exist."))
            return "public/booth.html", {"fair": data["fair"], "code": code.upper(), "exhibitor": exhibitor}

        return await _served(request, build)

    @get("/{fair_id:int}/qr/{code:str}")
    async def booth_qr(self, request: Request, fair_id: int, code: str) -> Response:
        """The booth's QR code as SVG, pointing at the booth's page."""
        data = await services.public_fair(fair_id)
        code = code.removesuffix(".svg").upper()
        if code not in {b.code for b in data["plan"].booths}:
            raise NotFound(N_("This booth does not exist."))
        svg = labels.qr_svg(f"{str(request.base_url).rstrip('/')}/f/{fair_id}/b/{code}")
        return Response(svg.encode(), media_type="image/svg+xml", headers={**HEADERS, "cache-control": "public, max-age=3600"})


class OpenDataProduct(msgspec.Struct):
    """A certified product as the open-data feed lists it (the CSV's and XLSX's columns, in order)."""

    code: str
    name: str
    producer_name: str
    province_name: str
    group_code: str
    subgroup_code: str
    stars: int
    certificate_number: str | None  # lists certify by decision: many products have no number of their own
    certified_on: dt.date | None
    expires_on: dt.date | None
    status: str
    unit: str
    reference_price: int
    barcode: str


class OpenData(Controller):
    """The certified catalogue for anyone to reuse, and a sitemap for search engines."""

    path = "/open-data"
    tags = ["open data"]
    middleware = [public_rate_limit]
    response_headers = [ResponseHeader(name="Content-Disposition", value="attachment",
                                       documentation_only=True, required=True,
                                       description="A download, named san-pham-ocop with the feed's extension.")]

    @get("/products.json", media_type="application/json", operation_class=RateLimitedOperation)
    async def products_json(self) -> Response[list[OpenDataProduct]]:
        """Every certified product, one object each (the feed's columns), as a JSON array."""
        return _download(msgspec.json.encode(await services.open_data_rows()), "application/json", "san-pham-ocop.json")

    @get("/products.csv", media_type="text/csv", operation_class=RateLimitedOperation)
    async def products_csv(self) -> Response[bytes]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(services.FEED_HEADERS)
        for row in await services.open_data_rows():
            writer.writerow([safe_cell(row[field]) if row[field] is not None else "" for field in services.FEED_FIELDS])
        return _download(("\ufeff" + buffer.getvalue()).encode("utf-8"), "text/csv", "san-pham-ocop.csv")  # charset added once

    @get("/products.xlsx", media_type=XLSX_MEDIA_TYPE, operation_class=RateLimitedOperation)
    async def products_xlsx(self) -> Response[bytes]:
        rows = await services.open_data_rows()
        content = workbook("San pham OCOP", services.FEED_HEADERS, ([row[f] for f in services.FEED_FIELDS] for row in rows))
        return _download(content, XLSX_MEDIA_TYPE, "san-pham-ocop.xlsx")


@get("/sitemap.xml", include_in_schema=False, middleware=[public_rate_limit])
async def sitemap(request: Request) -> Response:
    base = str(request.base_url).rstrip("/")
    urls = [f"{base}/catalogue"] + [f"{base}/p/{row['code']}" for row in await services.open_data_rows()]
    body = '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
    body += "".join(f"<url><loc>{escape(url)}</loc></url>\n" for url in urls) + "</urlset>\n"
    return Response(body.encode(), media_type="application/xml", headers={**HEADERS, "cache-control": "public, max-age=3600"})


PHOTO_HEADERS = {**HEADERS, "cache-control": "public, max-age=31536000, immutable"}


@get("/media/photos/{name:str}", include_in_schema=False)
async def photo_file(request: Request, name: str) -> Response:
    """A product photo rendition. Its name is its SHA-256, so its bytes never change: cached for a year."""
    digest = product_photos.photo_digest(name)
    size = await uploads.size_of(digest) if digest else None
    if digest is None or size is None:
        raise NotFound(N_("This photo does not exist."))
    tag = f'"{digest}"'
    if request.headers.get("if-none-match") == tag:
        return Response(b"", status_code=304, headers={**PHOTO_HEADERS, "etag": tag})
    return Stream(uploads.chunks(digest), media_type=imaging.MEDIA_TYPE,
                  headers={**PHOTO_HEADERS, "etag": tag, "content-length": str(size)})


@get("/exhibitor/{token:str}/stickers.pdf", include_in_schema=False)
async def exhibitor_stickers(request: Request, token: str, layout: str = "3x8") -> Response:
    """The QR stickers of one exhibitor's booths, from the signed link in its e-mail (no account)."""
    from fairs import services as fairs

    if layout not in labels.LAYOUTS:
        raise ValidationFailed({"layout": N_("Choose one of the listed values.")})
    actor, application_id = await fairs.link_holder(token)
    application = await fairs.get_application(application_id, actor)
    if not application.booths:
        raise NotFound(N_("This exhibitor has no booth."))
    base = str(request.base_url).rstrip("/")
    items = [labels.Label(url=f"{base}/f/{application.fair_id}/b/{code}", name=application.producer_name, stars=0,
                          code=code) for code in sorted(application.booths)]
    content = await asyncio.to_thread(labels.label_sheet_pdf, items, layout)
    return _download(content, "application/pdf", f"qr-gian-hang-{application.fair_id}-{application_id}.pdf")


class LabelSheets(Controller):
    """Printable QR label sheets for a product, a producer's products, or a sales point's assortment."""

    path = "/labels"
    guards = [require_login]
    include_in_schema = False

    async def _pdf(self, request: Request, products: list[ProductOut], layout: str, copies: int, name: str) -> Response:
        if layout not in labels.LAYOUTS:
            raise ValidationFailed({"layout": N_("Choose one of the listed values.")})
        base = str(request.base_url).rstrip("/")
        items = [labels.Label(url=f"{base}/p/{p.code}", name=p.name, stars=p.stars, code=p.code) for p in products]
        items = [item for item in items for _ in range(max(1, min(copies, 400)))][:2000]
        if not items:
            raise ValidationFailed({"products": N_("There is no certified product to label.")})
        content = await asyncio.to_thread(labels.label_sheet_pdf, items, layout)
        return _download(content, "application/pdf", f"nhan-qr-{name}.pdf")

    @get("/fair/{fair_id:int}")
    async def fair(self, request: Request, fair_id: int, layout: str = "3x8") -> Response:
        """One sticker per booth: its code, the exhibitor, and a QR code to the booth's page."""
        from fairs import services as fairs

        if layout not in labels.LAYOUTS:
            raise ValidationFailed({"layout": N_("Choose one of the listed values.")})
        plan = await fairs.floor_plan(fair_id)
        base = str(request.base_url).rstrip("/")
        items = [labels.Label(url=f"{base}/f/{fair_id}/b/{b.code}", name=b.exhibitor or b.code, stars=0, code=b.code)
                 for b in plan.booths if not b.blocked]
        if not items:
            raise ValidationFailed({"booths": N_("This fair has no booths yet.")})
        content = await asyncio.to_thread(labels.label_sheet_pdf, items, layout)
        return _download(content, "application/pdf", f"qr-gian-hang-{fair_id}.pdf")

    @get("/product/{product_id:int}")
    async def product(self, request: Request, product_id: int, layout: str = "3x8", copies: int = 24) -> Response:
        from catalog.services import get_product

        return await self._pdf(request, [await get_product(product_id)], layout, copies, str(product_id))

    @get("/producer/{producer_id:int}")
    async def producer(self, request: Request, producer_id: int, layout: str = "3x8", copies: int = 1) -> Response:
        page = await services.catalogue(ProductFilter(producer_id=producer_id, page_size=48))
        return await self._pdf(request, page.items, layout, copies, f"chu-the-{producer_id}")

    @get("/salespoint/{point_id:int}")
    async def salespoint(self, request: Request, point_id: int, layout: str = "4x10", copies: int = 1) -> Response:
        from catalog.services import get_product
        from salespoints.services import assortment, get_point

        await get_point(point_id)
        products = [await get_product(item["product"]) for item in await assortment(point_id)]
        return await self._pdf(request, [p for p in products if services.validity(p, today())["certified"]], layout, copies,
                               f"diem-ban-{point_id}")
