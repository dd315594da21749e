"""The agreement follow-up report: its charts draw what their titles say (read back from the SVG), and
its fulfilment by province and by kind of buyer equals a sum made by hand over the lines recorded."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from babel.numbers import format_decimal

from core.formatting import vietnam_today
from tests.conftest import unique
from tests.reports import svg
from tests.reports.conftest import db, workbook

TODAY = vietnam_today()
TURN = 0.0005  # drawing tolerance: 0.05 % of a turn (coordinates are written to 1/100 of a unit)


def money(amount: int) -> str:
    return f"{amount:,}".replace(",", ".") + "\u00a0₫"


def percent(share: float) -> str:
    """As Vietnamese writes a share: one decimal, a decimal comma."""
    return f"{100 * share:.1f}".replace(".", ",") + " %"


def followup(agreements: list[tuple[str, int, int]], buyers: list[tuple[str, int, int]] | None = None):
    """A follow-up's data from (status, committed, delivered) per agreement and (name, committed, delivered) per buyer."""
    from reports.data import FollowedAgreement, FollowUp, PartyFigures

    signed = TODAY - dt.timedelta(days=30)
    return FollowUp(
        fair_id=None, fair_name="", since=signed, until=TODAY, generated_on=TODAY,
        agreements=tuple(FollowedAgreement(f"BB-{n}", signed, "Co.opmart", "supermarket_chain", "HTX Mường Lò", status,
                                           committed, delivered, None, None, 0)
                         for n, (status, committed, delivered) in enumerate(agreements, 1)),
        overdue=(), by_producer=(),
        by_buyer=tuple(PartyFigures(name, "distributor", 1, c, d) for name, c, d in buyers or []))


def charts(data, language: str = "vi") -> dict[str, str]:
    """The report's charts, by title, as SVG text."""
    from reports import jobs
    from reports.document import Chart

    document = jobs.build("agreement_followup", data, language)
    return {block.title: str(block.svg) for section in document.sections for block in section.blocks
            if isinstance(block, Chart)}


DONUT = "Giá trị đã giao so với cam kết, theo trạng thái"
BARS = "Mười bên mua có giá trị cam kết lớn nhất (triệu ₫)"
DELIVERED = {"signed": "Đã giao – Đã ký", "in_progress": "Đã giao – Đang thực hiện", "fulfilled": "Đã giao – Đã hoàn thành",
             "partially_fulfilled": "Đã giao – Hoàn thành một phần"}


def assert_donut_says(chart: str, agreements: list[tuple[str, int, int]]) -> svg.Ring:
    """The ring is the committed total: each status's arcs go round its delivered share of it, the grey
    remainder what is left, any excess round again outside; the legend and centre say the same numbers."""
    committed = sum(c for _, c, _ in agreements)
    delivered: dict[str, int] = {}
    for status, _, d in agreements:
        delivered[status] = delivered.get(status, 0) + d
    total = sum(delivered.values())
    ring = svg.ring(chart)
    assert ring.centre == percent(total / committed)
    for status, value in delivered.items():
        if not value:
            continue
        color, _, shown, share = ring.legend_line(DELIVERED[status])
        assert abs(ring.turns(color) - value / committed) < TURN, (status, ring.turns(color), value / committed)
        assert (shown, share) == (money(value), percent(value / committed))
    first = ring.on(ring.radius)
    assert abs(sum(a.turn for a in first) - 1) < TURN, "the first lap is the whole commitment"
    assert abs(first[0].start) < TURN, "arcs start at twelve o'clock"
    for before, after in zip(first, first[1:], strict=False):
        assert abs(before.start + before.turn - after.start) < TURN, "arcs follow one another, no gap, no overlap"
    names = [text.split(" · ")[0] for _, text in ring.legend]
    if total <= committed:
        color, _, shown, share = ring.legend_line("Chưa giao")
        assert abs(ring.turns(color) - (committed - total) / committed) < TURN
        assert (shown, share) == (money(committed - total), percent((committed - total) / committed))
        assert ring.laps() == [ring.radius] and "Giao vượt cam kết" not in names
    else:
        color, _, shown, share = ring.legend_line("Giao vượt cam kết")
        assert color == "" and (shown, share) == (money(total - committed), percent((total - committed) / committed))
        outside = [a for a in ring.arcs if a.radius > ring.radius + 1]
        assert abs(sum(a.turn for a in outside) - (total - committed) / committed) < TURN
        assert "Chưa giao" not in names
    return ring


