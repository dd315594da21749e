"""Sales points and their stock: every public write is one transaction, checked before it is written.

Who may write: admins and organizers anywhere; a sales-point manager only at the points they
manage. Stock movements go through `salespoints.ledger` (group commit on SQLite).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from typing import Any, cast

import msgspec
from piccolo.columns import Column
from piccolo.engine.postgres import PostgresEngine

from accounts.enums import Role
from catalog import reference
from catalog.reference import fold
from catalog.schemas import ProductFilter
from catalog.services import get_product, list_products, today
from catalog.tables import Product
from core import fields
from core.audit import Actor, record_audit
from core.database import fetch_rows, fetch_tuples
from core.errors import N_, Conflict, Forbidden, Msg, NotFound, ValidationFailed
from core.formatting import VIETNAM, vietnam_day
from core.ids import MAX_ID, is_id
from salespoints import ledger
from salespoints.balance_list import balances
from salespoints.enums import ADMITTING, SIGN, CountStatus, MovementKind, Policy
from salespoints.schemas import (
    MAX_COUNT_LINES,
    AssortmentIn,
    BalanceOut,
    BatchIn,
    CountLineIn,
    CountRow,
    CountSheet,
    MovementIn,
    MovementOut,
    MovementResult,
    SalesPointIn,
    SalesPointOut,
    TransferIn,
)
from salespoints.tables import (
    AssortmentItem,
    SalesPoint,
    SalesPointManager,
    StockBalance,
    StockCount,
    StockCountLine,
    StockMovement,
    StockSnapshot,
    StockSnapshotRun,
)

EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
_writer: ledger.SQLiteLedgerWriter | None = None


class NotCarriedThere(ValidationFailed):
    """A transfer refused because the receiving point does not carry the product: names the point
    and the product, so that a page can lead to that point's range (never adds it there itself)."""

    def __init__(self, errors: dict[str, Any], point_id: int, product_id: int) -> None:
        super().__init__(errors)
        self.point_id = point_id
        self.product_id = product_id


# -- rights ------------------------------------------------------------------------------------


async def managed_point_ids(actor: Actor) -> frozenset[int]:
    if actor.user_id is None:
        return frozenset()
    rows = await SalesPointManager.select(SalesPointManager.point).where(SalesPointManager.user == actor.user_id)
    return frozenset(r["point"] for r in rows)


def may_write(actor: Actor, manages: bool) -> bool:
    """The rule of who changes a point: admins and organizers anywhere; a manager only where they manage
    (`manages`, read by the caller: a query of its own, or a column of the movement's one query)."""
    return actor.role in (Role.admin, Role.organizer) or (actor.role is Role.salespoint_manager and manages)


async def ensure_can_write(actor: Actor, point_id: int) -> None:
    """Refuses an actor who may not change the point (`may_write`)."""
    manages = actor.role is Role.salespoint_manager and point_id in await managed_point_ids(actor)
    if not may_write(actor, manages):
        raise Forbidden(N_("You do not manage this sales point."))


async def can_write(actor: Actor, point_id: int) -> bool:
    """Whether `ensure_can_write` lets the actor change the point (pages show its forms only then)."""
    try:
        await ensure_can_write(actor, point_id)
    except Forbidden:
        return False
    return True


async def lists_specialties(actor: Actor, point_id: int) -> bool:
    """Whether the actor may list non-OCOP specialties at the point (see `set_assortment`)."""
    point = await get_point(point_id)
    return point.policy == Policy.with_specialties.value and actor.role in (Role.admin, Role.organizer)


def scoped_key(point_id: int, actor: Actor, key: str | None) -> str | None:
    """The stored idempotency key: a client's key counts within its point and its user, so no
    one can collide with (or read back) another's movements, nor with the system's own keys."""
    return f"p{point_id}:u{actor.user_id or 0}:{key}" if key else None


def _moment(value: dt.datetime | None) -> dt.datetime | None:
    """A client's time in UTC; a time without zone is Vietnam time."""
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=VIETNAM)).astimezone(dt.UTC)


def _period(since: dt.date | None, until: dt.date | None) -> tuple[dt.datetime | None, dt.datetime | None]:
    """Vietnam days `since`..`until` (inclusive) as [start, end) in UTC. No movement happens before 2000
    or after tomorrow (see _movement_errors), so days beyond are clamped: year 1 or 9999 would overflow."""
    first, last = dt.date(1999, 12, 31), today() + dt.timedelta(days=2)

    def start(day: dt.date) -> dt.datetime:
        return dt.datetime.combine(min(max(day, first), last), dt.time(), tzinfo=VIETNAM).astimezone(dt.UTC)

    return (start(since) if since is not None else None,
            start(min(until, last) + dt.timedelta(days=1)) if until is not None else None)


def _ensure_organizer(actor: Actor) -> None:
    if actor.role not in (Role.admin, Role.organizer):
        raise Forbidden(N_("Your role does not allow this."))


# -- sales points -------------------------------------------------------------------------------


def _point_errors(data: SalesPointIn) -> dict[str, Any]:
    errors: dict[str, Any] = fields.problems(data)
    if data.province_code and data.province_code not in reference.provinces():
        errors["province_code"] = N_("Choose a province from the list.")
    return errors


def point_key(name: str, address: str) -> tuple[str, str]:
    """A point's name and address folded: two points alike in both are one point entered twice."""
    return " ".join(fold(name).split()), " ".join(fold(address).replace(",", " ").split())


async def _same_point(data: SalesPointIn, other_than: int | None = None) -> int | None:
    rows = await SalesPoint.select(SalesPoint.id, SalesPoint.name, SalesPoint.address)
    key = point_key(data.name, data.address)
    return next((r["id"] for r in rows if r["id"] != other_than and point_key(r["name"], r["address"]) == key), None)


SAME_POINT = N_("A sales point with this name and address already exists.")


def _point_out(row: dict) -> SalesPointOut:
    values = {k: row[k] for k in SalesPointOut.__struct_fields__ if k != "province_name"}
    values["opened_on"] = _as_date(values["opened_on"])
    return SalesPointOut(**values, province_name=reference.province_name(row["province_code"]))


async def create_point(data: SalesPointIn, actor: Actor) -> int:
    """Creates a sales point; organizers and admins only. Audited."""
    _ensure_organizer(actor)
    errors = _point_errors(data)
    if "name" not in errors and await _same_point(data):
        errors["name"] = SAME_POINT
    if errors:
        raise ValidationFailed(errors)
    values = {k: getattr(v, "value", v) for k, v in msgspec.structs.asdict(data).items()}
    async with SalesPoint._meta.db.transaction():
        row = (await SalesPoint.insert(SalesPoint(**values)))[0]
        await record_audit(actor, "create", "salespoint", row["id"], None, values)
    return row["id"]


