"""The fair outcome report (báo cáo kết quả) as a document: cover, overview, exhibitors, applications and
check-in, visitors and sales, agreements, comparison with earlier editions, and the two long listings
(booths, agreements). Built in the current language; every fixed text goes through gettext."""

from __future__ import annotations

from agreements.enums import AgreementStatus
from catalog.enums import BuyerKind, ProducerKind
from core.errors import N_, Msg
from fairs.enums import ApplicationStatus, FairKind, FairStatus
from reports import charts
from reports import formats as f
from reports.data import FairOutcome
from reports.document import Chart, Column, Document, Figure, Figures, Paragraph, Section, Table
from reports.i18n import gettext as _
from reports.i18n import render

TOP = 10


def title(data: FairOutcome) -> str:
    return "{}: {}".format(_("Outcome report"), data.fair.name)


def build(data: FairOutcome) -> Document:
    fair = data.fair
    sections = [_overview(data), _exhibitors(data), _applications(data), _sales(data), _agreements(data)]
    if data.meetings is not None:
        sections.append(_meetings(data))
    if data.editions:
        sections.append(_comparison(data))
    sections += [_booth_listing(data), _agreement_listing(data)]
    for number, section in enumerate(sections, start=1):
        section.title = f"{number}. {section.title}"
    cover = [(_("Event"), f.label(FairKind, fair.kind)),
             (_("Dates"), f"{f.date(fair.starts_on)} – {f.date(fair.ends_on)}"),
             (_("Venue"), ", ".join(p for p in (fair.venue, fair.address, f.province_name(fair.province_code)
                                                 if fair.province_code else "") if p)),
             (_("Organizing units"), "; ".join(fair.organizers) or "—"),
             (_("Status"), f.label(FairStatus, fair.status))]
    if fair.series:
        edition = " ({} {})".format(_("edition"), fair.edition) if fair.edition else ""  # _() outside the f-string: extracted
        cover.insert(1, (_("Series"), fair.series + edition))
    return Document(kind="fair_outcome", title=_("Outcome report"), subject=fair.name, cover_lines=cover,
                    sections=sections, language="", generated_on=data.generated_on,
                    filename=f"bao-cao-ket-qua-{fair.id}")


def _overview(data: FairOutcome) -> Section:
    fair, agreements = data.fair, data.agreements
    figures = Figures([
        Figure(_("Booths used / planned"), f.shown((data.booths_used, data.booths_planned), "int"),
               render(Msg(N_("%(share)s of the plan"), share=f.percent(data.booths_used / data.booths_planned)))
               if data.booths_planned else ""),
        Figure(_("Exhibitors"), f.shown(len(data.exhibitors), "int"),
               render(Msg(N_("from %(n)s provinces"), n=f.number(data.provinces)))),
        Figure(_("Products shown"), f.shown(data.products, "int")),
        Figure(_("Visitors"), f.shown(data.visitors, "int"),
               render(Msg(N_("over %(n)s days"), n=fair.days))),
        Figure(_("Sales revenue"), f.shown(data.revenue, "money"),
               render(Msg(N_("%(n)s sales"), n=f.number(data.transactions)))),
        Figure(_("Agreements signed"), f.shown(agreements.agreements, "int"),
               render(Msg(N_("committed %(value)s"), value=f.vnd(agreements.committed)))),
        Figure(_("Delivered so far"), f.shown(agreements.delivered, "money"),
               render(Msg(N_("%(share)s of the committed value"), share=f.percent(agreements.share)))
               if agreements.committed else ""),
    ])
    place = ", ".join(p for p in (fair.venue, f.province_name(fair.province_code) if fair.province_code else "") if p)
    summary = render(Msg(N_(
        "%(name)s took place from %(start)s to %(end)s at %(place)s. %(exhibitors)s exhibitors from %(provinces)s "
        "provinces and cities used %(used)s of the %(planned)s booths planned and showed %(products)s OCOP products."),
        name=fair.name, start=f.date(fair.starts_on), end=f.date(fair.ends_on), place=place or "—",
        exhibitors=f.number(len(data.exhibitors)), provinces=f.number(data.provinces), used=f.number(data.booths_used),
        planned=f.number(data.booths_planned), products=f.number(data.products)))
    if data.revenue or data.visitors:
        summary += " " + render(Msg(N_("The fair welcomed %(visitors)s visitors; exhibitors reported %(revenue)s of sales."),
                                    visitors=f.number(data.visitors), revenue=f.vnd(data.revenue)))
    if agreements.agreements:
        summary += " " + render(Msg(N_("%(n)s cooperation agreements were signed, committing %(value)s."),
                                    n=f.number(agreements.agreements), value=f.vnd(agreements.committed)))
    section = Section("overview", _("Overview"))
    return section.add(Paragraph(summary), figures)


