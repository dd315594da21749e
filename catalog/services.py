"""Catalog operations: producers, products and buyers. Each public write is one audited transaction."""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections import defaultdict
from collections.abc import Iterable
from typing import Any, TypeVar

import msgspec
from piccolo.columns.combination import WhereRaw
from piccolo.query import Count, Select

from catalog import list_values, reference
from catalog.enums import CertifyingLevel
from catalog.reference import EXPIRING_WITHIN_DAYS, fold
from catalog.schemas import (
    BuyerIn,
    BuyerOut,
    ProducerCard,
    ProducerFilter,
    ProducerIn,
    ProducerOut,
    ProducerPage,
    ProductFilter,
    ProductIn,
    ProductOut,
    ProductPage,
)
from catalog.tables import Buyer, Producer, ProducerMember, Product
from core import fields
from core.audit import Actor, audit_trail, record_audit
from core.database import fetch_rows, is_sqlite
from core.errors import N_, Msg, NotFound, ValidationFailed
from core.formatting import vietnam_today
from core.ids import MAX_ID, is_id
from core.roles import Role

MAX_PAGE_SIZE = 100
MAX_PAGE = 100_000
_Query = TypeVar("_Query", Select, Count)  # a query _where adds clauses to
EARLIEST, LATEST = dt.date(1990, 1, 1), dt.date(2100, 12, 31)


def today() -> dt.date:
    """Today in Vietnam, which decides whether a certificate is still valid."""
    return vietnam_today()


def new_product_code() -> str:
    """A short, unguessable code for the QR stamp (/p/{code})."""
    return secrets.token_urlsafe(6).replace("-", "x").replace("_", "y")


# -- validation ---------------------------------------------------------------------


def producer_errors(data: ProducerIn) -> dict[str, Any]:
    """Every rule a producer breaks, by field (empty when it is valid)."""
    errors: dict[str, Any] = fields.problems(data)
    if data.province_code and data.province_code not in reference.provinces():
        errors["province_code"] = N_("Choose a province from the list.")
    return errors


def product_errors(data: ProductIn) -> dict[str, Any]:
    """Every OCOP rule a product breaks, by field (empty when it is valid)."""
    errors: dict[str, Any] = fields.problems(data)
    group = reference.groups().get(data.group_code)
    if group is None and data.group_code:  # "": the source does not say
        errors["group_code"] = N_("Choose an OCOP group from the list.")
    elif data.subgroup_code and data.subgroup_code not in {s.code for s in (group.subgroups if group else ())}:
        errors["subgroup_code"] = N_("This subgroup does not belong to the chosen group.")
    if data.score is not None and "stars" not in errors and "score" not in errors \
            and reference.stars_for_score(data.score) != data.stars:
        errors["stars"] = Msg(
            N_("A score of %(score)s earns %(expected)s stars, not %(stars)s."),
            score=data.score,
            expected=reference.stars_for_score(data.score),
            stars=data.stars,
        )
    if data.potential_five_star and data.stars != 4:
        errors["potential_five_star"] = N_("Only 4-star products can be potential 5-star products.")
    if data.certified_on and data.expires_on and data.expires_on <= data.certified_on:
        errors["expires_on"] = N_("The expiry date must come after the certification date.")
    if data.withdrawn_on and data.certified_on and data.withdrawn_on < data.certified_on:
        errors["withdrawn_on"] = N_("A certificate cannot be withdrawn before it is issued.")
    if data.stars == 5 and data.certifying_level is not CertifyingLevel.ministry:
        errors["certifying_level"] = N_("5-star products are certified by the ministry.")
    if data.barcode and "barcode" not in errors:
        try:
            list_values.barcode(data.barcode)
        except ValueError:
            errors["barcode"] = N_("This is not a valid barcode (GTIN): check its digits.")
    for field in ("certified_on", "expires_on", "withdrawn_on"):
        day = getattr(data, field)
        if day is not None and not EARLIEST <= day <= LATEST:
            errors[field] = N_("Enter a date between 1990 and 2100.")
    return errors


def normalised_product(data: ProductIn) -> ProductIn:
    """Fills what the rules imply: the 36-month expiry when none is given."""
    if data.expires_on is None and data.certified_on is not None and EARLIEST <= data.certified_on <= LATEST:
        data = msgspec.structs.replace(data, expires_on=reference.default_expiry(data.certified_on))
    if data.certificate_number is not None:
        data = msgspec.structs.replace(data, certificate_number=data.certificate_number.strip() or None)
    return data


