"""The dispatcher against a real SMTP server on 127.0.0.1: each due notification is delivered once,
not before it is due, as a text and HTML email in its recipient's language; what cannot be rendered
fails alone; refusals and timeouts are retried with backoff and end as failed with the server's
answer; the admin's retry sends a failed one again."""

from __future__ import annotations

import datetime as dt
import threading

from tests.conftest import run, unique
from tests.scheduler.conftest import db, dispatch, make_user, real_now

DUE_ON = "2091-12-01"


def milestone_data(code: str = "") -> dict:
    return {"agreement_id": 7, "code": code or unique("BB-"), "buyer": "Siêu thị Xanh", "milestone": "Giao đợt 1",
            "due_on": DUE_ON, "days": 7}


def enqueue(key: str, recipient: int | None, template: str = "milestone_due", data: dict | None = None, **options) -> None:
    from core.outbox import enqueue_notification

    assert db(enqueue_notification, key, recipient, template, milestone_data() if data is None else data, **options)


def row(key: str) -> dict:
    from core.tables import Notification

    async def get():
        return await Notification.select().where(Notification.key == key).first()

    return db(get)


def test_each_due_notification_is_delivered_once_and_not_before_it_is_due(outbox, clock):
    user = db(make_user, "producer")
    keys = [unique("dispatch:once:") for _ in range(5)]
    for key in keys:
        enqueue(key, user["id"])
    later = unique("dispatch:later:")
    enqueue(later, user["id"], due_at=real_now() + dt.timedelta(hours=1))
    clock.set_now(real_now())

    dispatch()
    received = outbox.to(user["email"])
    assert len(received) == 5
    assert {r.message_id for r in received} == {row(key)["message_id"] for key in keys}  # five distinct ids
    assert all(row(key)["status"] == "sent" and row(key)["sent_at"] for key in keys)
    assert row(later)["status"] == "pending"

    dispatch()  # nothing is sent twice
    clock.set_now(clock.now() + dt.timedelta(minutes=59))
    dispatch()  # nor before its time
    assert len(outbox.to(user["email"])) == 5 and row(later)["status"] == "pending"

    clock.set_now(clock.now() + dt.timedelta(minutes=1, seconds=1))
    dispatch()
    received = outbox.to(user["email"])
    assert len(received) == 6 and len({r.message_id for r in received}) == 6
    assert row(later)["status"] == "sent" and row(later)["attempts"] == 1


def test_the_email_has_a_text_and_an_html_part_in_the_recipients_language(outbox, clock):
    from core import i18n

    people = {language: db(make_user, "producer", language) for language in ("vi", "en")}
    code = unique("BB-")
    for language, user in people.items():
        enqueue(unique(f"dispatch:lang:{language}:"), user["id"], data=milestone_data(code))
    clock.set_now(real_now())
    dispatch()

    subjects = {}
    for language, user in people.items():
        (received,) = outbox.to(user["email"])
        message = received.message
        assert message.get_content_type() == "multipart/alternative"
        assert [part.get_content_type() for part in message.iter_parts()] == ["text/plain", "text/html"]
        plain, html = (part.get_content() for part in message.iter_parts())
        catalogue = i18n.translations(language)
        sentence = catalogue.gettext("Agreement %(code)s with %(buyer)s: “%(milestone)s” is due on %(day)s, in %(n)s days.") % {
            "code": code, "buyer": "Siêu thị Xanh", "milestone": "Giao đợt 1", "day": "01/12/2091", "n": 7}
        assert sentence in plain and "<html" not in plain
        assert f'<html lang="{language}">' in html
        assert catalogue.gettext("Sent by the OCOP trade-fair and sales-point system. You receive it because of your "
                                 "role in the programme.") in html
        subjects[language] = message["Subject"]
        assert subjects[language] == catalogue.gettext("Agreement %(code)s: “%(milestone)s” due on %(day)s") % {
            "code": code, "milestone": "Giao đợt 1", "day": "01/12/2091"}
        assert received.message_id == row_of(user["id"])["message_id"]
    # Vietnamese differs from English exactly where the catalogue translates the subject.
    translated = i18n.translations("vi").gettext("Agreement %(code)s: “%(milestone)s” due on %(day)s") != (
        "Agreement %(code)s: “%(milestone)s” due on %(day)s")
    assert (subjects["vi"] != subjects["en"]) == translated


