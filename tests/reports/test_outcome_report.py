"""The fair outcome report: its PDF and .xlsx say what the database says, for a trade week with
sales and agreements, for a fair's applications and check-ins, for an empty fair, and for text the
fonts cannot print."""

from __future__ import annotations

import datetime as dt
import html
import re
import unicodedata

from tests.reports.conftest import db, pdf_pages, pdf_text, workbook


def line_starts(line: str, word: str) -> bool:
    return line.strip().startswith(word)


def money(amount: int) -> str:
    return f"{amount:,}".replace(",", ".")


async def truth(fair_id: int) -> dict:
    """The figures straight from the tables, without the reports module."""
    from fairs.tables import Fair

    async def one(sql: str) -> int:
        rows = await Fair.raw(sql, fair_id)
        return int(next(iter(rows[0].values())) or 0)

    days = await Fair.raw("SELECT day, SUM(revenue) AS revenue FROM booth_sale WHERE fair = {} GROUP BY day ORDER BY day", fair_id)
    return {
        "revenue": await one("SELECT SUM(revenue) FROM booth_sale WHERE fair = {}"),
        "transactions": await one("SELECT SUM(transactions) FROM booth_sale WHERE fair = {}"),
        "visitors": await one("SELECT SUM(visitors) FROM visitor_count WHERE fair = {}"),
        "planned": await one("SELECT COUNT(*) FROM booth WHERE fair = {} AND NOT blocked"),
        "used": await one("SELECT COUNT(*) FROM booth_assignment WHERE fair = {}"),
        "exhibitors": await one("SELECT COUNT(DISTINCT application) FROM booth_assignment WHERE fair = {}"),
        "agreements": await one("SELECT COUNT(*) FROM agreement WHERE fair = {} AND status NOT IN ('draft', 'cancelled')"),
        "committed": await one("SELECT SUM(committed_value) FROM agreement WHERE fair = {} "
                               "AND status NOT IN ('draft', 'cancelled')"),
        "listed": await one("SELECT COUNT(*) FROM agreement WHERE fair = {}"),
        "days": [(str(r["day"])[:10], int(r["revenue"])) for r in days],
    }


def test_outcome_report_totals_equal_the_database(organizer, trade_week):
    fair = trade_week["fair"]
    facts = db(truth, fair)
    response = organizer.get(f"/fairs/{fair}/reports/outcome/pdf")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    text = pdf_text(response.content)
    lines = text.splitlines()
    assert f"{money(facts['revenue'])} ₫" in text
    assert f"{facts['used']} / {facts['planned']}" in text
    assert money(facts["visitors"]) in text and money(facts["transactions"]) in text
    assert f"{money(facts['committed'])} ₫" in text
    for day, revenue in facts["days"]:  # the day-by-day table: each day's row carries its revenue
        shown = dt.date.fromisoformat(day).strftime("%d/%m/%Y")
        assert any(shown in line and line.rstrip().endswith(money(revenue)) for line in lines), (shown, revenue)
    total = next(line for line in lines if money(facts["visitors"]) in line and line.rstrip().endswith(money(facts["revenue"])))
    assert line_starts(total, "Tổng") and money(facts["transactions"]) in total
    assert text.count("Trang ") >= pdf_pages(response.content) - 1  # numbered pages, the cover aside
    assert "Mục lục" in text


def test_outcome_xlsx_has_the_same_tables_and_totals(organizer, trade_week):
    fair = trade_week["fair"]
    facts = db(truth, fair)
    response = organizer.get(f"/fairs/{fair}/reports/outcome/xlsx?lang=en")
    assert response.status_code == 200, response.text
    book = workbook(response.content)
    days = book["Days"]
    total = [c.value for c in list(days.rows)[-1]]
    assert total[0] == "Total" and total[1] == facts["visitors"] and total[-1] == facts["revenue"]
    booths = list(book["Booths"].rows)
    assert len(booths) == 1 + facts["exhibitors"] + 1  # header, one row per exhibitor, total
    assert booths[-1][-1].value == facts["revenue"]
    assert sum(row[-1].value for row in booths[1:-1]) == facts["revenue"]
    agreements = list(book["Agreements"].rows)
    assert len(agreements) == 1 + facts["listed"] + 1
    kinds = list(book["Buyer kinds"].rows)
    assert kinds[-1][1].value == facts["agreements"] and kinds[-1][2].value == facts["committed"]
    assert {"Editions", "Provinces", "OCOP groups"} <= set(book.sheetnames)


def test_the_comparison_covers_the_earlier_edition(organizer, trade_week):
    earlier = db(truth, trade_week["earlier"])
    text = pdf_text(organizer.get(f"/fairs/{trade_week['fair']}/reports/outcome/pdf?lang=en").content)
    assert "Comparison with earlier editions" in text
    assert money(earlier["revenue"]) in text and money(earlier["committed"]) in text


