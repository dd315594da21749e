"""In real Chromium: a booth's edit form comes when its "Edit" is opened, and saving it changes the booth."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.fairs.conftest import make_fair, organizer  # noqa: F401  (fixtures shared with the fair tests)


def test_an_organizer_opens_a_booth_and_saves_it(page, organizer, make_fair, shot, sign_in):  # noqa: F811
    fair_id, _ = make_fair(rows=1, columns=3)
    booth = organizer.get(f"/api/v1/fairs/{fair_id}/plan").json()["booths"][1]
    sign_in(page, "organizer", f"/fairs/{fair_id}/plan")
    row = page.locator(f"#booth-{booth['id']}")
    expect(row.locator(f"#b{booth['id']}-f-price")).to_have_count(0)  # not sent with the page
    row.locator("details.booth-edit summary").click()
    price = row.locator(f"#b{booth['id']}-f-price")
    expect(price).to_be_visible()
    shot(page, "floor-plan-booth-edit")
    price.fill("1500000")
    with page.expect_navigation(url=f"**/fairs/{fair_id}/plan"):
        row.locator(f"form[action='/fairs/{fair_id}/booths/{booth['id']}'] button[type=submit]").click()
    after = next(b for b in organizer.get(f"/api/v1/fairs/{fair_id}/plan").json()["booths"] if b["id"] == booth["id"])
    assert after["price"] == 1_500_000
