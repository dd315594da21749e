"""Catalog tables: producers (chủ thể OCOP), products (sản phẩm OCOP), buyers.

Reference data (provinces, OCOP groups, star bands) lives in data files, not tables:
rows store its codes and `catalog.reference` validates them.
"""

from piccolo.columns import (
    BigInt,
    Boolean,
    Bytea,
    Date,
    ForeignKey,
    Integer,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from accounts.tables import User
from catalog.enums import BuyerKind, CertifyingLevel, ProducerKind


class Producer(Table):
    """Chủ thể OCOP: the enterprise, cooperative, group or household behind products."""

    id: Serial

    name = Varchar(length=255)
    kind = Varchar(length=32, choices=ProducerKind)
    registration_code = Varchar(length=32, null=True, default=None, unique=True)
    province_code = Varchar(length=32, index=True)
    commune = Varchar(length=120, default="")
    address = Varchar(length=255, default="")
    # Certificates issued before 1 July 2025 name the old province and district.
    legacy_province = Varchar(length=120, default="")
    legacy_district = Varchar(length=120, default="")
    contact_person = Varchar(length=120, default="")
    phone = Varchar(length=32, default="")
    email = Varchar(length=255, default="")
    publish_contact = Boolean(default=False)
    search_text = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class Product(Table):
    """Sản phẩm OCOP with its certificate; status is derived from the dates."""

    id: Serial

    producer = ForeignKey(references=Producer, index=True)
    name = Varchar(length=255)
    group_code = Varchar(length=48)  # indexed with the list's other filters (migration 2026-11-23T17:00)
    subgroup_code = Varchar(length=64, default="")
    stars = Integer()
    score = Integer(null=True, default=None)  # lists give stars only: unknown, never made up
    potential_five_star = Boolean(default=False)
    decision_code = Varchar(length=32, default="148/QĐ-TTg")
    # The decision that certified it (QĐ số …), shared by every product it lists.
    decision_number = Varchar(length=64, default="")
    certificate_number = Varchar(length=64, null=True, default=None, unique=True)
    certifying_level = Varchar(length=16, choices=CertifyingLevel, default=CertifyingLevel.province.value)
    certifying_body = Varchar(length=255, default="")
    certified_on = Date(null=True, default=None)
    expires_on = Date(null=True, default=None, index=True)
    withdrawn_on = Date(null=True, default=None)
    code = Varchar(length=64, unique=True)  # printed in the QR stamp: /p/{code}
    barcode = Varchar(length=32, default="")
    unit = Varchar(length=64, default="")
    reference_price = BigInt(default=0)  # VND, no minor unit
    # Copied from the producer so the catalogue filters without a join.
    province_code = Varchar(length=32)
    search_text = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class Buyer(Table):
    """Đơn vị thu mua / phân phối: a party to agreements."""

    id: Serial

    name = Varchar(length=255)
    kind = Varchar(length=32, choices=BuyerKind)
    province_code = Varchar(length=32, default="")
    contact_person = Varchar(length=120, default="")
    phone = Varchar(length=32, default="")
    email = Varchar(length=255, default="")
    search_text = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())


class ProducerMember(Table):
    """Links a user with the producer role to the producer they act for."""

    id: Serial

    user = ForeignKey(references=User, index=True)
    producer = ForeignKey(references=Producer, index=True)


class ImportUpload(Table):
    """An uploaded import file kept between its preview and its commit (any worker may commit)."""

    id: Serial

    token = Varchar(length=64, unique=True)
    filename = Varchar(length=255)
    content = Bytea()
    choices = Text(default="{}")  # the clerk's answers to the preview's questions (catalog.importing.Choices)
    created_by = Integer(null=True)
    created_at = Timestamptz(default=TimestamptzNow())


class ImportProfile(Table):
    """A named set of heading choices, applied to the next list written the same way."""

    id: Serial

    name = Varchar(length=120, unique=True)
    headings = Text(default="{}")  # folded heading → field (catalog.list_headings)
    updated_by = Integer(null=True)
    updated_at = Timestamptz(default=TimestamptzNow())


class ProductPhoto(Table):
    """Ảnh sản phẩm: one photo of a product, kept as WebP renditions named by their SHA-256."""

    id: Serial

    product = ForeignKey(references=Product, index=True)
    position = Integer(default=0)  # the order on the product page; the first is the main photo
    sha256 = Varchar(length=64)  # of the file as uploaded: the same photo is not added twice
    thumb_path = Varchar(length=255)  # its stored name (core.uploads): <folder>/<2 hex>/<sha256>.webp
    thumb_width = Integer()
    thumb_height = Integer()
    phone_path = Varchar(length=255, default="")  # what a phone's product page fetches (catalog.imaging.SIZES)
    phone_width = Integer(default=0)
    phone_height = Integer(default=0)
    display_path = Varchar(length=255)
    display_width = Integer()
    display_height = Integer()
    uploaded_by = Integer(null=True, default=None)
    uploaded_at = Timestamptz(default=TimestamptzNow())
