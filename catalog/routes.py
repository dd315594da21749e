"""Catalog pages (HTML with htmx) and the /api/v1 JSON endpoints. Thin: parse, call a service, render."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request
from litestar.datastructures import UploadFile
from litestar.di import Provide
from litestar.enums import RequestEncodingType
from litestar.params import Body, Parameter
from litestar.response import Redirect, Response, Template

from accounts.guards import acting, current_actor, require_catalog_editor, require_login
from catalog import exporting, importing, list_headings, list_values, photos, services
from catalog.enums import BuyerKind, CertificateStatus, ProducerKind
from catalog.schemas import (
    BuyerIn,
    BuyerOut,
    ImportPreview,
    PhotoOut,
    ProducerFilter,
    ProducerIn,
    ProducerOut,
    ProducerPage,
    ProductFilter,
    ProductIn,
    ProductOut,
    ProductPage,
)
from core.audit import audit_trail
from core.errors import N_, DomainError, ValidationFailed
from core.forms import parse_struct
from core.i18n import gettext
from core.routing import delete, get, post, put
from core.spreadsheets import xlsx_response

Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
Upload = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]


async def _photo_upload(data: dict[str, Any]) -> bytes:
    upload = data.get("file")
    if not isinstance(upload, UploadFile):
        raise ValidationFailed({"file": N_("Choose a photo to upload.")})
    return await upload.read()


async def _submit(
    data: dict[str, Any],
    struct: type[msgspec.Struct],
    save: Callable[[Any], Awaitable[Any]],
    template: str,
    context: dict[str, Any],
    success: Callable[[Any], str],
) -> Template | Redirect:
    """Parses a form into `struct`, saves it, and redirects; on bad input re-renders with field errors."""
    values = {k: v for k, v in data.items() if k != "_csrf_token"}
    try:
        result = await save(parse_struct(values, struct))
    except ValidationFailed as error:
        return Template(template_name=template, context={**context, "values": values, "errors": error.errors}, status_code=422)
    return Redirect(success(result))


async def _producers(include: Any = None) -> list[dict]:
    """The producer choices of the product form, always including the one already chosen."""
    try:
        chosen = int(include) if include not in (None, "") else None
    except (TypeError, ValueError):
        chosen = None
    return await services.producer_choices(limit=500, include=chosen)



def _product_values(product: ProductOut) -> dict[str, Any]:
    values = msgspec.structs.asdict(product)
    values["producer_id"] = product.producer_id
    return values


async def provide_product_filter(
    q: str = "",
    province: str = "",
    group: str = "",
    stars: str = "",
    status: str = "",
    producer_id: str = "",
    page: int = 1,
    page_size: int = 25,
) -> ProductFilter:
    # A filter form sends its "all" choices as empty values: they mean no filter, not bad input.
    return ProductFilter(q=q, province=province, group=group, stars=optional_int(stars), status=status,
                         producer_id=optional_int(producer_id), page=page, page_size=page_size)


def optional_int(value: str) -> int | None:
    """A whole number from a query parameter; None when it is empty or not a number."""
    value = value.strip()
    return int(value) if value.lstrip("-").isdigit() and len(value) < 12 else None


async def provide_producer_filter(
    q: str = "", province: str = "", kind: str = "", page: int = 1, page_size: int = 25
) -> ProducerFilter:
    return ProducerFilter(q=q, province=province, kind=kind, page=page, page_size=page_size)


# The API's filters: each value of the type the schema gives it, or the request is refused (400), where a
# page's filter form reads an empty or unreadable choice as "all".
Stars = Annotated[int | None, Parameter(ge=0, le=5, schema_extra={"minimum": 0})]  # Litestar leaves a 0 bound out


async def provide_api_product_filter(
    q: str = "",
    province: str = "",
    group: str = "",
    stars: Stars = None,
    status: CertificateStatus | None = None,
    producer_id: int | None = None,
    page: int = 1,
    page_size: int = 25,
) -> ProductFilter:
    return ProductFilter(q=q, province=province, group=group, stars=stars, status=status.value if status else "",
                         producer_id=producer_id, page=page, page_size=page_size)


async def provide_api_producer_filter(
    q: str = "", province: str = "", kind: ProducerKind | None = None, page: int = 1, page_size: int = 25
) -> ProducerFilter:
    return ProducerFilter(q=q, province=province, kind=kind.value if kind else "", page=page, page_size=page_size)


PRODUCT_FILTER = {"filters": Provide(provide_product_filter)}
PRODUCER_FILTER = {"filters": Provide(provide_producer_filter)}
API_PRODUCT_FILTER = {"filters": Provide(provide_api_product_filter)}
API_PRODUCER_FILTER = {"filters": Provide(provide_api_producer_filter)}


# -- pages ------------------------------------------------------------------------------


class ProductPages(Controller):
    path = "/catalog/products"
    guards = [require_login]
    dependencies = PRODUCT_FILTER
    include_in_schema = False

    @get("/")
    async def products(self, request: Request, filters: ProductFilter) -> Template:
        page = await services.list_products(filters)
        template = "catalog/_product_rows.html" if request.headers.get("hx-target") == "results" else "catalog/products.html"
        return Template(template_name=template, context={"page": page, "filters": filters, "query": request.url.query})

    @get("/export.xlsx")
    async def export(self, filters: ProductFilter) -> Response:
        return xlsx_response(exporting.products_workbook(await services.all_products(filters)), "san-pham-ocop.xlsx")

    @get("/new", guards=[require_catalog_editor])
    async def new(self, producer_id: int | None = None) -> Template:
        return Template(
            template_name="catalog/product_form.html",
            context={"values": {"producer_id": producer_id or ""}, "errors": {}, "producers": await _producers(producer_id)},
        )

    @post("/", guards=[require_catalog_editor])
    async def create(self, request: Request, data: Form) -> Template | Redirect:
        return await _submit(
            data, ProductIn, lambda p: services.create_product(p, acting(request)),
            "catalog/product_form.html", {"producers": await _producers(data.get("producer_id"))},
            lambda product_id: f"/catalog/products/{product_id}",
        )

    @get("/{product_id:int}")
    async def detail(self, request: Request, product_id: int) -> Template:
        return Template(template_name="catalog/product.html", context=await self._context(request, product_id))

    async def _context(self, request: Request, product_id: int, errors: dict | None = None) -> dict[str, Any]:
        product = await services.get_product(product_id)
        return {"product": product, "audit": await audit_trail("product", product_id),
                "photos": await photos.product_photos(product_id), "errors": errors or {},
                "can_manage_photos": photos.can_manage_photos(current_actor(request), product.producer_id),
                "photo_max_mb": photos.max_megabytes(), "max_photos": photos.MAX_PHOTOS}

    async def _photo_action(self, request: Request, product_id: int, action) -> Template | Redirect:
        """Runs a photo change; back to the product's photos, or the page again with the reason it was refused."""
        try:
            await action()
        except DomainError as error:
            errors = error.errors if isinstance(error, ValidationFailed) else {"file": error.message}
            return Template(template_name="catalog/product.html", status_code=error.status_code,
                            context=await self._context(request, product_id, errors))
        return Redirect(f"/catalog/products/{product_id}#photos")

    @post("/{product_id:int}/photos")
    async def add_photo(self, request: Request, product_id: int, data: Upload) -> Template | Redirect:
        actor = current_actor(request)

        async def action() -> None:
            await photos.add_photo(product_id, await _photo_upload(data), actor)

        return await self._photo_action(request, product_id, action)

    @post("/{product_id:int}/photos/{photo_id:int}/delete")
    async def remove_photo(self, request: Request, product_id: int, photo_id: int) -> Template | Redirect:
        actor = current_actor(request)
        return await self._photo_action(request, product_id, lambda: photos.remove_photo(product_id, photo_id, actor))

    @get("/{product_id:int}/edit", guards=[require_catalog_editor])
    async def edit(self, product_id: int) -> Template:
        product = await services.get_product(product_id)
        return Template(
            template_name="catalog/product_form.html",
            context={"product": product, "values": _product_values(product), "errors": {},
                     "producers": await _producers(product.producer_id)},
        )

    @post("/{product_id:int}", guards=[require_catalog_editor])
    async def update(self, request: Request, product_id: int, data: Form) -> Template | Redirect:
        product = await services.get_product(product_id)
        return await _submit(
            data, ProductIn, lambda p: services.update_product(product_id, p, acting(request)),
            "catalog/product_form.html", {"product": product, "producers": await _producers(data.get("producer_id"))},
            lambda _: f"/catalog/products/{product_id}",
        )


