"""Stock counts (kiểm kê): counted lines against the books, posted as corrections in the ledger."""

from __future__ import annotations

import json

from tests.conftest import run
from tests.salespoints.conftest import move


def test_posting_a_count_brings_each_counted_lot_to_what_was_counted(shop):
    point, (first, second), manager = shop["point"], shop["products"], shop["manager"]
    assert move(manager, point, first, "receipt", 10, lot_code="A").status_code == 201
    assert move(manager, point, second, "receipt", 4).status_code == 201
    opened = manager.api("POST", f"/api/v1/salespoints/{point}/counts")
    assert opened.status_code == 201, opened.text
    count = opened.json()["id"]
    assert manager.api("POST", f"/api/v1/salespoints/{point}/counts").status_code == 409  # one open count at a time
    sheet = manager.api("PUT", f"/api/v1/salespoints/counts/{count}/lines", {"product_id": first, "lot_code": "A", "counted": 7})
    assert sheet.status_code == 200
    row = next(r for r in sheet.json()["rows"] if r["product_id"] == first)
    assert (row["booked"], row["counted"], row["difference"]) == (10, 7, -3)
    assert manager.api("PUT", f"/api/v1/salespoints/counts/{count}/lines", {"product_id": first, "counted": -1}).status_code == 422
    assert move(manager, point, first, "sale", 1, lot_code="A").status_code == 201  # sold while counting
    posted = manager.api("POST", f"/api/v1/salespoints/counts/{count}/post")
    assert posted.status_code == 201, posted.text
    balances = {(r["product_id"], r["lot_code"]): r["quantity"] for r in manager.get(f"/api/v1/salespoints/{point}/balances").json()}
    assert balances[(first, "A")] == 6 and balances[(second, "")] == 4  # 7 counted, 1 sold since; uncounted stay
    assert manager.api("POST", f"/api/v1/salespoints/counts/{count}/post").status_code == 422  # posted once
    from salespoints.services import ledger_differences

    assert run(ledger_differences()) == []


def test_counts_are_for_the_points_managers_only(shop, login):
    point = shop["point"]
    assert login("viewer").api("POST", f"/api/v1/salespoints/{point}/counts").status_code == 403


def test_a_count_is_entered_and_posted_from_its_page(shop):
    point, product, manager = shop["point"], shop["products"][0], shop["manager"]
    assert move(manager, point, product, "receipt", 5).status_code == 201
    opened = manager.form(f"/salespoints/{point}/counts", {})
    assert opened.status_code == 302
    count_url = opened.headers["location"]
    assert manager.form(f"{count_url}/lines", {"product_id": str(product), "lot_code": "", "counted": "3"}).status_code == 302
    page = manager.get(count_url)
    assert page.status_code == 200 and "-2" in page.text
    assert manager.form(f"{count_url}/post", {}).status_code == 302
    balances = manager.get(f"/api/v1/salespoints/{point}/balances").json()
    assert sum(r["quantity"] for r in balances if r["product_id"] == product) == 3


# -- the count sheet page: one form for every line ------------------------------------------------------------


def _sheet_form(page_text: str) -> dict[str, list[str]]:
    """The count sheet's form as the page renders it: per row its product, lot, shown count and typed count."""
    import html
    import re

    form = page_text[page_text.index('id="count-lines"'):page_text.index('id="count-actions"')]
    fields: dict[str, list[str]] = {"product_id": [], "lot_code": [], "was": [], "counted": []}
    for name, value in re.findall(r'name="(product_id|lot_code|was|counted)" value="([^"]*)"', form):
        fields[name].append(html.unescape(value))
    assert len({len(v) for v in fields.values()}) == 1, fields
    return fields


def _typed(fields: dict[str, list[str]], counts: dict[tuple[int, str], str]) -> dict[str, list[str]]:
    """The form with `counts` typed into the rows of those (product, lot)."""
    rows = list(zip(fields["product_id"], fields["lot_code"], strict=True))
    return {**fields, "counted": [counts.get((int(p), lot), typed) for (p, lot), typed in zip(rows, fields["counted"], strict=True)]}


def _open_count_page(manager, point: int) -> str:
    opened = manager.form(f"/salespoints/{point}/counts", {})
    assert opened.status_code == 302, opened.text
    return opened.headers["location"]


def _counted(manager, count_url: str) -> dict[tuple[int, str], int | None]:
    count_id = count_url.rsplit("/", 1)[1]
    rows = manager.get(f"/api/v1/salespoints/counts/{count_id}").json()["rows"]
    return {(r["product_id"], r["lot_code"]): r["counted"] for r in rows}


