"""Applications for booths: entered by a producer or an organizer, checked for eligibility on entry
and again before allocation, withdrawn, confirmed and checked in."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

import msgspec
from piccolo.columns import Column

from catalog import reference
from catalog.reference import certificate_status
from catalog.services import today
from catalog.tables import Producer, Product
from core import fields, i18n
from core.audit import Actor, record_audit
from core.errors import N_, Conflict, Forbidden, Msg, ValidationFailed
from core.ids import is_id
from fairs import allocation
from fairs.enums import PLACEABLE, Amenity, ApplicationStatus, AssignmentState, FairStatus
from fairs.explanations import explain, refusal
from fairs.schemas import ApplicationIn, ApplicationOut
from fairs.services.common import (
    application_row,
    engine_booth,
    engine_zone,
    ensure_acts_for,
    ensure_own,
    fair_row,
    is_organizer,
    join,
    most_common,
    split,
)
from fairs.tables import Application, ApplicationProduct, Booth, BoothAssignment, Zone

CLOSED = (ApplicationStatus.withdrawn.value,)


def eligibility_problems(fair: dict, products: list[dict]) -> list[dict]:
    """Why the listed products may not be shown, one entry per product and rule (empty: eligible).

    A product must have at least the fair's minimum stars and a certificate valid on every day
    of the fair: certified before it starts, not expiring before it ends, not withdrawn.
    """
    problems = []
    for product in products:
        name = product["name"]
        if product["stars"] < fair["min_stars"]:
            problems.append({"msgid": N_("“%(name)s” has %(stars)s stars; this fair shows %(min)s stars and up."),
                             "params": {"name": name, "stars": product["stars"], "min": fair["min_stars"]}})
        if product["certified_on"] and product["certified_on"] > fair["starts_on"]:
            problems.append({"msgid": N_("“%(name)s” is certified only from %(day)s, after the fair starts."),
                             "params": {"name": name, "day": product["certified_on"].strftime("%d/%m/%Y")}})
        status = certificate_status(product["expires_on"], product["withdrawn_on"], fair["ends_on"])
        if status == "withdrawn":
            problems.append({"msgid": N_("“%(name)s” has had its OCOP certificate withdrawn."), "params": {"name": name}})
        elif status == "expired":
            problems.append({"msgid": N_("The certificate of “%(name)s” expires on %(day)s, before the fair ends."),
                             "params": {"name": name, "day": product["expires_on"].strftime("%d/%m/%Y")}})
    return problems


def render_problems(problems: list[dict]) -> list[str]:
    return [Msg(p["msgid"], **p.get("params", {})).render(i18n.gettext) for p in problems]


async def _products(producer_id: int, product_ids: list[int]) -> tuple[list[dict], list[int]]:
    """The products, and the ids that are not this producer's."""
    ids = [p for p in dict.fromkeys(product_ids) if is_id(p)]
    rows = await Product.select(Product.id, Product.name, Product.producer, Product.stars, Product.certified_on,
                                Product.expires_on, Product.withdrawn_on, Product.group_code,
                                Product.subgroup_code).where(Product.id.is_in(ids)) if ids else []
    foreign = [p for p in product_ids if p not in {r["id"] for r in rows if r["producer"] == producer_id}]
    return [r for r in rows if r["producer"] == producer_id], foreign


async def application_errors(fair: dict, data: ApplicationIn) -> tuple[dict[str, Any], list[dict]]:
    """Everything that refuses an application before it is recorded, by field, and its products: the
    field rules, products of another producer, an unknown producer. A preferred zone that cannot take
    it today is said, not refused (`zone_refusals`): its booths may still be laid out or changed."""
    errors = await _application_errors(fair, data)
    products, foreign = await _products(data.producer_id, data.product_ids)
    if foreign:
        errors["product_ids"] = N_("Some of the listed products are not this producer's.")
    elif data.main_group and data.main_group not in {p["group_code"] for p in products}:
        errors["main_group"] = N_("Choose the group of one of the products listed.")
    # An id past 32 bits is no producer's, and PostgreSQL would refuse to compare with it.
    if not is_id(data.producer_id) or not await Producer.exists().where(Producer.id == data.producer_id):
        errors["producer_id"] = N_("This producer does not exist.")
    return errors, products


