"""The sales-point monthly report and the agreement follow-up report say what the ledger and the
agreements say; a month with no data is a short, valid report."""

from __future__ import annotations

import datetime as dt
import re

from core.formatting import vietnam_today
from tests.conftest import unique
from tests.reports.conftest import db, pdf_text, workbook

VIETNAM = dt.timezone(dt.timedelta(hours=7))


def money(amount: int) -> str:
    return f"{amount:,}".replace(",", ".")


def shows(amount: int, text: str) -> bool:
    """'1.234.567 ₫' in the text (poppler drops the space before ₫ in the large figures)."""
    return re.search(re.escape(money(amount)) + r" ?₫", text) is not None


async def a_point_with_a_month_of_trade(month: dt.date) -> dict:
    """A point whose sales, a customer return and a write-off all fall in `month` (Vietnam time)."""
    from catalog.tables import Producer, Product
    from salespoints.tables import AssortmentItem, SalesPoint, StockBalance, StockMovement

    producer = (await Producer.insert(Producer(name=unique("HTX "), kind="cooperative", province_code="ha-noi")))[0]["id"]
    products = [(await Product.insert(Product(
        producer=producer, name=unique(name), group_code="food", subgroup_code="processed_food", stars=4, score=78,
        code=unique("P"), unit="hộp", reference_price=100_000, province_code="ha-noi")))[0]["id"] for name in ("Mật ong ", "Trà ")]
    point = (await SalesPoint.insert(SalesPoint(name=unique("Điểm OCOP "), province_code="ha-noi")))[0]["id"]
    for product in products:
        await AssortmentItem.insert(AssortmentItem(point=point, product=product, selling_price=120_000, reorder_threshold=50))
    at = dt.datetime.combine(month.replace(day=1), dt.time(0, 30), tzinfo=VIETNAM)  # 17:30 UTC the day before
    moves = [(products[0], "receipt", 100, 0), (products[0], "sale", -7, 120_000), (products[1], "receipt", 40, 0),
             (products[1], "sale", -3, 95_000), (products[0], "customer_return", 1, 120_000), (products[1], "write_off", -2, 0)]
    for index, (product, kind, quantity, price) in enumerate(moves):
        await StockMovement.insert(StockMovement(point=point, product=product, kind=kind, quantity=quantity, unit_price=price,
                                                 happened_at=at + dt.timedelta(hours=index)))
    await StockBalance.insert(StockBalance(point=point, product=products[0], quantity=94),
                              StockBalance(point=point, product=products[1], quantity=35))
    return {"point": point, "revenue": 7 * 120_000 + 3 * 95_000 - 120_000, "units": 9, "stock_value": (94 + 35) * 120_000,
            "written_off": 2 * 120_000}


def test_salespoint_monthly_report_figures_equal_the_ledger(organizer):
    month = vietnam_today().replace(day=1) - dt.timedelta(days=40)
    facts = db(a_point_with_a_month_of_trade, month)
    query = {"month": month.strftime("%Y-%m"), "point_id": facts["point"]}
    preview = organizer.get("/reports/salespoints", params=query)
    assert preview.status_code == 200, preview.text
    assert money(facts["revenue"]) in preview.text
    response = organizer.get("/reports/salespoints/pdf", params=query)
    assert response.status_code == 200, response.text
    text = pdf_text(response.content)
    assert shows(facts["revenue"], text) and shows(facts["stock_value"], text) and shows(facts["written_off"], text)
    book = workbook(organizer.get("/reports/salespoints/xlsx", params={**query, "lang": "en"}).content)
    days = list(book["Days"].rows)
    assert [c.value for c in days[-1]] == ["Total", facts["units"], facts["revenue"]]
    assert len(list(book["Low stock"].rows)) == 2  # the tea (35 on hand) is under its threshold of 50, the honey (94) not
    everyone = organizer.get("/reports/salespoints/pdf", params={"month": query["month"], "lang": "en"})
    assert everyone.status_code == 200 and "All OCOP sales points" in pdf_text(everyone.content)


def test_a_month_with_no_data_is_a_valid_short_report(organizer, login):
    facts = db(a_point_with_a_month_of_trade, vietnam_today().replace(day=1) - dt.timedelta(days=40))
    response = organizer.get("/reports/salespoints/pdf", params={"month": "2031-02", "point_id": facts["point"], "lang": "en"})
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "No sales were recorded in this period." in text and "Nothing was written off in this period." in text
    assert organizer.get("/reports/salespoints", params={"month": "2031-13"}).status_code == 422
    assert organizer.get("/reports/salespoints", params={"month": "2031-02", "point_id": 987654}).status_code == 404
    assert login("salespoint_manager").get("/reports/salespoints", params={"point_id": facts["point"]}).status_code == 403


def test_agreement_followup_report_shows_fulfilment_and_overdue_milestones(organizer, trade_week):
    from agreements.tables import Agreement, Milestone

    fair = trade_week["fair"]

    async def truth() -> dict:
        rows = await Agreement.select(Agreement.id, Agreement.committed_value, Agreement.delivered_value, Agreement.status).where(
            Agreement.fair == fair, Agreement.status.not_in(["draft", "cancelled"]))
        running = [r["id"] for r in rows if r["status"] in ("signed", "in_progress")]
        overdue = await Milestone.count().where(Milestone.agreement.is_in(running or [0]), Milestone.done_on.is_null(),
                                                Milestone.due_on < vietnam_today())
        return {"agreements": len(rows), "committed": sum(r["committed_value"] for r in rows),
                "delivered": sum(r["delivered_value"] for r in rows), "overdue": overdue}

    facts = db(truth)
    response = organizer.get("/reports/agreements/pdf", params={"fair_id": fair, "lang": "en"})
    assert response.status_code == 200, response.text
    text = pdf_text(response.content)
    assert shows(facts["committed"], text) and shows(facts["delivered"], text)
    book = workbook(organizer.get("/reports/agreements/xlsx", params={"fair_id": fair, "lang": "en"}).content)
    assert len(list(book["Agreements"].rows)) == 1 + facts["agreements"] + 1
    assert len(list(book["Overdue"].rows)) == 1 + facts["overdue"]
    period = organizer.get("/reports/agreements/pdf", params={"since": "01/01/2031", "until": "31/12/2031", "lang": "en"})
    assert period.status_code == 200 and "No agreements that commit anyone were signed" in pdf_text(period.content)
    assert organizer.get("/reports/agreements", params={"since": "2031-12-31", "until": "2031-01-01"}).status_code == 422
    chooser = organizer.get("/reports/agreements")  # nothing chosen: the form that chooses, not a bare refusal
    assert chooser.status_code == 302 and chooser.headers["location"] == "/reports/?kind=agreement_followup"

