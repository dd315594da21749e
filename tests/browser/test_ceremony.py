"""In real Chromium: at a signing ceremony an organizer enters agreement after agreement from the keyboard."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import parse_qs, urlparse

from playwright.sync_api import Page, expect

from catalog.services import today
from core.formatting import vnd
from tests.agreements.conftest import organizer, supplier  # noqa: F401  (fixtures shared with the agreement tests)
from tests.conftest import unique


def offered(page: Page, datalist: str, record_id: int) -> str:
    """The value a datalist offers for a record: "Name [#id]"."""
    option = page.locator(f'#{datalist} option[value$="[#{record_id}]"]')
    expect(option).to_have_count(1)
    return option.get_attribute("value")


def tab_to(page: Page, selector: str, limit: int = 40) -> None:
    """Presses Tab until the field is focused (if it is not already): it is reachable from the keyboard, in order."""
    for _ in range(limit):
        if page.evaluate("selector => document.activeElement.matches(selector)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def retype(page: Page, text: str) -> None:
    """Replaces the focused field's text."""
    page.keyboard.press("Control+a")
    page.keyboard.type(text)


def name_producers(page: Page, producers: list[int]) -> None:
    """Types each producer as the datalist offers it; leaving the field makes htmx refresh the products."""
    for number, producer in enumerate(producers):
        tab_to(page, f"#f-producer-{number}")
        page.keyboard.type(offered(page, "producer-list", producer))
        with page.expect_response(lambda r: "/agreements/products?" in r.url) as response:
            page.keyboard.press("Tab")  # the change event fires on leaving the field
        assert response.value.status == 200


def enter_lines(page: Page, lines: list[tuple[int, str, str, str]]) -> None:
    """Product (from the refreshed datalist), quantity, unit and unit price of each line, in tab order."""
    for number, (product, quantity, unit, price) in enumerate(lines):
        tab_to(page, f"[name=line_{number}_product]")
        page.keyboard.type(offered(page, "product-list", product))
        page.keyboard.press("Tab")
        page.keyboard.type(quantity)
        page.keyboard.press("Tab")
        page.keyboard.type(unit)
        page.keyboard.press("Tab")
        page.keyboard.type(price)


def save(page: Page) -> str:
    """Enter saves; the page comes back empty with the code of the agreement just saved."""
    with page.expect_navigation(url=re.compile(r"/agreements/ceremony\?.*saved=")):
        page.keyboard.press("Enter")
    return parse_qs(urlparse(page.url).query)["saved"][0]


def expect_saved(page: Page, code: str, count: int, committed: int) -> None:
    expect(page.locator("p.notice")).to_contain_text(code)
    expect(page.locator("p.error")).to_have_count(0)
    expect(page.locator("#f-buyer")).to_be_focused()  # ready for the next agreement at once
    expect(page.locator("#f-buyer")).to_have_value("")
    expect(page.locator("#f-producer-0")).to_have_value("")
    expect(page.locator("[name=line_0_product]")).to_have_value("")
    expect(page.locator("#totals strong").nth(0)).to_have_text(str(count))
    expect(page.locator("#totals strong").nth(1)).to_have_text(vnd(committed))
    expect(page.locator("section.card table")).to_contain_text(code)