def test_a_translated_phrase_reads_in_vietnamese_for_a_vietnamese_reader_and_in_english_for_an_english_one(
        outbox, clock):
    from core import i18n

    vietnamese = i18n.translations("vi").gettext("Low stock")
    assert vietnamese != "Low stock"  # the catalogue translates it
    data = {"point_id": 3, "point": "Điểm OCOP Hoàn Kiếm", "day": "2091-12-01",
            "low": [{"product": "Mật ong Ba Vì", "quantity": 2, "threshold": 5}], "expiring": []}
    people = {language: db(make_user, "salespoint_manager", language) for language in ("vi", "en")}
    for language, user in people.items():
        enqueue(unique(f"dispatch:digest:{language}:"), user["id"], template="salespoint_digest", data=data)
    clock.set_now(real_now())
    dispatch()

    parts = {}
    for language, user in people.items():
        (received,) = outbox.to(user["email"])
        parts[language] = [part.get_content() for part in received.message.iter_parts()]
    assert all(vietnamese in part and "Low stock" not in part for part in parts["vi"])
    assert all("Low stock" in part and vietnamese not in part for part in parts["en"])
    # no lot is expiring: the digest has no empty heading for them
    assert all("Lots expiring" not in part for part in parts["en"])


def test_the_date_header_is_vietnams_time_with_its_offset(outbox, clock):
    import email.utils

    user = db(make_user, "producer")
    enqueue(unique("dispatch:date:"), user["id"])
    moment = (real_now() + dt.timedelta(seconds=2)).replace(microsecond=0)  # whole seconds, once it is due
    clock.set_now(moment)
    dispatch()

    (received,) = outbox.to(user["email"])
    date = str(received.message["Date"])
    assert date.endswith(" +0700")  # not -0000, "zone unknown"
    assert email.utils.parsedate_to_datetime(date) == moment
    assert email.utils.parsedate_to_datetime(date).hour == (moment + dt.timedelta(hours=7)).hour


def test_names_read_as_written_in_the_subject_and_the_plain_part_and_are_escaped_in_the_html(outbox, clock):
    user = db(make_user, "producer")
    data = {**milestone_data("BB-1"), "buyer": "Big C & Co", "milestone": "Giao 'đợt 1' <50 thùng>"}
    enqueue(unique("dispatch:escape:"), user["id"], data=data)
    clock.set_now(real_now())
    dispatch()

    (received,) = outbox.to(user["email"])
    plain, html = (part.get_content() for part in received.message.iter_parts())
    assert "“Giao 'đợt 1' <50 thùng>”" in received.message["Subject"]
    assert "Big C & Co: “Giao 'đợt 1' <50 thùng>”" in plain and "&amp;" not in plain
    assert "Big C &amp; Co" in html and "&lt;50 thùng&gt;" in html and "<50" not in html


def row_of(recipient: int) -> dict:
    from core.tables import Notification

    async def get():
        return await Notification.select().where(Notification.recipient == recipient).first()

    return db(get)


def test_a_recipient_without_an_email_is_served_in_the_inbox_only_with_a_note(outbox, clock):
    from accounts.tables import User

    user = db(make_user, "producer")
    run(User.update({User.email: ""}).where(User.id == user["id"]))
    no_address, in_app, buyer = unique("dispatch:noemail:"), unique("dispatch:inapp:"), unique("dispatch:buyer:")
    enqueue(no_address, user["id"])
    enqueue(in_app, user["id"], channel="inapp")
    enqueue(buyer, None, email="")
    clock.set_now(real_now())
    dispatch()

    for key in (no_address, buyer):
        assert (row(key)["status"], row(key)["error"]) == ("sent", "no email address: in-app only")
    assert (row(in_app)["status"], row(in_app)["error"]) == ("sent", "")
    ids = {row(key)["message_id"] for key in (no_address, in_app, buyer)}
    assert not [r for r in outbox.received if r.message_id in ids]


