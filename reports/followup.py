"""The agreement follow-up report: for a fair's agreements (or those signed in a period), how much
was delivered against what was committed, which milestones are overdue, by buyer and by producer."""

from __future__ import annotations

from collections.abc import Callable

from agreements.enums import AgreementStatus
from catalog.enums import BuyerKind
from core.errors import N_, Msg
from reports import charts
from reports import formats as f
from reports.data import FollowUp, FulfilmentFigures
from reports.document import Chart, Column, Document, Figure, Figures, Paragraph, Section, Shown, Table
from reports.i18n import gettext as _
from reports.i18n import render


def _scope(data: FollowUp) -> str:
    if data.fair_id is not None:
        return data.fair_name
    return f"{f.date(data.since)} – {f.date(data.until)}"


def title(data: FollowUp) -> str:
    return "{}: {}".format(_("Agreement follow-up"), _scope(data))


def build(data: FollowUp) -> Document:
    sections = [_overview(data), _overdue(data), _parties(data), _compared(data), _listing(data)]
    for number, section in enumerate(sections, start=1):
        section.title = f"{number}. {section.title}"
    cover: list[tuple[str, str | Shown]] = [
        (_("Agreements of"), _scope(data)), (_("Agreements followed"), f.shown(len(data.agreements), "int")),
        (_("Situation on"), f.shown(data.generated_on, "date"))]
    name = f"fair-{data.fair_id}" if data.fair_id is not None else f"{data.since}-{data.until}"
    return Document(kind="agreement_followup", title=_("Agreement follow-up report"), subject=_scope(data),
                    cover_lines=cover, sections=sections, language="", generated_on=data.generated_on,
                    filename=f"theo-doi-bien-ban-{name}")


def _overview(data: FollowUp) -> Section:
    section = Section("overview", _("Fulfilment"))
    if not data.agreements:
        return section.add(Paragraph(_("No agreements that commit anyone were signed in this scope.")))
    share = data.delivered / data.committed if data.committed else None
    section.add(Figures([
        Figure(_("Agreements followed"), f.shown(len(data.agreements), "int")),
        Figure(_("Committed value"), f.shown(data.committed, "money")),
        Figure(_("Delivered so far"), f.shown(data.delivered, "money"), f.shown(share, "percent") if share is not None else ""),
        Figure(_("With deliveries"), f.shown(data.with_deliveries, "int"),
               render(Msg(N_("of %(n)s agreements"), n=f.number(len(data.agreements))))),
        Figure(_("Overdue milestones"), f.shown(len(data.overdue), "int")),
        Figure(_("Milestones moved"), f.shown(data.moved_milestones, "int"),
               render(Msg(N_("of %(n)s milestones"), n=f.number(data.milestones)))),
    ]))
    statuses: dict[str, list[int]] = {}
    for a in data.agreements:
        entry = statuses.setdefault(a.status, [0, 0, 0])
        entry[0] += 1
        entry[1] += a.committed
        entry[2] += a.delivered
    known = [s.value for s in AgreementStatus]
    order = sorted(statuses, key=lambda s: (known.index(s) if s in known else len(known), s))
    section.add(Table("by-status", _("By status"), [
        Column(_("Status"), weight=2.5), Column(_("Agreements"), "int"), Column(_("Committed (₫)"), "money", 1.6),
        Column(_("Delivered (₫)"), "money", 1.6)],
        [[f.label(AgreementStatus, s), *statuses[s]] for s in order],
        total=[_("Total"), len(data.agreements), data.committed, data.delivered], sheet=_("Statuses")))
    # The ring is the committed value: what each status delivered of it, what is left, and any excess round again.
    delivered = [(render(Msg(N_("Delivered – %(status)s"), status=f.label(AgreementStatus, s))), statuses[s][2])
                 for s in order if statuses[s][2] > 0]
    title = _("Delivered against committed, by status")
    section.add(Chart(title, charts.donut(
        delivered, title, f.vnd, whole=data.committed, remainder=_("Not yet delivered"),
        beyond=_("Delivered beyond the commitment"), share=f.percent,
        centre=f.percent(share) if share is not None else "")))
    return section


def _overdue(data: FollowUp) -> Section:
    section = Section("overdue", _("Overdue milestones"))
    return section.add(Table("overdue", _("Overdue milestones"), [
        Column(_("Number"), "code"), Column(_("Buyer"), weight=2.4, lines=2), Column(_("Producers"), weight=2.4, lines=2),
        Column(_("Milestone"), weight=2.2, lines=2), Column(_("Due"), "date", 1.1), Column(_("Days late"), "int", 0.9)],
        [[m.code, m.buyer, m.producers, m.description, m.due_on, m.days_late] for m in data.overdue],
        empty=_("No milestone is overdue."), sheet=_("Overdue")))