async def update_point(point_id: int, data: SalesPointIn, actor: Actor) -> None:
    """Changes a sales point's facts; organizers and admins only. Audited with what changed."""
    _ensure_organizer(actor)
    before = await get_point(point_id)
    errors = _point_errors(data)
    if "name" not in errors and await _same_point(data, other_than=point_id):
        errors["name"] = SAME_POINT
    if errors:
        raise ValidationFailed(errors)
    values = {k: getattr(v, "value", v) for k, v in msgspec.structs.asdict(data).items()}
    old = {k: getattr(before, k) for k in values}
    changed = {k: v for k, v in values.items() if old[k] != v}
    if not changed:
        return
    async with SalesPoint._meta.db.transaction():
        await SalesPoint.update({getattr(SalesPoint, k): v for k, v in changed.items()}).where(SalesPoint.id == point_id)
        await record_audit(actor, "update", "salespoint", point_id, {k: old[k] for k in changed}, changed)


async def get_point(point_id: int) -> SalesPointOut:
    if not is_id(point_id):
        raise NotFound(N_("This sales point does not exist."))
    # Written as SQL: every stock query and counter page reads its point first.
    found = await fetch_rows(SalesPoint._meta.db, "SELECT * FROM sales_point WHERE id = {}", point_id)
    if not found:
        raise NotFound(N_("This sales point does not exist."))
    return _point_out(found[0])


async def list_points(actor: Actor) -> list[SalesPointOut]:
    """Every point for staff; a manager sees the points they manage first."""
    rows = await SalesPoint.select().order_by(SalesPoint.name)
    mine = await managed_point_ids(actor)
    return [_point_out(r) for r in sorted(rows, key=lambda r: r["id"] not in mine)]


async def add_manager(point_id: int, user_id: int, actor: Actor) -> None:
    _ensure_organizer(actor)
    await get_point(point_id)
    if not is_id(user_id):
        raise ValidationFailed({"user_id": N_("Choose a user with the sales-point manager role.")})
    from accounts.tables import User

    user = await User.select(User.role).where(User.id == user_id).first()
    if user is None or user["role"] != Role.salespoint_manager.value:
        raise ValidationFailed({"user_id": N_("Choose a user with the sales-point manager role.")})
    async with SalesPoint._meta.db.transaction():
        if not await SalesPointManager.exists().where(
            (SalesPointManager.point == point_id) & (SalesPointManager.user == user_id)
        ):
            await SalesPointManager.insert(SalesPointManager(point=point_id, user=user_id))
            await record_audit(actor, "update", "salespoint", point_id, None, {"manager_added": user_id})


async def remove_manager(point_id: int, user_id: int, actor: Actor) -> bool:
    """The user no longer manages the point; audited on the point as adding one is. False when they did
    not. Runs inside the caller's transaction when there is one (a user's page changes several links)."""
    _ensure_organizer(actor)
    link = (SalesPointManager.point == point_id) & (SalesPointManager.user == user_id)
    if not is_id(point_id) or not await SalesPointManager.exists().where(link):
        return False
    await SalesPointManager.delete().where(link)
    await record_audit(actor, "update", "salespoint", point_id, None, {"manager_removed": user_id})
    return True


async def set_assortment(point_id: int, product_id: int, data: AssortmentIn, actor: Actor, *,
                         check_policy: bool = False) -> None:
    """Adds a product to the point's assortment or changes its price and threshold. Audited.

    With `check_policy`, a product the point does not carry yet is admitted only if the point's product
    policy would admit it at receipt (the same rule and message: `_policy_refusal`); a carried product's
    terms can always be changed. Only organizers and admins turn the specialty flag on.
    """
    if not is_id(point_id) or not is_id(product_id):
        raise NotFound(N_("This product is not in the point's assortment."))
    await ensure_can_write(actor, point_id)
    point = await get_point(point_id)
    product = await Product.select(Product.id, Product.stars, Product.expires_on, Product.withdrawn_on).where(
        Product.id == product_id).first()
    clause = (AssortmentItem.point == point_id) & (AssortmentItem.product == product_id)
    carried = await AssortmentItem.select(AssortmentItem.specialty).where(clause).first()
    errors: dict[str, Any] = {}
    if product is None:
        errors["product_id"] = N_("This product does not exist.")
    elif check_policy and carried is None:
        refusal = _policy_refusal({"specialty": data.specialty, "stars": product["stars"],
                                   "expires_on": _as_date(product["expires_on"]),
                                   "withdrawn_on": _as_date(product["withdrawn_on"])}, point.policy, today())
        if refusal is not None:
            errors["product_id"] = refusal
    errors.update(fields.problems(data))
    if data.specialty and point.policy != Policy.with_specialties.value:
        errors["specialty"] = N_("This point's policy admits OCOP 3★+ products only.")
    elif data.specialty and actor.role not in (Role.admin, Role.organizer) and not (carried and carried["specialty"]):
        errors["specialty"] = N_("Only organizers list non-OCOP specialties.")
    if errors:
        raise ValidationFailed(errors)
    values: dict[Column | str, Any] = {AssortmentItem.selling_price: data.selling_price, AssortmentItem.reorder_threshold: data.reorder_threshold,
              AssortmentItem.specialty: data.specialty}
    async with SalesPoint._meta.db.transaction():
        if await AssortmentItem.exists().where(clause):
            await AssortmentItem.update(values).where(clause)
        else:
            await AssortmentItem.insert(AssortmentItem(point=point_id, product=product_id, selling_price=data.selling_price,
                                                       reorder_threshold=data.reorder_threshold, specialty=data.specialty))
        await record_audit(actor, "update", "salespoint", point_id, None,
                           {"assortment": product_id, **msgspec.structs.asdict(data)})


# -- movements --------------------------------------------------------------------------------


async def _assortment(point_id: int, product_ids: set[int]) -> dict[int, dict]:
    rows = await AssortmentItem.select(
        AssortmentItem.product, AssortmentItem.selling_price, AssortmentItem.specialty,
        AssortmentItem.product.stars.as_alias("stars"), AssortmentItem.product.expires_on.as_alias("expires_on"),
        AssortmentItem.product.withdrawn_on.as_alias("withdrawn_on"), AssortmentItem.product.producer.as_alias("producer"),
    ).where((AssortmentItem.point == point_id) & AssortmentItem.product.is_in(list(product_ids) or [0]))
    return {r["product"]: r for r in rows}