def _exhibitors(data: FairOutcome) -> Section:
    section = Section("exhibitors", _("Exhibitors"))
    if not data.exhibitors:
        return section.add(Paragraph(_("No exhibitor held a booth at this fair.")))
    total = len(data.exhibitors)
    by_kind = Table("by-kind", _("Exhibitors by kind"), [
        Column(_("Kind of producer"), weight=3), Column(_("Exhibitors"), "int"), Column(_("Share"), "percent"),
        Column(_("Revenue (₫)"), "money", 1.6)],
        [[f.label(ProducerKind, s.code), s.exhibitors, s.exhibitors / total, s.revenue] for s in data.by_kind],
        total=[_("Total"), total, 1.0, data.revenue], sheet=_("Exhibitors"))
    donut = Chart(_("Exhibitors by kind"), charts.donut(
        [(f.label(ProducerKind, s.code), s.exhibitors) for s in data.by_kind], _("Exhibitors by kind"), f.number,
        centre=f.number(total)))
    by_province = Table("by-province", _("Exhibitors by province"), [
        Column(_("Province or city"), weight=3), Column(_("Exhibitors"), "int"), Column(_("Booths"), "int"),
        Column(_("Revenue (₫)"), "money", 1.6)],
        [[f.province_name(s.code), s.exhibitors, s.booths, s.revenue] for s in data.by_province],
        total=[_("Total"), total, sum(s.booths for s in data.by_province), data.revenue], sheet=_("Provinces"))
    provinces_chart = Chart(_("The ten provinces with most exhibitors"), charts.bars(
        [(f.province_name(s.code), s.exhibitors) for s in data.by_province[:TOP]], _("Exhibitors by province"), f.number))
    by_group = Table("by-group", _("Exhibitors and products by OCOP group"), [
        Column(_("OCOP group"), weight=3), Column(_("Exhibitors"), "int"), Column(_("Products"), "int"),
        Column(_("Revenue (₫)"), "money", 1.6)],
        [[f.group_name(s.code), s.exhibitors, s.products, s.revenue] for s in data.by_group],
        total=[_("Total"), total, data.products, data.revenue], sheet=_("OCOP groups"),
        note=_("An exhibitor counts in the group most of its products belong to."))
    by_stars = Table("by-stars", _("By OCOP star rating"), [
        Column(_("Rating"), "stars", 2), Column(_("Products"), "int"), Column(_("Exhibitors (by their best product)"), "int", 2)],
        [[int(s.code), s.products, s.exhibitors] for s in data.by_stars],
        total=[_("Total"), data.products, total], sheet=_("Star ratings"))
    return section.add(by_kind, donut, by_province, provinces_chart, by_group, by_stars)


def _applications(data: FairOutcome) -> Section:
    section = Section("applications", _("Applications and check-in"))
    if not data.by_status:
        return section.add(Paragraph(_("No application was received for this fair.")))
    return section.add(_application_figures(data), _status_table(data), _waiting_table(data), *_check_ins(data))


def _application_figures(data: FairOutcome) -> Figures:
    wanted, placed = data.booths_wanted, len(data.placed)
    waiting = sum(w.booths_wanted for w in data.waiting)
    items = [
        Figure(_("Applications received"), f.shown(data.received, "int")),
        Figure(_("Booths asked for / given"), f.shown((wanted, data.booths_used), "int"),
               render(Msg(N_("%(share)s of the booths asked for"), share=f.percent(data.booths_used / wanted)))
               if wanted else ""),
        Figure(_("Left on the waiting list"), f.shown(len(data.waiting), "int"),
               render(Msg(N_("asking for %(n)s booths"), n=f.number(waiting))) if waiting else ""),
    ]
    if placed:  # a share of nobody, or of no recorded check-in, would read as a fact about attendance
        items.append(Figure(_("Exhibitors checked in / placed"), f.shown((data.checked_in, placed), "int"),
                            f.shown(data.checked_in / placed, "percent") if data.checked_in else _("no check-in recorded")))
    return Figures(items)


