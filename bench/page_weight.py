"""What a phone on a slow network pays for the two pages people open most: the product page behind a QR
stamp (anonymous) and the sales-point counter (the demo manager).

    python bench/page_weight.py [--runs 5]

The demo programme in a fresh SQLite database, served by uvicorn; Chromium (Debian's) through Playwright,
the network throttled by DevTools to 400 ms latency and 400 kbit/s each way, the cache off (a first visit).
For each page: bytes transferred (the HTTP bodies as sent, headers included) and the time to the load
event, median of the runs, once as the browser asks (brotli or gzip) and once asking for no compression,
in the same run. Prints a table, then one JSON line of the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sqlite3
import statistics
import subprocess
import sys

import harness

WORKDIR = harness.scratch("ocop-weight-", database=None)
CHROMIUM = os.environ.get("OCOP_CHROMIUM", "/usr/bin/chromium")
SLOW = {"offline": False, "latency": 400, "downloadThroughput": 400_000 / 8, "uploadThroughput": 400_000 / 8}
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


async def prepare(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    from ocop.demo import load_demo

    async with harness.fresh_database():
        await load_demo()


def measure(browser, base: str, path: str, login: tuple[str, str] | None, compressed: bool) -> dict:
    context = browser.new_context(**PHONE)
    try:
        page = context.new_page()
        if login:
            page.goto(f"{base}/login?next=/")
            page.fill("#f-username", login[0])
            page.fill("#f-password", login[1])
            page.click("button[type=submit].button")
            page.wait_for_url(f"{base}/")
        session = context.new_cdp_session(page)
        session.send("Network.enable")
        session.send("Network.setCacheDisabled", {"cacheDisabled": True})
        session.send("Network.emulateNetworkConditions", SLOW)
        if not compressed:
            session.send("Network.setExtraHTTPHeaders", {"headers": {"Accept-Encoding": "identity"}})
        sent: list[int] = []
        session.on("Network.loadingFinished", lambda event: sent.append(int(event["encodedDataLength"])))
        response = page.goto(f"{base}{path}", wait_until="load")
        assert response is not None and response.status == 200, path
        load_ms = page.evaluate("() => performance.getEntriesByType('navigation')[0].loadEventEnd")
        page.wait_for_timeout(200)  # the last loadingFinished events
        return {"bytes": sum(sent), "load_ms": load_ms, "requests": len(sent)}
    finally:
        context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--prepare", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare:
        asyncio.run(prepare(args.prepare))
        return
    url = f"sqlite:///{WORKDIR / 'weight.db'}"
    subprocess.run([sys.executable, __file__, "--prepare", url], check=True, stdout=subprocess.DEVNULL)
    from playwright.sync_api import sync_playwright

    with sqlite3.connect(WORKDIR / "weight.db") as connection:  # a product with photos, and one without
        (code,) = connection.execute("SELECT code FROM product WHERE id = (SELECT MIN(product) FROM product_photo)").fetchone()
        (bare,) = connection.execute("SELECT MIN(code) FROM product WHERE stars >= 3 AND id NOT IN "
                                     "(SELECT product FROM product_photo)").fetchone()
    process, base = harness.start_server("ocop.asgi:app", WORKDIR, {"DATABASE_URL": url, "OCOP_SCHEDULER_IN_WEB": "0"})
    try:
        manager = harness.log_in(base, "manager", "ocop-manager-demo")[0]
        point = manager.get("/api/v1/salespoints").json()[0]["id"]
        pages = {"product": (f"/p/{code}", None), "product_no_photo": (f"/p/{bare}", None), "counter": (f"/salespoints/{point}/counter", ("manager", "ocop-manager-demo"))}
        figures: dict = {}
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
                "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--disable-quic"])
            print(f"slow network: {SLOW['latency']} ms, {SLOW['downloadThroughput'] * 8 / 1000:.0f} kbit/s; "
                  f"cache off; median of {args.runs} runs")
            print(f"{'page':<17} {'responses':<12} {'requests':>8} {'bytes':>9} {'load event':>11}")
            for name, (path, login) in pages.items():
                for compressed in (False, True):
                    runs = [measure(browser, base, path, login, compressed) for _ in range(args.runs)]
                    label = "compressed" if compressed else "identity"
                    size = statistics.median(r["bytes"] for r in runs)
                    load = statistics.median(r["load_ms"] for r in runs)
                    print(f"{name:<17} {label:<12} {runs[0]['requests']:>8} {size:>9,.0f} {load:>8,.0f} ms")
                    figures[f"{name}_{label}_bytes"] = round(size)
                    figures[f"{name}_{label}_load_ms"] = round(load)
            browser.close()
    finally:
        harness.stop(process)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
