"""The exhibitor directory (danh mục đơn vị tham gia): who holds booths at a fair now, with their
products and contacts, for the printed directory and the organizers' export (fairs.directory)."""

from __future__ import annotations

from dataclasses import dataclass

from catalog import reference
from core import i18n
from core.text import natural_key
from fairs.enums import ApplicationStatus
from fairs.services.common import fair_row
from fairs.tables import ApplicationProduct, BoothAssignment

# Holding booths: a waitlisted or withdrawn application is never listed, even if a stale row remained.
LISTED = (ApplicationStatus.allocated.value, ApplicationStatus.confirmed.value)


@dataclass(frozen=True)
class DirectoryProduct:
    name: str
    stars: int
    group: str  # the OCOP group's name in the reader's language


@dataclass(frozen=True, kw_only=True)
class DirectoryEntry:
    """One exhibitor of the directory. Contacts are all here; a renderer shows them to visitors only
    when `publish_contact` is true."""

    application_id: int
    booths: tuple[str, ...]  # in natural order: A2 before A10
    zone_code: str  # the zone of its first booth
    zone_name: str
    producer_id: int
    producer: str
    producer_kind: str  # a catalog.enums.ProducerKind value
    province: str
    products: tuple[DirectoryProduct, ...]
    checked_in: bool
    publish_contact: bool
    phone: str
    email: str
    address: str
    contact_person: str


async def directory(fair_id: int) -> list[DirectoryEntry]:
    """Every application holding booths at the fair (allocated or confirmed), by zone then first booth,
    in three queries whatever the number of exhibitors. An unknown fair raises NotFound."""
    await fair_row(fair_id)
    producer = BoothAssignment.application._.producer
    rows = await BoothAssignment.select(
        BoothAssignment.application, BoothAssignment.booth.code, BoothAssignment.booth._.zone.code,
        BoothAssignment.booth._.zone.name, BoothAssignment.application._.checked_in_at,
        producer.id, producer.name, producer.kind, producer.province_code, producer.address, producer.commune,
        producer.contact_person, producer.phone, producer.email, producer.publish_contact,
    ).where(BoothAssignment.fair == fair_id, BoothAssignment.application._.status.is_in(list(LISTED)))
    by_application: dict[int, list[dict]] = {}
    for row in rows:
        by_application.setdefault(row["application"], []).append(row)
    products: dict[int, list[DirectoryProduct]] = {}
    if by_application:
        for row in await ApplicationProduct.select(
                ApplicationProduct.application, ApplicationProduct.product.name, ApplicationProduct.product.stars,
                ApplicationProduct.product.group_code).where(
                ApplicationProduct.application.is_in(list(by_application))).order_by(ApplicationProduct.id):
            products.setdefault(row["application"], []).append(
                DirectoryProduct(row["product.name"], row["product.stars"], _group_name(row["product.group_code"])))
    entries = [_entry(application_id, held, products.get(application_id, []))
               for application_id, held in by_application.items()]
    return sorted(entries, key=lambda e: (natural_key(e.zone_code), natural_key(e.booths[0])))


def _entry(application_id: int, held: list[dict], products: list[DirectoryProduct]) -> DirectoryEntry:
    held = sorted(held, key=lambda r: natural_key(r["booth.code"]))
    first = held[0]
    return DirectoryEntry(
        application_id=application_id, booths=tuple(r["booth.code"] for r in held),
        zone_code=first["booth.zone.code"], zone_name=first["booth.zone.name"],
        producer_id=first["application.producer.id"], producer=first["application.producer.name"],
        producer_kind=first["application.producer.kind"],
        province=reference.province_name(first["application.producer.province_code"]), products=tuple(products),
        checked_in=first["application.checked_in_at"] is not None,
        publish_contact=bool(first["application.producer.publish_contact"]),
        phone=first["application.producer.phone"] or "", email=first["application.producer.email"] or "",
        address=", ".join(part for part in (first["application.producer.address"],
                                             first["application.producer.commune"]) if part),
        contact_person=first["application.producer.contact_person"] or "")


def _group_name(code: str) -> str:
    group = reference.groups().get(code)
    if group is None:
        return code
    return group.name_vi if i18n.current_language.get() == "vi" else group.name_en