def _status_table(data: FairOutcome) -> Table:
    return Table("applications-by-status", _("How the applications ended"), [
        Column(_("Status"), weight=2.6), Column(_("Applications"), "int"), Column(_("Share"), "percent"),
        Column(_("Booths asked for"), "int", 1.2), Column(_("Booths given"), "int", 1.2)],
        [[f.label(ApplicationStatus, s.status), s.applications, s.applications / data.received, s.booths_wanted,
          s.booths_given] for s in data.by_status],
        total=[_("Total"), data.received, 1.0, data.booths_wanted, data.booths_used], sheet=_("Applications"))


def _waiting_table(data: FairOutcome) -> Table:
    rows = [[w.producer, f.province_name(w.province_code), w.booths_wanted] for w in data.waiting]
    return Table("waiting-list", _("Left on the waiting list"), [
        Column(_("Producer"), weight=4, lines=2), Column(_("Province or city"), weight=2),
        Column(_("Booths wanted"), "int", 1.2)], rows,
        total=[_("Total"), None, sum(w.booths_wanted for w in data.waiting)] if rows else None,
        empty=_("No application was left on the waiting list."), sheet=_("Waiting list"),
        note=_("In the order the applications came in.") if rows else "")


def _check_ins(data: FairOutcome) -> list[Paragraph | Table]:
    if not data.placed:
        return [Paragraph(_("No exhibitor was placed on the floor plan, so no one was expected to check in."))]
    if not data.checked_in:  # check-in was not kept: everyone would look absent
        return [Paragraph(_("No check-in has been recorded for this fair, so those who came cannot be told from "
                            "those who did not."))]
    return [Table("no-shows", _("Placed exhibitors who did not check in"), [
        Column(_("Booths"), weight=1.2, lines=2), Column(_("Exhibitor"), weight=4, lines=2),
        Column(_("Province or city"), weight=2)],
        [[", ".join(e.booths), e.producer, f.province_name(e.province_code)] for e in data.no_shows],
        empty=_("Every exhibitor placed checked in."), sheet=_("Not checked in"))]


def _sales(data: FairOutcome) -> Section:
    section = Section("sales", _("Visitors and sales"))
    days = Table("days", _("Day by day"), [
        Column(_("Day"), "date", 1.4), Column(_("Visitors"), "int"), Column(_("Sales"), "int"),
        Column(_("Booths reporting"), "int", 1.3), Column(_("Revenue (₫)"), "money", 1.8)],
        [[d.day, d.visitors, d.transactions, d.booths_reporting, d.revenue] for d in data.days],
        total=[_("Total"), data.visitors, data.transactions, None, data.revenue], sheet=_("Days"))
    section.add(days)
    if data.visitors:
        section.add(Chart(_("Visitors per day"), charts.columns(
            [(f.date(d.day)[:5], d.visitors or 0) for d in data.days], _("Visitors per day"), f.number)))
    if not data.revenue:
        return section.add(Paragraph(_("No sales were recorded at this fair.")))
    section.add(Chart(_("Sales revenue per day (million ₫)"), charts.line(
        [(f.date(d.day)[:5], d.revenue) for d in data.days], _("Sales revenue per day"), _millions)))
    groups = [s for s in data.by_group if s.revenue]
    section.add(Table("revenue-by-group", _("Revenue by OCOP group"), [
        Column(_("OCOP group"), weight=3), Column(_("Exhibitors"), "int"), Column(_("Share of revenue"), "percent", 1.3),
        Column(_("Revenue (₫)"), "money", 1.8)],
        [[f.group_name(s.code), s.exhibitors, s.revenue / data.revenue, s.revenue] for s in groups],
        total=[_("Total"), len(data.exhibitors), 1.0, data.revenue], sheet=_("Revenue by group")))
    top = sorted((e for e in data.exhibitors if e.revenue), key=lambda e: (-e.revenue, e.booths))[:TOP]
    section.add(Table("top-booths", _("The ten best-selling booths and the products they showed"), [
        Column(_("Booths"), weight=1.1), Column(_("Exhibitor"), weight=3, lines=2),
        Column(_("Products shown"), weight=3.2, lines=2), Column(_("Sales"), "int", 0.8),
        Column(_("Revenue (₫)"), "money", 1.5)],
        [[", ".join(e.booths), e.producer, ", ".join(e.products), e.transactions, e.revenue] for e in top],
        sheet=_("Top booths"),
        note=_("Sales are recorded per booth and day, not per product: the products are those each booth showed.")))
    return section


def _millions(value: int) -> str:
    return f.number(round(value / 1_000_000, 1))


