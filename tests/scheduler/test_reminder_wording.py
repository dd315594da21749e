"""Reminders count days as people do: "tomorrow" and "today" rather than "in 1 days", "1 day late"
in English, and the one Vietnamese form (ngày has no plural) for every count."""

from __future__ import annotations

import pytest

from core import i18n


def milestone(days: int) -> dict:
    return {"agreement_id": 7, "code": "BB-1", "buyer": "Siêu thị Xanh", "milestone": "Giao đợt 1",
            "due_on": "2091-12-01", "days": days, "days_late": days}


def certificate(days: int) -> dict:
    return {"certificate": "GCN-1", "product": "Mật ong Ba Vì", "expires_on": "2091-12-01", "days": days, "code": "P1"}


def sentences(template: str, data: dict, language: str) -> tuple[str, str]:
    """The reminder's first line in the plain part, and the HTML part."""
    from scheduler import mail

    rendered = mail.render(template, data, language)
    return rendered.text.splitlines()[0], rendered.html


@pytest.mark.parametrize(("template", "data"), [("milestone_due", milestone), ("milestone_overdue", milestone),
                                                ("certificate_expiring", certificate)])
def test_no_reminder_says_one_days_in_either_language(template, data):
    counts = (1, 2, 7, 30) if template == "milestone_overdue" else (0, 1, 2, 7, 30)  # late: one day at least
    for days in counts:
        for language in ("en", "vi"):
            text, html = sentences(template, data(days), language)
            assert " 1 days" not in text and " 1 days" not in html


def test_a_milestone_due_tomorrow_or_today_says_so():
    assert sentences("milestone_due", milestone(1), "en")[0].endswith("is due tomorrow, 01/12/2091.")
    assert sentences("milestone_due", milestone(0), "en")[0].endswith("is due today, 01/12/2091.")
    assert sentences("milestone_due", milestone(2), "en")[0].endswith("is due on 01/12/2091, in 2 days.")
    assert "ngày mai" in sentences("milestone_due", milestone(1), "vi")[0]
    assert "hôm nay" in sentences("milestone_due", milestone(0), "vi")[0]
    assert sentences("milestone_due", milestone(7), "vi")[0].endswith("đến hạn ngày 01/12/2091, còn 7 ngày.")


def test_a_milestone_one_day_late_reads_in_the_singular_and_vietnamese_has_one_form():
    assert sentences("milestone_overdue", milestone(1), "en")[0].endswith("is not met (1 day late).")
    assert sentences("milestone_overdue", milestone(3), "en")[0].endswith("is not met (3 days late).")
    assert sentences("milestone_overdue", milestone(1), "vi")[0].endswith("chưa hoàn thành (trễ 1 ngày).")
    assert sentences("milestone_overdue", milestone(3), "vi")[0].endswith("chưa hoàn thành (trễ 3 ngày).")


def test_a_certificate_expiring_tomorrow_or_in_days_reads_right():
    assert "expires tomorrow, 01/12/2091." in sentences("certificate_expiring", certificate(1), "en")[0]
    assert "expires today, 01/12/2091." in sentences("certificate_expiring", certificate(0), "en")[0]
    assert "expires on 01/12/2091, in 30 days." in sentences("certificate_expiring", certificate(30), "en")[0]
    assert "hết hiệu lực vào ngày mai" in sentences("certificate_expiring", certificate(1), "vi")[0]
    assert "còn 30 ngày" in sentences("certificate_expiring", certificate(30), "vi")[0]


def test_the_catalogue_compiled_at_start_carries_the_plural_entries():
    singular = "Agreement %(code)s with %(buyer)s: “%(milestone)s” was due on %(day)s and is not met (%(n)s day late)."
    plural = "Agreement %(code)s with %(buyer)s: “%(milestone)s” was due on %(day)s and is not met (%(n)s days late)."
    vietnamese = i18n.translations("vi")
    assert vietnamese.ngettext(singular, plural, 1) == vietnamese.ngettext(singular, plural, 5) != plural
    english = i18n.translations("en")
    assert (english.ngettext(singular, plural, 1), english.ngettext(singular, plural, 5)) == (singular, plural)