def test_the_delivered_arc_of_one_and_a_half_percent_spans_one_and_a_half_percent_of_the_ring():
    agreements = [("signed", 600_000_000, 0), ("in_progress", 300_000_000, 10_000_000), ("fulfilled", 100_000_000, 5_000_000)]
    ring = assert_donut_says(charts(followup(agreements))[DONUT], agreements)
    delivered = [a for a in ring.arcs if a.color != ring.legend_line("Chưa giao")[0]]
    assert abs(sum(a.turn for a in delivered) - 0.015) < TURN
    assert ring.centre == "1,5 %"
    assert ring.legend_line("Chưa giao")[2:] == ("985.000.000\u00a0₫", "98,5 %")
    assert ring.legend_line("Đã giao – Đang thực hiện")[2:] == ("10.000.000\u00a0₫", "1,0 %")


def test_over_delivery_goes_round_again_outside_the_commitment_and_the_legend_says_by_how_much():
    agreements = [("in_progress", 60_000_000, 90_000_000), ("fulfilled", 40_000_000, 40_000_000)]
    ring = assert_donut_says(charts(followup(agreements))[DONUT], agreements)
    assert ring.centre == "130,0 %"
    assert ring.legend_line("Giao vượt cam kết")[2:] == ("30.000.000\u00a0₫", "30,0 %")
    assert len(ring.laps()) == 2


def test_a_commitment_with_nothing_delivered_is_a_grey_ring_at_zero():
    agreements = [("signed", 250_000_000, 0)]
    ring = assert_donut_says(charts(followup(agreements))[DONUT], agreements)
    assert ring.centre == "0,0 %" and ring.legend_line("Chưa giao")[3] == "100,0 %"


def test_the_buyers_bars_are_the_ten_largest_commitments_in_millions():
    buyers = [(f"Bên mua {n}", committed, 0) for n, committed in enumerate(
        [1_234_500_000, 980_000_000, 640_000_000, 515_250_000, 300_000_000, 120_000_000, 99_990_000, 45_000_000,
         15_500_000, 2_000_000, 1_000_000, 400_000], 1)]
    bars = svg.bars(charts(followup([("signed", sum(c for _, c, _ in buyers), 0)], buyers))[BARS])
    assert [b.name for b in bars] == [name for name, _, _ in buyers[:10]]
    longest = max(b.length for b in bars)
    for bar, (_, committed, _) in zip(bars, buyers, strict=False):
        assert abs(bar.length - longest * committed / buyers[0][1]) <= 0.1, (bar, committed)
        assert bar.label == format_decimal(round(committed / 1_000_000, 1), locale="vi")
        assert abs(bar.label_x - (bar.x + bar.length + 5)) <= 0.1, "the value stands at its bar's end"
    assert bars[0].label == "1.234,5" and bars[8].label == "15,5"


# -- fulfilment by province and by kind of buyer, against the lines as seeded -----------------------------------


@dataclass(frozen=True)
class Seeded:
    agreement: str  # its key in AGREEMENTS
    producer: str  # its key in PRODUCERS
    unit: str
    quantity: int
    unit_price: int
    delivered_quantity: int


PRODUCERS = {"p1": "ha-noi", "p2": "son-la", "p3": "lang-son", "p4": "ha-noi"}
BUYERS = {"b1": "supermarket_chain", "b2": "exporter", "b3": "distributor"}
AGREEMENTS = {"A1": ("in_progress", "b1"), "A2": ("in_progress", "b2"), "A3": ("signed", "b3"), "A4": ("fulfilled", "b1"),
              "A5": ("draft", "b2"), "A6": ("cancelled", "b3"), "A7": ("partially_fulfilled", "b3")}