def test_a_notification_that_cannot_be_rendered_fails_alone_with_the_error(outbox, clock):
    user = db(make_user, "producer")
    good = [unique("dispatch:good:") for _ in range(3)]
    missing_template, missing_value = unique("dispatch:notemplate:"), unique("dispatch:novalue:")
    enqueue(good[0], user["id"])
    enqueue(missing_template, user["id"], template="no_such_template")
    enqueue(good[1], user["id"])
    enqueue(missing_value, user["id"], data={k: v for k, v in milestone_data().items() if k != "code"})
    enqueue(good[2], user["id"])
    clock.set_now(real_now())
    result = dispatch()

    assert result.failed >= 2
    assert row(missing_template)["status"] == "failed" and "no_such_template" in row(missing_template)["error"]
    assert row(missing_value)["status"] == "failed" and "code" in row(missing_value)["error"]
    assert all(row(key)["error"].startswith("template:") for key in (missing_template, missing_value))
    assert [row(key)["status"] for key in good] == ["sent"] * 3
    assert {r.message_id for r in outbox.to(user["email"])} == {row(key)["message_id"] for key in good}
    dispatch()  # a failed one stays failed
    assert row(missing_template)["status"] == "failed" and len(outbox.to(user["email"])) == 3


def test_a_refusing_server_means_retries_with_backoff_then_failed_with_its_answer_and_the_admin_retry_sends_it(
        outbox, mailer, clock):
    from scheduler.dispatcher import retry

    mailer(send_attempts=3)
    user = db(make_user, "producer")
    key = unique("dispatch:refused:")
    enqueue(key, user["id"])
    outbox.reply = "554 5.7.1 Refused by the test server"
    start = real_now()
    clock.set_now(start)

    dispatch()
    first = row(key)
    assert (first["status"], first["attempts"]) == ("pending", 1)
    assert "554" in first["error"] and "Refused by the test server" in first["error"]
    assert first["due_at"] == start + dt.timedelta(minutes=1)
    assert outbox.refused == 1
    dispatch()  # not again before the backoff
    assert outbox.refused == 1

    clock.set_now(start + dt.timedelta(minutes=1))
    dispatch()
    second = row(key)
    assert (second["status"], second["attempts"]) == ("pending", 2)
    assert second["due_at"] == start + dt.timedelta(minutes=6)  # a longer wait after the second refusal

    clock.set_now(start + dt.timedelta(minutes=6))
    dispatch()
    failed = row(key)
    assert (failed["status"], failed["attempts"]) == ("failed", 3)
    assert "554" in failed["error"] and "Refused by the test server" in failed["error"]
    clock.set_now(start + dt.timedelta(hours=5))
    dispatch()
    assert outbox.refused == 3 and not outbox.to(user["email"])

    outbox.reply = None  # the server accepts again, and the admin retries
    db(retry, failed["id"])
    again = row(key)
    assert (again["status"], again["attempts"], again["error"]) == ("pending", 0, "")
    assert again["message_id"] == failed["message_id"]
    dispatch()
    assert row(key)["status"] == "sent"
    assert [r.message_id for r in outbox.to(user["email"])] == [failed["message_id"]]


def test_a_server_that_does_not_answer_in_time_means_retries_then_failed(outbox, mailer, clock):
    mailer(send_attempts=2, smtp_timeout=0.4)
    outbox.delay = 1.5
    user = db(make_user, "producer")
    key = unique("dispatch:timeout:")
    enqueue(key, user["id"])
    start = real_now()
    clock.set_now(start)

    dispatch()
    first = row(key)
    assert (first["status"], first["attempts"]) == ("pending", 1)
    assert "timed out" in first["error"].lower() and first["due_at"] == start + dt.timedelta(minutes=1)

    clock.set_now(start + dt.timedelta(minutes=1))
    dispatch()
    failed = row(key)
    assert (failed["status"], failed["attempts"]) == ("failed", 2) and "timed out" in failed["error"].lower()


def test_two_dispatchers_at_once_deliver_each_notification_once(outbox, clock):
    from scheduler.dispatcher import dispatch_all

    outbox.delay = 0.01
    keys = [unique("dispatch:pair:") for _ in range(60)]
    for number, key in enumerate(keys):
        enqueue(key, None, email=f"pair-{number}-{key[-10:]}@buyer.test")
    clock.set_now(real_now())
    results = {}

    def worker(name: str) -> None:
        results[name] = run(dispatch_all(name))

    threads = [threading.Thread(target=worker, args=(f"pair-{n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    expected = {row(key)["message_id"] for key in keys}
    received = [r.message_id for r in outbox.received if r.message_id in expected]
    assert len(received) == len(set(received)) == len(keys)
    assert all(row(key)["status"] == "sent" for key in keys)
    assert sum(result.sent for result in results.values()) == len(keys)
