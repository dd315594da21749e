"""Every user's inbox: the unread count the layout loads, the messages, marking them read."""

from __future__ import annotations

from tests.conftest import run, unique


def test_the_inbox_counts_lists_and_marks_read_a_users_notifications(login, users):
    from accounts.tables import User
    from core.outbox import enqueue_notification

    client = login("viewer")
    user = run(User.select(User.id).where(User.username == users["viewer"]).first())["id"]
    before = client.get("/inbox/count")
    assert before.status_code == 200
    code = unique("INBOX-")
    run(enqueue_notification(f"test:inbox:{code}", user, "milestone_due", {
        "code": code, "buyer": "Siêu thị", "milestone": "Giao đợt 1", "due_on": "2026-12-01", "days": 7, "agreement_id": 1}))
    count = client.get("/inbox/count")
    assert count.status_code == 200 and 'class="badge count"' in count.text
    page = client.get("/inbox/")
    assert page.status_code == 200 and code in page.text
    assert '<a href="/agreements/1">/agreements/1</a>' in page.text  # a link into this site, not to the mail address
    assert client.form("/inbox/read-all", {}).status_code == 302
    assert client.get("/inbox/count").text == ""
    assert login("admin").get("/notifications/").status_code == 200
    assert client.get("/notifications/").status_code in (302, 403)
