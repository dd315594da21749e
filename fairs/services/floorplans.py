"""Floor plans: zones and booths, built by the grid generator, an import or one booth at a time.

Every change keeps the plan sound: booth codes unique in the fair, no two booths overlapping,
sizes and prices sensible. A change that would break that is refused whole.
"""

from __future__ import annotations

from typing import Any, cast

from piccolo.columns import Column

from catalog import reference
from core import fields
from core.audit import Actor, record_audit
from core.errors import N_, Conflict, Msg, NotFound, ValidationFailed
from core.ids import is_id
from fairs import floorplan
from fairs.enums import Amenity, AssignmentState, BoothKind, BoothState, ZoneTheme
from fairs.floorplan import BoothSpec
from fairs.schemas import BoothIn, BoothOut, FloorPlan, GridIn, ZoneIn, ZoneOut
from fairs.services.common import ensure_organizer, fair_row, join, split
from fairs.tables import ApplicationProduct, Booth, BoothAssignment, Zone

MAX_BOOTHS = 5_000
AMENITIES = {a.value for a in Amenity}


# -- zones ---------------------------------------------------------------------------------------


def zone_errors(data: ZoneIn) -> dict[str, Any]:
    errors: dict[str, Any] = fields.problems(data)
    if data.theme is ZoneTheme.group:
        groups = reference.groups()
        if not split(data.theme_value) or any(g not in groups for g in split(data.theme_value)):
            errors["theme_value"] = N_("Choose the OCOP groups this zone takes.")
    if data.theme is ZoneTheme.province and data.theme_value not in reference.provinces():
        errors["theme_value"] = N_("Choose the province of this pavilion.")
    return errors


async def add_zone(fair_id: int, data: ZoneIn, actor: Actor) -> int:
    """Adds a zone to a fair's plan; its code is unique in the fair."""
    ensure_organizer(actor)
    async with Zone._meta.db.transaction():
        values = await _zone_values(fair_id, data, None)
        row = (await Zone.insert(Zone(fair=fair_id, **values)))[0]
        await record_audit(actor, "create", "zone", row["id"], None, {"fair": fair_id, **values})
    return row["id"]


async def update_zone(fair_id: int, zone_id: int, data: ZoneIn, actor: Actor) -> None:
    """Renames a zone or changes its theme; its code stays unique in the fair. Audited."""
    ensure_organizer(actor)
    async with Zone._meta.db.transaction():
        before = await _zone_found(fair_id, zone_id)
        values = await _zone_values(fair_id, data, zone_id)
        await Zone.update(cast("dict[Column | str, Any]", values)).where(Zone.id == zone_id)
        await record_audit(actor, "update", "zone", zone_id, {k: before[k] for k in values}, values)


async def _zone_values(fair_id: int, data: ZoneIn, zone_id: int | None) -> dict[str, Any]:
    errors = zone_errors(data)
    if errors:
        raise ValidationFailed(errors)
    await fair_row(fair_id)
    code = data.code.strip().upper()
    same_code = (Zone.fair == fair_id) & (Zone.code == code)
    if await Zone.exists().where(same_code & (Zone.id != zone_id) if zone_id else same_code):
        raise ValidationFailed({"code": N_("This fair already has a zone with this code.")})
    return {"code": code, "name": data.name.strip(), "theme": data.theme.value,
            "theme_value": join(split(data.theme_value)) if data.theme is ZoneTheme.group else data.theme_value,
            "every_product": data.every_product and data.theme is ZoneTheme.group}


async def delete_zone(fair_id: int, zone_id: int, actor: Actor) -> None:
    """Deletes a zone with its booths; refused, naming them, while an exhibitor holds any of them."""
    ensure_organizer(actor)
    async with Zone._meta.db.transaction():
        zone = await _zone_found(fair_id, zone_id)
        booths = await Booth.select(Booth.id, Booth.code).where(Booth.zone == zone_id)
        held = await _held_codes([b["id"] for b in booths])
        if held:
            raise Conflict(N_("Exhibitors hold booths %(codes)s of zone %(zone)s: release them first."),
                           codes=", ".join(held), zone=zone["code"])
        if booths:
            await Booth.delete().where(Booth.zone == zone_id)
        await Zone.delete().where(Zone.id == zone_id)
        await record_audit(actor, "delete", "zone", zone_id, {**{k: zone[k] for k in ("code", "name", "theme")},
                                                             "booths": [b["code"] for b in booths]}, None)