class ProducerPages(Controller):
    path = "/catalog/producers"
    guards = [require_login]
    dependencies = PRODUCER_FILTER
    include_in_schema = False

    @get("/")
    async def producers(self, request: Request, filters: ProducerFilter) -> Template:
        page = await services.list_producers(filters, reader=current_actor(request))
        template = "catalog/_producer_rows.html" if request.headers.get("hx-target") == "results" else "catalog/producers.html"
        return Template(template_name=template, context={"page": page, "filters": filters, "query": request.url.query})

    @get("/export.xlsx")
    async def export(self, request: Request, filters: ProducerFilter) -> Response:
        producers = await services.all_producers(filters, reader=current_actor(request))
        return xlsx_response(exporting.producers_workbook(producers), "chu-the-ocop.xlsx")

    @get("/new", guards=[require_catalog_editor])
    async def new(self) -> Template:
        return Template(template_name="catalog/producer_form.html", context={"values": {}, "errors": {}})

    @post("/", guards=[require_catalog_editor])
    async def create(self, request: Request, data: Form) -> Template | Redirect:
        return await _submit(
            data, ProducerIn, lambda p: services.create_producer(p, acting(request)),
            "catalog/producer_form.html", {}, lambda producer_id: f"/catalog/producers/{producer_id}",
        )

    @get("/{producer_id:int}")
    async def detail(self, request: Request, producer_id: int) -> Template:
        reader = current_actor(request)
        producer = await services.get_producer(producer_id, reader=reader)
        products = await services.list_products(ProductFilter(producer_id=producer_id, page_size=100))
        return Template(
            template_name="catalog/producer.html",
            context={"producer": producer, "products": products,
                     "audit": await services.producer_history(producer, reader=reader)},
        )

    @get("/{producer_id:int}/edit", guards=[require_catalog_editor])
    async def edit(self, request: Request, producer_id: int) -> Template:
        producer = await services.get_producer(producer_id, reader=acting(request))
        return Template(
            template_name="catalog/producer_form.html",
            context={"producer": producer, "values": msgspec.structs.asdict(producer), "errors": {}},
        )

    @post("/{producer_id:int}", guards=[require_catalog_editor])
    async def update(self, request: Request, producer_id: int, data: Form) -> Template | Redirect:
        producer = await services.get_producer(producer_id, reader=acting(request))
        return await _submit(
            data, ProducerIn, lambda p: services.update_producer(producer_id, p, acting(request)),
            "catalog/producer_form.html", {"producer": producer}, lambda _: f"/catalog/producers/{producer_id}",
        )


