"""In real Chromium: an organizer opens a fair's outcome report preview; figures, charts and tables
render, and the page's CSP is not violated (the charts are SVG without inline styles, htmx injects no style)."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.reports.conftest import trade_week  # noqa: F401  (fixture shared with the report tests)


def test_an_organizer_previews_the_outcome_report(page, trade_week, shot, sign_in):  # noqa: F811
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None)
    fair = trade_week["fair"]
    sign_in(page, "organizer", f"/fairs/{fair}")
    page.goto(page.url.replace(f"/fairs/{fair}", f"/fairs/{fair}/reports/outcome"))
    expect(page.locator(".report-cover h1")).to_contain_text("Tuần hàng OCOP thử")
    expect(page.locator("#overview .report-figure")).to_have_count(7)
    expect(page.locator("svg.chart").first).to_be_visible()
    assert page.locator("svg.chart").count() >= 5
    expect(page.locator("#table-booth-list table tbody tr").first).to_be_visible()
    assert page.evaluate("getComputedStyle(document.querySelector('.report-figure')).borderTopWidth") == "3px"  # report.css applied
    shot(page, "report-preview")
    page.click("a.report-language:has-text('EN')")
    expect(page.locator(".report-toc")).to_contain_text("Visitors and sales")
    assert violations == []  # neither the layout (htmx's styles are off) nor the report's charts break the CSP
