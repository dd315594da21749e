"""The days of the fair: visitors counted per day and each exhibitor's daily sales."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from piccolo.columns import Column

from catalog.services import today
from core import fields
from core.audit import Actor, record_audit
from core.errors import N_, Conflict, ValidationFailed
from core.text import natural_key
from fairs.enums import FairStatus
from fairs.schemas import BoothSaleIn, CheckInIn, DayFigures, DayGridIn, VisitorsIn
from fairs.services.common import application_row, ensure_organizer, ensure_own, fair_row
from fairs.tables import Application, BoothAssignment, BoothSale, VisitorCount

RECORDING = (FairStatus.running, FairStatus.closed)


def _check_day(fair: dict, day: dt.date) -> None:
    if not fair["starts_on"] <= day <= fair["ends_on"]:
        raise ValidationFailed({"day": N_("Choose a day of the fair.")})
    if FairStatus(fair["status"]) not in RECORDING:
        raise Conflict(N_("Figures are recorded once the fair is running."))
    if day > today():  # a day's visitors and sales are counted once it has come
        raise ValidationFailed({"day": N_("This day has not come yet.")})


async def record_visitors(fair_id: int, data: VisitorsIn, actor: Actor) -> None:
    """Sets the visitor count of one day of the fair (a second entry for the day replaces the first)."""
    ensure_organizer(actor)
    if errors := fields.problems(data):
        raise ValidationFailed(errors)
    async with VisitorCount._meta.db.transaction():
        fair = await fair_row(fair_id)
        _check_day(fair, data.day)
        before = await VisitorCount.select().where(VisitorCount.fair == fair_id, VisitorCount.day == data.day).first()
        await _set_visitors(fair_id, data.day, data.visitors, before, actor)
        await record_audit(actor, "visitors", "fair", fair_id, {"visitors": before["visitors"]} if before else None,
                           {"day": data.day, "visitors": data.visitors})


async def record_booth_sales(fair_id: int, data: BoothSaleIn, actor: Actor) -> None:
    """Sets an exhibitor's sales for one day; staff or the exhibitor on a phone. Replaces that day's entry."""
    errors = fields.problems(data)
    if errors:
        raise ValidationFailed(errors)
    async with BoothSale._meta.db.transaction():
        application = await application_row(data.application_id)
        ensure_own(actor, application)
        if application["fair"] != fair_id:
            raise ValidationFailed({"application_id": N_("This application is for another fair.")})
        fair = await fair_row(fair_id)
        _check_day(fair, data.day)
        if not await BoothAssignment.exists().where(BoothAssignment.application == data.application_id):
            raise Conflict(N_("This exhibitor has no booth."))
        before = await BoothSale.select().where(BoothSale.application == data.application_id, BoothSale.day == data.day).first()
        values = await _set_sale(fair_id, data.application_id, data.day, before,
                                 (data.revenue, data.transactions, data.notes.strip()), actor)
        await record_audit(actor, "booth_sales", "application", data.application_id,
                           {"revenue": before["revenue"]} if before else None, {"day": data.day, **values})


async def _set_visitors(fair_id: int, day: dt.date, visitors: int, before: dict | None, actor: Actor) -> None:
    """The day's count, replacing the one `before` (the row read in the caller's transaction)."""
    if before:
        await VisitorCount.update({VisitorCount.visitors: visitors, VisitorCount.recorded_by: actor.user_id}).where(
            VisitorCount.id == before["id"])
    else:
        await VisitorCount.insert(VisitorCount(fair=fair_id, day=day, visitors=visitors, recorded_by=actor.user_id))


async def _set_sale(fair_id: int, application_id: int, day: dt.date, before: dict | None,
                    figures: tuple[int, int, str], actor: Actor) -> dict[str, Any]:
    """A booth's (revenue, sales, notes) for the day, replacing the entry `before`; the values written."""
    revenue, transactions, notes = figures
    values: dict[str, Any] = {"revenue": revenue, "transactions": transactions, "notes": notes,
                              "recorded_by": actor.user_id, "recorded_at": dt.datetime.now(dt.UTC)}
    if before:
        await BoothSale.update(cast("dict[Column | str, Any]", values)).where(BoothSale.id == before["id"])
    else:
        await BoothSale.insert(BoothSale(fair=fair_id, application=application_id, day=day, **values))
    return values