# -- producers -------------------------------------------------------------------------


def _producer_search_text(data: ProducerIn) -> str:
    return fold(" ".join([data.name, data.registration_code or "", data.commune, reference.province_name(data.province_code)]))


async def create_producer(data: ProducerIn, actor: Actor) -> int:
    """Creates a producer after checking every field; audited."""
    errors = producer_errors(data)
    if data.registration_code and await Producer.exists().where(Producer.registration_code == data.registration_code):
        errors["registration_code"] = N_("Another producer already has this registration code.")
    if errors:
        raise ValidationFailed(errors)
    values = _plain(msgspec.structs.asdict(data))
    async with Producer._meta.db.transaction():
        row = (await Producer.insert(Producer(**values, search_text=_producer_search_text(data))))[0]
        await record_audit(actor, "create", "producer", row["id"], None, values)
    return row["id"]


async def update_producer(producer_id: int, data: ProducerIn, actor: Actor) -> None:
    """Updates a producer and the province copied onto its products; audited with before/after."""
    _check_id(producer_id, N_("This producer does not exist."))  # before any query compares with it
    errors = producer_errors(data)
    if data.registration_code and await Producer.exists().where(
        (Producer.registration_code == data.registration_code) & (Producer.id != producer_id)
    ):
        errors["registration_code"] = N_("Another producer already has this registration code.")
    if errors:
        raise ValidationFailed(errors)
    values = _plain(msgspec.structs.asdict(data))
    async with Producer._meta.db.transaction():
        before = await Producer.select(*[getattr(Producer, k) for k in values]).where(Producer.id == producer_id).first()
        if before is None:
            raise NotFound(N_("This producer does not exist."))
        await Producer.update(
            {**{getattr(Producer, k): v for k, v in values.items()},
             Producer.search_text: _producer_search_text(data), Producer.updated_at: dt.datetime.now(dt.UTC)}
        ).where(Producer.id == producer_id)
        if before["province_code"] != data.province_code:
            await Product.update({Product.province_code: data.province_code}).where(Product.producer == producer_id)
        await record_audit(actor, "update", "producer", producer_id, *_changes(before, values))


# Who reads every producer's contact details: the staff who run the catalogue and the fairs.
CONTACT_READERS = frozenset({Role.admin, Role.organizer, Role.viewer})
# A producer's private contact details: withheld as "" (the schema's fields stay plain strings).
CONTACT_FIELDS = ("address", "contact_person", "phone", "email")


def contacts_shown(reader: Actor | None, producer_id: int, published: bool) -> bool:
    """Whether `reader` may read the producer's phone, e-mail, address and contact person: staff always,
    the producer's own users, everyone once the producer publishes them."""
    if published:
        return True
    if reader is None:
        return False
    return reader.role in CONTACT_READERS or (reader.role is Role.producer and producer_id in reader.producer_ids)


def _producer_out(row: dict, reader: Actor | None) -> ProducerOut:
    """The one way a producer row leaves this module: its contacts blanked unless `contacts_shown`."""
    published = bool(row["publish_contact"])
    shown = contacts_shown(reader, row["id"], published)
    contacts = {name: row[name] if shown else "" for name in CONTACT_FIELDS}
    return ProducerOut(
        id=row["id"],
        name=row["name"],
        kind=row["kind"],
        province_code=row["province_code"],
        province_name=reference.province_name(row["province_code"]),
        registration_code=row["registration_code"],
        commune=row["commune"],
        legacy_province=row["legacy_province"],
        legacy_district=row["legacy_district"],
        publish_contact=published,
        product_count=row.get("product_count", 0),
        **contacts,
    )


_PRODUCER_COLUMNS = (
    Producer.id, Producer.name, Producer.kind, Producer.province_code, Producer.registration_code,
    Producer.commune, Producer.address, Producer.legacy_province, Producer.legacy_district,
    Producer.contact_person, Producer.phone, Producer.email, Producer.publish_contact,
)


