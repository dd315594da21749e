"""The stock ledger through HTTP: never negative, exactly once, all or nothing, scoped to managers."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from zoneinfo import ZoneInfo

from core.formatting import vietnam_today
from tests.conftest import run, unique
from tests.salespoints.conftest import carry, make_point, make_product, move


def _balance(client, point_id: int, product_id: int) -> int:
    rows = client.get(f"/api/v1/salespoints/{point_id}/balances").json()
    return sum(r["quantity"] for r in rows if r["product_id"] == product_id)


def _movement_count(point_id: int) -> int:
    from salespoints.tables import StockMovement

    return run(StockMovement.count().where(StockMovement.point == point_id))


def test_receipt_then_sale_moves_the_balance_and_overselling_is_refused_with_what_is_left(shop):
    point, product, manager = shop["point"], shop["products"][0], shop["manager"]
    assert move(manager, point, product, "receipt", 12, lot_code="L1").status_code == 201
    sold = move(manager, point, product, "sale", 5, lot_code="L1")
    assert sold.status_code == 201 and sold.json()["balances"] == [7]
    refused = move(manager, point, product, "sale", 8, lot_code="L1")
    assert refused.status_code == 409
    assert "7" in refused.json()["title"]
    assert _balance(manager, point, product) == 7
    assert _movement_count(point) == 2


def test_taking_stock_without_a_lot_where_it_is_kept_by_lot_names_the_lots(shop):
    point, product, manager = shop["point"], shop["products"][1], shop["manager"]
    manager.cookies.set("lang", "en")  # the English msgid is checked below
    for lot, quantity in (("L2", 3), ("L1", 5)):
        assert move(manager, point, product, "receipt", quantity, lot_code=lot).status_code == 201
    single = move(manager, point, product, "sale", 1)
    assert single.status_code == 409
    assert "choose one of its lots (L1: 5, L2: 3)" in single.json()["title"]
    batch = manager.post(f"/api/v1/salespoints/{point}/movements/batch", headers={"x-csrftoken": manager.csrf()},
                         json={"movements": [{"product_id": product, "kind": "sale", "quantity": 2, "lot_code": "L1",
                                              "idempotency_key": unique("b")},
                                             {"product_id": product, "kind": "sale", "quantity": 1,
                                              "idempotency_key": unique("b")}]})
    assert batch.status_code == 409
    assert "(L1: 3, L2: 3)" in batch.json()["title"]  # as the batch had left them when it was refused
    manager.cookies.set("lang", "vi")
    assert "chọn một lô (L1: 5, L2: 3)" in move(manager, point, product, "sale", 1).json()["title"]
    assert _balance(manager, point, product) == 8


def test_fifty_concurrent_sales_of_the_last_ten_units_sell_exactly_ten(shop):
    point, product, manager = shop["point"], shop["products"][0], shop["manager"]
    assert move(manager, point, product, "receipt", 10).status_code == 201
    with ThreadPoolExecutor(max_workers=16) as pool:
        codes = list(pool.map(lambda _: move(manager, point, product, "sale", 1).status_code, range(50)))
    assert codes.count(201) == 10 and codes.count(409) == 40
    assert _balance(manager, point, product) == 0
    assert _movement_count(point) == 11


def test_a_retried_request_with_the_same_idempotency_key_takes_effect_once(shop):
    point, product, manager = shop["point"], shop["products"][0], shop["manager"]
    key = unique("sale-")
    assert move(manager, point, product, "receipt", 5).status_code == 201
    first = move(manager, point, product, "sale", 2, key=key)
    with ThreadPoolExecutor(max_workers=4) as pool:
        retries = list(pool.map(lambda _: move(manager, point, product, "sale", 2, key=key), range(4)))
    assert first.status_code == 201 and not first.json()["replayed"]
    assert all(r.status_code == 201 and r.json()["replayed"] for r in retries)
    assert {r.json()["movement_ids"][0] for r in retries} == {first.json()["movement_ids"][0]}
    assert _balance(manager, point, product) == 3


def test_a_batch_with_one_bad_line_writes_nothing_and_names_the_line(shop):
    point, (first, second), manager = shop["point"], shop["products"], shop["manager"]
    lines = [{"product_id": first, "kind": "receipt", "quantity": 10, "idempotency_key": unique()} for _ in range(5)]
    lines[3] = {"product_id": second, "kind": "sale", "quantity": 0, "idempotency_key": unique()}
    response = manager.api("POST", f"/api/v1/salespoints/{point}/movements/batch", {"movements": lines})
    assert response.status_code == 422
    assert "movements[4].quantity" in response.json()["errors"]
    assert _movement_count(point) == 0
    lines[3] = {"product_id": second, "kind": "receipt", "quantity": 1, "idempotency_key": unique()}
    lines.append({"product_id": second, "kind": "sale", "quantity": 5, "idempotency_key": unique()})  # more than on hand
    refused = manager.api("POST", f"/api/v1/salespoints/{point}/movements/batch", {"movements": lines})
    assert refused.status_code == 409 and _movement_count(point) == 0
    lines.pop()
    accepted = manager.api("POST", f"/api/v1/salespoints/{point}/movements/batch", {"movements": lines})
    assert accepted.status_code == 201 and len(accepted.json()["movement_ids"]) == 5
    again = manager.api("POST", f"/api/v1/salespoints/{point}/movements/batch", {"movements": lines})  # offline re-sync
    assert again.status_code == 201 and again.json()["replayed"]
    assert _movement_count(point) == 5 and _balance(manager, point, first) == 40


def test_transfer_moves_stock_between_points_atomically(shop, login):
    point, product, organizer, manager = shop["point"], shop["products"][0], shop["organizer"], shop["manager"]
    other = make_point(organizer)
    carry(organizer, other, product)
    assert move(manager, point, product, "receipt", 6).status_code == 201
    same = manager.api("POST", f"/api/v1/salespoints/{point}/transfers", {"to_point_id": point, "product_id": product, "quantity": 1})
    assert same.status_code == 422 and "to_point_id" in same.json()["errors"]
    too_many = manager.api("POST", f"/api/v1/salespoints/{point}/transfers", {"to_point_id": other, "product_id": product, "quantity": 7})
    assert too_many.status_code == 409
    assert _balance(manager, other, product) == 0
    done = manager.api("POST", f"/api/v1/salespoints/{point}/transfers", {"to_point_id": other, "product_id": product, "quantity": 4})
    assert done.status_code == 201, done.text
    assert _balance(manager, point, product) == 2 and _balance(manager, other, product) == 4


def test_managers_write_only_at_their_points_and_viewers_nowhere(shop, login):
    point, product, organizer = shop["point"], shop["products"][0], shop["organizer"]
    elsewhere = make_point(organizer)
    carry(organizer, elsewhere, product)
    manager = shop["manager"]
    assert move(manager, elsewhere, product, "receipt", 1).status_code == 403
    assert move(login("viewer"), point, product, "receipt", 1).status_code == 403
    assert move(login("producer"), point, product, "receipt", 1).status_code == 403
    assert manager.api("POST", "/api/v1/salespoints", {"name": "x", "province_code": "hue"}).status_code == 403
    assert _movement_count(elsewhere) == 0


def test_products_outside_the_policy_or_assortment_are_refused(shop, producer_id):
    point, organizer, manager = shop["point"], shop["organizer"], shop["manager"]
    expired = make_product(organizer, producer_id, certified_on="2020-01-01")
    carry(organizer, point, expired)
    response = move(manager, point, expired, "receipt", 3)
    assert response.status_code == 422 and "product_id" in response.json()["errors"]
    stranger = make_product(organizer, producer_id)
    assert move(manager, point, stranger, "receipt", 3).status_code == 422
    past_lot = move(manager, point, shop["products"][0], "receipt", 3, lot_expiry="2020-01-01")
    assert past_lot.status_code == 422 and "lot_expiry" in past_lot.json()["errors"]
    negative = move(manager, point, shop["products"][0], "sale", -3)
    assert negative.status_code == 422
    assert _movement_count(point) == 0


def test_the_point_page_records_a_sale_from_its_form_once_even_when_submitted_twice(shop):
    point, product, manager = shop["point"], shop["products"][0], shop["manager"]
    assert move(manager, point, product, "receipt", 3).status_code == 201
    page = manager.get(f"/salespoints/{point}")
    assert page.status_code == 200
    import re

    key = re.search(r'name="idempotency_key" value="(\w+)"', page.text).group(1)
    form = {"product_id": str(product), "kind": "sale", "quantity": "1", "idempotency_key": key}
    assert manager.form(f"/salespoints/{point}/movements", form).status_code == 302
    assert manager.form(f"/salespoints/{point}/movements", form).status_code == 302
    assert _balance(manager, point, product) == 2
    oversell = manager.form(f"/salespoints/{point}/movements", {**form, "quantity": "9", "idempotency_key": unique()})
    assert oversell.status_code == 409 and 'id="e-quantity"' in oversell.text


def test_a_decimal_quantity_typed_in_a_form_is_refused_not_read_as_ten_times_more(shop):
    point, product, manager = shop["point"], shop["products"][0], shop["manager"]
    form = {"product_id": str(product), "kind": "receipt"}

    def typed(quantity: str):
        return manager.form(f"/salespoints/{point}/movements", {**form, "quantity": quantity, "idempotency_key": unique()})

    # Vietnamese: the comma is the decimal mark, the dot groups thousands
    manager.cookies.set("lang", "vi")
    for decimal in ("1,5", "0,250", "1.5", "2.50", "1,500"):
        refused = typed(decimal)
        assert refused.status_code == 422 and 'id="e-quantity"' in refused.text, decimal
    assert _movement_count(point) == 0
    assert typed("1.500").status_code == 302 and typed("1 500").status_code == 302
    # English: the other way round
    manager.cookies.set("lang", "en")
    assert typed("1.500").status_code == 422
    assert typed("1,500").status_code == 302
    assert _balance(manager, point, product) == 4500


def test_stock_as_of_a_past_moment_sums_the_ledger_up_to_it(shop):
    point, product, manager = shop["point"], shop["products"][0], shop["manager"]
    assert move(manager, point, product, "receipt", 9, happened_at="2025-12-01T08:00:00+07:00").status_code == 201
    assert move(manager, point, product, "sale", 4, happened_at="2026-01-10T08:00:00+07:00").status_code == 201
    def stock(moment):
        rows = manager.get(f"/api/v1/salespoints/{point}/stock", params={"as_of": moment}).json()
        return sum(r["quantity"] for r in rows if r["product_id"] == product)
    assert stock("2025-11-30T00:00:00") == 0
    assert stock("2025-12-31T00:00:00") == 9
    assert stock("2026-02-01T00:00:00") == 5


def test_point_page_shows_compliance_expiring_lots_sales_and_exports(shop):
    import io

    from openpyxl import load_workbook

    point, product, manager = shop["point"], shop["products"][0], shop["manager"]
    soon = (vietnam_today() + dt.timedelta(days=10)).isoformat()
    assert move(manager, point, product, "receipt", 8, lot_code="SOON", lot_expiry=soon).status_code == 201
    assert move(manager, point, product, "sale", 3, lot_code="SOON").status_code == 201
    page = manager.get(f"/salespoints/{point}")
    assert page.status_code == 200
    # the movement form names each product with its producer: two producers may use the same name
    product_row = shop["organizer"].get(f"/api/v1/products/{product}").json()
    assert f'{product_row["name"]} · {product_row["producer_name"]}</option>' in page.text
    assert "100\u00a0%" in page.text and "SOON" in page.text and "300.000 ₫" in page.text
    sheet = load_workbook(io.BytesIO(manager.get(f"/salespoints/{point}/stock.xlsx").content)).active
    assert list(sheet.iter_rows(values_only=True))[1][4] == 5
    moves = list(load_workbook(io.BytesIO(manager.get(f"/salespoints/{point}/movements.xlsx").content)).active
                 .iter_rows(values_only=True))
    assert len(moves) == 3
    # the kinds in words, the times on Vietnam's clock (the sale was recorded just now)
    assert {row[4] for row in moves[1:]} == {"Nhập hàng", "Bán hàng"}
    recorded = max(row[1] for row in moves[1:])
    vietnam_now = dt.datetime.now(dt.UTC).astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).replace(tzinfo=None)
    assert abs((vietnam_now - recorded).total_seconds()) < 600


def test_idempotency_keys_belong_to_their_point_and_user(shop, login):
    point, product, manager, organizer = shop["point"], shop["products"][0], shop["manager"], shop["organizer"]
    assert move(manager, point, product, "receipt", 5).status_code == 201
    first = move(manager, point, product, "sale", 1, key="same-key")
    other = move(organizer, point, product, "sale", 1, key="same-key")  # another user's key space
    assert first.status_code == other.status_code == 201
    assert not other.json()["replayed"] and other.json()["movement_ids"] != first.json()["movement_ids"]
    assert _balance(manager, point, product) == 3


def test_out_of_range_and_malformed_values_are_4xx_not_500(shop):
    point, product, manager = shop["point"], shop["products"][0], shop["manager"]
    assert move(manager, 10**12, product, "receipt", 1).status_code == 404
    assert move(manager, point, 10**12, "receipt", 1).status_code == 422
    assert move(manager, point, product, "receipt", 1, unit_price=10**15).status_code == 422
    assert move(manager, point, product, "receipt", 1, lot_code="a\x00b").status_code == 422
    assert move(manager, point, product, "receipt", 1, happened_at="0001-01-01T00:00:00+07:00").status_code == 422
    assert manager.get(f"/api/v1/salespoints/{point}/stock", params={"as_of": "0001-01-01T00:00:00"}).status_code == 200
    huge = manager.api("POST", f"/api/v1/salespoints/{point}/transfers", {"to_point_id": 10**12, "product_id": product, "quantity": 1})
    assert huge.status_code == 422
    assert _movement_count(point) == 0


def test_history_filters_sales_by_product_and_the_overview(shop):
    point, (first, second), manager = shop["point"], shop["products"], shop["manager"]
    for product, quantity in ((first, 9), (second, 4)):
        assert move(manager, point, product, "receipt", quantity).status_code == 201
    assert move(manager, point, first, "sale", 3).status_code == 201
    assert move(manager, point, second, "sale", 1).status_code == 201
    sales_only = manager.get(f"/api/v1/salespoints/{point}/movements", params={"kind": "sale"}).json()
    assert [m["quantity"] for m in sales_only] == [-1, -3]

    today = vietnam_today().isoformat()
    year_ago = (vietnam_today() - dt.timedelta(days=300)).isoformat()
    best = manager.get(f"/api/v1/salespoints/{point}/sales", params={"since": year_ago, "until": today}).json()
    assert isinstance(best, list), best
    assert [(r["product_id"], r["units"], r["revenue"]) for r in best] == [(first, 3, 300_000), (second, 1, 100_000)]
    assert manager.get(f"/api/v1/salespoints/{point}/sales", params={"since": today, "until": "2020-01-01"}).status_code == 422
    overview = manager.get("/salespoints/")
    import re

    row = re.search(rf'href="/salespoints/{point}".*?</tr>', overview.text, re.S).group(0)
    assert "900.000 ₫" in row  # 6 + 3 units on hand at 100.000 ₫


def test_a_correction_references_a_movement_of_the_same_point(shop):
    point, product, manager = shop["point"], shop["products"][0], shop["manager"]
    receipt = move(manager, point, product, "receipt", 5)
    wrong = receipt.json()["movement_ids"][0]
    fixed = move(manager, point, product, "adjustment", -1, corrects=wrong, note="counted one too many")
    assert fixed.status_code == 201
    history = manager.get(f"/api/v1/salespoints/{point}/movements").json()
    assert history[0]["corrects"] == wrong and history[1]["quantity"] == 5  # the original stays as it was
    assert move(manager, point, product, "adjustment", 1, corrects=10**9).status_code == 422


def test_the_point_page_transfers_stock_to_another_point(shop):
    point, product, organizer, manager = shop["point"], shop["products"][0], shop["organizer"], shop["manager"]
    other = make_point(organizer)
    carry(organizer, other, product)
    assert move(manager, point, product, "receipt", 4).status_code == 201
    form = {"to_point_id": str(other), "product_id": str(product), "quantity": "3", "lot_code": "", "idempotency_key": unique()}
    assert manager.form(f"/salespoints/{point}/transfers", form).status_code == 302
    assert manager.form(f"/salespoints/{point}/transfers", form).status_code == 302  # double submit: once
    assert _balance(manager, point, product) == 1 and _balance(manager, other, product) == 3
    refused = manager.form(f"/salespoints/{point}/transfers", {**form, "idempotency_key": unique(), "quantity": "9"})
    assert refused.status_code == 409


def test_low_stock_lists_sold_out_and_never_received_products(shop):
    from salespoints.services import low_stock
    from tests.conftest import run
    from tests.salespoints.conftest import carry

    point, (first, second), manager, organizer = shop["point"], shop["products"], shop["manager"], shop["organizer"]
    carry(organizer, point, first, threshold=2)
    carry(organizer, point, second, threshold=2)
    assert move(manager, point, first, "receipt", 5, lot_code="L1").status_code == 201
    assert move(manager, point, first, "receipt", 1, lot_code="L2").status_code == 201
    assert {(b.product_id, b.quantity) for b in run(low_stock(point))} == {(second, 0)}  # never received
    assert move(manager, point, first, "sale", 5, lot_code="L1").status_code == 201
    assert move(manager, point, first, "sale", 1, lot_code="L2").status_code == 201
    low = run(low_stock(point))
    assert {(b.product_id, b.quantity) for b in low} == {(first, 0), (second, 0)}  # sold out, all lots together
    page = manager.get(f"/salespoints/{point}")
    assert page.status_code == 200 and all(b.product_name in page.text for b in low)