def test_several_count_lines_typed_on_the_sheet_are_saved_in_one_submit(shop):
    point, (first, second), manager = shop["point"], shop["products"], shop["manager"]
    for product, lot, quantity in ((first, "A", 10), (first, "B", 4), (second, "", 6)):
        assert move(manager, point, product, "receipt", quantity, lot_code=lot).status_code == 201
    count_url = _open_count_page(manager, point)
    page = manager.get(count_url)
    assert page.status_code == 200 and page.text.count('name="counted"') == 3
    form = _typed(_sheet_form(page.text), {(first, "A"): "7", (first, "B"): "4", (second, ""): "9"})
    saved = manager.form(f"{count_url}/lines", form)
    assert saved.status_code == 302, saved.text
    assert _counted(manager, count_url) == {(first, "A"): 7, (first, "B"): 4, (second, ""): 9}
    again = manager.get(count_url)
    assert again.text.count('class="bad"') == 2  # the differences stay visible: −3 and +3, not the equal lot
    assert ">-3<" in again.text.replace("\u2212", "-") and ">+3<" in again.text
    from core.tables import AuditEntry

    audit = run(AuditEntry.select(AuditEntry.after).where(
        (AuditEntry.entity == "stock_count") & (AuditEntry.entity_id == count_url.rsplit("/", 1)[1])
        & (AuditEntry.action == "update")))
    after = [json.loads(a["after"]) if isinstance(a["after"], str) else a["after"] for a in audit]
    assert len(after) == 1 and len(after[0]["lines"]) == 3  # one save, one audit row for its lines


def test_a_bad_count_line_keeps_every_typed_value_and_saves_nothing(shop):
    point, (first, second), manager = shop["point"], shop["products"], shop["manager"]
    for product, lot, quantity in ((first, "A", 10), (first, "B", 4), (second, "", 6)):
        assert move(manager, point, product, "receipt", quantity, lot_code=lot).status_code == 201
    count_url = _open_count_page(manager, point)
    form = _typed(_sheet_form(manager.get(count_url).text), {(first, "A"): "7", (first, "B"): "-1", (second, ""): "13"})
    refused = manager.form(f"{count_url}/lines", form)
    assert refused.status_code == 422, refused.text
    typed = _sheet_form(refused.text)
    assert sorted(typed["counted"]) == ["-1", "13", "7"]  # every typed value is still in the form
    assert refused.text.count('aria-invalid="true"') == 1 and 'id="e-row-' in refused.text
    assert set(_counted(manager, count_url).values()) == {None}  # nothing saved
    # the corrected form saves every line
    fixed = manager.form(f"{count_url}/lines", _typed(typed, {(first, "B"): "4"}))
    assert fixed.status_code == 302, fixed.text
    assert _counted(manager, count_url) == {(first, "A"): 7, (first, "B"): 4, (second, ""): 13}


def test_saving_the_sheet_again_does_not_recount_lines_already_counted(shop):
    """Line A was counted at 7 against 10 booked; one is sold; saving the sheet again (another line typed)
    must not re-read A's books at 9, or posting would bring A to 7 instead of the 6 on the shelf."""
    point, (first, second), manager = shop["point"], shop["products"], shop["manager"]
    assert move(manager, point, first, "receipt", 10, lot_code="A").status_code == 201
    assert move(manager, point, second, "receipt", 5).status_code == 201
    count_url = _open_count_page(manager, point)
    assert manager.form(f"{count_url}/lines", _typed(_sheet_form(manager.get(count_url).text), {(first, "A"): "7"})).status_code == 302
    assert move(manager, point, first, "sale", 1, lot_code="A").status_code == 201
    form = _typed(_sheet_form(manager.get(count_url).text), {(second, ""): "5"})
    posted = manager.form(f"{count_url}/post", form)  # "save and post": the typed line is saved first
    assert posted.status_code == 302, posted.text
    balances = {(r["product_id"], r["lot_code"]): r["quantity"] for r in manager.get(f"/api/v1/salespoints/{point}/balances").json()}
    assert balances[(first, "A")] == 6 and balances[(second, "")] == 5


def test_a_viewer_cannot_save_a_count_sheet(shop, login):
    point, product, manager = shop["point"], shop["products"][0], shop["manager"]
    assert move(manager, point, product, "receipt", 3).status_code == 201
    count_url = _open_count_page(manager, point)
    form = _typed(_sheet_form(manager.get(count_url).text), {(product, ""): "1"})
    assert login("viewer").form(f"{count_url}/lines", form).status_code == 403
    assert set(_counted(manager, count_url).values()) == {None}