async def delete_booth(fair_id: int, booth_id: int, actor: Actor) -> None:
    """Deletes a booth from the plan; refused while an exhibitor holds it."""
    ensure_organizer(actor)
    async with Booth._meta.db.transaction():
        booth = await booth_row(booth_id)
        if booth["fair"] != fair_id:
            raise NotFound(N_("This booth does not exist."))
        if await _held_codes([booth_id]):
            raise Conflict(N_("An exhibitor holds booth %(code)s: release it first."), code=booth["code"])
        await Booth.delete().where(Booth.id == booth_id)
        await record_audit(actor, "delete", "booth", booth_id, {"code": booth["code"], "zone": booth["zone"]}, None)


async def _held_codes(booth_ids: list[int]) -> list[str]:
    if not booth_ids:
        return []
    rows = await BoothAssignment.select(BoothAssignment.booth.code).where(BoothAssignment.booth.is_in(booth_ids))
    return sorted(r["booth.code"] for r in rows)


async def zones(fair_id: int) -> list[ZoneOut]:
    rows = await Zone.select().where(Zone.fair == fair_id).order_by(Zone.code)
    return [ZoneOut(id=r["id"], code=r["code"], name=r["name"], theme=ZoneTheme(r["theme"]), theme_value=r["theme_value"],
                    every_product=bool(r["every_product"]))
            for r in rows]


# -- booths ----------------------------------------------------------------------------------------


def _spec_errors(spec: BoothSpec, prefix: str = "") -> dict[str, Any]:
    """A booth's rules, BoothIn's own, whether it was typed, generated by a grid or imported."""
    values = {"code": spec.code, "x": spec.x, "y": spec.y, "width": spec.width, "depth": spec.depth, "price": spec.price}
    errors: dict[str, Any] = {prefix + field: problem for field, problem in fields.problems(values, BoothIn).items()}
    unknown = sorted(set(spec.amenities) - AMENITIES)
    if unknown:
        errors[f"{prefix}amenities"] = Msg(N_("Unknown amenities: %(names)s."), names=", ".join(unknown))
    return errors


async def _existing_specs(fair_id: int, except_id: int | None = None) -> list[BoothSpec]:
    rows = await Booth.select(Booth.id, Booth.code, Booth.x, Booth.y, Booth.width, Booth.depth).where(Booth.fair == fair_id)
    return [BoothSpec(r["code"], r["x"], r["y"], r["width"], r["depth"]) for r in rows if r["id"] != except_id]


def _plan_errors(new: list[BoothSpec], existing: list[BoothSpec]) -> dict[str, Any]:
    """Duplicate codes and overlaps among the new booths and against the plan's existing ones."""
    errors: dict[str, Any] = {}
    twice = floorplan.duplicated_codes(existing + new)
    if twice:
        errors["code"] = Msg(N_("Booth codes used twice: %(codes)s."), codes=", ".join(twice[:10]))
    overlaps = floorplan.overlapping(existing + new)
    if overlaps:
        shown = ", ".join(f"{a} × {b}" for a, b in overlaps[:10])
        errors["x"] = Msg(N_("Booths overlap: %(pairs)s."), pairs=shown)
    if len(existing) + len(new) > MAX_BOOTHS:
        errors["rows"] = Msg(N_("A plan holds at most %(n)s booths."), n=MAX_BOOTHS)
    return errors


async def _zone_found(fair_id: int, zone_id: int) -> dict:
    """The zone a request names by its address: absent, it is not found (a form's choice is _zone_of)."""
    try:
        return await _zone_of(fair_id, zone_id)
    except ValidationFailed:
        raise NotFound(N_("This zone does not exist.")) from None


async def _zone_of(fair_id: int, zone_id: int) -> dict:
    row = await Zone.select().where(Zone.id == zone_id, Zone.fair == fair_id).first() \
        if is_id(zone_id) and is_id(fair_id) else None
    if row is None:
        raise ValidationFailed({"zone_id": N_("Choose a zone of this fair.")})
    return row


async def generate_booths(fair_id: int, data: GridIn, actor: Actor) -> int:
    """Adds rows × columns booths to a zone (corners marked at row ends); all or nothing."""
    ensure_organizer(actor)
    if errors := fields.problems(data):
        raise ValidationFailed(errors)
    if not (1 <= data.rows <= 100 and 1 <= data.columns <= 100):
        raise ValidationFailed({"rows": N_("Rows and columns are from 1 to 100.")})
    if not 0 <= data.aisle <= 50:
        raise ValidationFailed({"aisle": N_("An aisle is from 0 to 50 m wide.")})
    async with Booth._meta.db.transaction():
        await fair_row(fair_id)
        zone = await _zone_of(fair_id, data.zone_id)
        specs = floorplan.grid(data.prefix.strip().upper() or zone["code"], data.rows, data.columns, x=data.x, y=data.y,
                               width=data.width, depth=data.depth, aisle=data.aisle, back_to_back=data.back_to_back,
                               kind=data.kind.value, amenities=frozenset(data.amenities), price=data.price,
                               first_number=data.first_number)
        errors = _spec_errors(specs[0]) | _spec_errors(specs[-1]) | _plan_errors(specs, await _existing_specs(fair_id))
        if errors:
            raise ValidationFailed(errors)
        await Booth.insert(*[_booth_row(fair_id, zone["id"], spec) for spec in specs])
        await record_audit(actor, "generate", "floor_plan", fair_id, None,
                           {"zone": zone["code"], "rows": data.rows, "columns": data.columns, "booths": len(specs)})
    return len(specs)


