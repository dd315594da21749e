"""The sales-point monthly report: every point's sales, stock value, best sellers, products low on
stock and write-offs for one month (or one point's), built in the current language."""

from __future__ import annotations

from core.errors import N_, Msg
from reports import charts
from reports import formats as f
from reports.data import SalesMonth
from reports.document import Chart, Column, Document, Figure, Figures, Paragraph, Section, Shown, Table
from reports.i18n import gettext as _
from reports.i18n import render


def _period(data: SalesMonth) -> str:
    return f"{data.month:02d}/{data.year}"


def title(data: SalesMonth) -> str:
    scope = data.points[0].name if data.point_id is not None and data.points else _("all sales points")
    return "{} {}: {}".format(_("Sales-point report"), _period(data), scope)


def build(data: SalesMonth) -> Document:
    single = data.point_id is not None
    subject = data.points[0].name if single and data.points else _("All OCOP sales points")
    sections = [_overview(data)]
    if not single:
        sections.append(_points(data))
    sections += [_sales(data), _stock(data)]
    for number, section in enumerate(sections, start=1):
        section.title = f"{number}. {section.title}"
    cover: list[tuple[str, str | Shown]] = [
        (_("Month"), _period(data)), (_("Period"), f"{f.date(data.first_day)} – {f.date(data.last_day)}"),
        (_("Sales points"), f.shown(len(data.points), "int")), (_("Stock valued on"), f.shown(data.stock_as_of, "date"))]
    return Document(kind="salespoint_monthly", title=_("Sales-point monthly report"), subject=f"{subject} · {_period(data)}",
                    cover_lines=cover, sections=sections, language="", generated_on=data.generated_on,
                    filename=f"bao-cao-diem-ban-{data.year}-{data.month:02d}" + (f"-{data.point_id}" if single else ""))


def _overview(data: SalesMonth) -> Section:
    section = Section("overview", _("Overview"))
    section.add(Figures([
        Figure(_("Sales revenue"), f.shown(data.revenue, "money"), render(Msg(N_("%(n)s units sold"), n=f.number(data.units)))),
        Figure(_("Stock value"), f.shown(data.stock_value, "money"), render(Msg(N_("on %(day)s"), day=f.date(data.stock_as_of)))),
        Figure(_("Written off"), f.shown(data.written_off_value, "money"),
               render(Msg(N_("%(n)s units"), n=f.number(sum(p.written_off_units for p in data.points))))),
        Figure(_("Products low on stock"), f.shown(sum(len(p.low_stock) for p in data.points), "int"), _("when compiled")),
    ]))
    if not data.revenue and not data.units:
        section.add(Paragraph(_("No sales were recorded in this period.")))
    return section


def _points(data: SalesMonth) -> Section:
    section = Section("points", _("Sales points"))
    rows = [[p.name, f.province_name(p.province_code), p.units, p.revenue, p.stock_value, p.written_off_value,
             len(p.low_stock)] for p in data.points]
    section.add(Table("points", _("Sales points"), [
        Column(_("Sales point"), weight=3.4, lines=2), Column(_("Province or city"), weight=1.5),
        Column(_("Units sold"), "int"), Column(_("Revenue (₫)"), "money", 1.5), Column(_("Stock value (₫)"), "money", 1.5),
        Column(_("Written off (₫)"), "money", 1.3), Column(_("Low"), "int", 0.6)], rows,
        total=[_("Total"), None, data.units, data.revenue, data.stock_value, data.written_off_value,
               sum(len(p.low_stock) for p in data.points)], empty=_("There are no sales points."), sheet=_("Sales points")))
    if data.revenue:
        section.add(Chart(_("Revenue by sales point (million ₫)"), charts.bars(
            [(p.name, p.revenue) for p in sorted(data.points, key=lambda p: -p.revenue)[:12]], _("Revenue by sales point"),
            _millions)))
    return section


def _millions(value: int) -> str:
    return f.number(round(value / 1_000_000, 1))


def _sales(data: SalesMonth) -> Section:
    section = Section("sales", _("Sales"))
    if not data.revenue and not data.units:
        return section.add(Paragraph(_("No sales were recorded in this period.")))
    days = data.days
    section.add(Chart(_("Revenue per day (million ₫)"), charts.columns(
        [(f.date(d)[:2], revenue) for d, _units, revenue in days], _("Revenue per day"), _millions)))
    section.add(Table("days", _("Day by day"), [
        Column(_("Day"), "date", 1.5), Column(_("Units sold"), "int"), Column(_("Revenue (₫)"), "money", 1.6)],
        [[d, units, revenue] for d, units, revenue in days if units or revenue],
        total=[_("Total"), data.units, data.revenue], sheet=_("Days")))
    section.add(Table("top-products", _("Best-selling products"), [
        Column(_("Product"), weight=3.6, lines=2), Column(_("OCOP group"), weight=2.2), Column(_("Units sold"), "int"),
        Column(_("Revenue (₫)"), "money", 1.5)],
        [[p.name, f.group_name(p.group_code), p.units, p.revenue] for p in data.top_products], sheet=_("Best sellers")))
    if data.point_id is None:
        for point in data.points:
            if point.top_products:
                section.add(Table(f"top-{point.point_id}", render(Msg(N_("Best sellers at %(point)s"), point=point.name)), [
                    Column(_("Product"), weight=3.6, lines=2), Column(_("Units sold"), "int"), Column(_("Revenue (₫)"), "money", 1.5)],
                    [[p.name, p.units, p.revenue] for p in point.top_products[:5]], sheet="{} {}".format(_("Best sellers"), point.point_id)))
    return section


def _stock(data: SalesMonth) -> Section:
    section = Section("stock", _("Stock, low stock and write-offs"))
    low = [[p.name, s.product, s.on_hand, s.threshold] for p in data.points for s in p.low_stock]
    section.add(Table("low-stock", _("Products at or under their reorder threshold"), [
        Column(_("Sales point"), weight=2.6, lines=2), Column(_("Product"), weight=3, lines=2), Column(_("On hand"), "int"),
        Column(_("Reorder at"), "int")], low, empty=_("No product is low on stock."), sheet=_("Low stock"),
        note=_("Stock on hand when the report was compiled.")))
    offs = [[p.name, w.day, w.product, w.lot_code, w.units, w.value] for p in data.points for w in p.write_offs]
    section.add(Table("write-offs", _("Write-offs"), [
        Column(_("Sales point"), weight=2.4, lines=2), Column(_("Day"), "date", 1.1), Column(_("Product"), weight=2.6, lines=2),
        Column(_("Lot"), weight=1.5), Column(_("Units"), "int", 0.8), Column(_("Value (₫)"), "money", 1.3)], offs,
        total=[_("Total"), None, None, None, sum(r[4] for r in offs), sum(r[5] for r in offs)] if offs else None,
        empty=_("Nothing was written off in this period."), sheet=_("Write-offs")))
    return section
