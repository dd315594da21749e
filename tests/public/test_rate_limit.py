"""The public pages are rate-limited per client address; staff pages, the API and static files are not."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
import time

import httpx

from public_site.throttle import TokenBuckets
from tests.conftest import PASSWORDS, ROOT, Client, _free_port, product_payload, unique


@contextlib.contextmanager
def limited_server(per_minute: int):
    """A second instance of the application on the same database, with its own public rate limit."""
    port = _free_port()
    log = tempfile.TemporaryFile()
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "ocop.asgi:app", "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        cwd=ROOT, env={**os.environ, "OCOP_PUBLIC_RATE_LIMIT": str(per_minute)},
        stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    log.seek(0)
                    raise RuntimeError(log.read().decode()) from None
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def test_the_request_over_the_limit_gets_429_with_retry_after_and_other_paths_are_unaffected(login, users, producer_id):
    product = login("organizer").api("POST", "/api/v1/products", product_payload(producer_id, name=unique("Nước mắm "))).json()
    with limited_server(5) as base, Client(base_url=base, timeout=30) as shopper, Client(base_url=base, timeout=30) as staff:
        assert [shopper.get(f"/p/{product['code']}").status_code for _ in range(5)] == [200] * 5
        refused = shopper.get(f"/p/{product['code']}")
        assert refused.status_code == 429
        assert 1 <= int(refused.headers["retry-after"]) <= 13  # one request every 12 s at 5 a minute
        assert "set-cookie" not in refused.headers and 'class="verdict' in refused.text  # the public page layout
        assert shopper.get("/catalogue").status_code == 429  # one allowance for all the public pages
        assert shopper.get("/open-data/products.json").status_code == 429

        # The same address on staff pages, the API, static files and health checks is not limited.
        assert shopper.get("/health").status_code == 200
        assert shopper.get("/static/css/app.css").status_code == 200
        assert staff.log_in(users["organizer"], PASSWORDS["organizer"]).status_code == 302
        for _ in range(3):
            assert staff.get("/catalog/products/").status_code == 200
            assert staff.get(f"/api/v1/products/{product['id']}").status_code == 200
            assert staff.get(f"/catalog/products/{product['id']}").status_code == 200


def test_the_default_server_does_not_throttle_ordinary_use(anonymous, login, producer_id):
    product = login("organizer").api("POST", "/api/v1/products", product_payload(producer_id, name=unique("Gạo "))).json()
    assert all(anonymous.get(f"/p/{product['code']}").status_code == 200 for _ in range(30))


def test_a_bucket_refills_at_the_rate_and_forgets_idle_clients():
    buckets = TokenBuckets(per_minute=60, max_clients=3)
    assert [buckets.take("a", now=100.0) for _ in range(60)] == [0.0] * 60
    wait = buckets.take("a", now=100.0)
    assert 0.9 < wait <= 1.0  # one token a second
    assert buckets.take("b", now=100.0) == 0.0  # another address has its own allowance
    assert buckets.take("a", now=101.01) == 0.0
    assert buckets.take("a", now=101.02) > 0
    for client in ("c", "d", "e"):
        buckets.take(client, now=500.0)  # long after: the idle buckets are full again and forgotten
    assert len(buckets._buckets) <= 3