LINES = [
    Seeded("A1", "p1", "kg", 1_000, 50_000, 1_000),  # A1 spans Hà Nội and Sơn La
    Seeded("A1", "p2", "hộp", 200, 150_000, 50),
    Seeded("A2", "p3", "lít", 500, 80_000, 550),  # over-delivered
    Seeded("A2", "p3", "thùng", 10, 1_000_000, 0),
    Seeded("A3", "p4", "kg", 300, 100_000, 0),
    Seeded("A4", "p2", "hộp", 100, 120_000, 100),
    Seeded("A5", "p1", "kg", 100, 10_000, 0),  # a draft: commits no one
    Seeded("A6", "p3", "lít", 50, 80_000, 20),  # cancelled: commits no one
    Seeded("A7", "p1", "kg", 400, 25_000, 100),  # A7 spans Hà Nội and Sơn La too
    Seeded("A7", "p2", "bó", 40, 50_000, 40),
]


async def seed_spread_agreements() -> dict:
    """A fair whose agreements have lines from producers of three provinces, written the way recording
    deliveries leaves them (each line's delivered quantity and value, each agreement's delivered value)."""
    from agreements.tables import Agreement, AgreementLine, AgreementProducer, Delivery
    from catalog.tables import Buyer, Producer, Product
    from fairs.tables import Fair

    signed_on = TODAY - dt.timedelta(days=20)
    fair = (await Fair.insert(Fair(name=unique("Hội chợ theo dõi "), venue="Nhà văn hoá", province_code="ha-noi",
                                   starts_on=signed_on, ends_on=signed_on + dt.timedelta(days=2), status="closed")))[0]["id"]
    producers, products = {}, {}
    for key, province in PRODUCERS.items():
        producers[key] = (await Producer.insert(Producer(name=unique(f"HTX {key} "), kind="cooperative",
                                                         province_code=province)))[0]["id"]
        products[key] = (await Product.insert(Product(
            producer=producers[key], name=unique("Sản phẩm "), group_code="food", subgroup_code="processed_food", stars=4,
            score=78, code=unique("F"), unit="kg", reference_price=50_000, province_code=province)))[0]["id"]
    buyers = {key: (await Buyer.insert(Buyer(name=unique("Bên mua "), kind=kind)))[0]["id"] for key, kind in BUYERS.items()}
    for key, (status, buyer) in AGREEMENTS.items():
        mine = [line for line in LINES if line.agreement == key]
        agreement = (await Agreement.insert(Agreement(
            code=unique(f"TD-{key}-"), kind="offtake", fair=fair, signed_on=signed_on, buyer=buyers[buyer], status=status,
            committed_value=sum(line.quantity * line.unit_price for line in mine),
            delivered_value=sum(line.delivered_quantity * line.unit_price for line in mine))))[0]["id"]
        for producer in dict.fromkeys(line.producer for line in mine):
            await AgreementProducer.insert(AgreementProducer(agreement=agreement, producer=producers[producer]))
        for line in mine:
            row = (await AgreementLine.insert(AgreementLine(
                agreement=agreement, producer=producers[line.producer], product=products[line.producer], quantity=line.quantity,
                unit=line.unit, unit_price=line.unit_price, value=line.quantity * line.unit_price,
                delivered_quantity=line.delivered_quantity, delivered_value=line.delivered_quantity * line.unit_price)))[0]["id"]
            if line.delivered_quantity:
                await Delivery.insert(Delivery(agreement=agreement, line=row, delivered_on=signed_on + dt.timedelta(days=5),
                                               quantity=line.delivered_quantity,
                                               value=line.delivered_quantity * line.unit_price,
                                               over_delivery=line.delivered_quantity > line.quantity))
    return {"fair": fair}


def brute_force(key) -> dict[str, tuple[int, int, int, int, int]]:
    """Per group: (agreements, lines, lines fully delivered, committed, delivered), summed line by line."""
    counted = [line for line in LINES if AGREEMENTS[line.agreement][0] not in ("draft", "cancelled")]
    out = {}
    for group in sorted({key(line) for line in counted}):
        mine = [line for line in counted if key(line) == group]
        out[group] = (len({line.agreement for line in mine}), len(mine),
                      sum(1 for line in mine if line.delivered_quantity >= line.quantity),
                      sum(line.quantity * line.unit_price for line in mine),
                      sum(line.delivered_quantity * line.unit_price for line in mine))
    return out


def as_tuple(figures) -> tuple[int, int, int, int, int]:
    return figures.agreements, figures.lines, figures.lines_delivered, figures.committed, figures.delivered