def _policy_refusal(item: dict, policy: str, on: dt.date) -> Msg | None:
    """Why a point with this product policy refuses this product, or None."""
    if item["specialty"] and policy == Policy.with_specialties.value:
        return None
    if item["stars"] < reference.rules().min_certified_stars:
        return Msg(N_("Only OCOP products of %(stars)s stars or more may be sold here."), stars=reference.rules().min_certified_stars)
    status = reference.certificate_status(item["expires_on"], item["withdrawn_on"], on)
    if status == "expired":
        return Msg(N_("The product's OCOP certificate expired on %(date)s."), date=item["expires_on"].strftime("%d/%m/%Y"))
    if status == "withdrawn":
        return Msg(N_("The product's OCOP certificate was withdrawn."))
    return None


def _movement_errors(line: MovementIn, item: dict | None, policy: str, on: dt.date) -> dict[str, Any]:
    errors: dict[str, Any] = fields.problems(line)
    kind = MovementKind(line.kind)
    if kind in (MovementKind.transfer_in, MovementKind.transfer_out):
        errors["kind"] = N_("Record transfers with the transfer form, which writes both points at once.")
    if line.quantity == 0:
        errors["quantity"] = N_("The quantity cannot be zero.")
    elif SIGN[kind] is not None and line.quantity < 0 and "quantity" not in errors:  # not past the limit already
        errors["quantity"] = N_("Enter a positive quantity: the kind of movement gives its direction.")
    if item is None:
        errors["product_id"] = N_("This product is not in the point's assortment.")
    elif kind in ADMITTING:
        refusal = _policy_refusal(item, policy, on)
        if refusal is not None:
            errors["product_id"] = refusal
    if kind is MovementKind.receipt and line.lot_expiry is not None and line.lot_expiry < on:
        errors["lot_expiry"] = N_("This lot has already expired: it cannot be received.")
    errors.update(_consignment_errors(line, kind))
    if line.happened_at is not None:
        try:
            moment = _moment(line.happened_at)
        except OverflowError:  # e.g. year 1 in a zone east of UTC
            moment = None
        if moment is None or not EARLIEST <= moment <= dt.datetime.now(dt.UTC) + dt.timedelta(days=1):
            errors["happened_at"] = N_("A movement happens between 2000 and today.")
    return errors


def _consignment_errors(line: MovementIn, kind: MovementKind) -> dict[str, Any]:
    termed = line.commission_percent is not None or line.producer_price is not None
    if (line.consigned or termed) and kind is not MovementKind.receipt:
        return {"consigned": N_("Only a receipt says whose goods they are: the other movements move the lot's owner's.")}
    if termed and not line.consigned:
        return {"consigned": N_("Commission and producer's price are terms of consigned goods: tick consigned, or leave them empty.")}
    if line.commission_percent is not None and line.producer_price is not None:
        return {"producer_price": N_("Give the commission or the producer's price, not both.")}
    return {}


def _held(line: MovementIn, item: dict) -> ledger.Held | None:
    """Whose goods a receipt brings: the point's own, or the product's producer's on the terms given."""
    if MovementKind(line.kind) is not MovementKind.receipt:
        return None
    if not line.consigned:
        return ledger.Held()
    bp = round(line.commission_percent * 100) if line.commission_percent is not None else None
    return ledger.Held(owner=item["producer"], commission_bp=bp, producer_price=line.producer_price)


async def _with_last_terms(point_id: int, line: MovementIn) -> MovementIn:
    """A consigned receipt without terms takes those of the producer's last consigned receipt of the product
    here; with none, the terms must be typed (what the point owes depends on them)."""
    if not line.consigned or line.commission_percent is not None or line.producer_price is not None:
        return line
    last = await StockMovement.select(StockMovement.commission_bp, StockMovement.producer_price).where(
        (StockMovement.point == point_id) & (StockMovement.product == line.product_id)
        & (StockMovement.kind == MovementKind.receipt.value) & (StockMovement.owner != ledger.POINT_OWNS)
    ).order_by(StockMovement.id, ascending=False).first()
    if last is None or (last["commission_bp"] is None and last["producer_price"] is None):
        raise ValidationFailed({"commission_percent": N_(
            "Enter the commission or the producer's price agreed for these consigned goods.")})
    percent = last["commission_bp"] / 100 if last["commission_bp"] is not None else None
    return msgspec.structs.replace(line, commission_percent=percent, producer_price=last["producer_price"])


def _spec(point_id: int, line: MovementIn, item: dict, actor: Actor, key: str | None) -> ledger.MovementSpec:
    kind = MovementKind(line.kind)
    sign = SIGN[kind] or 1
    return ledger.MovementSpec(
        point_id=point_id, product_id=line.product_id, kind=kind.value, quantity=sign * line.quantity,
        unit_price=line.unit_price if line.unit_price is not None else item["selling_price"],
        lot_code=line.lot_code.strip(), lot_expiry=line.lot_expiry, happened_at=_moment(line.happened_at),
        recorded_by=actor.user_id, idempotency_key=key, corrects=line.corrects, note=line.note[:2000],
        held=_held(line, item),
    )


async def _point_for_writing(point_id: int, actor: Actor) -> SalesPointOut:
    point = await get_point(point_id)
    await ensure_can_write(actor, point_id)
    if point.status != "active":
        raise ValidationFailed({"point": N_("This sales point is closed.")})
    return point


# Everything one movement is checked against, in one query: the point, whether the actor manages
# it, and the product's assortment row and certificate. Run inside the writing transaction.
_MOVEMENT_CONTEXT = (
    "SELECT sp.status, sp.policy, a.product AS item_product, a.selling_price, a.specialty, "
    "p.stars, p.expires_on, p.withdrawn_on, p.producer, "
    "EXISTS (SELECT 1 FROM sales_point_manager m WHERE m.point = sp.id AND m.\"user\" = {}) AS manages, "
    "EXISTS (SELECT 1 FROM stock_movement c WHERE c.id = {} AND c.point = sp.id) AS corrects_found "
    "FROM sales_point sp "
    "LEFT JOIN assortment_item a ON a.point = sp.id AND a.product = {} "
    "LEFT JOIN product p ON p.id = a.product WHERE sp.id = {}"
)


def _checked_context(row: dict | None, actor: Actor) -> tuple[str, dict | None]:
    """The point's product policy and the product's assortment row (None: not carried), once the
    point is found open and the actor allowed to write to it."""
    if row is None:
        raise NotFound(N_("This sales point does not exist."))
    if not may_write(actor, bool(row["manages"])):
        raise Forbidden(N_("You do not manage this sales point."))
    if row["status"] != "active":
        raise ValidationFailed({"point": N_("This sales point is closed.")})
    item = None
    if row["item_product"] is not None:
        item = {"product": row["item_product"], "selling_price": row["selling_price"], "specialty": bool(row["specialty"]),
                "stars": row["stars"], "expires_on": _as_date(row["expires_on"]), "withdrawn_on": _as_date(row["withdrawn_on"]),
                "producer": row["producer"]}
    return row["policy"], item


