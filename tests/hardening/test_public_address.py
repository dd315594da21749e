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