async def record_day(fair_id: int, day: dt.date, data: DayGridIn, actor: Actor) -> int:
    """A day's visitors and every booth's sales at once, as the grid shows them: all saved or, when
    any line is wrong, none (each wrong line named). A line with no revenue removes that booth's entry
    for the day: the booth has not reported. Returns how many lines changed."""
    ensure_organizer(actor)
    errors: dict[str, Any] = fields.problems(data)
    ids = [e.application_id for e in data.entries]
    if len(set(ids)) != len(ids):
        errors["entries"] = N_("Each exhibitor appears once.")
    async with BoothSale._meta.db.transaction():
        fair = await fair_row(fair_id)
        _check_day(fair, day)
        placed = {r["application"] for r in await BoothAssignment.select(BoothAssignment.application).where(
            BoothAssignment.fair == fair_id, BoothAssignment.application.is_in(ids or [0]))}
        for index, entry in enumerate(data.entries):
            if entry.application_id not in placed:
                errors[f"entries.{index}.application_id"] = N_("This exhibitor has no booth at this fair.")
        if errors:
            raise ValidationFailed(errors)
        before = {r["application"]: r for r in await BoothSale.select().where(BoothSale.fair == fair_id, BoothSale.day == day)}
        changed = 0
        for entry in data.entries:
            old = before.get(entry.application_id)
            if entry.revenue is None:
                if old:
                    await BoothSale.delete().where(BoothSale.id == old["id"])
                    changed += 1
                continue
            figures = (entry.revenue, entry.transactions, entry.notes.strip())
            if old and (old["revenue"], old["transactions"], old["notes"]) == figures:
                continue
            await _set_sale(fair_id, entry.application_id, day, old, figures, actor)
            changed += 1
        counted = await VisitorCount.select().where(VisitorCount.fair == fair_id, VisitorCount.day == day).first()
        if data.visitors is None and counted:
            await VisitorCount.delete().where(VisitorCount.id == counted["id"])
            changed += 1
        elif data.visitors is not None and (counted or {}).get("visitors") != data.visitors:
            await _set_visitors(fair_id, day, data.visitors, counted, actor)
            changed += 1
        if changed:
            await record_audit(actor, "day_grid", "fair", fair_id, None,
                               {"day": day, "visitors": data.visitors, "lines": changed})
    return changed


async def day_grid(fair_id: int, day: dt.date) -> dict[str, Any]:
    """What the grid of a day shows: the visitors counted and each placed exhibitor's line, by booth."""
    fair = await fair_row(fair_id)
    if not fair["starts_on"] <= day <= fair["ends_on"]:
        raise ValidationFailed({"day": N_("Choose a day of the fair.")})
    booths: dict[int, list[str]] = {}
    names: dict[int, str] = {}
    for row in await BoothAssignment.select(BoothAssignment.application, BoothAssignment.booth.code,
                                            BoothAssignment.application._.producer.name).where(
            BoothAssignment.fair == fair_id):
        booths.setdefault(row["application"], []).append(row["booth.code"])
        names[row["application"]] = row["application.producer.name"]
    sales = {r["application"]: r for r in await BoothSale.select().where(BoothSale.fair == fair_id, BoothSale.day == day)}
    counted = await VisitorCount.select().where(VisitorCount.fair == fair_id, VisitorCount.day == day).first()
    lines: list[dict[str, Any]] = [
        {"application_id": a, "booths": sorted(codes, key=natural_key), "producer": names[a], "sale": sales.get(a)}
        for a, codes in sorted(booths.items(), key=lambda item: natural_key(min(item[1], key=natural_key)))]
    return {"day": day, "visitors": counted["visitors"] if counted else None, "lines": lines}