def _as_date(value: Any) -> dt.date | None:
    # Raw SQLite rows carry dates as ISO text; PostgreSQL rows carry date objects.
    return dt.date.fromisoformat(value[:10]) if isinstance(value, str) else value


async def record_movement(point_id: int, line: MovementIn, actor: Actor, idempotency_key: str | None = None) -> MovementResult:
    """Records one movement; a retry with the same idempotency key returns the first result.

    The point, the actor's rights, the assortment and the certificate are read and checked in
    the same transaction as the write (see `ledger.Unit`).
    """
    if not is_id(point_id):
        raise NotFound(N_("This sales point does not exist."))
    if not is_id(line.product_id):
        raise ValidationFailed({"product_id": N_("This product is not in the point's assortment.")})
    line = msgspec.structs.replace(line, idempotency_key=idempotency_key or line.idempotency_key)
    key = scoped_key(point_id, actor, line.idempotency_key)
    on = today()
    if line.consigned and not _consignment_errors(line, MovementKind(line.kind)):
        line = await _with_last_terms(point_id, line)

    def build(row: dict | None) -> list[ledger.MovementSpec]:
        policy, item = _checked_context(row, actor)
        assert row is not None  # _checked_context refuses a missing point
        errors = _movement_errors(line, item, policy, on)
        if line.corrects is not None and not row["corrects_found"]:
            errors["corrects"] = N_("This movement does not exist.")  # nor at another point
        if errors:
            raise ValidationFailed(errors)
        assert item is not None  # a product the point does not carry is one of the errors above
        return [_spec(point_id, line, item, actor, key)]

    unit = ledger.Unit(
        context_sql=_MOVEMENT_CONTEXT, context_params=(actor.user_id or 0, line.corrects or 0, line.product_id, point_id),
        build=build,
        audit=_audit(actor, {"kind": MovementKind(line.kind).value, "product": line.product_id, "quantity": line.quantity}),
        replay_keys=(key,) if key else (),
    )
    return await _submit(unit)


async def record_batch(
    point_id: int, lines: list[MovementIn], actor: Actor, idempotency_key: str | None = None
) -> MovementResult:
    """Records many movements all-or-nothing; a line already recorded (same key) is not written twice.
    A batch-level key gives each line without its own key the key `{key}:{line number}`."""
    if not is_id(point_id):
        raise NotFound(N_("This sales point does not exist."))
    point = await _point_for_writing(point_id, actor)
    if idempotency_key:
        lines = [line if line.idempotency_key else msgspec.structs.replace(line, idempotency_key=f"{idempotency_key[:60]}:{n}")
                 for n, line in enumerate(lines, start=1)]
    # The batch's own size; its lines are checked one by one below, each as `movements[n]`.
    if size := fields.problems({"movements": lines}, BatchIn, nested=False).get("movements"):
        raise ValidationFailed({"movements": size})
    items = await _assortment(point_id, {line.product_id for line in lines if is_id(line.product_id)})
    on = today()
    lines = [await _with_last_terms(point_id, line) if line.consigned and not _consignment_errors(
        line, MovementKind(line.kind)) and line.product_id in items else line for line in lines]
    errors: dict[str, Any] = {}
    keys: set[str] = set()
    for number, line in enumerate(lines, start=1):
        line_errors = _movement_errors(line, items.get(line.product_id), point.policy, on)
        if line.idempotency_key in keys:
            line_errors["idempotency_key"] = N_("This idempotency key appears twice in the batch.")
        if line.idempotency_key:
            keys.add(line.idempotency_key)
        for field, message in line_errors.items():
            errors[f"movements[{number}].{field}"] = message
        if len(errors) >= 100:
            break
    if errors:
        raise ValidationFailed(errors)
    specs = [_spec(point_id, line, items[line.product_id], actor, scoped_key(point_id, actor, line.idempotency_key))
             for line in lines]
    return await _write(specs, actor, {"batch": len(specs)})


async def transfer(point_id: int, data: TransferIn, actor: Actor, idempotency_key: str | None = None) -> MovementResult:
    """Moves stock to another point as one atomic pair of movements (out here, in there)."""
    if not is_id(point_id):
        raise NotFound(N_("This sales point does not exist."))
    await _point_for_writing(point_id, actor)
    errors: dict[str, Any] = fields.problems(data)
    if data.to_point_id == point_id:
        errors["to_point_id"] = N_("Choose another sales point: a transfer cannot go to the same point.")
    if idempotency_key is not None:  # the header's key keeps a movement's key's rule
        errors.update(fields.problems({"idempotency_key": idempotency_key}, MovementIn))
    destination = None
    if is_id(data.to_point_id):
        destination = await SalesPoint.select().where(SalesPoint.id == data.to_point_id).first()
    if destination is None:
        errors["to_point_id"] = N_("This sales point does not exist.")
    elif destination["status"] != "active":
        errors["to_point_id"] = N_("This sales point is closed.")
    items = await _assortment(point_id, {data.product_id}) if is_id(data.product_id) else {}
    if data.product_id not in items:
        errors["product_id"] = N_("This product is not in the point's assortment.")
    elif destination is not None:
        received = await _assortment(data.to_point_id, {data.product_id})
        if data.product_id not in received:
            errors["product_id"] = N_("The receiving point does not carry this product.")
        else:
            refusal = _policy_refusal(received[data.product_id], destination["policy"], today())
            if refusal is not None:
                errors["product_id"] = refusal
    if errors.get("product_id") == N_("The receiving point does not carry this product."):
        raise NotCarriedThere(errors, data.to_point_id, data.product_id)
    if errors:
        raise ValidationFailed(errors)
    idempotency_key = scoped_key(point_id, actor, idempotency_key)
    transfer_id = uuid.uuid4().hex
    lot_expiry = await StockBalance.select(StockBalance.lot_expiry).where(
        (StockBalance.point == point_id) & (StockBalance.product == data.product_id) & (StockBalance.lot_code == data.lot_code.strip())
    ).first()
    base = {"product_id": data.product_id, "lot_code": data.lot_code.strip(), "recorded_by": actor.user_id,
                "transfer": transfer_id, "note": data.note[:2000], "unit_price": items[data.product_id]["selling_price"],
                "lot_expiry": _as_date(lot_expiry["lot_expiry"]) if lot_expiry else None}
    specs = [
        ledger.MovementSpec(point_id=point_id, kind=MovementKind.transfer_out.value, quantity=-data.quantity,
                            idempotency_key=f"{idempotency_key}:out" if idempotency_key else None, **base),
        ledger.MovementSpec(point_id=data.to_point_id, kind=MovementKind.transfer_in.value, quantity=data.quantity,
                            idempotency_key=f"{idempotency_key}:in" if idempotency_key else None, follows=True, **base),
    ]
    return await _write(specs, actor, {"transfer": transfer_id, "to": data.to_point_id, "quantity": data.quantity})