class BuyerPages(Controller):
    path = "/catalog/buyers"
    guards = [require_login]
    include_in_schema = False

    @get("/")
    async def buyers(self, q: str = "", kind: str = "", page: int = 1) -> Template:
        buyers, total = await services.list_buyers(q, kind, page)
        return Template(
            template_name="catalog/buyers.html",
            context={"buyers": buyers, "total": total, "page": page, "q": q, "kind": kind},
        )

    @get("/new", guards=[require_catalog_editor])
    async def new(self) -> Template:
        return Template(template_name="catalog/buyer_form.html", context={"values": {}, "errors": {}})

    @post("/", guards=[require_catalog_editor])
    async def create(self, request: Request, data: Form) -> Template | Redirect:
        return await _submit(
            data, BuyerIn, lambda b: services.create_buyer(b, acting(request)),
            "catalog/buyer_form.html", {}, lambda _: "/catalog/buyers",
        )

    @get("/{buyer_id:int}/edit", guards=[require_catalog_editor])
    async def edit(self, buyer_id: int) -> Template:
        buyer = await services.get_buyer(buyer_id)
        return Template(
            template_name="catalog/buyer_form.html",
            context={"buyer": buyer, "values": msgspec.structs.asdict(buyer), "errors": {},
                     "audit": await audit_trail("buyer", buyer_id)},
        )

    @post("/{buyer_id:int}", guards=[require_catalog_editor])
    async def update(self, request: Request, buyer_id: int, data: Form) -> Template | Redirect:
        buyer = await services.get_buyer(buyer_id)
        return await _submit(
            data, BuyerIn, lambda b: services.update_buyer(buyer_id, b, acting(request)),
            "catalog/buyer_form.html", {"buyer": buyer}, lambda _: "/catalog/buyers",
        )