async def set_check_ins(fair_id: int, data: CheckInIn, actor: Actor) -> int:
    """Of the exhibitors listed, the ticked ones have arrived (at the time of the first tick) and the
    others not (a tick made by mistake is taken back). Returns how many changed."""
    ensure_organizer(actor)
    if errors := fields.problems(data):
        raise ValidationFailed(errors)
    arrived, shown = set(data.arrived), set(data.shown) | set(data.arrived)
    async with Application._meta.db.transaction():
        fair = await fair_row(fair_id)
        if FairStatus(fair["status"]) not in (FairStatus.published, FairStatus.running):
            raise Conflict(N_("Exhibitors check in once the floor plan is published."))
        rows = await Application.select(Application.id, Application.checked_in_at).where(
            Application.fair == fair_id, Application.id.is_in(list(shown) or [0]))
        placed = {r["application"] for r in await BoothAssignment.select(BoothAssignment.application).where(
            BoothAssignment.fair == fair_id, BoothAssignment.application.is_in(list(shown) or [0]))}
        if {r["id"] for r in rows} != shown or not arrived <= placed:
            raise ValidationFailed({"arrived": N_("Tick exhibitors of this fair that hold a booth.")})
        now = dt.datetime.now(dt.UTC)
        came = [r["id"] for r in rows if r["id"] in arrived and r["checked_in_at"] is None]
        undone = [r["id"] for r in rows if r["id"] not in arrived and r["checked_in_at"] is not None]
        if came:
            await Application.update({Application.checked_in_at: now}).where(Application.id.is_in(came))
        if undone:
            await Application.update({Application.checked_in_at: None}).where(Application.id.is_in(undone))
        for application_id in came:
            await record_audit(actor, "check_in", "application", application_id, None, {"checked_in_at": now})
        for application_id in undone:
            await record_audit(actor, "check_in_undone", "application", application_id, None, None)
    return len(came) + len(undone)


async def check_in_list(fair_id: int) -> list[dict[str, Any]]:
    """Every exhibitor holding a booth, by booth: who has arrived and when."""
    await fair_row(fair_id)
    entries: dict[int, dict[str, Any]] = {}
    for row in await BoothAssignment.select(BoothAssignment.application, BoothAssignment.booth.code,
                                            BoothAssignment.application._.producer.name,
                                            BoothAssignment.application._.checked_in_at).where(
            BoothAssignment.fair == fair_id):
        entry = entries.setdefault(row["application"], {
            "application_id": row["application"], "producer": row["application.producer.name"],
            "checked_in_at": row["application.checked_in_at"], "booths": []})
        entry["booths"].append(row["booth.code"])
    for entry in entries.values():
        entry["booths"].sort(key=natural_key)
    return sorted(entries.values(), key=lambda e: natural_key(e["booths"][0]))


async def daily_figures(fair_id: int) -> list[DayFigures]:
    """Per day of the fair: visitors, revenue, number of sales and how many booths reported."""
    fair = await fair_row(fair_id)
    visitors = {r["day"]: r["visitors"] for r in await VisitorCount.select().where(VisitorCount.fair == fair_id)}
    sales: dict[dt.date, list[dict]] = {}
    for r in await BoothSale.select().where(BoothSale.fair == fair_id):
        sales.setdefault(r["day"], []).append(r)
    days = []
    day = fair["starts_on"]
    while day <= fair["ends_on"]:
        rows = sales.get(day, [])
        days.append(DayFigures(day=day, visitors=visitors.get(day), revenue=sum(r["revenue"] for r in rows),
                               transactions=sum(r["transactions"] for r in rows), booths_reporting=len(rows)))
        day += dt.timedelta(days=1)
    return days


async def sales_of(fair_id: int) -> list[dict]:
    """Every exhibitor's sales per day, with the producer's name."""
    rows = await BoothSale.select(*BoothSale.all_columns(), BoothSale.application._.producer.name).where(
        BoothSale.fair == fair_id).order_by(BoothSale.day)
    return rows