def _audit(actor: Actor, summary: dict) -> dict:
    return {"user_id": actor.user_id, "username": actor.username, "action": "movement", "after": summary}


async def _write(specs: list[ledger.MovementSpec], actor: Actor, summary: dict) -> MovementResult:
    return await _submit(ledger.Unit(specs=tuple(specs), audit=_audit(actor, summary)))


async def _submit(unit: ledger.Unit) -> MovementResult:
    db = StockMovement._meta.db
    pg = cast(PostgresEngine, db)  # read only when the engine is not SQLite's
    if db.engine_type == "sqlite":
        result = await _sqlite_writer(db).submit(unit)
    elif pg.pool is not None:
        async with pg.pool.acquire() as connection:
            result = await ledger.pg_apply(connection, unit)
    else:
        connection = await pg.get_new_connection()
        try:
            result = await ledger.pg_apply(connection, unit)
        finally:
            await connection.close()
    return MovementResult(movement_ids=result.movement_ids, balances=result.balances, replayed=result.replayed)


def _sqlite_writer(db) -> ledger.SQLiteLedgerWriter:
    global _writer
    if _writer is None:
        # Without Piccolo's type converters: a Python call per cell that the writer's reads
        # (ids, quantities, and dates it parses itself) do not need.
        _writer = ledger.SQLiteLedgerWriter(db.path, {"timeout": db.connection_kwargs.get("timeout", 30)})
    return _writer


def stop_writer() -> None:
    """Stops the SQLite ledger thread (the app's shutdown calls this)."""
    global _writer
    if _writer is not None:
        _writer.stop()
        _writer = None


# -- reading -------------------------------------------------------------------------------------


_LOW_STOCK = (
    "SELECT a.product + 0, p.name || '', COALESCE(b.quantity, 0) + 0, a.reorder_threshold + 0, a.selling_price + 0 "
    "FROM assortment_item a JOIN product p ON p.id = a.product "
    "LEFT JOIN (SELECT product, SUM(quantity) AS quantity FROM stock_balance WHERE point = {} GROUP BY product) b "
    "ON b.product = a.product WHERE a.point = {} AND COALESCE(b.quantity, 0) <= a.reorder_threshold"
)


async def low_stock(point_id: int) -> list[BalanceOut]:
    """Products of the point's assortment whose stock, all lots together, is at or under their reorder
    threshold: sold-out ones first among them, though they have no balance row to show."""
    rows = await fetch_tuples(StockBalance._meta.db, _LOW_STOCK, point_id, point_id)
    return [
        BalanceOut(product_id=product, product_name=name, lot_code="", lot_expiry=None, quantity=quantity,
                   reorder_threshold=threshold, selling_price=price, low=True)
        for product, name, quantity, threshold, price in sorted(rows, key=lambda r: (r[2], r[1], r[0]))
    ]


async def stock_as_of(point_id: int, moment: dt.datetime) -> list[dict]:
    """Stock per product and lot at a past moment, from the nearest snapshot: the one before it plus
    the ledger between them, or the one after it minus the ledger between them, whichever has fewer
    days of ledger to add up (the whole ledger when there is no snapshot yet)."""
    before = await StockSnapshotRun.select(StockSnapshotRun.taken_at).where(
        (StockSnapshotRun.point == point_id) & (StockSnapshotRun.taken_at <= moment)
    ).order_by(StockSnapshotRun.taken_at, ascending=False).first()
    after = await StockSnapshotRun.select(StockSnapshotRun.taken_at).where(
        (StockSnapshotRun.point == point_id) & (StockSnapshotRun.taken_at > moment)
    ).order_by(StockSnapshotRun.taken_at).first()
    if after is not None and (before is None or after["taken_at"] - moment < moment - before["taken_at"]):
        base, sign = after["taken_at"], -1
        between = "happened_at > {} AND happened_at <= {}", [moment, base]
    elif before is not None:
        base, sign = before["taken_at"], 1
        between = "happened_at > {} AND happened_at <= {}", [base, moment]
    else:
        base, sign = None, 1
        between = "happened_at <= {}", [moment]
    totals: dict[tuple[int, str], int] = {}
    if base is not None:
        for row in await StockSnapshot.select(StockSnapshot.product, StockSnapshot.lot_code, StockSnapshot.quantity).where(
            (StockSnapshot.point == point_id) & (StockSnapshot.taken_at == base)
        ):
            totals[(row["product"], row["lot_code"])] = row["quantity"]
    for row in await fetch_rows(StockMovement._meta.db,
        "SELECT product, lot_code, SUM(quantity) AS quantity FROM stock_movement WHERE point = {} AND " + between[0]
        + " GROUP BY product, lot_code", point_id, *between[1],
    ):
        key = (row["product"], row["lot_code"])
        totals[key] = totals.get(key, 0) + sign * row["quantity"]
    return [{"product_id": k[0], "lot_code": k[1], "quantity": q} for k, q in sorted(totals.items()) if q]


async def take_snapshot(point_id: int, moment: dt.datetime) -> bool:
    """Writes down a point's stock at `moment` (a past moment); False if that run exists already.
    Movements recorded later with an earlier time adjust the runs after them (see the ledger)."""
    if await StockSnapshotRun.exists().where((StockSnapshotRun.point == point_id) & (StockSnapshotRun.taken_at == moment)):
        return False
    rows = await stock_as_of(point_id, moment)
    async with StockSnapshot._meta.db.transaction():
        await StockSnapshotRun.insert(StockSnapshotRun(point=point_id, taken_at=moment))
        for start in range(0, len(rows), 500):
            await StockSnapshot.insert(*[
                StockSnapshot(point=point_id, product=r["product_id"], lot_code=r["lot_code"], taken_at=moment, quantity=r["quantity"])
                for r in rows[start : start + 500]
            ])
    return True


async def snapshot_month_starts(on: dt.date | None = None) -> int:
    """Snapshots every point at the start of each past month since its first movement (Vietnam time)."""
    on = on or today()
    taken = 0
    for point in await SalesPoint.select(SalesPoint.id):
        first = await StockMovement.select(StockMovement.happened_at).where(StockMovement.point == point["id"]).order_by(
            StockMovement.happened_at).first()
        if first is None:
            continue
        month = vietnam_day(first["happened_at"]).replace(day=1)
        while True:
            month = (month + dt.timedelta(days=32)).replace(day=1)
            if month > on:
                break
            moment = dt.datetime.combine(month, dt.time(), tzinfo=VIETNAM).astimezone(dt.UTC)
            taken += await take_snapshot(point["id"], moment)
    return taken


