"""A connection conference's meetings printed, through HTTP: each participant's schedule with its own confirmed
meetings and nobody else's, a card for every table in use, the room's grid cut into pages of tables, and who may
print them."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader

from core.formatting import vietnam_today
from tests.conftest import product_payload, unique
from tests.fairs.conftest import fair_payload
from tests.pdf import pdf_page_size, pdf_pages, pdf_text

DAY = vietnam_today() + dt.timedelta(days=30)
FIRST = dt.datetime.combine(DAY, dt.time(8, 30))


def _ok(response, status: int = 201):
    assert response.status_code == status, response.text
    return response.json() if response.content else None


def _time(slot: int) -> str:
    """A slot as the printed pages write it: 20-minute meetings from 08:30."""
    start = FIRST + dt.timedelta(minutes=20 * slot)
    return f"{start:%H:%M}–{start + dt.timedelta(minutes=20):%H:%M}"


def _pdf(client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    return response.content


def _largest_text(content: bytes, page: int) -> tuple[str, float]:
    """The text drawn largest on a page (1-based), with its size in points."""
    drawn: list[tuple[float, str]] = []

    def visit(text, cm, tm, font, size) -> None:
        if text.strip():
            drawn.append((size * abs(tm[3] * cm[3]), text.strip()))

    PdfReader(io.BytesIO(content)).pages[page - 1].extract_text(visitor_text=visit)
    points, text = max(drawn)
    return text, points


def _conference(organizer, tables: int, slots: int, venue: str = "Cung Văn hóa Hữu Nghị") -> tuple[int, str, str]:
    payload = fair_payload(kind="connection_conference", name=unique("Hội nghị kết nối "), venue=venue)
    fair = _ok(organizer.api("POST", "/api/v1/fairs", payload))["id"]
    base = f"/api/v1/fairs/{fair}/matchmaking"
    _ok(organizer.api("PUT", f"{base}/room", {"day": DAY.isoformat(), "tables": tables, "meeting_minutes": 20,
                                              "sessions": [{"starts": "08:30", "slots": slots}]}), 200)
    return fair, base, payload["name"]


@pytest.fixture
def printed(login):
    """A conference of 3 tables and 4 slots: buyers A (quota 2) and B (quota 3) of known kinds, C (quota 0: no
    meeting), three producers offering named products (the first two each), scheduled and confirmed; then one of
    A's meetings is cancelled and one of B's marked held."""
    organizer = login("organizer")
    fair, base, name = _conference(organizer, tables=3, slots=4)
    buyers = {}
    for key, kind, quota in (("A", "supermarket_chain", 2), ("B", "exporter", 3), ("C", "distributor", 0)):
        buyer = _ok(organizer.api("POST", "/api/v1/buyers", {"name": unique(f"Siêu thị {key} "), "kind": kind}))
        buyers[key] = _ok(organizer.api("POST", f"{base}/participants", {"side": "buyer", "buyer_id": buyer["id"],
                                                                         "quota": quota}))
    producers, products = {}, {}
    for key in ("P1", "P2", "P3"):
        producer = _ok(organizer.api("POST", "/api/v1/producers", {"name": unique(f"HTX {key} "), "kind": "cooperative",
                                                                    "province_code": "ha-noi"}))["id"]
        names = [unique("Mật ong "), unique("Chè ")] if key != "P3" else [unique("Nón lá ")]
        ids = [_ok(organizer.api("POST", "/api/v1/products", product_payload(producer, name=n)))["id"] for n in names]
        producers[key] = _ok(organizer.api("POST", f"{base}/participants", {
            "side": "producer", "producer_id": producer, "product_ids": ids, "quota": 2}))
        products[producers[key]["id"]] = names
    _ok(organizer.api("POST", f"{base}/schedule"))
    _ok(organizer.api("POST", f"{base}/schedule/confirm"))
    meetings = _ok(organizer.get(f"{base}/meetings"), 200)
    a, b = buyers["A"]["id"], buyers["B"]["id"]
    mine = [m for m in meetings if m["buyer"] == a]
    assert len(mine) == 2 and any(m["buyer"] == b for m in meetings)
    cancelled = mine[-1]
    _ok(organizer.api("POST", f"{base}/meetings/{cancelled['id']}/mark", {"status": "cancelled"}), 204)
    held = next(m for m in meetings if m["buyer"] == b)
    _ok(organizer.api("POST", f"{base}/meetings/{held['id']}/mark", {"status": "held"}), 204)
    standing = [m for m in _ok(organizer.get(f"{base}/meetings"), 200) if m["status"] in ("confirmed", "held")]
    return {"organizer": organizer, "fair": fair, "name": name, "base": base, "buyers": buyers, "producers": producers,
            "products": products, "standing": standing, "cancelled": cancelled}


def _schedule_url(fair: int, participant: int) -> str:
    return f"/fairs/{fair}/meetings/participants/{participant}/schedule.pdf"


def test_a_buyers_schedule_lists_its_confirmed_meetings_in_time_order_and_nobody_elses(printed):
    organizer, fair = printed["organizer"], printed["fair"]
    buyer = printed["buyers"]["A"]
    response = organizer.get(_schedule_url(fair, buyer["id"]))
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    assert f'filename="lich-gap-{fair}-{buyer["id"]}.pdf"' in response.headers["content-disposition"]
    text = pdf_text(response.content)
    assert printed["name"] in text and "Cung Văn hóa Hữu Nghị" in text and DAY.strftime("%d/%m/%Y") in text
    assert buyer["name"] in text and "Đơn vị thu mua" in text
    mine = [m for m in printed["standing"] if m["buyer"] == buyer["id"]]
    assert len(mine) == 1  # the other was cancelled
    for m in mine:
        assert _time(m["slot"]) in text and m["producer_name"] in text
        assert all(product in text for product in printed["products"][m["producer"]])  # what the producer offers
    met = {m["producer"] for m in mine}
    for p in printed["producers"].values():  # neither the cancelled meeting's producer nor one it never meets
        if p["id"] not in met:
            assert p["name"] not in text
            assert not any(product in text for product in printed["products"][p["id"]])
    assert printed["buyers"]["B"]["name"] not in text and printed["buyers"]["C"]["name"] not in text
    assert "Chưa có cuộc gặp" not in text


def test_a_producers_schedule_names_its_buyers_and_their_kind_in_time_order(printed):
    organizer, fair = printed["organizer"], printed["fair"]
    producer = next(p for p in printed["producers"].values()
                    if sum(m["producer"] == p["id"] for m in printed["standing"]) >= 1)
    text = pdf_text(_pdf(organizer, _schedule_url(fair, producer["id"])))
    assert producer["name"] in text and "Chủ thể OCOP" in text
    mine = sorted((m for m in printed["standing"] if m["producer"] == producer["id"]), key=lambda m: m["slot"])
    kinds = {printed["buyers"]["A"]["id"]: "Chuỗi siêu thị", printed["buyers"]["B"]["id"]: "Doanh nghiệp xuất khẩu"}
    positions = []
    for m in mine:
        line = next(line for line in text.splitlines() if _time(m["slot"]) in line)
        assert m["buyer_name"] in line and kinds[m["buyer"]] in line and f" {m['table_number']} " in line
        positions.append(text.index(_time(m["slot"])))
    assert positions == sorted(positions)
    if any(m["status"] == "held" for m in mine):
        assert "đã gặp" in text
    for other in printed["producers"].values():
        if other["id"] != producer["id"]:
            assert other["name"] not in text


def test_a_schedule_without_meetings_says_so(printed):
    text = pdf_text(_pdf(printed["organizer"], _schedule_url(printed["fair"], printed["buyers"]["C"]["id"])))
    assert printed["buyers"]["C"]["name"] in text and "Chưa có cuộc gặp nào được xác nhận" in text
    assert not any(p["name"] in text for p in printed["producers"].values())


def test_each_table_in_use_gets_one_card_with_its_number_and_meetings(printed):
    content = _pdf(printed["organizer"], f"/fairs/{printed['fair']}/meetings/table-cards.pdf")
    used = sorted({m["table_number"] for m in printed["standing"]})
    assert pdf_pages(content) == len(used) >= 1
    width, height = pdf_page_size(content)
    assert round(width) == 595 and round(height) == 842  # A4 portrait
    for page, table in enumerate(used, start=1):
        text = pdf_text(content, page, page)
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        assert lines[0].replace(" ", "") == f"BÀN{table}" and printed["name"] in text
        number, points = _largest_text(content, page)
        assert number == str(table) and points >= 150  # read from across the room
        here = [m for m in printed["standing"] if m["table_number"] == table]
        rows = [line for line in lines if line[:5].replace(":", "").isdigit()]
        assert len(rows) == len(here)  # this table's meetings only
        for m in here:
            assert any(line.startswith(_time(m["slot"])) and m["buyer_name"] in line and m["producer_name"] in line
                       for line in rows)


def test_the_room_grid_holds_every_confirmed_meeting_at_its_table_and_time(printed):
    content = _pdf(printed["organizer"], f"/fairs/{printed['fair']}/meetings/room-grid.pdf")
    assert pdf_pages(content) == 1
    width, height = pdf_page_size(content)
    assert width > height  # A4 landscape
    text = pdf_text(content)
    assert printed["name"] in text and "Bàn 1 Bàn 2 Bàn 3" in text
    for m in printed["standing"]:
        row = next(line for line in text.splitlines() if line.strip().startswith(_time(m["slot"])))
        assert m["buyer_name"] in row
        assert m["producer_name"] in text
    buyer_a = printed["buyers"]["A"]["name"]
    assert text.count(buyer_a) == sum(m["buyer_name"] == buyer_a for m in printed["standing"]) == 1  # one cancelled
    assert _time(3) in text  # every slot has its row, a free one too


def test_the_room_grid_of_many_tables_is_cut_into_pages_each_with_its_headers(login):
    organizer = login("organizer")
    fair, _base, name = _conference(organizer, tables=20, slots=16)
    content = _pdf(organizer, f"/fairs/{fair}/meetings/room-grid.pdf")
    assert pdf_pages(content) == 3  # 8 tables a page
    for page, (first, last) in enumerate(((1, 8), (9, 16), (17, 20)), start=1):
        text = pdf_text(content, page, page)
        assert name in text and f"bàn {first}–{last}" in text
        assert " ".join(f"Bàn {n}" for n in range(first, last + 1)) in text and f"Bàn {last + 1} " not in text
        assert _time(0) in text and _time(15) in text


def test_a_conference_without_confirmed_meetings_or_a_room_prints_a_page_saying_so(login):
    organizer = login("organizer")
    fair, _base, name = _conference(organizer, tables=4, slots=2)
    content = _pdf(organizer, f"/fairs/{fair}/meetings/table-cards.pdf")
    assert pdf_pages(content) == 1 and "Chưa có cuộc gặp nào được xác nhận" in pdf_text(content)
    bare = _ok(organizer.api("POST", "/api/v1/fairs", fair_payload(kind="connection_conference")))["id"]
    content = _pdf(organizer, f"/fairs/{bare}/meetings/room-grid.pdf")
    assert pdf_pages(content) == 1 and "Phòng gặp chưa được thiết lập" in pdf_text(content)
    assert "Chưa có cuộc gặp nào" in pdf_text(_pdf(organizer, f"/fairs/{bare}/meetings/table-cards.pdf"))


def test_the_organizing_office_prints_and_nobody_else(printed, login, anonymous):
    fair = printed["fair"]
    urls = [_schedule_url(fair, printed["buyers"]["A"]["id"]), f"/fairs/{fair}/meetings/table-cards.pdf",
            f"/fairs/{fair}/meetings/room-grid.pdf"]
    viewer, producer, manager = login("viewer"), login("producer"), login("salespoint_manager")
    for url in urls:
        assert viewer.get(url).status_code == 200
        assert producer.get(url).status_code == 403
        assert manager.get(url).status_code == 403
        refused = anonymous.get(url)
        assert refused.status_code in (302, 303, 401) and "%PDF" not in refused.text
        if refused.status_code != 401:
            assert refused.headers["location"].startswith("/login")


def test_a_participant_is_printed_only_under_its_own_conference(printed, login):
    organizer = printed["organizer"]
    other, _base, _name = _conference(organizer, tables=2, slots=2)
    buyer = printed["buyers"]["A"]["id"]
    assert organizer.get(_schedule_url(other, buyer)).status_code == 404
    assert organizer.get(_schedule_url(printed["fair"], 999_999_999)).status_code == 404
    assert organizer.get(_schedule_url(printed["fair"], 2**63)).status_code == 404  # past any id
    trade_fair = _ok(organizer.api("POST", "/api/v1/fairs", fair_payload()))["id"]
    for url in (_schedule_url(trade_fair, buyer), f"/fairs/{trade_fair}/meetings/table-cards.pdf",
                f"/fairs/{trade_fair}/meetings/room-grid.pdf"):
        assert organizer.get(url).status_code == 422  # not a connection conference
    assert organizer.get("/fairs/999999999/meetings/room-grid.pdf").status_code == 404
