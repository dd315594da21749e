"""Booth allocation in the database: run the engine, and the organizer's hand edits (assign, move,
swap, lock, release).

One booth, one exhibitor is the database's own rule (a unique key on the booth), so two people
editing the plan at once can never give a booth twice: the second edit fails whole and says so.
"""

from __future__ import annotations

import asyncio

import msgspec

from core import fields
from core.audit import Actor, record_audit
from core.database import is_sqlite
from core.errors import N_, Conflict, ValidationFailed
from fairs import allocation
from fairs.enums import PLACEABLE, ApplicationStatus, AssignmentState, FairStatus
from fairs.schemas import AllocationOut, AssignIn, SwapIn
from fairs.services.applications import recheck_eligibility
from fairs.services.common import application_row, engine_booth, engine_zone, ensure_organizer, fair_row, most_common, split
from fairs.services.events import tell_exhibitors, weights_of
from fairs.services.floorplans import booth_row
from fairs.tables import AllocationRun, Application, ApplicationProduct, Booth, BoothAssignment, Fair, Zone

EDITABLE = (FairStatus.open, FairStatus.allocating, FairStatus.published, FairStatus.running)
TIME_LIMIT = 10.0


def _json(value) -> str:
    return msgspec.json.encode(value).decode()


async def _tell_if_public(fair: dict, application_ids: set[int]) -> None:
    """Once the plan is out, an exhibitor whose booths change (or who goes back to the waiting list) is told."""
    if FairStatus(fair["status"]) in (FairStatus.published, FairStatus.running) and application_ids:
        await tell_exhibitors(fair, await Application.select(Application.id, Application.producer, Application.status).where(
            Application.id.is_in(list(application_ids))))


async def _ensure_editable(fair_id: int, statuses=EDITABLE) -> dict:
    fair = await fair_row(fair_id)
    if FairStatus(fair["status"]) not in statuses:
        raise Conflict(N_("The booths of this fair cannot be changed in its current state."))
    return fair


# -- the engine's view of the fair ------------------------------------------------------------------


async def _engine_input(fair: dict):
    zones = [engine_zone(z) for z in await Zone.select().where(Zone.fair == fair["id"])]
    booths = [engine_booth(b) for b in await Booth.select().where(Booth.fair == fair["id"])]
    applications = await Application.select(*Application.all_columns(), Application.producer.province_code).where(
        Application.fair == fair["id"],
        Application.status.is_in(PLACEABLE),
    ).order_by(Application.submitted_at).order_by(Application.id)
    ids = [a["id"] for a in applications] or [0]
    products: dict[int, list[dict]] = {}
    for link in await ApplicationProduct.select(ApplicationProduct.application, ApplicationProduct.product.stars,
                                                ApplicationProduct.product.group_code,
                                                ApplicationProduct.product.subgroup_code).where(
            ApplicationProduct.application.is_in(ids)):
        products.setdefault(link["application"], []).append(link)
    kept: dict[int, list[int]] = {}  # locked or confirmed booths stay where they are
    for held in await BoothAssignment.select().where(BoothAssignment.fair == fair["id"]):
        if held["locked"] or held["state"] == AssignmentState.confirmed.value:
            kept.setdefault(held["application"], []).append(held["booth"])
    veterans = await _previous_exhibitors(fair)
    requests = []
    for order, a in enumerate(applications):
        mine = products.get(a["id"], [])
        group = a["main_group"] or most_common([p["product.group_code"] for p in mine]) or ""
        subgroup = most_common([p["product.subgroup_code"] for p in mine if p["product.group_code"] == group]) or group
        requests.append(allocation.Request(
            a["id"], a["booths_wanted"], a["booth_kind"], group, subgroup, a["producer.province_code"],
            max((p["product.stars"] for p in mine), default=3), order, frozenset(split(a["amenities"])),
            tuple(int(z) for z in split(a["zone_preferences"])), a["producer"] not in veterans,
            tuple(kept.get(a["id"], ())), frozenset(p["product.group_code"] for p in mine)))
    weights = weights_of(fair)
    engine_weights = allocation.Weights(**msgspec.structs.asdict(weights),
                                        featured_provinces=frozenset(split(fair["featured_provinces"])))
    return zones, booths, requests, engine_weights


async def _previous_exhibitors(fair: dict) -> set[int]:
    """Producers who held a booth at an earlier edition of the same series."""
    if not fair["series"]:
        return set()
    earlier = [r["id"] for r in await Fair.select(Fair.id).where(Fair.series == fair["series"],
                                                                  Fair.starts_on < fair["starts_on"])]
    if not earlier:
        return set()
    rows = await BoothAssignment.select(BoothAssignment.application.producer).where(BoothAssignment.fair.is_in(earlier))
    return {r["application.producer"] for r in rows}


# -- running the engine --------------------------------------------------------------------------------