async def get_producer(producer_id: int, *, reader: Actor | None) -> ProducerOut:
    """One producer as `reader` may see it (`_producer_out`)."""
    _check_id(producer_id, N_("This producer does not exist."))
    row = await Producer.select(*_PRODUCER_COLUMNS).where(Producer.id == producer_id).first()
    if row is None:
        raise NotFound(N_("This producer does not exist."))
    row["product_count"] = await Product.count().where(Product.producer == producer_id)
    return _producer_out(row, reader)


async def producer_history(producer: ProducerOut, *, reader: Actor | None) -> list[dict[str, Any]]:
    """The producer's audit trail; the contact values it recorded are left out for a reader who may not
    see them. Publishing covers today's details, not earlier ones, so the flag does not open the history."""
    entries = await audit_trail("producer", producer.id)
    if contacts_shown(reader, producer.id, published=False):
        return entries
    return [{**entry, "before": _without_contacts(entry["before"]), "after": _without_contacts(entry["after"])}
            for entry in entries]


def _without_contacts(stored: Any) -> Any:
    values = json.loads(stored) if isinstance(stored, str) else stored
    if not isinstance(values, dict):
        return values
    return {key: value for key, value in values.items() if key not in CONTACT_FIELDS}


def _search_words(q: str) -> list[str]:
    # LIKE wildcards typed by a user are not search terms: drop them rather than escape them.
    words = fold(q).translate({ord("%"): " ", ord("_"): " ", ord("\\"): " ", 0: " "}).split()
    return [word[:60] for word in words[:8]]


def _search_clauses(column, q: str) -> list:
    return [column.like(f"%{word}%") for word in _search_words(q)]


def _product_search_clauses(q: str, narrowed: bool = False) -> list:
    """Each word anywhere in the product's folded text. On SQLite the words of three letters or more go
    through the trigram index (product_search) instead of a scan; PostgreSQL's trigram index serves
    the LIKE itself.

    `narrowed`: an equality filter (province, group, stars, producer) comes with the search. Its index
    then leads, in name order, and the matches are only tested against (the unary + keeps SQLite from
    looking up every match by id: a common word matches half the catalogue).
    """
    words = _search_words(q)
    indexed = [word for word in words if len(word) >= 3]
    if not indexed or not is_sqlite(Product._meta.db):
        return _search_clauses(Product.search_text, q)
    match = " AND ".join('"' + word.replace('"', '""') + '"' for word in indexed)
    tested = "+"
    clauses = [WhereRaw(tested + '"product"."id" IN (SELECT rowid FROM product_search WHERE product_search MATCH {})',
                        match)]
    return clauses + [Product.search_text.like(f"%{word}%") for word in words if len(word) < 3]


def _page_bounds(page: int, page_size: int) -> tuple[int, int]:
    page_size = max(1, min(page_size, MAX_PAGE_SIZE))
    return max(1, min(page, MAX_PAGE)), page_size


def _check_id(record_id: int | None, message: str) -> None:
    if record_id is not None and not is_id(record_id):
        raise NotFound(message)


def _producer_clauses(filters: ProducerFilter) -> list:
    clauses = _search_clauses(Producer.search_text, filters.q)
    if filters.province:
        clauses.append(Producer.province_code == filters.province)
    if filters.kind:
        clauses.append(Producer.kind == filters.kind)
    return clauses


async def list_producers(filters: ProducerFilter, *, reader: Actor | None) -> ProducerPage:
    """One page of producers matching the filter, each as `reader` may see it (`_producer_out`)."""
    clauses = _producer_clauses(filters)
    page, page_size = _page_bounds(filters.page, filters.page_size)
    query = Producer.select(*_PRODUCER_COLUMNS).order_by(Producer.name).limit(page_size).offset((page - 1) * page_size)
    count = Producer.count()
    if clauses:
        query, count = query.where(*clauses), count.where(*clauses)
    rows, total = await query, await count
    return ProducerPage(items=[_producer_out(r, reader) for r in rows], total=total, page=page, page_size=page_size)


async def all_producers(filters: ProducerFilter, *, reader: Actor | None, limit: int = 100_000) -> list[ProducerOut]:
    """Every producer matching the filter (for exports), each as `reader` may see it (`_producer_out`)."""
    clauses = _producer_clauses(filters)
    rows = await _where(Producer.select(*_PRODUCER_COLUMNS), clauses).order_by(Producer.name).limit(limit)
    return [_producer_out(r, reader) for r in rows]