async def assortment(point_id: int) -> list[dict]:
    """What the point carries: product, name, its producer's name, price, threshold, specialty flag."""
    return await AssortmentItem.select(
        AssortmentItem.product, AssortmentItem.product.name.as_alias("product_name"),
        AssortmentItem.product._.producer.name.as_alias("producer_name"), AssortmentItem.selling_price,
        AssortmentItem.reorder_threshold, AssortmentItem.specialty,
    ).where(AssortmentItem.point == point_id).order_by(AssortmentItem.product.name)


async def assortment_candidates(point_id: int, q: str = "", include: int | None = None, limit: int = 12) -> list[dict]:
    """Products matching a typed search (name, producer, certificate), for adding to the point's range:
    each with its stars, certificate status and reference price, whether the point carries it already,
    and why the point's policy would refuse it (None: admitted). `include` is always among them."""
    products = (await list_products(ProductFilter(q=q[:200], page_size=limit))).items if q.strip() else []
    if include is not None and is_id(include) and all(p.id != include for p in products):
        with contextlib.suppress(NotFound):  # a link to a product since deleted: the search alone
            products.insert(0, await get_product(include))
    if not products:
        return []
    point = await get_point(point_id)
    carried = {r["product"] for r in await AssortmentItem.select(AssortmentItem.product).where(
        (AssortmentItem.point == point_id) & AssortmentItem.product.is_in([p.id for p in products]))}
    on = today()
    return [{"id": p.id, "name": p.name, "producer_name": p.producer_name, "stars": p.stars, "status": p.status,
             "reference_price": p.reference_price, "carried": p.id in carried,
             "refusal": _policy_refusal({"specialty": False, "stars": p.stars, "expires_on": p.expires_on,
                                         "withdrawn_on": p.withdrawn_on}, point.policy, on)}
            for p in products]


async def ledger_position(point_id: int) -> int:
    """The id of the point's last movement (0 for none): what a page's stock, read after it, includes."""
    rows = await fetch_rows(StockMovement._meta.db,
                            "SELECT COALESCE(MAX(id), 0) AS last FROM stock_movement WHERE point = {}", point_id)
    return int(rows[0]["last"])


async def counter_items(point_id: int) -> list[dict]:
    """What the counter screen needs to work offline: the assortment with codes, prices and stock."""
    items = await AssortmentItem.select(
        AssortmentItem.product.as_alias("id"), AssortmentItem.product.name.as_alias("name"),
        AssortmentItem.product.code.as_alias("code"), AssortmentItem.product.barcode.as_alias("barcode"),
        AssortmentItem.product.unit.as_alias("unit"), AssortmentItem.selling_price.as_alias("price"),
    ).where(AssortmentItem.point == point_id).order_by(AssortmentItem.product.name)
    stock: dict[int, int] = {}
    lots: dict[int, list[tuple[str, int]]] = {}
    # Soonest expiry first (lots without one last): a sale takes the first lot on hand unless another is typed.
    for balance in sorted(await balances(point_id), key=lambda b: (b.lot_expiry or dt.date.max, b.lot_code)):
        stock[balance.product_id] = stock.get(balance.product_id, 0) + balance.quantity
        if balance.quantity > 0:
            lots.setdefault(balance.product_id, []).append((balance.lot_code, balance.quantity))
    return [{**item, "stock": stock.get(item["id"], 0), "lots": lots.get(item["id"], []),
             "search": fold(f"{item['name']} {item['code']} {item['barcode']}")} for item in items]


async def overview() -> list[dict[str, Any]]:
    """Every point with its units and value on hand, products low on stock and lots expiring soon."""
    limit = today() + dt.timedelta(days=30)
    rows = await fetch_rows(StockBalance._meta.db,
        "SELECT b.point, SUM(b.quantity) AS units, CAST(SUM(b.quantity * COALESCE(a.selling_price, 0)) AS BIGINT) AS value, "
        "SUM(CASE WHEN b.lot_expiry IS NOT NULL AND b.lot_expiry <= {} THEN 1 ELSE 0 END) AS expiring "
        "FROM stock_balance b LEFT JOIN assortment_item a ON a.point = b.point AND a.product = b.product "
        "WHERE b.quantity > 0 GROUP BY b.point",
        limit,
    )
    low = await fetch_rows(StockBalance._meta.db,
        "SELECT a.point, COUNT(*) AS low FROM assortment_item a LEFT JOIN ("
        "SELECT point, product, SUM(quantity) AS quantity FROM stock_balance GROUP BY point, product) b "
        "ON b.point = a.point AND b.product = a.product "
        "WHERE COALESCE(b.quantity, 0) <= a.reorder_threshold GROUP BY a.point"
    )
    by_point = {r["point"]: r for r in rows}
    low_by_point = {r["point"]: r["low"] for r in low}
    return [
        {"point": point, "units": (by_point.get(point.id) or {}).get("units") or 0,
         "value": (by_point.get(point.id) or {}).get("value") or 0,
         "expiring": (by_point.get(point.id) or {}).get("expiring") or 0, "low": low_by_point.get(point.id, 0)}
        for point in [_point_out(r) for r in await SalesPoint.select().order_by(SalesPoint.name)]
    ]


async def sales_by_product(point_id: int, since: dt.date, until: dt.date) -> list[dict[str, Any]]:
    """Units and revenue per product over a period (Vietnam dates, inclusive), best sellers first."""
    start, end = _period(since, until)
    rows = await fetch_rows(StockMovement._meta.db,
        "SELECT m.product AS product_id, p.name AS product_name, p.group_code, CAST(-SUM(m.quantity) AS BIGINT) AS units, "
        "CAST(-SUM(m.quantity * m.unit_price) AS BIGINT) AS revenue FROM stock_movement m JOIN product p ON p.id = m.product "
        "WHERE m.point = {} AND m.kind IN ('sale', 'customer_return') AND m.happened_at >= {} AND m.happened_at < {} "
        "GROUP BY m.product, p.name, p.group_code",
        point_id, start, end,
    )
    return sorted(rows, key=lambda r: (-r["revenue"], r["product_name"]))


