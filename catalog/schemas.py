"""What comes in and goes out of the catalog: msgspec Structs used by the API and the forms."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec

from catalog.enums import BuyerKind, CertifyingLevel, ProducerKind
from core.errors import N_
from core.fields import EMAIL, Id, Money, filled, message, text


class ProducerIn(msgspec.Struct, kw_only=True):
    name: Annotated[str, filled(255)]
    kind: ProducerKind | None = None  # None: the source does not say (stored as "")
    province_code: str = ""  # "": the source does not say
    registration_code: Annotated[str, text(32)] | None = None
    commune: Annotated[str, text(120)] = ""
    address: Annotated[str, text(255)] = ""
    legacy_province: Annotated[str, text(120)] = ""
    legacy_district: Annotated[str, text(120)] = ""
    contact_person: Annotated[str, text(120)] = ""
    phone: Annotated[str, text(32)] = ""
    email: Annotated[str, EMAIL] = ""
    publish_contact: bool = False


class ProducerOut(msgspec.Struct, kw_only=True):
    id: int
    name: str
    kind: str
    province_code: str
    province_name: str
    registration_code: str | None
    commune: str
    address: str
    legacy_province: str
    legacy_district: str
    contact_person: str
    phone: str
    email: str
    publish_contact: bool
    product_count: int = 0


class ProducerCard(msgspec.Struct, frozen=True, kw_only=True):
    """A producer as read beside one of its products (the page behind a QR stamp): who and where,
    and whether it chose to publish its contact details."""

    id: int
    name: str
    kind: str
    province_code: str
    commune: str
    address: str
    phone: str
    publish_contact: bool


class ProductIn(msgspec.Struct, kw_only=True):
    producer_id: Id
    name: Annotated[str, filled(255)]
    group_code: str = ""  # "": the source does not say
    # 0: rated below the OCOP mark or not rated yet (a candidate); 3 and more: certified.
    stars: Annotated[int, msgspec.Meta(ge=0, le=5, extra=message(N_("Stars must be between 0 and 5.")))]
    score: Annotated[int, msgspec.Meta(ge=0, le=100, extra=message(N_("The score is out of 100.")))] | None = None
    subgroup_code: Annotated[str, text(64)] = ""
    potential_five_star: bool = False
    decision_number: Annotated[str, text(64)] = ""
    certificate_number: Annotated[str, text(64)] | None = None
    certifying_level: CertifyingLevel = CertifyingLevel.province
    certifying_body: Annotated[str, text(255)] = ""
    certified_on: dt.date | None = None
    expires_on: dt.date | None = None
    withdrawn_on: dt.date | None = None
    code: Annotated[str, text(64)] | None = None
    barcode: Annotated[str, text(32)] = ""
    unit: Annotated[str, text(64)] = ""
    reference_price: Money = 0


class ProductOut(msgspec.Struct, kw_only=True):
    id: int
    code: str
    name: str
    producer_id: int
    producer_name: str
    province_code: str
    province_name: str
    group_code: str
    subgroup_code: str
    stars: int
    score: int | None
    potential_five_star: bool
    decision_number: str
    certificate_number: str | None
    certifying_level: str
    certifying_body: str
    certified_on: dt.date | None
    expires_on: dt.date | None
    withdrawn_on: dt.date | None
    status: str
    barcode: str
    unit: str
    reference_price: int


class PhotoOut(msgspec.Struct, kw_only=True):
    """A product photo: its three renditions, each at a content-addressed URL."""

    id: int
    product_id: int
    position: int
    thumb_url: str
    thumb_width: int
    thumb_height: int
    phone_url: str
    phone_width: int
    phone_height: int
    display_url: str
    display_width: int
    display_height: int
    sha256: str
    uploaded_at: dt.datetime


class BuyerIn(msgspec.Struct, kw_only=True):
    name: Annotated[str, filled(255)]
    kind: BuyerKind
    province_code: str = ""
    contact_person: Annotated[str, text(120)] = ""
    phone: Annotated[str, text(32)] = ""
    email: Annotated[str, EMAIL] = ""


class BuyerOut(msgspec.Struct, kw_only=True):
    id: int
    name: str
    kind: str
    province_code: str
    contact_person: str
    phone: str
    email: str


class ProductFilter(msgspec.Struct, kw_only=True):
    q: str = ""
    province: str = ""
    group: str = ""
    stars: int | None = None
    status: str = ""
    producer_id: int | None = None
    page: int = 1
    page_size: int = 25


class ProducerFilter(msgspec.Struct, kw_only=True):
    q: str = ""
    province: str = ""
    kind: str = ""
    page: int = 1
    page_size: int = 25


class ProductPage(msgspec.Struct, kw_only=True):
    items: list[ProductOut]
    total: int
    page: int
    page_size: int


class ProducerPage(msgspec.Struct, kw_only=True):
    items: list[ProducerOut]
    total: int
    page: int
    page_size: int


class ImportRowReport(msgspec.Struct, kw_only=True):
    sheet: str
    row: int
    values: dict[str, str]  # by the file's own headings
    errors: dict[str, str]  # by the file's own headings
    note: str = ""


class ImportQuestion(msgspec.Struct, kw_only=True):
    """What the file cannot say for itself: which field a heading holds, or whether a date column
    writes the day or the month first."""

    sheet: str
    heading: str  # as the file writes it
    key: str  # folded, as choices are kept
    kind: str  # "heading", "date_order" or "same_as" (a new producer whose name is near one in the catalogue)
    chosen: str = ""
    options: dict[str, str] = {}  # for "same_as": the catalogue's producers it may be, id → name (province)


class ImportPreview(msgspec.Struct, kw_only=True):
    token: str
    filename: str
    reasons: list[str]  # per sheet: what kind of list it looks like, and why
    questions: list[ImportQuestion]
    producers: int  # new ones
    producers_matched: int
    products: int  # new ones
    updated: int  # in the catalogue, changed by this list
    unchanged: int
    skipped: int
    rows_with_errors: int
    rows: list[ImportRowReport]
    unrated: str
    province: str
    profile: str
    ready: bool