async def add_member(user_id: int, producer_id: int) -> bool:
    """Inside the caller's transaction: the user acts for the producer from now on. False when it already did."""
    if await ProducerMember.exists().where((ProducerMember.user == user_id) & (ProducerMember.producer == producer_id)):
        return False
    await ProducerMember.insert(ProducerMember(user=user_id, producer=producer_id))
    return True


async def remove_member(user_id: int, producer_id: int) -> bool:
    """Inside the caller's transaction: the user no longer acts for the producer. False when it did not."""
    link = (ProducerMember.user == user_id) & (ProducerMember.producer == producer_id)
    if not is_id(producer_id) or not await ProducerMember.exists().where(link):
        return False
    await ProducerMember.delete().where(link)
    return True


async def producer_users(producer_ids: Iterable[int] | None = None) -> defaultdict[int, list[int]]:
    """Producer id → the active users acting for it (whom its messages go to), in id order; every producer's
    when `producer_ids` is None."""
    query = ProducerMember.select(ProducerMember.producer, ProducerMember.user).where(
        ProducerMember.user._.active.eq(True)).order_by(ProducerMember.user)
    if producer_ids is not None:
        query = query.where(ProducerMember.producer.is_in(sorted(set(producer_ids)) or [0]))
    users: defaultdict[int, list[int]] = defaultdict(list)
    for row in await query:
        users[row["producer"]].append(row["user"])
    return users


async def producer_names(producer_ids: list[int]) -> dict[int, str]:
    return {r["id"]: r["name"] for r in await Producer.select(Producer.id, Producer.name).where(Producer.id.is_in(producer_ids))} \
        if producer_ids else {}


async def producer_choices(q: str = "", limit: int = 20, include: int | None = None) -> list[dict]:
    """Producers matching a typed name, for autocomplete and select boxes; `include` is always among them."""
    query = Producer.select(Producer.id, Producer.name, Producer.province_code).order_by(Producer.name).limit(limit)
    clauses = _search_clauses(Producer.search_text, q)
    rows = await (query.where(*clauses) if clauses else query)
    if include and is_id(include) and all(r["id"] != include for r in rows):
        chosen = await Producer.select(Producer.id, Producer.name, Producer.province_code).where(Producer.id == include)
        rows = chosen + rows
    return rows


# -- products --------------------------------------------------------------------------


_PRODUCT_COLUMNS = (
    Product.id, Product.code, Product.name, Product.producer, Product.producer.name.as_alias("producer_name"),
    Product.province_code, Product.group_code, Product.subgroup_code, Product.stars, Product.score,
    Product.potential_five_star, Product.decision_number, Product.certificate_number, Product.certifying_level,
    Product.certifying_body,
    Product.certified_on, Product.expires_on, Product.withdrawn_on, Product.barcode, Product.unit,
    Product.reference_price,
)


# The same columns written out once as SQL, for the reads of one product or a few by key: Piccolo
# rebuilds a select with a join on every call, which was a quarter of an uncached public product page.
_PRODUCT_SELECT = (
    "SELECT product.id, product.code, product.name, product.producer, producer.name AS producer_name, "
    "product.province_code, product.group_code, product.subgroup_code, product.stars, product.score, "
    "product.potential_five_star, product.decision_number, product.certificate_number, product.certifying_level, product.certifying_body, "
    "product.certified_on, product.expires_on, product.withdrawn_on, product.barcode, product.unit, "
    "product.reference_price FROM product LEFT JOIN producer ON producer.id = product.producer"
)


async def _product_rows(condition: str, *args: Any) -> list[dict[str, Any]]:
    """Rows of `_PRODUCT_SELECT` meeting `condition` (SQL with `{}` placeholders for `args`)."""
    return await fetch_rows(Product._meta.db, f"{_PRODUCT_SELECT} WHERE {condition}", *args)


def _product_out(row: dict, on: dt.date) -> ProductOut:
    return ProductOut(
        id=row["id"],
        code=row["code"],
        name=row["name"],
        producer_id=row["producer"],
        producer_name=row["producer_name"] or "",
        province_code=row["province_code"],
        province_name=reference.province_name(row["province_code"]),
        group_code=row["group_code"],
        subgroup_code=row["subgroup_code"],
        stars=row["stars"],
        score=row["score"],
        potential_five_star=bool(row["potential_five_star"]),
        decision_number=row["decision_number"],
        certificate_number=row["certificate_number"],
        certifying_level=row["certifying_level"],
        certifying_body=row["certifying_body"],
        certified_on=row["certified_on"],
        expires_on=row["expires_on"],
        withdrawn_on=row["withdrawn_on"],
        status=reference.certificate_status(row["expires_on"], row["withdrawn_on"], on),
        barcode=row["barcode"],
        unit=row["unit"],
        reference_price=row["reference_price"],
    )