async def run_allocation(fair_id: int, actor: Actor, time_limit: float = TIME_LIMIT) -> AllocationOut:
    """Re-checks eligibility, runs the engine, and replaces the proposed (unlocked, unconfirmed)
    assignments with its result; every application gets its reason. Locked and confirmed booths
    stay. If the plan changed while the engine ran, nothing is written and the run says so."""
    ensure_organizer(actor)
    fair = await _ensure_editable(fair_id, (FairStatus.allocating,))
    async with Fair._meta.db.transaction():
        await recheck_eligibility(fair_id)
    zones, booths, requests, weights = await _engine_input(fair)
    outcome = await asyncio.to_thread(allocation.allocate_booths, zones, booths, requests, weights, time_limit)
    kept = {r.id for r in requests if r.locked}
    async with Fair._meta.db.transaction():
        # An application withdrawn (or found ineligible) while the engine solved stays so, with no booth:
        # its row is locked, so a withdrawal still under way waits for this write-back and then undoes it.
        still = Application.select(Application.id).where(
            Application.id.is_in([r.id for r in requests] or [0]), Application.status.is_in(PLACEABLE))
        live = {row["id"] for row in await (still if is_sqlite(Fair._meta.db) else still.lock_rows())}
        requests = [r for r in requests if r.id in live]
        placements = {rid: ids for rid, ids in outcome.assignments.items() if rid in live}
        await BoothAssignment.delete().where(BoothAssignment.fair == fair_id, BoothAssignment.locked.eq(False),
                                             BoothAssignment.state == AssignmentState.proposed.value)
        fresh = [BoothAssignment(fair=fair_id, booth=booth, application=rid, assigned_by=actor.user_id)
                 for rid, ids in placements.items() if rid not in kept for booth in ids]
        if fresh:
            await BoothAssignment.insert(*fresh)  # a booth taken meanwhile by hand fails the whole run
        for request in requests:
            reason = outcome.reasons[request.id]
            placed = request.id in placements
            status = ApplicationStatus.allocated.value if placed else ApplicationStatus.waitlisted.value
            await Application.update({Application.explanation: _json({"code": reason.code, "details": reason.details}),
                                      Application.status: status}).where(
                Application.id == request.id, Application.status != ApplicationStatus.confirmed.value)
        run = AllocationOut(fair_id=fair_id, placed=len(placements),
                            waitlisted=len(requests) - len(placements), objective=round(outcome.objective, 2),
                            bound=round(outcome.bound, 2), gap=outcome.gap, optimal=outcome.gap <= 1e-4,
                            seconds=round(outcome.seconds, 3), greedy_objective=round(outcome.greedy_objective, 2))
        values = {k: v for k, v in msgspec.structs.asdict(run).items() if k != "fair_id"}
        await AllocationRun.insert(AllocationRun(fair=fair_id, ran_by=actor.user_id, **values))
        await record_audit(actor, "allocate", "fair", fair_id, None, values)
    return run


async def last_run(fair_id: int) -> dict | None:
    return await AllocationRun.select().where(AllocationRun.fair == fair_id).order_by(AllocationRun.id, ascending=False).first()


async def floor_now(fair_id: int) -> dict[str, int]:
    """The floor as it is now, after every hand edit: exhibitors placed, booths held of those usable,
    applications waiting."""
    held = await BoothAssignment.select(BoothAssignment.application).where(BoothAssignment.fair == fair_id)
    usable = await Booth.count().where((Booth.fair == fair_id) & Booth.blocked.eq(False))
    waiting = await Application.count().where((Application.fair == fair_id)
                                              & (Application.status == ApplicationStatus.waitlisted.value))
    return {"placed": len({r["application"] for r in held}), "booths": len(held), "usable": usable, "waiting": waiting}


# -- hand edits -------------------------------------------------------------------------------------