def _agreements(data: FairOutcome) -> Section:
    figures = data.agreements
    section = Section("agreements", _("Trade agreements"))
    if not figures.agreements:
        return section.add(Paragraph(_("No agreements were recorded for this fair.")))
    section.add(Figures([
        Figure(_("Agreements signed"), f.shown(figures.agreements, "int")),
        Figure(_("Committed value"), f.shown(figures.committed, "money")),
        Figure(_("Delivered so far"), f.shown(figures.delivered, "money"), f.shown(figures.share, "percent")),
        Figure(_("With deliveries"), f.shown(figures.with_deliveries, "int"),
               render(Msg(N_("of %(n)s agreements"), n=f.number(figures.agreements)))),
        Figure(_("Overdue"), f.shown(figures.overdue, "int"), _("with a milestone past due")),
    ]))
    section.add(Table("by-buyer-kind", _("By kind of buyer"), [
        Column(_("Kind of buyer"), weight=2.6), Column(_("Agreements"), "int"), Column(_("Committed (₫)"), "money", 1.7),
        Column(_("Delivered (₫)"), "money", 1.7), Column(_("Fulfilled"), "percent")],
        [[f.label(BuyerKind, k.kind), k.agreements, k.committed, k.delivered, k.delivered / k.committed if k.committed else None]
         for k in figures.by_buyer_kind],
        total=[_("Total"), figures.agreements, figures.committed, figures.delivered, figures.share], sheet=_("Buyer kinds")))
    section.add(Chart(_("Committed value by kind of buyer"), charts.donut(
        [(f.label(BuyerKind, k.kind), k.committed) for k in figures.by_buyer_kind], _("Committed value by kind of buyer"),
        f.vnd)))
    section.add(Table("by-status", _("By status"), [Column(_("Status"), weight=3), Column(_("Agreements"), "int")],
                      [[f.label(AgreementStatus, status), n] for status, n in figures.by_status],
                      total=[_("Total"), sum(n for _, n in figures.by_status)], sheet=_("Statuses"),
                      note=_("Drafts and cancelled agreements are listed but not counted in the figures above.")))
    return section


def _meetings(data: FairOutcome) -> Section:
    """The conference's buyer–producer meetings and what they became (the figure organizers are asked for)."""
    m = data.meetings
    assert m is not None
    section = Section("meetings", _("From meetings to trade"))
    section.add(Figures([
        Figure(_("Meeting requests"), f.shown(m.requests, "int"),
               render(Msg(N_("%(n)s accepted"), n=f.number(m.accepted)))),
        Figure(_("Meetings scheduled"), f.shown(m.scheduled, "int"),
               render(Msg(N_("%(n)s participants"), n=f.number(m.participants)))),
        Figure(_("Meetings held"), f.shown(m.held, "int"), render(Msg(N_("%(n)s no-shows"), n=f.number(m.no_shows)))),
        Figure(_("Agreements from meetings"), f.shown(m.agreements, "int"),
               render(Msg(N_("%(n)s per meeting held"), n=f.number(m.per_meeting_held)))),
        Figure(_("Committed value"), f.shown(m.committed, "money")),
        Figure(_("Delivered so far"), f.shown(m.delivered, "money"),
               f.shown(m.delivered / m.committed, "percent") if m.committed else ""),
    ]))
    columns = [Column(_("Meetings"), "int"), Column(_("Held"), "int"), Column(_("No-shows"), "int"),
               Column(_("Agreements"), "int"), Column(_("Committed (₫)"), "money", 1.7), Column(_("Delivered (₫)"), "money", 1.7)]

    def rows(entries, label=lambda name: name) -> list[list]:
        return [[label(e.name), e.scheduled, e.held, e.no_shows, e.agreements, e.committed, e.delivered] for e in entries]

    section.add(Table("meetings-by-buyer-kind", _("By kind of buyer"), [Column(_("Kind of buyer"), weight=2.6), *columns],
                      rows(m.by_buyer_kind, lambda kind: f.label(BuyerKind, kind) if kind != "—" else kind),
                      sheet=_("Meetings by buyer kind")))
    section.add(Table("meetings-by-province", _("By province of the producer"), [Column(_("Province"), weight=2.6), *columns],
                      rows(m.by_province), sheet=_("Meetings by province")))
    section.add(Table("meetings-by-group", _("By OCOP group of the agreements"), [Column(_("Group"), weight=2.6), *columns],
                      rows(m.by_group), sheet=_("Meetings by group"),
                      note=_("A meeting counts under each group of the products its agreement names; meetings with no agreement under —.")))
    return section