def test_an_empty_fair_yields_a_valid_short_report(organizer, empty_fair):
    response = organizer.get(f"/fairs/{empty_fair}/reports/outcome/pdf?lang=en")
    assert response.status_code == 200, response.text
    assert pdf_pages(response.content) <= 4
    text = pdf_text(response.content)
    assert "No exhibitor held a booth at this fair." in text
    assert "No agreements were recorded for this fair." in text
    assert "No sales were recorded at this fair." in text
    assert re.search(r"Booths used / planned.*\n\s*0 ?/ ?0\b", text)
    sheet = organizer.get(f"/fairs/{empty_fair}/reports/outcome/xlsx")
    assert sheet.status_code == 200 and workbook(sheet.content).sheetnames
    assert organizer.get(f"/fairs/{empty_fair}/reports/outcome").status_code == 200


def test_a_fair_that_does_not_exist_is_not_found(organizer):
    for path in ("/fairs/987654/reports/outcome", "/fairs/987654/reports/outcome/pdf", "/fairs/987654/reports/"):
        assert organizer.get(path).status_code == 404, path
    assert organizer.api("POST", "/api/v1/reports/fairs/987654/outcome").status_code == 404


def test_text_the_fonts_lack_never_breaks_the_pdf(organizer, trade_week):
    from catalog.tables import Producer
    from fairs.tables import Application, BoothAssignment

    async def rename() -> tuple[int, str]:
        held = await BoothAssignment.select(BoothAssignment.application).where(
            BoothAssignment.fair == trade_week["fair"]).first()
        producer = (await Application.select(Application.producer).where(Application.id == held["application"]).first())["producer"]
        before = (await Producer.select(Producer.name).where(Producer.id == producer).first())["name"]
        decomposed = unicodedata.normalize("NFD", "Hợp tác xã Mật Ong 🍯 Bạc Hà\x07 𠀀")
        await Producer.update({Producer.name: decomposed}).where(Producer.id == producer)
        return producer, before

    producer, before = db(rename)
    try:
        response = organizer.get(f"/fairs/{trade_week['fair']}/reports/outcome/pdf")
        assert response.status_code == 200
        text = pdf_text(response.content)
        assert "Hợp tác xã Mật Ong \ufffd Bạc Hà \ufffd" in text  # NFC, the emoji and the rare ideograph replaced
        assert "🍯" not in text and "\x07" not in text
    finally:
        from catalog.tables import Producer as P

        async def restore() -> None:
            await P.update({P.name: before}).where(P.id == producer)

        db(restore)


def test_pages_are_a4_with_the_fair_in_the_header(organizer, trade_week):
    from tests.pdf import pdf_page_size

    content = organizer.get(f"/fairs/{trade_week['fair']}/reports/outcome/pdf").content
    assert tuple(round(side, 2) for side in pdf_page_size(content)) == (595.28, 841.89)  # A4
    second = pdf_text(content, first=3, last=3)
    assert "Tuần hàng OCOP thử" in second and "Trang 3 /" in second


def test_a_long_report_reads_as_one_document(large_fair):
    """The front part printed by WeasyPrint and the listings drawn apart read as one document: pages
    numbered in one run, contents and bookmarks leading to each section, every listed row once."""
    import io

    from pypdf import PdfReader

    from reports import jobs, services

    subject = db(services.fair_subject, large_fair)
    merged = jobs.print_pdf(subject.kind.value, subject.data, "vi")
    assert "listings" in merged.seconds and merged.pages > 8

    pages = pdf_text(merged.pdf).split("\f")[:merged.pages]
    assert len(pages) == merged.pages
    numbers = [re.search(r"Trang (\d+) / (\d+)", page) for page in pages[1:]]
    assert [(int(m[1]), int(m[2])) for m in numbers] == [(n, merged.pages) for n in range(2, merged.pages + 1)]

    # The contents give each section's page, and the bookmarks lead there.
    contents = dict(re.findall(r"^\s*\d+\. (.+?) \.{3,}\s*(\d+)\s*$", pages[1], re.MULTILINE))
    reader = PdfReader(io.BytesIO(merged.pdf))
    marks = {re.sub(r"^\d+\. ", "", m.title): reader.get_destination_page_number(m) + 1 for m in reader.outline}
    assert len(marks) == len(contents) >= 6
    assert {title: int(page) for title, page in contents.items()} == marks
    for title, page in marks.items():
        assert title in pages[page - 1]
    text = "\n".join(pages)
    listed = re.findall(r"^\s*(\S+-\d{4}) \d\d/\d\d/\d{4}", text, re.MULTILINE)
    assert sorted(listed) == sorted(e.code for e in subject.data.agreements.entries)  # every row once, none lost


def section_html(page: str, section: str) -> str:
    """One section of the preview, its text unescaped."""
    found = re.search(rf'<section class="report-section" id="{section}">(.*?)</section>', page, re.DOTALL)
    assert found, section
    return html.unescape(found[1])


def table_html(section: str, table: str) -> str:
    found = re.search(rf'id="table-{table}">(.*?)(?=<div class="report-table-block"|$)', section, re.DOTALL)
    return found[1] if found else ""


