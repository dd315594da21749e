"""A server bound to anything but loopback is reached over a network: its cookies are Secure unless the
operator turns that off on purpose, and it refuses to start on a secret key nobody chose."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT


def _settings(**env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("OCOP_")}
    return subprocess.run([sys.executable, "-c", "from core.settings import settings; print(settings.secure_cookies)"],
                          cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=60)


KEY = "k" * 40


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "::"])
def test_a_network_address_means_secure_cookies_and_a_chosen_key(host, tmp_path):
    refused = _settings(OCOP_HOST=host, OCOP_SECRET_FILE="", OCOP_SECRET_KEY="")
    assert refused.returncode != 0 and "OCOP_SECRET_KEY" in refused.stderr
    assert _settings(OCOP_HOST=host, OCOP_SECRET_KEY=KEY).stdout.strip() == "True"
    opted_out = _settings(OCOP_HOST=host, OCOP_SECRET_KEY=KEY, OCOP_SECURE_COOKIES="0")  # plain HTTP on a LAN, on purpose
    assert opted_out.returncode == 0 and opted_out.stdout.strip() == "False"
    short = _settings(OCOP_HOST=host, OCOP_SECRET_KEY="short")
    assert short.returncode != 0 and "too short" in short.stderr


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1"])
def test_loopback_keeps_plain_cookies_and_a_generated_key(host, tmp_path):
    local = _settings(OCOP_HOST=host, OCOP_SECRET_FILE=str(tmp_path / "secret"))
    assert local.returncode == 0 and local.stdout.strip() == "False", local.stderr
    assert (tmp_path / "secret").read_text().strip()


SERVE_ONCE = """
from litestar.testing import TestClient
from ocop.app import create_app
with TestClient(create_app(), base_url="https://ocop.example.vn") as client:
    page = client.get("/login")
    print(page.status_code)
    for header in page.headers.get_list("set-cookie"):
        print(header)
"""


def test_under_https_the_cookies_carry_the_host_prefix(tmp_path):
    """__Host- cookies are kept by a browser only when Secure, for the whole site and this host alone: a
    neighbouring subdomain cannot plant a session or a CSRF token."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("OCOP_") and k != "DATABASE_URL"}
    env = {**clean, "OCOP_HOST": "0.0.0.0", "OCOP_SECRET_KEY": KEY, "DATABASE_URL": f"sqlite:///{tmp_path / 'ocop.db'}",
           "OCOP_SCHEDULER_IN_WEB": "0", "OCOP_UPLOADS_DIR": str(tmp_path / "uploads")}
    names = subprocess.run([sys.executable, "-c", "from core.settings import settings as s; print(s.session_cookie, s.csrf_cookie)"],
                           cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert names.stdout.split() == ["__Host-id", "__Host-ocop_csrftoken"], names.stderr
    served = subprocess.run([sys.executable, "-c", SERVE_ONCE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    lines = served.stdout.splitlines()
    assert lines and lines[0] == "200", served.stdout + served.stderr
    csrf = next(line for line in lines[1:] if line.startswith("__Host-ocop_csrftoken="))
    assert "Secure" in csrf and "Path=/" in csrf and "Domain" not in csrf


def test_the_raw_data_admin_is_handed_the_session_under_the_name_it_reads():
    from ocop.admin import renamed_cookie

    assert renamed_cookie(b"cookie", b"lang=vi; __Host-id=abc; __Host-ocop_csrftoken=t", "__Host-id") == (
        b"cookie", b"lang=vi; id=abc; __Host-ocop_csrftoken=t")
    assert renamed_cookie(b"host", b"__Host-id=abc", "__Host-id") == (b"host", b"__Host-id=abc")