async def zone_refusals(fair_id: int, data: ApplicationIn, products: list[dict]) -> dict[int, str]:
    """Preferred zone id → why it can never take this application (its theme, its province, its
    booths), in the reader's language; the zones that can are left out."""
    wanted = [z for z in data.zone_preferences if is_id(z)]
    zones = [engine_zone(z) for z in await Zone.select().where(Zone.fair == fair_id, Zone.id.is_in(wanted or [0]))]
    booths = [engine_booth(b) for b in await Booth.select().where(Booth.fair == fair_id, Booth.zone.is_in(wanted or [0]))]
    producer = await Producer.select(Producer.province_code).where(Producer.id == data.producer_id).first()
    group = data.main_group or most_common([p["group_code"] for p in products]) or ""
    request = allocation.Request(0, data.booths_wanted, data.booth_kind.value, group, group,
                                 (producer or {}).get("province_code") or "", 3, 0, frozenset(data.amenities),
                                 tuple(wanted), groups=frozenset(p["group_code"] for p in products if p["group_code"]))
    labels = {r["id"]: f"{r['code']} · {r['name']}" for r in await Zone.select(Zone.id, Zone.code, Zone.name).where(
        Zone.id.is_in(wanted or [0]))}
    names = {code: group.name_vi for code, group in reference.groups().items()}
    refused = {}
    for zone in sorted(zones, key=lambda z: wanted.index(z.id)):
        reason = allocation.zone_refusal(zone, booths, request)
        if reason is not None:
            refused[zone.id] = refusal({"code": reason.code, "details": reason.details}, labels[zone.id], names,
                                       reference.province_name, i18n.gettext)
    return refused


async def preferred_zone_warnings(fair_id: int, data: ApplicationIn, actor: Actor) -> list[str]:
    """What the apply form says while the applicant chooses: each preferred zone that could never take it, and why."""
    ensure_acts_for(actor, data.producer_id)
    await fair_row(fair_id)
    products, _ = await _products(data.producer_id, data.product_ids)
    return list((await zone_refusals(fair_id, data, products)).values()) if products and data.zone_preferences else []


async def _application_errors(fair: dict, data: ApplicationIn) -> dict[str, Any]:
    errors: dict[str, Any] = fields.problems(data)
    unknown = sorted(set(data.amenities) - {a.value for a in Amenity})
    if unknown:
        errors["amenities"] = Msg(N_("Unknown amenities: %(names)s."), names=", ".join(unknown))
    if data.zone_preferences and "zone_preferences" not in errors:
        ids = [z for z in data.zone_preferences if is_id(z)]
        known = {r["id"] for r in await Zone.select(Zone.id).where(Zone.fair == fair["id"], Zone.id.is_in(ids or [0]))}
        if set(data.zone_preferences) - known or len(set(data.zone_preferences)) != len(data.zone_preferences):
            errors["zone_preferences"] = N_("Choose zones of this fair, each once.")
    if "booths_wanted" not in errors:
        of_kind = await Booth.count().where(Booth.fair == fair["id"], Booth.kind == data.booth_kind.value,
                                            Booth.blocked.eq(False))
        total = await Booth.count().where(Booth.fair == fair["id"])
        if total and data.booths_wanted > of_kind:
            errors["booths_wanted"] = Msg(N_("This fair has only %(n)s booths of this type."), n=of_kind)
    return errors


def ensure_accepting(fair: dict, actor: Actor) -> None:
    status = FairStatus(fair["status"])
    if is_organizer(actor) and status in (FairStatus.open, FairStatus.allocating):
        return  # organizers also enter late applications on a producer's behalf
    if status is not FairStatus.open:
        raise Conflict(N_("This fair is not taking applications."))
    day = today()
    if (fair["applications_open_on"] and day < fair["applications_open_on"]) or (
            fair["applications_close_on"] and day > fair["applications_close_on"]):
        raise Conflict(N_("Applications are taken from %(opens)s to %(closes)s."),
                       opens=_day(fair["applications_open_on"]), closes=_day(fair["applications_close_on"]))


