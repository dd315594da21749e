"""Fairs as events: create, edit, list, and move through the workflow (publishing notifies exhibitors)."""

from __future__ import annotations

from typing import Any, TypedDict, cast

import msgspec
from piccolo.columns import Column

from catalog import reference
from core import fields
from core.audit import Actor, record_audit
from core.database import fetch_rows
from core.errors import N_, Conflict, Msg, ValidationFailed
from core.outbox import enqueue_notifications
from core.workflow import ensure_transition
from fairs.enums import TRANSITIONS, ApplicationStatus, FairStatus
from fairs.schemas import FairIn, FairOut, WeightsIn
from fairs.services import reach
from fairs.services.common import ensure_organizer, fair_row, plain, split
from fairs.tables import Application, Booth, BoothAssignment, Fair


def fair_errors(data: FairIn) -> dict[str, Any]:
    errors: dict[str, Any] = fields.problems(data)
    if data.ends_on < data.starts_on:
        errors["ends_on"] = N_("The fair cannot end before it starts.")
    elif (data.ends_on - data.starts_on).days > 60:
        errors["ends_on"] = N_("A fair lasts at most 60 days.")
    if data.setup_on and data.setup_on > data.starts_on:
        errors["setup_on"] = N_("Set-up comes before the first day.")
    if data.applications_open_on and data.applications_close_on and data.applications_close_on < data.applications_open_on:
        errors["applications_close_on"] = N_("Applications cannot close before they open.")
    if data.applications_close_on and data.applications_close_on > data.ends_on:
        errors["applications_close_on"] = N_("Applications must close before the fair ends.")
    if data.province_code and data.province_code not in reference.provinces():
        errors["province_code"] = N_("Choose a province from the list.")
    unknown = [p for p in split(data.featured_provinces) if p not in reference.provinces()]
    if unknown:
        errors["featured_provinces"] = Msg(N_("Unknown province codes: %(codes)s."), codes=", ".join(unknown))
    return errors


def _values(data: FairIn) -> dict[str, Any]:
    values = plain(msgspec.structs.asdict(data))
    values["featured_provinces"] = ",".join(split(data.featured_provinces))
    values["name"] = data.name.strip()
    return values


async def create_fair(data: FairIn, actor: Actor) -> int:
    """Creates a fair in draft; organizers only. Audited."""
    ensure_organizer(actor)
    errors = fair_errors(data)
    if errors:
        raise ValidationFailed(errors)
    values = _values(data)
    async with Fair._meta.db.transaction():
        row = (await Fair.insert(Fair(**values, weights=msgspec.json.encode(WeightsIn()).decode())))[0]
        await record_audit(actor, "create", "fair", row["id"], None, values)
    return row["id"]


async def update_fair(fair_id: int, data: FairIn, actor: Actor) -> None:
    """Edits a fair's details (not its status). Audited with before and after."""
    ensure_organizer(actor)
    errors = fair_errors(data)
    if errors:
        raise ValidationFailed(errors)
    values = _values(data)
    async with Fair._meta.db.transaction():
        before = await fair_row(fair_id)
        await Fair.update(cast("dict[Column | str, Any]", values)).where(Fair.id == fair_id)
        await record_audit(actor, "update", "fair", fair_id, {k: before[k] for k in values}, values)


async def set_weights(fair_id: int, weights: WeightsIn, actor: Actor) -> None:
    ensure_organizer(actor)
    bad = fields.problems(weights)
    if bad:
        raise ValidationFailed(bad)
    async with Fair._meta.db.transaction():
        await fair_row(fair_id)
        encoded = msgspec.json.encode(weights).decode()
        await Fair.update({Fair.weights: encoded}).where(Fair.id == fair_id)
        await record_audit(actor, "update", "fair", fair_id, None, {"weights": msgspec.structs.asdict(weights)})


def weights_of(row: dict) -> WeightsIn:
    raw = row["weights"]
    if isinstance(raw, str):
        raw = msgspec.json.decode(raw or "{}")
    return msgspec.convert(raw or {}, WeightsIn)


class _Counts(TypedDict):
    booths: int
    applications: int
    assigned: int


def _fair_out(row: dict, counts: _Counts) -> FairOut:
    values = {k: row[k] for k in FairIn.__struct_fields__}
    return FairOut(**values, id=row["id"], status=FairStatus(row["status"]),
                   weights=msgspec.structs.asdict(weights_of(row)), **counts)