def _comparison(data: FairOutcome) -> Section:
    editions = [*data.editions, data.as_edition()]
    previous = data.editions[-1]
    current = editions[-1]
    section = Section("comparison", _("Comparison with earlier editions"))
    section.add(Table("editions", _("Editions of the series"), [
        Column(_("Edition"), weight=2.4, lines=2), Column(_("Dates"), weight=1.9), Column(_("Booths"), "int", 0.8),
        Column(_("Exhibitors"), "int", 0.9), Column(_("Provinces"), "int", 0.8), Column(_("Visitors"), "int", 1.0),
        Column(_("Revenue (₫)"), "money", 1.5), Column(_("Agreements"), "int", 0.9), Column(_("Committed (₫)"), "money", 1.6)],
        [[e.name, f"{f.date(e.starts_on)} – {f.date(e.ends_on)}", e.booths_used, e.exhibitors, e.provinces, e.visitors,
          e.revenue, e.agreements, e.committed] for e in editions], sheet=_("Editions")))
    section.add(Table("change", _("Change against the previous edition"), [
        Column(_("Measure"), weight=2.5), Column(_("Previous"), "int", 1.5), Column(_("This edition"), "int", 1.5),
        Column(_("Change"), weight=1, kind="text")],
        [[_("Booths used"), previous.booths_used, current.booths_used, f.change(current.booths_used, previous.booths_used)],
         [_("Exhibitors"), previous.exhibitors, current.exhibitors, f.change(current.exhibitors, previous.exhibitors)],
         [_("Visitors"), previous.visitors, current.visitors, f.change(current.visitors, previous.visitors)],
         [_("Sales revenue (₫)"), previous.revenue, current.revenue, f.change(current.revenue, previous.revenue)],
         [_("Agreements"), previous.agreements, current.agreements, f.change(current.agreements, previous.agreements)]],
        sheet=_("Change")))
    section.add(Chart(_("Sales revenue by edition (million ₫)"), charts.columns(
        [(str(e.edition or e.starts_on.year), e.revenue) for e in editions], _("Sales revenue by edition"), _millions,
        highlight_last=True)))
    return section


def _booth_listing(data: FairOutcome) -> Section:
    section = Section("booths", _("Booths and exhibitors"))
    rows = [[", ".join(e.booths), e.producer, f.label(ProducerKind, e.producer_kind), f.province_name(e.province_code),
             f.group_name(e.group_code), e.transactions, e.revenue] for e in data.exhibitors]
    return section.add(Table("booth-list", _("Booths and exhibitors"), [
        Column(_("Booths"), weight=1.0, lines=2), Column(_("Exhibitor"), weight=3.4, lines=2),
        Column(_("Kind"), weight=1.4), Column(_("Province or city"), weight=1.4), Column(_("OCOP group"), weight=2.5, lines=2),
        Column(_("Sales"), "int", 0.75), Column(_("Revenue (₫)"), "money", 1.3)], rows,
        total=[_("Total"), render(Msg(N_("%(n)s exhibitors"), n=f.number(len(data.exhibitors)))), None, None, None,
               data.transactions, data.revenue] if rows else None,
        empty=_("No exhibitor held a booth at this fair."), sheet=_("Booths"), listing=True,
        note=render(Msg(N_("%(used)s of %(planned)s booths used; an exhibitor's sales are recorded for all its booths together."),
                        used=f.number(data.booths_used), planned=f.number(data.booths_planned)))))


def _agreement_listing(data: FairOutcome) -> Section:
    section = Section("agreement-list", _("Agreements signed at the fair"))
    entries = data.agreements.entries
    rows = [[e.code, e.signed_on, e.buyer, e.producers,
             f.label(AgreementStatus, e.status) + (" ⚠" if e.overdue else ""), e.committed, e.delivered,
             e.delivered / e.committed if e.committed else None] for e in entries]
    return section.add(Table("agreement-list", _("Agreements signed at the fair"), [
        Column(_("Number"), "code"), Column(_("Signed"), "date", 1.0), Column(_("Buyer"), weight=2.5, lines=2),
        Column(_("Producers"), weight=2.7, lines=2), Column(_("Status"), weight=1.35, lines=2),
        Column(_("Committed (₫)"), "money", 1.4), Column(_("Delivered (₫)"), "money", 1.4), Column(_("Fulfilled"), "percent", 0.85)],
        rows, total=[_("Total"), None, render(Msg(N_("%(n)s agreements"), n=f.number(len(entries)))), None, None,
                     sum(e.committed for e in entries), sum(e.delivered for e in entries), None] if rows else None,
        empty=_("No agreements were recorded for this fair."), sheet=_("Agreements"), listing=True,
        note=_("⚠ a delivery milestone is past due and unmet.")))