def _product_search_text(data: ProductIn, producer_name: str) -> str:
    return fold(" ".join([data.name, producer_name, data.certificate_number or "", data.barcode]))


async def _product_conflicts(data: ProductIn, product_id: int | None, invalid: dict[str, Any]) -> dict[str, Any]:
    """Numbers another product already uses; a number already `invalid` (a NUL in it, say, which
    PostgreSQL would refuse to compare) is not looked up."""
    errors: dict[str, Any] = {}
    not_self = (Product.id != product_id) if product_id else None
    if data.certificate_number and "certificate_number" not in invalid:
        clause = Product.certificate_number == data.certificate_number
        if await Product.exists().where(clause & not_self if not_self is not None else clause):
            errors["certificate_number"] = N_("This certificate number is already used by another product.")
    if data.code and "code" not in invalid:
        clause = Product.code == data.code
        if await Product.exists().where(clause & not_self if not_self is not None else clause):
            errors["code"] = N_("This QR code value is already used by another product.")
    return errors


async def _producer_row(producer_id: int) -> dict | None:
    if not is_id(producer_id):
        return None
    return await Producer.select(Producer.name, Producer.province_code).where(Producer.id == producer_id).first()


def _product_values(data: ProductIn) -> dict[str, Any]:
    values = _plain(msgspec.structs.asdict(data))
    values["producer"] = values.pop("producer_id")
    return values


async def create_product(data: ProductIn, actor: Actor) -> int:
    """Creates a product after checking the OCOP rules and unique numbers; audited."""
    data = normalised_product(data)
    errors = product_errors(data)
    producer = await _producer_row(data.producer_id)
    if producer is None:
        errors["producer_id"] = N_("This producer does not exist.")
    errors.update(await _product_conflicts(data, None, errors))
    if errors:
        raise ValidationFailed(errors)
    assert producer is not None  # a missing producer is one of the errors above
    if not data.code:
        data = msgspec.structs.replace(data, code=new_product_code())
    values = _product_values(data)
    async with Product._meta.db.transaction():
        row = (
            await Product.insert(
                Product(**values, province_code=producer["province_code"],
                        search_text=_product_search_text(data, producer["name"]))
            )
        )[0]
        await record_audit(actor, "create", "product", row["id"], None, values)
    return row["id"]


async def update_product(product_id: int, data: ProductIn, actor: Actor) -> None:
    """Updates a product; the QR code value is kept when none is given. Audited with before/after."""
    _check_id(product_id, N_("This product does not exist."))  # before any query compares with it
    data = normalised_product(data)
    errors = product_errors(data)
    producer = await _producer_row(data.producer_id)
    if producer is None:
        errors["producer_id"] = N_("This producer does not exist.")
    errors.update(await _product_conflicts(data, product_id, errors))
    if errors:
        raise ValidationFailed(errors)
    assert producer is not None  # a missing producer is one of the errors above
    values = _product_values(data)
    if not data.code:
        values.pop("code")
    async with Product._meta.db.transaction():
        before = await Product.select(*[getattr(Product, k) for k in values]).where(Product.id == product_id).first()
        if before is None:
            raise NotFound(N_("This product does not exist."))
        await Product.update(
            {**{getattr(Product, k): v for k, v in values.items()},
             Product.province_code: producer["province_code"],
             Product.search_text: _product_search_text(data, producer["name"]),
             Product.updated_at: dt.datetime.now(dt.UTC)}
        ).where(Product.id == product_id)
        await record_audit(actor, "update", "product", product_id, *_changes(before, values))


async def get_product(product_id: int) -> ProductOut:
    _check_id(product_id, N_("This product does not exist."))
    rows = await _product_rows("product.id = {}", product_id)
    if not rows:
        raise NotFound(N_("This product does not exist."))
    return _product_out(rows[0], today())


