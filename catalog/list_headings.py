"""Which field each column of a published list holds, told from its heading as offices write it:
Vietnamese with or without accents ("Tên sản phẩm", "Ten san pham"), English or JSON-style keys
("product_name", "star_rating"), short ones ("name", "star"), prefixes ("[tách] Chủ thể", "1. Tên").
What no alias places is shown to the clerk with a choice of field; a choice is kept in a profile.
Pure: no database, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from core.errors import N_
from core.text import fold

IGNORE = "ignore"

# field → headings that name it, folded (no accents, lower case, "_" and "-" as spaces).
ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("ten san pham", "san pham", "ten sp", "ten san pham ocop", "san pham ocop", "product", "product name",
             "product title", "ten", "name", "title"),
    "producer": ("chu the", "ten chu the", "chu the san xuat", "chu the ocop", "don vi", "ten don vi", "co so san xuat",
                 "ten co so", "ten htx doanh nghiep", "ten to chuc ca nhan", "producer", "producer name", "subject",
                 "subject name", "author", "owner", "manufacturer", "ten chu the san xuat"),
    "producer_code": ("ma so thue", "ma so thue dkkd", "ma chu the", "ma so doanh nghiep", "registration code",
                      "producer code", "tax code"),
    "address": ("dia chi", "dia chi chu the", "dia chi san xuat", "address", "subject address", "producer address",
                "location"),
    "commune": ("xa", "phuong", "xa phuong", "xa phuong thi tran", "commune", "ward"),
    "district": ("huyen", "quan huyen", "huyen thi xa thanh pho", "district"),
    "province": ("tinh", "tinh thanh", "tinh thanh pho", "province", "province name", "city province"),
    "kind": ("loai hinh", "loai hinh chu the", "kind", "subject type", "producer type", "type"),
    "group": ("nhom", "nhom san pham", "nganh hang", "nhom nganh", "bo san pham", "group", "category",
              "product group"),
    "subgroup": ("phan nhom", "phan nhom san pham", "subgroup", "sub group"),
    "stars": ("so sao", "hang sao", "sao", "xep hang", "xep hang sao", "xep hang sao ocop", "hang", "ket qua xep hang",
              "phan hang", "stars", "star", "star rating", "rating", "ocop stars", "ocop rating"),
    "score": ("diem", "diem so", "tong diem", "diem danh gia", "score", "total score"),
    "decision_number": ("so qd", "so quyet dinh", "quyet dinh so", "so quyet dinh cong nhan", "decision",
                        "decision number", "decision no", "decision code"),
    "decision_text": ("quyet dinh", "quyet dinh cong nhan", "can cu", "ghi chu", "note", "notes", "remarks"),
    "certificate_number": ("so giay chung nhan", "so gcn", "giay chung nhan", "certificate", "certificate number",
                           "certificate no", "cert number", "cert no"),
    "certifying_level": ("cap cong nhan", "cap", "certifying level", "level"),
    "certifying_body": ("co quan cong nhan", "don vi cong nhan", "certifying body", "issued by"),
    "certified_on": ("ngay cong nhan", "ngay qd", "ngay quyet dinh", "ngay cap", "ngay ky", "ngay chung nhan",
                     "certified on", "certified at", "cert issued at", "issued at", "issued on", "decision date",
                     "certification date"),
    "expires_on": ("ngay het han", "han hieu luc", "hieu luc den", "expires on", "expires at", "expiry", "expiry date",
                   "valid until", "cert expires at"),
    "unit": ("don vi tinh", "dvt", "quy cach", "unit"),
    "reference_price": ("gia", "gia ban", "gia tham khao", "gia tham khao vnd", "gia vnd", "price", "reference price"),
    "barcode": ("ma vach", "barcode", "gtin", "ean"),
    "code": ("ma qr", "qr code", "ma truy xuat", "qr"),
    "phone": ("dien thoai", "so dien thoai", "sdt", "phone", "phone number", "tel"),
    "email": ("email", "thu dien tu", "e mail"),
    "contact_person": ("nguoi lien he", "nguoi dai dien", "dai dien", "contact", "contact person", "representative"),
    IGNORE: ("stt", "tt", "so tt", "no", "#", "id", "ma", "ma so"),
}
PRODUCT_FIELDS = ("name", "group", "subgroup", "stars", "score", "decision_number", "decision_text",
                  "certificate_number", "certifying_level", "certifying_body", "certified_on", "expires_on", "unit",
                  "reference_price", "barcode", "code")

# What the preview calls each field, in the clerk's words (translated when shown).
FIELD_NAMES = {
    "name": N_("Product name"), "producer": N_("Producer"), "producer_code": N_("Registration code"),
    "address": N_("Address"), "commune": N_("Commune / ward"), "district": N_("District (before July 2025)"),
    "province": N_("Province"), "kind": N_("Kind"), "group": N_("OCOP group"), "subgroup": N_("Subgroup"),
    "stars": N_("Stars"), "score": N_("Score"), "decision_number": N_("Decision number"),
    "decision_text": N_("Decision (free text)"), "certificate_number": N_("Certificate number"),
    "certifying_level": N_("Certified by"), "certifying_body": N_("Certifying body"),
    "certified_on": N_("Certified on"), "expires_on": N_("Expires on"), "unit": N_("Unit"),
    "reference_price": N_("Reference price"), "barcode": N_("Barcode"), "code": N_("QR code value"),
    "phone": N_("Phone"), "email": N_("Email"), "contact_person": N_("Contact person"), IGNORE: N_("Ignore this column"),
}

PRODUCTS = "products"
PRODUCERS = "producers"

_PREFIX = re.compile(r"^\s*(?:\[[^\]]*\]|\([^)]*\)|\d{1,2}[.)])\s*")
_FOLDED_ALIASES = {alias: name for name, aliases in ALIASES.items() for alias in aliases}


def heading_key(heading: object) -> str:
    """A heading folded for matching: prefixes in brackets or typed numbers gone, no accents, lower
    case, punctuation and "_" as spaces."""
    written = str(heading or "")
    while (stripped := _PREFIX.sub("", written, count=1)) != written:
        written = stripped
    return " ".join(re.sub(r"[^\w#]+|_", " ", fold(written)).split())


@dataclass
class Columns:
    """What a sheet's headings say: field → column index, the headings nothing placed, what kind
    of list it looks like and why."""

    fields: dict[str, int] = field(default_factory=dict)
    unplaced: list[tuple[int, str]] = field(default_factory=list)  # (column index, heading as written)
    kind: str = ""  # PRODUCTS or PRODUCERS; "" when neither
    reason: str = ""  # a msgid saying why


def recognise(headings: Sequence[object], chosen: dict[str, str] | None = None) -> Columns:
    """Places each heading on a field; `chosen` maps headings (folded) to the clerk's choices and wins.
    A field named by two columns keeps the first; the second is shown as unplaced."""
    chosen = chosen or {}
    columns = Columns()
    for index, heading in enumerate(headings):
        written = str(heading or "").strip()
        if not written:
            continue
        key = heading_key(written)
        name = chosen.get(key) or _FOLDED_ALIASES.get(key)
        if name == IGNORE:
            continue
        if name is None or name in columns.fields:
            columns.unplaced.append((index, written))
            continue
        columns.fields[name] = index
    has = columns.fields.__contains__
    if has("name") and not has("producer") and not has("producer_code") and not any(map(has, PRODUCT_FIELDS[1:])):
        # A list of names and addresses only: producers, whose name column is called "name".
        columns.fields["producer"] = columns.fields.pop("name")
    if has("name") and (has("producer") or has("producer_code")):
        columns.kind, columns.reason = PRODUCTS, N_("It names products and the producer of each.")
    elif has("name"):
        columns.kind, columns.reason = PRODUCTS, N_("It names products but no producer: choose which column names the producer.")
    elif has("producer"):
        columns.kind, columns.reason = PRODUCERS, N_("It names producers and no product.")
    else:
        columns.reason = N_("No column names a product or a producer.")
    return columns