async def assign(fair_id: int, data: AssignIn, actor: Actor) -> None:
    """Gives an application the listed booths (moving it if it held others), locked by default so a
    re-run keeps it. Refused whole if a booth is blocked, of another fair, or held by someone else."""
    ensure_organizer(actor)
    if errors := fields.problems(data):
        raise ValidationFailed(errors)
    if len(set(data.booth_ids)) != len(data.booth_ids):
        raise ValidationFailed({"booth_ids": N_("Choose 1 to 4 different booths.")})
    async with Fair._meta.db.transaction():
        fair = await _ensure_editable(fair_id)
        application = await application_row(data.application_id)
        if application["fair"] != fair_id:
            raise ValidationFailed({"application_id": N_("This application is for another fair.")})
        if application["status"] in (ApplicationStatus.withdrawn.value, ApplicationStatus.ineligible.value):
            raise Conflict(N_("A withdrawn or ineligible application cannot get booths."))
        rows = await Booth.select(Booth.id, Booth.code, Booth.blocked, Booth.zone.name).where(Booth.id.is_in(data.booth_ids),
                                                                             Booth.fair == fair_id)
        if len(rows) != len(data.booth_ids):
            raise ValidationFailed({"booth_ids": N_("Choose booths of this fair.")})
        blocked = [r["code"] for r in rows if r["blocked"]]
        if blocked:
            raise Conflict(N_("Booth %(code)s is blocked."), code=", ".join(blocked))
        held = await BoothAssignment.select(BoothAssignment.booth, BoothAssignment.locked).where(
            BoothAssignment.application == data.application_id)
        before = [r["booth"] for r in held]
        if (sorted(before) == sorted(data.booth_ids) and all(bool(r["locked"]) == data.lock for r in held)
                and application["status"] == ApplicationStatus.allocated.value):
            return  # a retried request, or the same assignment made twice: nothing changes, nothing to audit
        await BoothAssignment.delete().where(BoothAssignment.application == data.application_id)
        taken = await BoothAssignment.select(BoothAssignment.booth.code).where(BoothAssignment.booth.is_in(data.booth_ids))
        if taken:
            raise Conflict(N_("Booth %(code)s is already taken."), code=", ".join(sorted(r["booth.code"] for r in taken)))
        # The unique key on the booth settles a race the check above cannot see.
        await BoothAssignment.insert(*[BoothAssignment(fair=fair_id, booth=b, application=data.application_id,
                                                       locked=data.lock, assigned_by=actor.user_id) for b in data.booth_ids])
        await Application.update({Application.status: ApplicationStatus.allocated.value,
                                  Application.explanation: _json({"code": "locked", "details": {
                                      "booths": sorted(r["code"] for r in rows), "zone": rows[0]["zone.name"], "choice": 0}})}).where(
            Application.id == data.application_id)
        await record_audit(actor, "assign", "application", data.application_id, {"booths": before},
                           {"booths": data.booth_ids, "locked": data.lock})
        await _tell_if_public(fair, {data.application_id})


async def swap(fair_id: int, data: SwapIn, actor: Actor) -> None:
    """Exchanges the holders of two booths (either may be free: then it is a move)."""
    ensure_organizer(actor)
    async with Fair._meta.db.transaction():
        fair = await _ensure_editable(fair_id)
        a, b = await booth_row(data.booth_a), await booth_row(data.booth_b)
        if a["fair"] != fair_id or b["fair"] != fair_id or a["id"] == b["id"]:
            raise ValidationFailed({"booth_b": N_("Choose two different booths of this fair.")})
        held = {r["booth"]: r for r in await BoothAssignment.select().where(BoothAssignment.booth.is_in([a["id"], b["id"]]))}
        if not held:
            raise Conflict(N_("Both booths are free: nothing to swap."))
        if (a["blocked"] and b["id"] in held) or (b["blocked"] and a["id"] in held):
            raise Conflict(N_("Booth %(code)s is blocked."), code=a["code"] if a["blocked"] else b["code"])
        await BoothAssignment.delete().where(BoothAssignment.booth.is_in(list(held)))
        moved = []
        for source, target in ((a, b), (b, a)):
            row = held.get(source["id"])
            if row:
                moved.append(BoothAssignment(fair=fair_id, booth=target["id"], application=row["application"],
                                             state=row["state"], locked=True, assigned_by=actor.user_id))
        await BoothAssignment.insert(*moved)
        await record_audit(actor, "swap", "booth", a["id"], {"a": a["code"], "b": b["code"]},
                           {"a_holder": held.get(b["id"], {}).get("application"),
                            "b_holder": held.get(a["id"], {}).get("application")})
        await _tell_if_public(fair, {row["application"] for row in held.values()})


async def release(fair_id: int, booth_id: int, actor: Actor) -> None:
    """Frees a booth; its application goes back to the waitlist if it holds no other booth."""
    ensure_organizer(actor)
    async with Fair._meta.db.transaction():
        fair = await _ensure_editable(fair_id)
        booth = await booth_row(booth_id)
        held = await BoothAssignment.select().where(BoothAssignment.booth == booth_id, BoothAssignment.fair == fair_id).first()
        if held is None:
            raise Conflict(N_("Booth %(code)s is free already."), code=booth["code"])
        await BoothAssignment.delete().where(BoothAssignment.booth == booth_id)
        if not await BoothAssignment.exists().where(BoothAssignment.application == held["application"]):
            await Application.update({Application.status: ApplicationStatus.waitlisted.value,
                                      Application.explanation: _json({"code": "released", "details": {}})}).where(
                Application.id == held["application"])
        await record_audit(actor, "release", "booth", booth_id, {"application": held["application"]}, None)
        await _tell_if_public(fair, {held["application"]})


async def set_lock(fair_id: int, booth_id: int, locked: bool, actor: Actor) -> None:
    ensure_organizer(actor)
    async with Fair._meta.db.transaction():
        await _ensure_editable(fair_id)
        booth = await booth_row(booth_id)
        if not await BoothAssignment.exists().where(BoothAssignment.booth == booth_id, BoothAssignment.fair == fair_id):
            raise Conflict(N_("Booth %(code)s is free: there is nothing to lock."), code=booth["code"])
        await BoothAssignment.update({BoothAssignment.locked: locked}).where(BoothAssignment.booth == booth_id)
        await record_audit(actor, "lock" if locked else "unlock", "booth", booth_id, None, {"locked": locked})