async def _counts(fair_id: int) -> _Counts:
    return {
        "booths": await Booth.count().where(Booth.fair == fair_id),
        "applications": await Application.count().where(Application.fair == fair_id,
                                                         Application.status != ApplicationStatus.withdrawn.value),
        "assigned": await BoothAssignment.count().where(BoothAssignment.fair == fair_id),
    }


async def get_fair(fair_id: int) -> FairOut:
    return _fair_out(await fair_row(fair_id), await _counts(fair_id))


async def list_fairs(status: str = "", public_only: bool = False) -> list[FairOut]:
    query = Fair.select().order_by(Fair.starts_on, ascending=False)
    if status:
        query = query.where(Fair.status == status)
    if public_only:
        query = query.where(Fair.status.is_in([FairStatus.published.value, FairStatus.running.value, FairStatus.closed.value]))
    rows = await query
    booths = {r["fair"]: r["n"] for r in await fetch_rows(Booth._meta.db, "SELECT fair, COUNT(*) AS n FROM booth GROUP BY fair")}
    applications = {r["fair"]: r["n"] for r in await fetch_rows(Application._meta.db,
        "SELECT fair, COUNT(*) AS n FROM application WHERE status <> 'withdrawn' GROUP BY fair")}
    assigned = {r["fair"]: r["n"] for r in await fetch_rows(BoothAssignment._meta.db,
        "SELECT fair, COUNT(*) AS n FROM booth_assignment GROUP BY fair")}
    return [_fair_out(r, {"booths": booths.get(r["id"], 0), "applications": applications.get(r["id"], 0),
                          "assigned": assigned.get(r["id"], 0)}) for r in rows]


async def change_status(fair_id: int, target: FairStatus, actor: Actor) -> None:
    """Moves a fair along its workflow; any other transition is refused. Publishing writes one
    notification per exhibitor (allocated or waitlisted) to the outbox, in the same transaction."""
    ensure_organizer(actor)
    async with Fair._meta.db.transaction():
        row = await fair_row(fair_id)
        current = FairStatus(row["status"])
        ensure_transition(TRANSITIONS, current, target, N_("A fair cannot go from “%(current)s” to “%(target)s”."))
        if target is FairStatus.published:
            if not await BoothAssignment.exists().where(BoothAssignment.fair == fair_id):
                raise Conflict(N_("Allocate booths before publishing the floor plan."))
            await _notify_exhibitors(row)
        await Fair.update({Fair.status: target.value}).where(Fair.id == fair_id)
        await record_audit(actor, "status", "fair", fair_id, {"status": current.value}, {"status": target.value})


async def _notify_exhibitors(fair: dict) -> None:
    applications = await Application.select(Application.id, Application.producer, Application.status).where(
        Application.fair == fair["id"], Application.status.is_in(list(reach.TOLD)))
    await tell_exhibitors(fair, applications)


async def tell_exhibitors(fair: dict, applications: list[dict]) -> int:
    """Each application's booths (or its place on the waiting list), to whoever acts for its producer.
    The key names the edition of the plan: republishing after changes tells the exhibitors again."""
    booths: dict[int, list[str]] = {}
    for row in await BoothAssignment.select(BoothAssignment.application, BoothAssignment.booth.code).where(
            BoothAssignment.fair == fair["id"]):
        booths.setdefault(row["application"], []).append(row["booth.code"])

    def held(application: dict) -> list[str]:
        return sorted(booths.get(application["id"], []))

    def template_of(application: dict) -> str:
        return "fair_waitlisted" if application["status"] == ApplicationStatus.waitlisted.value else "fair_booths_published"

    outgoing = []
    for template in ("fair_booths_published", "fair_waitlisted"):
        outgoing += await reach.exhibitor_messages(
            fair, [a for a in applications if template_of(a) == template], template,
            key=lambda a: f"{reach.published_key(fair['id'])}{a['id']}:{','.join(held(a))}",
            data=lambda a: {"fair_id": fair["id"], "fair": fair["name"], "application_id": a["id"], "booths": held(a),
                            "starts_on": fair["starts_on"], "setup_on": fair["setup_on"], "venue": fair["venue"]})
    return await enqueue_notifications(outgoing)