def test_an_organizer_enters_three_agreements_in_a_row_at_a_signing_ceremony(page, organizer, supplier, shot, sign_in):  # noqa: F811
    day = today()  # in Vietnam, as the server counts it: the default signing date
    fair = organizer.api("POST", "/api/v1/fairs", {"name": unique("Hội chợ OCOP Sơn La "), "starts_on": day.isoformat(),
                                                    "ends_on": (day + dt.timedelta(days=3)).isoformat()})
    assert fair.status_code == 201, fair.text
    fair_id = fair.json()["id"]
    buyers = []
    for name, kind in (("Siêu thị Co.opmart ", "supermarket_chain"), ("Công ty Xuất khẩu Nông sản ", "exporter")):
        response = organizer.api("POST", "/api/v1/buyers", {"name": unique(name), "kind": kind})
        assert response.status_code == 201, response.text
        buyers.append(response.json()["id"])
    coop, export = buyers
    tea, (tea_green, tea_black) = supplier(2)
    plum, (plum_dried,) = supplier(1)
    unit = "chai 500 ml"  # the products' own unit, used when a line leaves its unit empty

    sign_in(page, "organizer", f"/agreements/ceremony?fair_id={fair_id}")
    expect(page.locator("h1")).to_contain_text(fair.json()["name"])
    expect(page.locator("#totals strong").nth(0)).to_have_text("0")
    expect(page.locator("#f-buyer")).to_be_focused()
    expect(page.locator("#product-list option")).to_have_count(0)  # no producer named yet
    shot(page, "ceremony-1-empty")

    # 1: one producer, two lines; the quantity typed with a thousands dot; Enter in the last price saves.
    page.keyboard.type(offered(page, "buyer-list", coop))
    name_producers(page, [tea])
    expect(page.locator("#product-list option")).to_have_count(2)  # only the named producer's products
    stray = offered(page, "product-list", tea_black)  # typed later where its producer is not named
    enter_lines(page, [(tea_green, "120", "hộp", "45.000"), (tea_black, "1.200", "", "18.500")])
    shot(page, "ceremony-2-first-typed")
    first = save(page)
    total = 120 * 45_000 + 1_200 * 18_500
    expect_saved(page, first, 1, total)
    shot(page, "ceremony-3-first-saved")

    # 2: two producers, a line from each, kind changed with the arrow key, saved with the "Save and next" button.
    page.keyboard.type(offered(page, "buyer-list", export))
    name_producers(page, [tea, plum])
    expect(page.locator("#product-list option")).to_have_count(3)
    enter_lines(page, [(plum_dried, "500", "thùng", "250.000"), (tea_green, "80", "", "45.000")])
    tab_to(page, "#f-kind")
    page.keyboard.press("ArrowDown")
    expect(page.locator("#f-kind")).to_have_value("offtake")
    tab_to(page, "#ceremony-form button[type=submit]")
    second = save(page)
    total += 500 * 250_000 + 80 * 45_000
    expect_saved(page, second, 2, total)

    # A product of a producer the agreement does not name: refused, typed values kept, nothing saved.
    buyer_value = offered(page, "buyer-list", coop)
    page.keyboard.type(buyer_value)
    name_producers(page, [plum])
    tab_to(page, "[name=line_0_product]")
    expect(page.locator(f'#product-list option[value$="[#{tea_black}]"]')).to_have_count(0)
    page.keyboard.type(stray)  # typed by hand: the datalist does not offer it
    page.keyboard.press("Tab")
    page.keyboard.type("60")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.type("18.500")
    with page.expect_navigation() as refused:
        page.keyboard.press("Enter")
    assert refused.value.status == 422
    shot(page, "ceremony-4-refused")
    expect(page.locator("p.error.summary")).to_be_visible()
    expect(page.locator("tr", has=page.locator("[name=line_0_product]")).locator("p.error")).to_contain_text(
        stray.rsplit(" [#", 1)[0])
    expect(page.locator("#f-buyer")).to_have_value(buyer_value)
    expect(page.locator("#f-producer-0")).to_have_value(offered(page, "producer-list", plum))
    expect(page.locator("[name=line_0_product]")).to_have_value(stray)
    expect(page.locator("[name=line_0_quantity]")).to_have_value("60")
    expect(page.locator("[name=line_0_unit_price]")).to_have_value("18.500")
    expect(page.locator("#totals strong").nth(0)).to_have_text("2")
    expect(page.locator("#totals strong").nth(1)).to_have_text(vnd(total))
    assert organizer.get(f"/api/v1/agreements?fair_id={fair_id}").json()["total"] == 2

    # 3: the refused entry corrected from the keyboard (its product, the signing date), then saved. The
    # cursor waits on the field in error; a signing day outside the fair's days is said once, then kept.
    expect(page.locator("[name=line_0_product]")).to_be_focused()
    retype(page, offered(page, "product-list", plum_dried))
    signed = day - dt.timedelta(days=1)
    tab_to(page, "#f-signed_on")
    retype(page, signed.strftime("%d/%m/%Y"))
    with page.expect_navigation() as warned:
        page.keyboard.press("Enter")
    assert warned.value.status == 422
    expect(page.locator("#f-signed_on")).to_be_focused()
    expect(page.locator(".field.invalid", has=page.locator("#f-signed_on"))).to_contain_text(signed.strftime("%d/%m/%Y"))
    expect(page.locator("#totals strong").nth(0)).to_have_text("2")  # nothing saved yet
    third = save(page)
    total += 60 * 18_500
    expect_saved(page, third, 3, total)
    shot(page, "ceremony-5-three-saved")

    listed = organizer.get(f"/api/v1/agreements?fair_id={fair_id}").json()
    assert listed["total"] == 3
    assert {a["code"] for a in listed["items"]} == {first, second, third}
    entered = {a["code"]: organizer.get(f"/api/v1/agreements/{a['id']}").json() for a in listed["items"]}
    expected = {
        first: (coop, [tea], "memorandum", day, [(tea_green, 120, "hộp", 45_000), (tea_black, 1_200, unit, 18_500)]),
        second: (export, [tea, plum], "offtake", day, [(plum_dried, 500, "thùng", 250_000), (tea_green, 80, unit, 45_000)]),
        third: (coop, [plum], "memorandum", signed, [(plum_dried, 60, unit, 18_500)]),
    }
    for code, (buyer, producers, kind, signed_on, lines) in expected.items():
        agreement = entered[code]
        assert code.startswith(f"HN{fair_id}-")
        assert agreement["fair_id"] == fair_id
        assert agreement["status"] == "signed"
        assert agreement["buyer_id"] == buyer
        assert [p["id"] for p in agreement["producers"]] == producers
        assert agreement["kind"] == kind
        assert agreement["signed_on"] == signed_on.isoformat()
        assert [(line["product_id"], line["quantity"], line["unit"], line["unit_price"], line["value"])
                for line in agreement["lines"]] == [(*line, line[1] * line[3]) for line in lines]
        assert agreement["committed_value"] == sum(line[1] * line[3] for line in lines)
    summary = organizer.get(f"/api/v1/agreements/summary?fair_id={fair_id}").json()
    assert (summary["agreements"], summary["committed_value"]) == (3, total)