def values(sheet) -> list[list]:
    return [[c.value for c in row] for row in sheet.rows]


def test_the_report_says_how_every_application_ended(organizer, applications_fair):
    from catalog.reference import province_name

    fair, seeded = applications_fair["fair"], applications_fair["applications"]
    book = workbook(organizer.get(f"/fairs/{fair}/reports/outcome/xlsx?lang=en").content)

    # Ten received, one row per status in the order of the workflow, the booths asked for against those held.
    rows = values(book["Applications"])
    assert rows[0] == ["Status", "Applications", "Share", "Booths asked for", "Booths given"]
    assert rows[1:] == [
        ["Eligible", 1, 0.1, 1, 0], ["Ineligible", 1, 0.1, 1, 0], ["Waitlisted", 3, 0.3, 6, 0],
        ["Allocated", 1, 0.1, 2, 1], ["Confirmed", 3, 0.3, 4, 4], ["Withdrawn by the applicant", 1, 0.1, 2, 0],
        ["Total", 10, 1.0, 16, 5]]
    assert rows[-1][1:] == [len(seeded), 1.0, sum(a["wanted"] for a in seeded), sum(len(a["booths"]) for a in seeded)]

    # The waiting list in the order the applications came in.
    waiting = [a for a in seeded if a["status"] == "waitlisted"]
    assert values(book["Waiting list"]) == [
        ["Producer", "Province or city", "Booths wanted"],
        *[[a["producer"], province_name(a["province_code"]), a["wanted"]] for a in waiting],
        ["Total", None, 6]]

    # Four placed, two came: the other two listed by their booths.
    absent = sorted((a for a in seeded if a["booths"] and not a["checked_in"]), key=lambda a: int(a["booths"][0][1:]))
    assert [row[:2] for row in values(book["Not checked in"])] == [
        ["Booths", "Exhibitor"], *[[", ".join(a["booths"]), a["producer"]] for a in absent]]
    assert [row[0] for row in values(book["Not checked in"])[1:]] == ["B03", "B10"]
    figures = {row[0]: row[1:] for row in values(book.worksheets[0]) if row and row[0]}
    # Numbers stored as numbers (an accountant sums them): a pair in two cells, a share as a fraction.
    assert figures["Applications received"][0] == 10
    assert figures["Booths asked for / given"] == [16, 5, "31.2 % of the booths asked for"]
    assert figures["Left on the waiting list"] == [3, None, "asking for 6 booths"]
    assert figures["Exhibitors checked in / placed"] == [2, 4, 0.5]


def test_the_preview_and_pdf_show_applications_and_check_ins(organizer, applications_fair):
    fair, seeded = applications_fair["fair"], applications_fair["applications"]
    section = section_html(organizer.get(f"/fairs/{fair}/reports/outcome").text, "applications")
    assert "Đăng ký tham gia và điểm danh" in section
    assert "16 / 5" in section and "2 / 4" in section and "50,0 %" in section
    waiting = table_html(section, "waiting-list")
    assert [a["producer"] for a in seeded if a["producer"] in waiting] == [
        a["producer"] for a in seeded if a["status"] == "waitlisted"]
    absent = table_html(section, "no-shows")
    assert [a["producer"] for a in seeded if a["producer"] in absent] == [
        a["producer"] for a in seeded if a["booths"] and not a["checked_in"]]
    assert "B03" in absent and "B10" in absent and "B01" not in absent

    text = pdf_text(organizer.get(f"/fairs/{fair}/reports/outcome/pdf").content)
    assert "Đăng ký tham gia và điểm danh" in text and "Còn trong danh sách chờ" in text
    assert "16 / 5" in text and "2 / 4" in text


def test_no_check_in_kept_is_said_rather_than_a_zero_share(organizer, unchecked_fair):
    fair = unchecked_fair["fair"]
    section = section_html(organizer.get(f"/fairs/{fair}/reports/outcome?lang=en").text, "applications")
    assert "0 / 4" in section and "no check-in recorded" in section
    assert "No check-in has been recorded for this fair" in section
    assert not re.search(r"(?<![\d.])0\.0 %", section) and 'id="table-no-shows"' not in section
    assert "Not checked in" not in workbook(organizer.get(f"/fairs/{fair}/reports/outcome/xlsx?lang=en").content).sheetnames


def test_a_fair_without_applications_says_so(organizer, empty_fair):
    from reports.data import fair_outcome

    data = db(fair_outcome, empty_fair)
    assert data.by_status == () and data.waiting == () and data.received == 0 and data.placed == ()
    section = section_html(organizer.get(f"/fairs/{empty_fair}/reports/outcome?lang=en").text, "applications")
    assert "No application was received for this fair." in section
    assert "%" not in section and "<table" not in section
    assert "Applications" not in workbook(organizer.get(f"/fairs/{empty_fair}/reports/outcome/xlsx?lang=en").content).sheetnames
