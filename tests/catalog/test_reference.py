"""OCOP reference data and the pure rules built on it."""

from __future__ import annotations

import datetime as dt
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from catalog import reference
from core.forms import parse_date


def test_reference_data_has_the_2025_provinces_and_the_six_groups():
    provinces = reference.provinces()
    assert len(provinces) == 34
    assert {"ha-noi", "ho-chi-minh", "hue"} <= set(provinces)
    assert "Hà Giang" in provinces["tuyen-quang"].merged_from
    assert [g.code for g in reference.rules().groups] == ["food", "beverages", "herbal", "handicrafts", "ornamental", "tourism"]
    assert reference.rules().current_decision == "148/QĐ-TTg"


@given(st.integers(min_value=0, max_value=100))
def test_stars_follow_the_score_bands(score):
    stars = reference.stars_for_score(score)
    expected = 5 if score >= 90 else 4 if score >= 70 else 3 if score >= 50 else 2 if score >= 30 else 1
    assert stars == expected


@given(st.integers(min_value=0, max_value=99))
def test_a_higher_score_never_earns_fewer_stars(score):
    assert reference.stars_for_score(score + 1) >= reference.stars_for_score(score)


@given(st.dates(min_value=dt.date(2015, 1, 1), max_value=dt.date(2035, 12, 31)))
def test_certificates_last_36_months(certified_on):
    expiry = reference.default_expiry(certified_on)
    months = (expiry.year - certified_on.year) * 12 + expiry.month - certified_on.month
    assert months == 36 and expiry.day <= certified_on.day


def test_certificate_status_from_dates():
    today = dt.date(2026, 1, 1)
    assert reference.certificate_status(dt.date(2027, 1, 1), None, today) == "valid"
    assert reference.certificate_status(dt.date(2026, 2, 1), None, today) == "expiring"
    assert reference.certificate_status(dt.date(2025, 12, 31), None, today) == "expired"
    assert reference.certificate_status(dt.date(2027, 1, 1), dt.date(2025, 6, 1), today) == "withdrawn"


def test_fold_matches_how_vietnamese_users_type():
    assert reference.fold("Mật ong Ba Vì") == "mat ong ba vi"
    assert reference.fold("Đường phèn ĐẮK LẮK") == "duong phen dak lak"


@given(st.text())
def test_fold_strips_every_mark_and_is_idempotent(text):
    folded = reference.fold(text)
    assert reference.fold(folded) == folded
    assert not any(unicodedata.category(ch) == "Mn" for ch in folded)


@given(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 1, 1)))
def test_dates_parse_in_iso_and_vietnamese_order(day):
    assert parse_date(day.isoformat()) == day
    assert parse_date(day.strftime("%d/%m/%Y")) == day
