"""The inbox and the notifications log fit a phone: long keys and addresses wrap inside the page
instead of widening it."""

from __future__ import annotations

from tests.conftest import run, unique


def test_the_inbox_and_the_notifications_log_fit_a_phone(page, users, sign_in, shot):
    from accounts.tables import User
    from core.outbox import enqueue_notification

    admin = run(User.select(User.id).where(User.username == users["admin"]).first())["id"]
    code = unique("BB-HN7-2026-LONG-CODE-")
    run(enqueue_notification(f"test:phone:{code}:{'x' * 80}", admin, "milestone_due", {
        "code": code, "buyer": "Công ty TNHH Thương mại Dịch vụ Xuất nhập khẩu Nông sản", "milestone": "Giao đợt 1",
        "due_on": "2026-12-01", "days": 7, "agreement_id": 123456789}))
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "admin", "/inbox/")
    for path in ("/inbox/", "/notifications/"):
        page.goto(page.url.split("/", 3)[0] + "//" + page.url.split("/", 3)[2] + path)
        assert code in page.content(), path
        width = page.evaluate("document.documentElement.scrollWidth")
        shot(page, "phone" + path.replace("/", "-").rstrip("-"))
        assert width <= 390, f"{path} scrolls sideways: {width} px"