def _parties(data: FollowUp) -> Section:
    section = Section("parties", _("By buyer and by producer"))
    section.add(Table("by-buyer", _("By buyer"), [
        Column(_("Buyer"), weight=3, lines=2), Column(_("Kind"), weight=1.8), Column(_("Agreements"), "int"),
        Column(_("Committed (₫)"), "money", 1.5), Column(_("Delivered (₫)"), "money", 1.5), Column(_("Fulfilled"), "percent", 0.9)],
        [[b.name, f.label(BuyerKind, b.kind), b.agreements, b.committed, b.delivered,
          b.delivered / b.committed if b.committed else None] for b in data.by_buyer],
        empty=_("No agreements."), sheet=_("Buyers")))
    if data.by_buyer:
        section.add(Chart(_("The ten buyers with the most committed (million ₫)"), charts.bars(
            [(b.name, b.committed) for b in data.by_buyer[:10]], _("Committed value by buyer"), _millions)))
    section.add(Table("by-producer", _("By producer"), [
        Column(_("Producer"), weight=3, lines=2), Column(_("Province or city"), weight=1.6), Column(_("Agreements"), "int"),
        Column(_("Committed (₫)"), "money", 1.5), Column(_("Delivered (₫)"), "money", 1.5), Column(_("Fulfilled"), "percent", 0.9)],
        [[p.name, f.province_name(p.kind), p.agreements, p.committed, p.delivered,
          p.delivered / p.committed if p.committed else None] for p in data.by_producer],
        empty=_("No agreements."), sheet=_("Producers")))
    return section


def _compared(data: FollowUp) -> Section:
    """Value only: lines of different units are never added up in quantity, only counted."""
    section = Section("compared", _("By province and by kind of buyer"))
    total = data.all_lines

    def table(table_id: str, title: str, first: str, groups: tuple[FulfilmentFigures, ...], name: Callable[[str], str],
              sheet: str, note: str = "") -> Table:
        return Table(table_id, title, [
            Column(first, weight=2.6, lines=2), Column(_("Agreements"), "int"), Column(_("Lines"), "int", 0.8),
            Column(_("Lines fully delivered"), "int", 1.1), Column(_("Committed (₫)"), "money", 1.5),
            Column(_("Delivered (₫)"), "money", 1.5), Column(_("Fulfilled"), "percent", 0.9)],
            [[name(g.key), g.agreements, g.lines, g.lines_delivered, g.committed, g.delivered, g.share] for g in groups],
            total=[_("Total"), total.agreements, total.lines, total.lines_delivered, total.committed, total.delivered,
                   total.share] if groups else None,
            empty=_("No agreements."), sheet=sheet, note=note)

    section.add(table("by-province", _("By province of the producers"), _("Province or city"), data.by_province,
                      f.province_name, _("Provinces"),
                      _("A line counts in its producer's province: an agreement with producers of several provinces "
                        "counts in each, with its own lines, and once in the total.")))
    return section.add(table("by-buyer-kind", _("By kind of buyer"), _("Kind of buyer"), data.by_buyer_kind,
                             lambda kind: f.label(BuyerKind, kind), _("Buyer kinds")))


def _millions(value: int) -> str:
    return f.number(round(value / 1_000_000, 1))


def _listing(data: FollowUp) -> Section:
    section = Section("agreement-list", _("Agreements followed"))
    rows = [[a.code, a.signed_on, a.buyer, a.producers, f.label(AgreementStatus, a.status), a.committed, a.delivered,
             a.delivered / a.committed if a.committed else None, a.last_delivery, a.overdue_milestones or None]
            for a in data.agreements]
    return section.add(Table("agreement-list", _("Agreements followed"), [
        Column(_("Number"), "code"), Column(_("Signed"), "date", 1.05), Column(_("Buyer"), weight=2.3, lines=2),
        Column(_("Producers"), weight=2.3, lines=2), Column(_("Status"), weight=1.4, lines=2),
        Column(_("Committed (₫)"), "money", 1.4), Column(_("Delivered (₫)"), "money", 1.4), Column(_("Fulfilled"), "percent", 0.85),
        Column(_("Last delivery"), "date", 1.05), Column(_("Overdue"), "int", 0.7)], rows,
        total=[_("Total"), None, None, None, None, data.committed, data.delivered,
               data.delivered / data.committed if data.committed else None, None, len(data.overdue) or None] if rows else None,
        empty=_("No agreements that commit anyone were signed in this scope."), sheet=_("Agreements"), listing=True))