# The producer's columns the public product page shows, read with the product: a QR scan's hot path.
_CARD_COLUMNS = ("kind", "province_code", "commune", "address", "phone")
_PRODUCT_BY_CODE = _PRODUCT_SELECT.replace(" FROM product", "".join(
    f", producer.{name} AS producer_{name}" for name in (*_CARD_COLUMNS, "publish_contact")) + " FROM product", 1) + (
    " WHERE product.code = {}")


async def product_and_producer_by_code(code: str) -> tuple[ProductOut, ProducerCard]:
    """The product whose QR stamp carries `code`, and its producer, in one query."""
    rows = await fetch_rows(Product._meta.db, _PRODUCT_BY_CODE, code)
    if not rows:
        raise NotFound(N_("No OCOP product has this code."))
    row = rows[0]
    producer = ProducerCard(id=row["producer"], name=row["producer_name"] or "",
                            **{name: row[f"producer_{name}"] for name in _CARD_COLUMNS},
                            publish_contact=bool(row["producer_publish_contact"]))
    return _product_out(row, today()), producer


def _status_clause(status: str, on: dt.date):
    soon = on + dt.timedelta(days=EXPIRING_WITHIN_DAYS)
    withdrawn = Product.withdrawn_on.is_not_null() & (Product.withdrawn_on <= on)
    not_withdrawn = Product.withdrawn_on.is_null() | (Product.withdrawn_on > on)  # a withdrawal may be dated ahead
    if status == "withdrawn":
        return withdrawn
    if status == "expired":
        return not_withdrawn & (Product.expires_on < on)
    if status == "expiring":
        return not_withdrawn & (Product.expires_on >= on) & (Product.expires_on <= soon)
    if status == "valid":
        return not_withdrawn & (Product.expires_on > soon)
    if status == "undated":
        return not_withdrawn & Product.expires_on.is_null()
    raise ValidationFailed({"status": N_("Choose a certificate status from the list.")})


def product_clauses(filters: ProductFilter, on: dt.date, certified_only: bool = False, producer_kind: str = "") -> list:
    """The WHERE clauses of a product filter, shared by the list, the count and the export."""
    narrowed = bool(filters.province or filters.group or filters.stars is not None or filters.producer_id is not None)
    clauses = _product_search_clauses(filters.q, narrowed)
    if certified_only:  # what may be shown to the public as an OCOP product
        clauses += [Product.stars >= reference.rules().min_certified_stars,
                    Product.withdrawn_on.is_null() | (Product.withdrawn_on > on),
                    Product.expires_on.is_null() | (Product.expires_on >= on)]
    if producer_kind:
        clauses.append(Product.producer.kind == producer_kind)
    if filters.province:
        clauses.append(Product.province_code == filters.province)
    if filters.group:
        clauses.append(Product.group_code == filters.group)
    if filters.stars is not None:
        if not 0 <= filters.stars <= 5:
            raise ValidationFailed({"stars": N_("Stars must be between 0 and 5.")})
        clauses.append(Product.stars == filters.stars)
    if filters.status:
        clauses.append(_status_clause(filters.status, on))
    if filters.producer_id is not None:
        clauses.append(Product.producer == max(0, min(filters.producer_id, MAX_ID)))
    return clauses


def _where(query: _Query, clauses: Iterable) -> _Query:
    clauses = list(clauses)
    return query.where(*clauses) if clauses else query


def _ordered(query: Select, filters: ProductFilter) -> Select:
    """Name order; certificates expiring soon, the nearest date first (what must be renewed first)."""
    if filters.status == "expiring":
        query = query.order_by(Product.expires_on)
    return query.order_by(Product.name).order_by(Product.id)


async def list_products(filters: ProductFilter, certified_only: bool = False, producer_kind: str = "") -> ProductPage:
    """One page of products matching the filter, in list order (`_ordered`)."""
    on = today()
    clauses = product_clauses(filters, on, certified_only, producer_kind)
    page, page_size = _page_bounds(filters.page, filters.page_size)
    # The page's ids come from an index holding the filtered columns in name order (a search's from
    # the narrow listing index); only the page's rows are read whole.
    ids = [r["id"] for r in await _ordered(_where(Product.select(Product.id), clauses), filters)
           .limit(page_size).offset((page - 1) * page_size)]
    found = {r["id"]: r for r in await _product_rows(f"product.id IN ({', '.join(['{}'] * len(ids))})", *ids)} if ids else {}
    rows = [found[i] for i in ids if i in found]
    total = await _where(Product.count(), clauses) if clauses else await Product.count()
    return ProductPage(items=[_product_out(r, on) for r in rows], total=total, page=page, page_size=page_size)


