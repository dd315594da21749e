"""In real Chromium: after the allocation run, an organizer moves an exhibitor to another booth on the floor plan."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.fairs.conftest import exhibitor, make_fair, move, organizer  # noqa: F401  (fixtures shared with the fair tests)


def booth_of(plan: dict, booth_id: int) -> dict:
    return next(b for b in plan["booths"] if b["id"] == booth_id)


def test_an_organizer_moves_an_exhibitor_on_the_floor_plan(page, organizer, make_fair, exhibitor, shot, sign_in):  # noqa: F811
    fair_id, zones = make_fair(rows=1, columns=6)
    move(organizer, fair_id, "open")
    for stars in (4, 5):
        producer, product = exhibitor(stars=stars)
        response = organizer.api("POST", f"/api/v1/fairs/{fair_id}/applications", {
            "producer_id": producer, "product_ids": [product], "booths_wanted": 1, "zone_preferences": [zones["A"]]})
        assert response.status_code == 201, response.text
        assert response.json()["status"] == "eligible"
    move(organizer, fair_id, "allocating")
    run = organizer.api("POST", f"/api/v1/fairs/{fair_id}/allocation")
    assert run.status_code == 201, run.text
    assert run.json()["placed"] == 2

    names = {a["id"]: a["producer_name"] for a in organizer.get(f"/api/v1/fairs/{fair_id}/applications").json()}
    plan = organizer.get(f"/api/v1/fairs/{fair_id}/plan").json()
    held = [b for b in plan["booths"] if b["application_id"]]
    assert len(held) == 2 and {b["state"] for b in held} == {"proposed"}
    source, other = held
    application = source["application_id"]
    target = next(b for b in plan["booths"] if b["state"] == "free" and b["zone_id"] == zones["A"] and b["kind"] == source["kind"])

    sign_in(page, "organizer", f"/fairs/{fair_id}/plan")
    booth = page.locator(f"#plan g.booth[data-booth='{source['id']}']")
    free = page.locator(f"#plan g.booth[data-booth='{target['id']}']")
    expect(booth).to_have_attribute("data-state", "proposed")
    expect(booth).to_have_attribute("data-application", str(application))
    expect(free).to_have_attribute("data-state", "free")
    booth.hover()  # the exhibitor's name shows on hover: the booth's <title>
    expect(booth.locator("title")).to_contain_text(names[application])
    expect(free.locator("title")).not_to_contain_text(names[application])
    shot(page, "floor-plan-1-allocated")

    booth.click()
    expect(booth).to_have_class(r"booth proposed selected")
    expect(page.locator("#plan-status")).to_contain_text(source["code"])
    with page.expect_navigation(url=f"**/fairs/{fair_id}/plan"):
        free.click()
    shot(page, "floor-plan-2-moved")

    expect(page.locator("p.error")).to_have_count(0)
    moved = page.locator(f"#plan g.booth[data-booth='{target['id']}']")
    left = page.locator(f"#plan g.booth[data-booth='{source['id']}']")
    expect(moved).to_have_attribute("data-state", "proposed")
    expect(moved).to_have_attribute("data-application", str(application))
    expect(moved.locator("title")).to_contain_text(names[application])
    expect(left).to_have_attribute("data-state", "free")
    expect(left).not_to_have_attribute("data-application", str(application))
    assert left.get_attribute("data-application") is None
    expect(left.locator("title")).not_to_contain_text(names[application])

    plan = organizer.get(f"/api/v1/fairs/{fair_id}/plan").json()
    assert booth_of(plan, target["id"])["application_id"] == application
    assert booth_of(plan, target["id"])["state"] == "proposed"
    assert booth_of(plan, target["id"])["exhibitor"] == names[application]
    assert booth_of(plan, target["id"])["locked"]  # a hand move is kept by a new allocation run
    assert booth_of(plan, source["id"])["application_id"] is None
    assert booth_of(plan, source["id"])["state"] == "free"
    assert booth_of(plan, other["id"])["application_id"] == other["application_id"]  # the other exhibitor stays put
    assert sum(1 for b in plan["booths"] if b["application_id"]) == 2
