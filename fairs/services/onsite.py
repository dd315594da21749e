"""The days of the fair: visitors counted per day and each exhibitor's daily sales."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from piccolo.columns import Column

from catalog.services import today
from core import fields
from core.audit import Actor, record_audit
from core.errors import N_, Conflict, ValidationFailed
from fairs.enums import FairStatus
from fairs.schemas import BoothSaleIn, DayFigures, VisitorsIn
from fairs.services.common import application_row, ensure_acts_for, ensure_organizer, fair_row
from fairs.tables import BoothAssignment, BoothSale, VisitorCount

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
        if before:
            await VisitorCount.update({VisitorCount.visitors: data.visitors, VisitorCount.recorded_by: actor.user_id}).where(
                VisitorCount.id == before["id"])
        else:
            await VisitorCount.insert(VisitorCount(fair=fair_id, day=data.day, visitors=data.visitors,
                                                   recorded_by=actor.user_id))
        await record_audit(actor, "visitors", "fair", fair_id, {"visitors": before["visitors"]} if before else None,
                           {"day": data.day, "visitors": data.visitors})


async def record_booth_sales(fair_id: int, data: BoothSaleIn, actor: Actor) -> None:
    """Sets an exhibitor's sales for one day; staff or the exhibitor on a phone. Replaces that day's entry."""
    errors = fields.problems(data)
    if errors:
        raise ValidationFailed(errors)
    async with BoothSale._meta.db.transaction():
        application = await application_row(data.application_id)
        ensure_acts_for(actor, application["producer"])
        if application["fair"] != fair_id:
            raise ValidationFailed({"application_id": N_("This application is for another fair.")})
        fair = await fair_row(fair_id)
        _check_day(fair, data.day)
        if not await BoothAssignment.exists().where(BoothAssignment.application == data.application_id):
            raise Conflict(N_("This exhibitor has no booth."))
        before = await BoothSale.select().where(BoothSale.application == data.application_id, BoothSale.day == data.day).first()
        values: dict[str, Any] = {"revenue": data.revenue, "transactions": data.transactions, "notes": data.notes.strip(),
                  "recorded_by": actor.user_id, "recorded_at": dt.datetime.now(dt.UTC)}
        if before:
            await BoothSale.update(cast("dict[Column | str, Any]", values)).where(BoothSale.id == before["id"])
        else:
            await BoothSale.insert(BoothSale(fair=fair_id, application=data.application_id, day=data.day, **values))
        await record_audit(actor, "booth_sales", "application", data.application_id,
                           {"revenue": before["revenue"]} if before else None, {"day": data.day, **values})


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
