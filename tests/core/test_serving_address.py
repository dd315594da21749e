"""Links in e-mails follow the address and port the server is started on."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import ROOT

_SHOW = ("import sys; from ocop import cli; cli.serve = lambda *a, **k: None; cli.main(sys.argv[1:]); "
         "from core.settings import settings; print(settings.base_url)")


def _base_url(*arguments: str, **env: str) -> str:
    environment = {k: v for k, v in os.environ.items() if k not in ("OCOP_BASE_URL", "OCOP_PORT", "OCOP_HOST")}
    done = subprocess.run([sys.executable, "-c", _SHOW, *arguments], cwd=ROOT, env={**environment, **env},
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def test_serving_on_another_port_makes_links_point_there():
    assert _base_url("serve", "--port", "8123") == "http://127.0.0.1:8123"
    assert _base_url("serve", "--host", "0.0.0.0", "--port", "9001") == "http://127.0.0.1:9001"


def test_an_address_set_for_the_links_wins():
    assert _base_url("serve", "--port", "8123", OCOP_BASE_URL="https://ocop.example.vn/") == "https://ocop.example.vn"