def _day(value: dt.date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else "…"


async def apply(fair_id: int, data: ApplicationIn, actor: Actor) -> int:
    """Records an application (or renews a withdrawn one) with its products, checked for eligibility.

    Refused whole when it is malformed, lists another producer's products, or the fair is not
    taking applications. An ineligible application is kept with the exact reasons.
    """
    ensure_acts_for(actor, data.producer_id)
    fair = await fair_row(fair_id)
    ensure_accepting(fair, actor)
    errors, products = await application_errors(fair, data)
    if errors:
        raise ValidationFailed(errors)
    problems = eligibility_problems(fair, products)
    values = {
        "booths_wanted": data.booths_wanted, "booth_kind": data.booth_kind.value, "amenities": join(sorted(set(data.amenities))),
        "zone_preferences": join(data.zone_preferences), "main_group": data.main_group, "notes": data.notes.strip(),
        "problems": problems,
        "status": (ApplicationStatus.ineligible if problems else ApplicationStatus.eligible).value,
        "explanation": {}, "submitted_by": actor.user_id,
    }
    async with Application._meta.db.transaction():
        existing = await Application.select(Application.id, Application.status).where(
            Application.fair == fair_id, Application.producer == data.producer_id).first()
        if existing and existing["status"] not in CLOSED:
            raise Conflict(N_("This producer has already applied to this fair; edit or withdraw that application."))
        if existing:
            application_id = existing["id"]
            await Application.update({**cast("dict[Column | str, Any]", values), "submitted_at": dt.datetime.now(dt.UTC)}).where(Application.id == application_id)
            await ApplicationProduct.delete().where(ApplicationProduct.application == application_id)
        else:
            application_id = (await Application.insert(Application(fair=fair_id, producer=data.producer_id, **values)))[0]["id"]
        await ApplicationProduct.insert(*[ApplicationProduct(application=application_id, product=p["id"]) for p in products])
        await record_audit(actor, "apply", "application", application_id, None,
                           {**values, "fair": fair_id, "producer": data.producer_id, "products": [p["id"] for p in products]})
    return application_id


async def recheck_eligibility(fair_id: int) -> int:
    """Checks every live application again (certificates expire, stars change); the number now ineligible."""
    fair = await fair_row(fair_id)
    rows = await Application.select(Application.id, Application.producer, Application.status).where(
        Application.fair == fair_id, Application.status.not_in([*CLOSED, ApplicationStatus.confirmed.value]))
    links = await ApplicationProduct.select(ApplicationProduct.application, ApplicationProduct.product).where(
        ApplicationProduct.application.is_in([r["id"] for r in rows] or [0]))
    ids = sorted({link["product"] for link in links})
    products = {p["id"]: p for p in await Product.select(
        Product.id, Product.name, Product.stars, Product.certified_on, Product.expires_on,
        Product.withdrawn_on).where(Product.id.is_in(ids or [0]))}
    by_application: dict[int, list[dict]] = {}
    for link in links:
        by_application.setdefault(link["application"], []).append(products[link["product"]])
    ineligible = 0
    for row in rows:
        problems = eligibility_problems(fair, by_application.get(row["id"], []))
        if problems:
            ineligible += 1
            await Application.update({Application.problems: problems, Application.status: ApplicationStatus.ineligible.value,
                                      Application.explanation: {"code": "ineligible"}}).where(Application.id == row["id"])
            await BoothAssignment.delete().where(BoothAssignment.application == row["id"])
        elif row["status"] == ApplicationStatus.ineligible.value:
            await Application.update({Application.problems: [], Application.status: ApplicationStatus.eligible.value}).where(
                Application.id == row["id"])
    return ineligible


async def withdraw(application_id: int, actor: Actor) -> None:
    """Withdraws an application and releases its booths."""
    async with Application._meta.db.transaction():
        row = await application_row(application_id)
        ensure_own(actor, row)
        if FairStatus((await fair_row(row["fair"]))["status"]) is FairStatus.closed:
            raise Conflict(N_("This fair is closed."))
        # The status first: it takes the row's lock, so an allocation writing back waits, or is waited
        # for and its booths for this application are deleted next.
        await Application.update({Application.status: ApplicationStatus.withdrawn.value}).where(Application.id == application_id)
        await BoothAssignment.delete().where(BoothAssignment.application == application_id)
        await record_audit(actor, "withdraw", "application", application_id, {"status": row["status"]},
                           {"status": ApplicationStatus.withdrawn.value})


async def confirm(application_id: int, actor: Actor) -> None:
    """The exhibitor (or an organizer for them) confirms the booths it was given."""
    async with Application._meta.db.transaction():
        row = await application_row(application_id)
        ensure_own(actor, row)
        if row["status"] not in (ApplicationStatus.allocated.value, ApplicationStatus.confirmed.value):
            raise Conflict(N_("Only an application with booths can be confirmed."))
        status = FairStatus((await fair_row(row["fair"]))["status"])
        if status not in (FairStatus.published, FairStatus.running):
            raise Conflict(N_("Booths are confirmed once the floor plan is published."))
        await BoothAssignment.update({BoothAssignment.state: AssignmentState.confirmed.value}).where(
            BoothAssignment.application == application_id)
        await Application.update({Application.status: ApplicationStatus.confirmed.value}).where(Application.id == application_id)
        await record_audit(actor, "confirm", "application", application_id, {"status": row["status"]},
                           {"status": ApplicationStatus.confirmed.value})


async def check_in(application_id: int, actor: Actor) -> None:
    """Marks an exhibitor as arrived at the fair (set-up day or during the fair)."""
    async with Application._meta.db.transaction():
        row = await application_row(application_id)
        if not is_organizer(actor):
            raise Forbidden(N_("Only organizers may do this."))
        status = FairStatus((await fair_row(row["fair"]))["status"])
        if status not in (FairStatus.published, FairStatus.running):
            raise Conflict(N_("Exhibitors check in once the floor plan is published."))
        if not await BoothAssignment.exists().where(BoothAssignment.application == application_id):
            raise Conflict(N_("This exhibitor has no booth."))
        now = dt.datetime.now(dt.UTC)
        await Application.update({Application.checked_in_at: now}).where(Application.id == application_id)
        await record_audit(actor, "check_in", "application", application_id, None, {"checked_in_at": now})


async def list_applications(fair_id: int, actor: Actor | None, status: str = "") -> list[ApplicationOut]:
    """A fair's applications; a producer sees only their own."""
    await fair_row(fair_id)
    query = Application.select(*Application.all_columns(), Application.producer.name,
                               Application.producer.province_code).where(Application.fair == fair_id)
    if status:
        query = query.where(Application.status == status)
    if not is_organizer(actor):
        if actor is None or not actor.producer_ids:
            return []
        query = query.where(Application.producer.is_in(list(actor.producer_ids)))
    return await _outs(await query.order_by(Application.submitted_at).order_by(Application.id))


async def placeable_choices(fair_id: int) -> list[tuple[int, str]]:
    """The applications an organizer can place on the plan by hand, as (id, "producer (booths wanted)"),
    in the order they came: one query, for the plan page's picker (the whole application is not needed)."""
    rows = await Application.select(Application.id, Application.producer.name, Application.booths_wanted).where(
        Application.fair == fair_id, Application.status.is_in(PLACEABLE)).order_by(Application.submitted_at).order_by(
        Application.id)
    return [(r["id"], f"{r['producer.name']} ({r['booths_wanted']})") for r in rows]


async def get_application(application_id: int, actor: Actor | None) -> ApplicationOut:
    row = await application_row(application_id)
    ensure_own(actor, row)
    rows = await Application.select(*Application.all_columns(), Application.producer.name,
                                    Application.producer.province_code).where(Application.id == application_id)
    return (await _outs(rows))[0]


async def _outs(rows: list[dict]) -> list[ApplicationOut]:
    ids = [r["id"] for r in rows] or [0]
    products: dict[int, list[tuple[int, str]]] = {}
    groups: dict[int, list[str]] = {}
    for link in await ApplicationProduct.select(ApplicationProduct.application, ApplicationProduct.product,
                                                ApplicationProduct.product.name, ApplicationProduct.product.group_code).where(
            ApplicationProduct.application.is_in(ids)).order_by(ApplicationProduct.id):
        products.setdefault(link["application"], []).append((link["product"], link["product.name"]))
        groups.setdefault(link["application"], []).append(link["product.group_code"])
    booths: dict[int, list[str]] = {}
    for held in await BoothAssignment.select(BoothAssignment.application, BoothAssignment.booth.code).where(
            BoothAssignment.application.is_in(ids)):
        booths.setdefault(held["application"], []).append(held["booth.code"])
    out = []
    for r in rows:
        problems = _decoded(r["problems"], [])
        out.append(ApplicationOut(
            id=r["id"], fair_id=r["fair"], producer_id=r["producer"], producer_name=r["producer.name"],
            province_code=r["producer.province_code"], status=ApplicationStatus(r["status"]),
            booths_wanted=r["booths_wanted"], booth_kind=r["booth_kind"], amenities=split(r["amenities"]),
            zone_preferences=[int(z) for z in split(r["zone_preferences"])], notes=r["notes"],
            main_group=r["main_group"] or (most_common(groups.get(r["id"], [])) or ""),
            product_ids=[p for p, _ in products.get(r["id"], [])], products=[n for _, n in products.get(r["id"], [])],
            problems=render_problems(problems), explanation=explain(_decoded(r["explanation"], {}), i18n.gettext),
            booths=sorted(booths.get(r["id"], [])), submitted_at=r["submitted_at"], checked_in_at=r["checked_in_at"]))
    return out


def _decoded(value: Any, default: Any) -> Any:
    if isinstance(value, str):
        return msgspec.json.decode(value) if value else default
    return value if value is not None else default