def _booth_row(fair_id: int, zone_id: int, spec: BoothSpec, blocked: bool = False, note: str = "") -> Booth:
    return Booth(fair=fair_id, zone=zone_id, code=spec.code, x=spec.x, y=spec.y, width=spec.width, depth=spec.depth,
                 kind=spec.kind, amenities=join(sorted(spec.amenities)), price=spec.price, blocked=blocked, note=note)


def _spec(data: BoothIn) -> BoothSpec:
    return BoothSpec(data.code.strip().upper(), data.x, data.y, data.width, data.depth, data.kind.value,
                     frozenset(data.amenities), data.price)


async def add_booth(fair_id: int, data: BoothIn, actor: Actor) -> int:
    ensure_organizer(actor)
    spec = _spec(data)
    async with Booth._meta.db.transaction():
        await fair_row(fair_id)
        zone = await _zone_of(fair_id, data.zone_id)
        errors = fields.problems(data) | _spec_errors(spec) | _plan_errors([spec], await _existing_specs(fair_id))
        if errors:
            raise ValidationFailed(errors)
        row = (await Booth.insert(_booth_row(fair_id, zone["id"], spec, data.blocked, data.note)))[0]
        await record_audit(actor, "create", "booth", row["id"], None, {"code": spec.code, "zone": zone["code"]})
    return row["id"]


async def update_booth(booth_id: int, data: BoothIn, actor: Actor) -> None:
    """Edits one booth: position, size, kind, amenities, price, blocked. Blocking a held booth is refused."""
    ensure_organizer(actor)
    spec = _spec(data)
    async with Booth._meta.db.transaction():
        before = await booth_row(booth_id)
        zone = await _zone_of(before["fair"], data.zone_id)
        errors = (fields.problems(data) | _spec_errors(spec)
                  | _plan_errors([spec], await _existing_specs(before["fair"], except_id=booth_id)))
        if errors:
            raise ValidationFailed(errors)
        if data.blocked and await BoothAssignment.exists().where(BoothAssignment.booth == booth_id):
            raise Conflict(N_("Release booth %(code)s before blocking it."), code=before["code"])
        values = {"zone": zone["id"], "code": spec.code, "x": spec.x, "y": spec.y, "width": spec.width, "depth": spec.depth,
                  "kind": spec.kind, "amenities": join(sorted(spec.amenities)), "price": spec.price,
                  "blocked": data.blocked, "note": data.note}
        await Booth.update(cast("dict[Column | str, Any]", values)).where(Booth.id == booth_id)
        await record_audit(actor, "update", "booth", booth_id, {k: before[k] for k in values}, values)


async def booth_row(booth_id: int) -> dict:
    row = await Booth.select().where(Booth.id == booth_id).first() if is_id(booth_id) else None
    if row is None:
        raise NotFound(N_("This booth does not exist."))
    return row


IMPORT_COLUMNS = ("zone", "code", "x", "y", "width", "depth", "kind", "amenities", "price")