async def history(point_id: int, product_id: int | None = None, limit: int = 100, kind: str = "",
                  since: dt.date | None = None, until: dt.date | None = None,
                  products: frozenset[int] | None = None) -> list[MovementOut]:
    """Movements newest first; `products` narrows them to those products (a reader's scope)."""
    query = StockMovement.select(
        StockMovement.id, StockMovement.product, StockMovement.product.name.as_alias("product_name"), StockMovement.kind,
        StockMovement.quantity, StockMovement.unit_price, StockMovement.lot_code, StockMovement.happened_at,
        StockMovement.recorded_by, StockMovement.corrects, StockMovement.transfer, StockMovement.note,
        StockMovement.owner,
    ).where(StockMovement.point == point_id)
    if product_id is not None:
        query = query.where(StockMovement.product == min(max(product_id, 0), MAX_ID))
    if products is not None:
        query = query.where(StockMovement.product.is_in(sorted(products) or [0]))
    if kind:
        query = query.where(StockMovement.kind == kind)
    start, end = _period(since, until)
    if start is not None:
        query = query.where(StockMovement.happened_at >= start)
    if end is not None:
        query = query.where(StockMovement.happened_at < end)
    rows = await query.order_by(StockMovement.id, ascending=False).limit(max(1, min(limit, 100_000)))
    return [MovementOut(product_id=r.pop("product"), **r) for r in rows]


async def ledger_differences() -> list[dict]:
    """Balances that differ from the sum of the ledger, per owner (there should be none): a lot holds
    its owner's goods, and every other owner's movements of the lot sum to zero."""
    sums = await fetch_rows(StockMovement._meta.db,
        "SELECT point, product, lot_code, owner, SUM(quantity) AS quantity FROM stock_movement "
        "GROUP BY point, product, lot_code, owner"
    )
    stored = await StockBalance.select(StockBalance.point, StockBalance.product, StockBalance.lot_code, StockBalance.owner,
                                       StockBalance.quantity)
    expected = {(r["point"], r["product"], r["lot_code"], r["owner"]): r["quantity"] for r in sums}
    actual = {(r["point"], r["product"], r["lot_code"], r["owner"]): r["quantity"] for r in stored}
    return [
        {"point": k[0], "product": k[1], "lot_code": k[2], "owner": k[3], "ledger": expected.get(k, 0),
         "balance": actual.get(k, 0)}
        for k in sorted(set(expected) | set(actual))
        if expected.get(k, 0) != actual.get(k, 0)
    ]


async def rebuild_balances() -> list[dict]:
    """Recomputes every balance from the ledger in one transaction; returns what differed before. A lot
    goes to the owner whose movements leave something in it."""
    differences = await ledger_differences()
    async with StockBalance._meta.db.transaction():
        for difference in sorted(differences, key=lambda d: d["ledger"] != 0):  # the owners left empty first
            clause = ((StockBalance.point == difference["point"]) & (StockBalance.product == difference["product"])
                      & (StockBalance.lot_code == difference["lot_code"]))
            row = await StockBalance.select(StockBalance.owner).where(clause).first()
            if row is None:
                await StockBalance.insert(StockBalance(point=difference["point"], product=difference["product"],
                                                       lot_code=difference["lot_code"], owner=difference["owner"],
                                                       quantity=difference["ledger"]))
            elif difference["ledger"] != 0 or row["owner"] == difference["owner"]:
                await StockBalance.update({StockBalance.quantity: difference["ledger"],
                                           StockBalance.owner: difference["owner"]}).where(clause)
    return differences


# -- stock counts (kiểm kê) ---------------------------------------------------------------------


async def open_count(point_id: int, actor: Actor, note: str = "") -> int:
    """Opens a stocktake at a point; one open count per point at a time."""
    await _point_for_writing(point_id, actor)
    async with StockCount._meta.db.transaction():
        if await StockCount.exists().where((StockCount.point == point_id) & (StockCount.status == CountStatus.open.value)):
            raise Conflict(N_("A stock count is already open at this point: finish or cancel it first."))
        count_id = (await StockCount.insert(StockCount(point=point_id, opened_by=actor.user_id, note=note[:2000])))[0]["id"]
        await record_audit(actor, "create", "stock_count", count_id, None, {"point": point_id})
    return count_id


async def _open_count(count_id: int, actor: Actor) -> dict:
    count = await StockCount.select().where(StockCount.id == count_id).first() if is_id(count_id) else None
    if count is None:
        raise NotFound(N_("This stock count does not exist."))
    await ensure_can_write(actor, count["point"])
    if count["status"] != CountStatus.open.value:
        raise ValidationFailed({"count": N_("This stock count is closed.")})
    return count


def _count_line_errors(data: CountLineIn, carried: frozenset[int]) -> dict[str, Any]:
    errors: dict[str, Any] = fields.problems(data)
    if data.product_id not in carried:
        errors["product_id"] = N_("This product is not in the point's assortment.")
    return errors


async def _record_count_lines(count_id: int, lines: list[CountLineIn], actor: Actor) -> dict[int, dict[str, Any]]:
    """Checks every line, then writes them all in one transaction with one audit row, or none of them:
    returns each bad line's errors by its position. A line counted again with the same quantity is left
    as it was, with the books of when it was first counted: sales made since then are not counted twice."""
    count = await _open_count(count_id, actor)
    product_ids = [line.product_id for line in lines if is_id(line.product_id)]
    carried = frozenset(r["product"] for r in await AssortmentItem.select(AssortmentItem.product).where(
        (AssortmentItem.point == count["point"]) & AssortmentItem.product.is_in(product_ids or [0])))
    errors = {n: e for n, line in enumerate(lines) if (e := _count_line_errors(line, carried))}
    if errors or not lines:
        return errors
    counted = {(line.product_id, line.lot_code.strip()): line.counted for line in lines}  # the last of a repeated line
    async with StockCount._meta.db.transaction():
        # The books at the moment of counting: sales rung up later still count at posting time.
        booked = {(r["product"], r["lot_code"]): r["quantity"] for r in await StockBalance.select(
            StockBalance.product, StockBalance.lot_code, StockBalance.quantity).where(StockBalance.point == count["point"])}
        stored = {(r["product"], r["lot_code"]): r for r in await StockCountLine.select(
            StockCountLine.id, StockCountLine.product, StockCountLine.lot_code, StockCountLine.counted).where(
            StockCountLine.count == count_id)}
        written = []
        for (product_id, lot), quantity in counted.items():
            line = stored.get((product_id, lot))
            if line is not None and line["counted"] == quantity:
                continue
            if line is not None:
                await StockCountLine.update({StockCountLine.counted: quantity, StockCountLine.booked: booked.get((product_id, lot), 0)}
                                            ).where(StockCountLine.id == line["id"])
            else:
                await StockCountLine.insert(StockCountLine(count=count_id, product=product_id, lot_code=lot, counted=quantity,
                                                           booked=booked.get((product_id, lot), 0)))
            written.append({"product": product_id, "lot_code": lot, "counted": quantity})
        if written:
            await record_audit(actor, "update", "stock_count", count_id, None, {"lines": written})
    return {}


