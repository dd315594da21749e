"""The public page cache on its own: a page is reused only for the data version it was built from,
for at most a minute, and the cache keeps a bounded number of pages."""

from __future__ import annotations

import datetime as dt

from public_site import cache


def test_a_page_is_reused_for_its_version_only_and_for_a_minute_at_most(monkeypatch):
    pages = cache.PageCache()
    version = (10, 20, 30, dt.date(2026, 11, 23))
    built = cache.page(b"<p>mat ong</p>", 200, "vi")
    pages.put(("/p/x", "", "vi"), version, built)
    assert pages.get(("/p/x", "", "vi"), version) is built
    assert pages.get(("/p/x", "", "en"), version) is None  # each language its own page
    assert pages.get(("/p/x", "", "vi"), (11, 20, 30, dt.date(2026, 11, 23))) is None  # an audited edit
    assert pages.get(("/p/x", "", "vi"), (10, 21, 30, dt.date(2026, 11, 23))) is None  # a sale or receipt
    assert pages.get(("/p/x", "", "vi"), (10, 20, 30, dt.date(2026, 11, 24))) is None  # validity is worded by the day
    later = built.built + cache.PAGE_SECONDS + 1
    monkeypatch.setattr(cache.time, "monotonic", lambda: later)
    assert pages.get(("/p/x", "", "vi"), version) is None  # a write that left no audit row shows within a minute


def test_the_cache_keeps_the_most_recently_used_pages_within_its_bound(monkeypatch):
    monkeypatch.setattr(cache, "MAX_PAGES", 3)
    pages = cache.PageCache()
    version = (1, 1, 1, dt.date(2026, 11, 23))
    for name in "abc":
        pages.put((name,), version, cache.page(name.encode(), 200, "vi"))
    assert pages.get(("a",), version) is not None  # now the most recently used
    pages.put(("d",), version, cache.page(b"d", 200, "vi"))
    assert pages.get(("b",), version) is None
    assert [pages.get((n,), version) is not None for n in "acd"] == [True, True, True]


def test_the_tag_follows_the_content_and_the_language():
    assert cache.page(b"x", 200, "vi").etag == cache.page(b"x", 200, "vi").etag
    assert cache.page(b"x", 200, "vi").etag != cache.page(b"y", 200, "vi").etag
    assert cache.page(b"x", 200, "vi").etag != cache.page(b"x", 200, "en").etag