class ImportPages(Controller):
    path = "/catalog/import"
    guards = [require_catalog_editor]
    include_in_schema = False

    @get("/")
    async def form(self) -> Template:
        return Template(template_name="catalog/import.html", context={"errors": {}, "profiles": await importing.profiles()})

    @get("/template.xlsx")
    async def template(self) -> Response:
        return xlsx_response(importing.template_workbook(), "mau-danh-sach-ocop.xlsx")

    @post("/")
    async def preview(
        self, request: Request, data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]
    ) -> Template:
        upload = data.get("file")
        try:
            if not isinstance(upload, UploadFile):
                raise ValidationFailed({"file": importing.NO_FILE})
            content = await upload.read()
            preview = await importing.preview_upload(upload.filename or "", content, acting(request),
                                                     importing.Choices(profile=str(data.get("profile") or "")))
        except ValidationFailed as error:
            return Template(template_name="catalog/import.html", status_code=422,
                            context={"errors": error.errors, "profiles": await importing.profiles()})
        return await _import_preview(preview)

    @post("/{token:str}/choices")
    async def choices(self, request: Request, token: str,
                      data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]) -> Template:
        choices = _choices(data)
        try:
            if data.get("save_profile"):
                await importing.save_profile(str(data.get("profile_name") or ""), choices.headings, acting(request))
                choices = msgspec.structs.replace(choices, profile=str(data.get("profile_name") or "").strip())
            preview = await importing.choose(token, choices, acting(request))
        except ValidationFailed as error:
            return Template(template_name="catalog/import.html", status_code=422,
                            context={"errors": error.errors, "profiles": await importing.profiles()})
        return await _import_preview(preview)

    @get("/{token:str}/problems.xlsx")
    async def problems(self, token: str) -> Response:
        return xlsx_response(await importing.problems_copy(token), "danh-sach-can-sua.xlsx")

    @post("/{token:str}/commit")
    async def commit(self, request: Request, token: str) -> Template | Redirect:
        try:
            result = await importing.commit_upload(token, acting(request))
        except ValidationFailed as error:
            return Template(template_name="catalog/import.html", status_code=422,
                            context={"errors": error.errors, "profiles": await importing.profiles()})
        return Template(template_name="catalog/import_done.html", context={"result": result})


def _choices(data: dict[str, Any]) -> importing.Choices:
    """The preview form's answers: `heading:<key>`, `order:<key>` and `same:<key>` fields (0: a new
    producer), the unrated rows, the list's province."""
    headings = {key[len("heading:"):]: str(value) for key, value in data.items() if key.startswith("heading:") and value}
    orders = {key[len("order:"):]: str(value) for key, value in data.items()
              if key.startswith("order:") and value in (list_values.DAY_FIRST, list_values.MONTH_FIRST)}
    same_as = {key[len("same:"):]: int(value) for key, value in data.items()
               if key.startswith("same:") and str(value).isdigit() and len(str(value)) < 10}
    unrated = importing.SKIP if data.get("unrated") == importing.SKIP else importing.KEEP
    return importing.Choices(headings=headings, date_orders=orders, unrated=unrated, same_as=same_as,
                             province=str(data.get("province") or ""), profile=str(data.get("profile") or ""))


async def _import_preview(preview: ImportPreview) -> Template:
    fields = [(name, gettext(label)) for name, label in list_headings.FIELD_NAMES.items()]
    return Template(template_name="catalog/import_preview.html",
                    context={"preview": preview, "fields": fields, "profiles": await importing.profiles()})