async def count_line(count_id: int, data: CountLineIn, actor: Actor) -> None:
    """Records (or corrects) what was counted of a product and lot. Audited."""
    errors = await _record_count_lines(count_id, [data], actor)
    if errors:
        raise ValidationFailed(errors[0])


async def count_lines(count_id: int, lines: list[CountLineIn], actor: Actor) -> None:
    """Records many counted lines at once, all or nothing (one transaction, one audit row); a bad line
    is reported as `lines[n].field`, n its position from 0, and then nothing is written."""
    if len(lines) > MAX_COUNT_LINES:
        raise ValidationFailed({"lines": Msg(N_("At most %(n)s lines at once."), n=MAX_COUNT_LINES)})
    errors = await _record_count_lines(count_id, lines, actor)
    if errors:
        raise ValidationFailed({f"lines[{n}].{field}": message for n, line in errors.items() for field, message in line.items()})


async def count_sheet(count_id: int) -> CountSheet:
    """The count beside the books: every booked lot and every counted line, with differences."""
    count = await StockCount.select().where(StockCount.id == count_id).first() if is_id(count_id) else None
    if count is None:
        raise NotFound(N_("This stock count does not exist."))
    booked = {(b.product_id, b.lot_code): b for b in await balances(count["point"])}
    lines = await StockCountLine.select(
        StockCountLine.product, StockCountLine.product.name.as_alias("product_name"), StockCountLine.lot_code,
        StockCountLine.counted, StockCountLine.booked,
    ).where(StockCountLine.count == count_id)
    counted = {(line["product"], line["lot_code"]): line for line in lines}
    names = {key: b.product_name for key, b in booked.items()}
    names.update({key: line["product_name"] for key, line in counted.items()})
    rows = []
    for key in sorted(names, key=lambda k: (names[k], k)):
        line = counted.get(key)
        book = line["booked"] if line else booked[key].quantity
        rows.append(CountRow(product_id=key[0], product_name=names[key], lot_code=key[1], booked=book,
                             counted=line["counted"] if line else None,
                             difference=(line["counted"] - book) if line else None))
    return CountSheet(id=count_id, point_id=count["point"], status=count["status"], opened_at=count["opened_at"], rows=rows)


async def post_count(count_id: int, actor: Actor) -> MovementResult:
    """Posts a count: for each counted lot, a count-correction movement of (counted − booked when
    counted), all as one unit; lots not counted stay as booked. Sales made while counting stay
    counted, and a retried post writes nothing twice (each correction carries a key)."""
    count = await _open_count(count_id, actor)
    lines = await StockCountLine.select().where(StockCountLine.count == count_id)
    specs = [
        ledger.MovementSpec(point_id=count["point"], product_id=line["product"], kind=MovementKind.count_correction.value,
                            quantity=line["counted"] - line["booked"], lot_code=line["lot_code"], recorded_by=actor.user_id,
                            idempotency_key=f"count-{count_id}-{line['id']}-{line['counted']}", note=f"count {count_id}")
        for line in lines
        if line["counted"] != line["booked"]
    ]
    result = await _write(specs, actor, {"count": count_id, "lines": len(specs)}) if specs else MovementResult(
        movement_ids=[], balances=[], replayed=False)
    await StockCount.update({
        StockCount.status: CountStatus.posted.value, StockCount.posted_by: actor.user_id,
        StockCount.posted_at: dt.datetime.now(dt.UTC),
    }).where(StockCount.id == count_id)
    return result


# -- views -------------------------------------------------------------------------------------------


async def expiring_lots(point_id: int, within_days: int = 30) -> list[BalanceOut]:
    """Lots on hand whose expiry falls within `within_days` (or has passed)."""
    limit = today() + dt.timedelta(days=within_days)
    return [b for b in await balances(point_id) if b.quantity > 0 and b.lot_expiry is not None and b.lot_expiry <= limit]


async def compliance(point_id: int) -> dict[str, Any]:
    """The share of items and of stock value that are valid OCOP 3★+, against the point's minimum."""
    point = await get_point(point_id)
    rows = await fetch_rows(StockBalance._meta.db,
        "SELECT b.product, SUM(b.quantity) AS quantity, COALESCE(a.selling_price, 0) AS price, "
        "p.stars, p.expires_on, p.withdrawn_on FROM stock_balance b JOIN product p ON p.id = b.product "
        "LEFT JOIN assortment_item a ON a.point = b.point AND a.product = b.product "
        "WHERE b.point = {} AND b.quantity > 0 GROUP BY b.product, a.selling_price, p.stars, p.expires_on, p.withdrawn_on",
        point_id,
    )
    on = today()

    def certified(row: dict) -> bool:
        status = reference.certificate_status(_as_date(row["expires_on"]), _as_date(row["withdrawn_on"]), on)
        return reference.is_certified(row["stars"], status)

    items = len(rows)
    value = sum(r["quantity"] * r["price"] for r in rows)
    ocop_items = sum(1 for r in rows if certified(r))
    ocop_value = sum(r["quantity"] * r["price"] for r in rows if certified(r))
    item_share = round(100 * ocop_items / items, 1) if items else 100.0
    return {
        "items": items, "ocop_items": ocop_items, "item_share": item_share,
        "value": value, "ocop_value": ocop_value, "value_share": round(100 * ocop_value / value, 1) if value else 100.0,
        "minimum": point.min_ocop_share, "meets": item_share >= point.min_ocop_share,
    }


async def sales_by_day(point_id: int, days: int = 14) -> list[dict]:
    """Units and revenue (VND) sold per day over the last `days` days, returns netted, Vietnam dates."""
    since = dt.datetime.now(dt.UTC) - dt.timedelta(days=days)
    rows = await StockMovement.select(StockMovement.kind, StockMovement.quantity, StockMovement.unit_price, StockMovement.happened_at).where(
        (StockMovement.point == point_id) & (StockMovement.happened_at >= since)
        & StockMovement.kind.is_in([MovementKind.sale.value, MovementKind.customer_return.value])
    )
    totals: dict[dt.date, dict[str, int]] = {}
    for row in rows:
        day = vietnam_day(row["happened_at"])
        entry = totals.setdefault(day, {"units": 0, "revenue": 0})
        entry["units"] -= row["quantity"]  # sales are negative, returns positive
        entry["revenue"] -= row["quantity"] * row["unit_price"]
    return [{"day": day, **totals[day]} for day in sorted(totals, reverse=True)]