async def import_booths(fair_id: int, rows: list[dict[str, Any]], actor: Actor) -> int:
    """Adds the booths of an imported sheet (one row per booth, zones by code); all or nothing.

    Each row's problems are reported with its line number; overlaps and duplicate codes are
    checked among the imported booths and against the plan's existing ones.
    """
    ensure_organizer(actor)
    await fair_row(fair_id)
    zone_ids = {z.code: z.id for z in await zones(fair_id)}
    errors: dict[str, Any] = {}
    specs: list[tuple[int, BoothSpec]] = []
    for line, raw in enumerate(rows, start=2):
        try:
            zone_code = str(raw.get("zone") or "").strip().upper()
            kind = str(raw.get("kind") or BoothKind.standard.value).strip()
            spec = BoothSpec(str(raw.get("code") or "").strip().upper(), float(raw["x"]), float(raw["y"]),
                             float(raw.get("width") or 3), float(raw.get("depth") or 3), kind,
                             frozenset(split(str(raw.get("amenities") or ""))), int(float(raw.get("price") or 0)))
        except (KeyError, TypeError, ValueError):
            errors[f"line {line}"] = N_("Give numbers for x, y, width, depth and price.")
            continue
        problems = _spec_errors(spec)
        if zone_code not in zone_ids:
            problems["zone"] = Msg(N_("No zone with code “%(code)s” in this fair."), code=zone_code)
        if kind not in {k.value for k in BoothKind}:
            problems["kind"] = Msg(N_("Unknown booth type “%(kind)s”."), kind=kind)
        for field, message in problems.items():
            errors[f"line {line}"] = Msg(N_("%(field)s: %(problem)s"), field=field,
                                         problem=message.render() if isinstance(message, Msg) else message)
        if not problems:
            specs.append((zone_ids[zone_code], spec))
    if not rows:
        errors["file"] = N_("The file has no booths.")
    async with Booth._meta.db.transaction():
        errors |= _plan_errors([s for _, s in specs], await _existing_specs(fair_id))
        if errors:
            raise ValidationFailed(errors)
        await Booth.insert(*[_booth_row(fair_id, zone_id, spec) for zone_id, spec in specs])
        await record_audit(actor, "import", "floor_plan", fair_id, None, {"booths": len(specs)})
    return len(specs)


# -- the plan as drawn -------------------------------------------------------------------------------


async def floor_plan(fair_id: int, public: bool = False) -> FloorPlan:
    """Zones and booths with each booth's state and exhibitor (public plans show confirmed names only
    once published, which the caller checks)."""
    await fair_row(fair_id)
    booth_rows = await Booth.select().where(Booth.fair == fair_id).order_by(Booth.code)
    held = {r["booth"]: r for r in await BoothAssignment.select(
        BoothAssignment.booth, BoothAssignment.application, BoothAssignment.state, BoothAssignment.locked,
        BoothAssignment.application._.producer.name).where(BoothAssignment.fair == fair_id)}
    booths = []
    for r in booth_rows:
        holder = held.get(r["id"])
        if r["blocked"]:
            state = BoothState.blocked.value
        elif holder is None:
            state = BoothState.free.value
        else:
            state = BoothState.confirmed.value if holder["state"] == AssignmentState.confirmed.value else BoothState.proposed.value
        booths.append(BoothOut(id=r["id"], zone_id=r["zone"], code=r["code"], x=r["x"], y=r["y"], width=r["width"],
                               depth=r["depth"], kind=r["kind"], amenities=split(r["amenities"]), price=r["price"],
                               blocked=r["blocked"], state=state,
                               application_id=holder["application"] if holder and not public else None,
                               exhibitor=holder["application.producer.name"] if holder else "",
                               locked=bool(holder and holder["locked"])))
    width = max((b.x + b.width for b in booths), default=30.0)
    depth = max((b.y + b.depth for b in booths), default=20.0)
    return FloorPlan(fair_id=fair_id, width=width, depth=depth, zones=await zones(fair_id), booths=booths)


async def exhibitors(fair_id: int) -> list[dict]:
    """Allocated exhibitors with their booths and products, for the public list."""
    rows = await BoothAssignment.select(
        BoothAssignment.application, BoothAssignment.booth.code, BoothAssignment.booth._.zone.name,
        BoothAssignment.application._.producer.id, BoothAssignment.application._.producer.name,
        BoothAssignment.application._.producer.province_code).where(BoothAssignment.fair == fair_id)
    by_application: dict[int, dict] = {}
    for r in rows:
        entry = by_application.setdefault(r["application"], {
            "application_id": r["application"], "producer_id": r["application.producer.id"],
            "producer": r["application.producer.name"],
            "province": reference.province_name(r["application.producer.province_code"]),
            "zone": r["booth.zone.name"], "booths": []})
        entry["booths"].append(r["booth.code"])
    products: dict[int, list[dict]] = {}
    if by_application:
        for r in await ApplicationProduct.select(
                ApplicationProduct.application, ApplicationProduct.product.name, ApplicationProduct.product.code,
                ApplicationProduct.product.stars).where(ApplicationProduct.application.is_in(list(by_application))):
            products.setdefault(r["application"], []).append(
                {"name": r["product.name"], "code": r["product.code"], "stars": r["product.stars"]})
    result = []
    for application_id, entry in by_application.items():
        entry["booths"].sort()
        entry["products"] = products.get(application_id, [])
        result.append(entry)
    return sorted(result, key=lambda e: e["booths"][0])