# -- JSON API -------------------------------------------------------------------------------


class ProductApi(Controller):
    path = "/api/v1/products"
    guards = [require_login]
    dependencies = API_PRODUCT_FILTER
    tags = ["catalog"]

    @get("/")
    async def list_products(self, filters: ProductFilter) -> ProductPage:
        """Products with search (accent-insensitive), filters and pagination."""
        return await services.list_products(filters)

    @get("/{product_id:int}")
    async def get_product(self, product_id: int) -> ProductOut:
        return await services.get_product(product_id)

    @post("/", guards=[require_catalog_editor])
    async def create_product(self, request: Request, data: ProductIn) -> ProductOut:
        return await services.get_product(await services.create_product(data, acting(request)))

    @put("/{product_id:int}", guards=[require_catalog_editor])
    async def update_product(self, request: Request, product_id: int, data: ProductIn) -> ProductOut:
        await services.update_product(product_id, data, acting(request))
        return await services.get_product(product_id)

    @get("/{product_id:int}/photos")
    async def list_photos(self, product_id: int) -> list[PhotoOut]:
        """The product's photos in page order, each with its thumbnail and display URLs."""
        await services.get_product(product_id)
        return await photos.product_photos(product_id)

    @post("/{product_id:int}/photos")
    async def add_photo(self, request: Request, product_id: int, data: Upload) -> PhotoOut:
        """Adds a photo (multipart field "file": JPEG, PNG or WebP); organizers, admins and the product's producer."""
        return await photos.add_photo(product_id, await _photo_upload(data), current_actor(request))

    @delete("/{product_id:int}/photos/{photo_id:int}")
    async def remove_photo(self, request: Request, product_id: int, photo_id: int) -> None:
        await photos.remove_photo(product_id, photo_id, current_actor(request))


class ProducerApi(Controller):
    path = "/api/v1/producers"
    guards = [require_login]
    dependencies = API_PRODUCER_FILTER
    tags = ["catalog"]

    @get("/")
    async def list_producers(self, request: Request, filters: ProducerFilter) -> ProducerPage:
        """Producers; phone, e-mail, address and contact person are "" where the reader may not see them."""
        return await services.list_producers(filters, reader=current_actor(request))

    @get("/{producer_id:int}")
    async def get_producer(self, request: Request, producer_id: int) -> ProducerOut:
        """A producer; phone, e-mail, address and contact person are "" unless the reader is staff, one of
        the producer's users, or the producer publishes them."""
        return await services.get_producer(producer_id, reader=current_actor(request))

    @post("/", guards=[require_catalog_editor])
    async def create_producer(self, request: Request, data: ProducerIn) -> ProducerOut:
        actor = acting(request)
        return await services.get_producer(await services.create_producer(data, actor), reader=actor)

    @put("/{producer_id:int}", guards=[require_catalog_editor])
    async def update_producer(self, request: Request, producer_id: int, data: ProducerIn) -> ProducerOut:
        actor = acting(request)
        await services.update_producer(producer_id, data, actor)
        return await services.get_producer(producer_id, reader=actor)


class BuyerApi(Controller):
    path = "/api/v1/buyers"
    guards = [require_login]
    tags = ["catalog"]

    @get("/")
    async def list_buyers(self, q: str = "", kind: BuyerKind | None = None, page: int = 1,
                          page_size: int = 25) -> list[BuyerOut]:
        return (await services.list_buyers(q, kind.value if kind else "", page, page_size))[0]

    @get("/{buyer_id:int}")
    async def get_buyer(self, buyer_id: int) -> BuyerOut:
        return await services.get_buyer(buyer_id)

    @post("/", guards=[require_catalog_editor])
    async def create_buyer(self, request: Request, data: BuyerIn) -> BuyerOut:
        return await services.get_buyer(await services.create_buyer(data, acting(request)))

    @put("/{buyer_id:int}", guards=[require_catalog_editor])
    async def update_buyer(self, request: Request, buyer_id: int, data: BuyerIn) -> BuyerOut:
        await services.update_buyer(buyer_id, data, acting(request))
        return await services.get_buyer(buyer_id)