async def producer_products(producer_id: int, limit: int) -> list[ProductOut]:
    """A producer's products in list order (name, then id), at most `limit`."""
    on = today()
    rows = await _product_rows("product.producer = {} ORDER BY product.name, product.id LIMIT {}", producer_id, limit)
    return [_product_out(r, on) for r in rows]


async def all_products(filters: ProductFilter, limit: int = 100_000, certified_only: bool = False) -> list[ProductOut]:
    """Every product matching the filter (for exports), in list order."""
    on = today()
    rows = await _ordered(_where(Product.select(*_PRODUCT_COLUMNS), product_clauses(filters, on, certified_only)),
                          filters).limit(limit)
    return [_product_out(r, on) for r in rows]


# -- buyers ----------------------------------------------------------------------------


def buyer_errors(data: BuyerIn) -> dict[str, Any]:
    errors: dict[str, Any] = fields.problems(data)
    if data.province_code and data.province_code not in reference.provinces():
        errors["province_code"] = N_("Choose a province from the list.")
    return errors


_BUYER_COLUMNS = (Buyer.id, Buyer.name, Buyer.kind, Buyer.province_code, Buyer.contact_person, Buyer.phone, Buyer.email)


async def create_buyer(data: BuyerIn, actor: Actor) -> int:
    """Creates a buyer; audited."""
    errors = buyer_errors(data)
    if errors:
        raise ValidationFailed(errors)
    values = _plain(msgspec.structs.asdict(data))
    async with Buyer._meta.db.transaction():
        row = (await Buyer.insert(Buyer(**values, search_text=fold(data.name))))[0]
        await record_audit(actor, "create", "buyer", row["id"], None, values)
    return row["id"]


async def update_buyer(buyer_id: int, data: BuyerIn, actor: Actor) -> None:
    _check_id(buyer_id, N_("This buyer does not exist."))  # before any query compares with it
    errors = buyer_errors(data)
    if errors:
        raise ValidationFailed(errors)
    values = _plain(msgspec.structs.asdict(data))
    async with Buyer._meta.db.transaction():
        before = await Buyer.select(*[getattr(Buyer, k) for k in values]).where(Buyer.id == buyer_id).first()
        if before is None:
            raise NotFound(N_("This buyer does not exist."))
        await Buyer.update(
            {**{getattr(Buyer, k): v for k, v in values.items()}, Buyer.search_text: fold(data.name)}
        ).where(Buyer.id == buyer_id)
        await record_audit(actor, "update", "buyer", buyer_id, *_changes(before, values))


async def get_buyer(buyer_id: int) -> BuyerOut:
    _check_id(buyer_id, N_("This buyer does not exist."))
    row = await Buyer.select(*_BUYER_COLUMNS).where(Buyer.id == buyer_id).first()
    if row is None:
        raise NotFound(N_("This buyer does not exist."))
    return BuyerOut(**row)


async def list_buyers(q: str = "", kind: str = "", page: int = 1, page_size: int = 25) -> tuple[list[BuyerOut], int]:
    clauses = _search_clauses(Buyer.search_text, q)
    if kind:
        clauses.append(Buyer.kind == kind)
    page, page_size = _page_bounds(page, page_size)
    rows = await _where(Buyer.select(*_BUYER_COLUMNS), clauses).order_by(Buyer.name).limit(page_size).offset(
        (page - 1) * page_size
    )
    total = await _where(Buyer.count(), clauses) if clauses else await Buyer.count()
    return [BuyerOut(**r) for r in rows], total


# -- helpers ---------------------------------------------------------------------------


def _plain(values: dict[str, Any]) -> dict[str, Any]:
    """Enum members as their values, so rows and audit JSON hold plain data; a kind not recorded as ""."""
    plain = {k: (v.value if hasattr(v, "value") else v) for k, v in values.items()}
    if "kind" in plain and plain["kind"] is None:
        plain["kind"] = ""
    return plain


def _changes(before: dict, after: dict) -> tuple[dict, dict]:
    """Only the fields that changed, as (before, after)."""
    changed = [k for k in after if before.get(k) != after[k]]
    return {k: before.get(k) for k in changed}, {k: after[k] for k in changed}