def test_fulfilment_by_province_and_buyer_kind_equals_the_lines_summed_by_hand(organizer):
    from catalog import reference
    from reports.data import agreement_followup

    seeded = db(seed_spread_agreements)
    data = db(agreement_followup, seeded["fair"])
    by_province = brute_force(lambda line: PRODUCERS[line.producer])
    assert {g.key: as_tuple(g) for g in data.by_province} == by_province
    assert {g.key: as_tuple(g) for g in data.by_buyer_kind} == brute_force(lambda line: BUYERS[AGREEMENTS[line.agreement][1]])
    everything = brute_force(lambda line: "")[""]
    assert as_tuple(data.all_lines) == everything
    assert [g.committed for g in data.by_province] == sorted((g.committed for g in data.by_province), reverse=True)
    # An agreement spanning two provinces counts in both, its value only once: the provinces' values add up.
    assert sum(v[0] for v in by_province.values()) > everything[0]
    assert sum(v[3] for v in by_province.values()) == everything[3] == data.committed
    assert sum(v[4] for v in by_province.values()) == everything[4] == data.delivered

    from reports import jobs

    document = jobs.build("agreement_followup", data, "vi")
    table = next(t for t in document.tables if t.id == "by-province")
    assert {row[0]: tuple(row[1:6]) for row in table.rows} == {
        reference.province_name(code): figures for code, figures in by_province.items()}
    assert table.total is not None and tuple(table.total[1:6]) == everything

    agreements = [(a.status, a.committed, a.delivered) for a in data.agreements]
    assert_donut_says(charts(data)[DONUT], agreements)

    book = workbook(organizer.get("/reports/agreements/xlsx", params={"fair_id": seeded["fair"], "lang": "en"}).content)
    rows = [[c.value for c in row] for row in book["Provinces"].rows]
    assert rows[0] == ["Province or city", "Agreements", "Lines", "Lines fully delivered", "Committed (₫)", "Delivered (₫)",
                       "Fulfilled"]  # value only: no column adds up quantities of different units
    assert {row[0]: tuple(row[1:6]) for row in rows[1:-1]} == {
        reference.province_name(code): figures for code, figures in by_province.items()}
    assert rows[-1][0] == "Total" and tuple(rows[-1][1:6]) == everything
    kinds = {row[0]: tuple(row[1:6]) for row in [[c.value for c in r] for r in book["Buyer kinds"].rows][1:-1]}
    assert kinds["Exporter"] == (1, 2, 1, 50_000_000, 44_000_000)  # the over-delivered line is fully delivered


def test_fulfilment_by_is_a_pure_sum_over_the_lines():
    from reports.data import FollowedLine, fulfilment_by

    def line(agreement: int, province: str, unit: str, quantity: int, delivered: int, price: int) -> FollowedLine:
        return FollowedLine(agreement, agreement * 10, "HTX", province, "exporter", unit, quantity, delivered,
                            quantity * price, delivered * price)

    lines = [line(1, "ha-noi", "kg", 10, 12, 1_000), line(1, "son-la", "hộp", 5, 0, 20_000), line(2, "ha-noi", "lít", 3, 3, 7_000)]
    rows = {g.key: g for g in fulfilment_by("province_code", lines)}
    assert as_tuple(rows["ha-noi"]) == (2, 2, 2, 31_000, 33_000) and rows["ha-noi"].share == 33_000 / 31_000
    assert as_tuple(rows["son-la"]) == (1, 1, 0, 100_000, 0)
    assert fulfilment_by("buyer_kind", []) == ()


def test_the_api_and_the_fair_page_give_the_same_fulfilment_by_province(organizer):
    from catalog import reference

    seeded = db(seed_spread_agreements)
    by_province = brute_force(lambda line: PRODUCERS[line.producer])
    answer = organizer.get("/api/v1/reports/fulfilment", params={"fair_id": seeded["fair"]})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert {g["key"]: (g["agreements"], g["lines"], g["lines_delivered"], g["committed"], g["delivered"])
            for g in body["by_province"]} == by_province
    everything = brute_force(lambda line: "")[""]
    assert (body["all"]["committed"], body["all"]["delivered"]) == everything[3:5]
    assert organizer.get("/api/v1/reports/fulfilment").status_code == 422  # a fair or a period
    fragment = organizer.get(f"/fairs/{seeded['fair']}/reports/_fulfilment").text
    for code in by_province:
        assert reference.province_name(code) in fragment
