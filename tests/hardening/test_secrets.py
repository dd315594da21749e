"""Secrets come from the environment, never from the repository: no tracked file outside the tests and
the demo data holds a key, password or token, and a production start (OCOP_SECURE_COOKIES=1) is refused
without a secret key chosen on purpose."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

# Made-up credentials may appear in the tests, the benchmarks (users of their own throwaway databases) and
# the demo's published logins.
ALLOWED = re.compile(r"^(tests/|bench/|ocop/demo[^/]*\.py$|README\.md$)")
SECRET_FILES = re.compile(r"(^|/)(\.ocop-secret|\.env(\..*)?|.*\.pem|.*\.key|id_rsa|.*\.p12|.*\.pfx|.*\.db)$")
SECRET_TEXT = [
    # a literal assigned to a name that says it is secret: SECRET_KEY = "…", password: "…", api_key='…'
    re.compile(r"""\b\w*(secret|passw(or)?d|api_?key|access_?key|private_?key|auth_?token)\w*["']?\s*[:=]\s*["'][^"'\s]{8,}["']""", re.I),
    re.compile(r"OCOP_SECRET_KEY=\S{8,}"),
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    re.compile(r"\bAKIA[0-9A-Z]{16}\b"),  # AWS access key id
    re.compile(r"\b(ghp|gho|github_pat)_[A-Za-z0-9_]{20,}"),  # GitHub tokens
    re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}"),  # Slack tokens
    re.compile(r"\bsk_live_[A-Za-z0-9]{16,}"),
    re.compile(r"postgres(ql)?://[^:/\s]+:[^@\s]{3,}@(?!127\.0\.0\.1|localhost|host)"),  # a real server's password in a URL
]


def tracked_files() -> list[str]:
    try:
        listing = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    return [name for name in listing.stdout.decode().split("\0") if name]


def test_no_secret_file_is_tracked():
    assert [name for name in tracked_files() if SECRET_FILES.search(name)] == []


def test_no_tracked_file_holds_a_secret():
    found = []
    for name in tracked_files():
        path = ROOT / name
        if ALLOWED.search(name) or not path.is_file() or path.stat().st_size > 2_000_000:
            continue
        try:
            text = path.read_text()
        except UnicodeDecodeError:  # fonts, images, spreadsheets
            continue
        for number, line in enumerate(text.splitlines(), 1):
            if any(pattern.search(line) for pattern in SECRET_TEXT):
                found.append(f"{name}:{number}: {line.strip()[:120]}")
    assert found == [], "\n".join(found)


def start(tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    """Loads the settings as a worker does at start-up, in an empty working directory."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("OCOP_")}
    return subprocess.run([sys.executable, "-c", "from core.settings import settings; print(len(settings.secret_key))"],
                          cwd=tmp_path, env={**clean, "PYTHONPATH": str(ROOT), **env}, capture_output=True, text=True)


def test_production_refuses_to_start_without_a_secret(tmp_path):
    refused = start(tmp_path, OCOP_SECURE_COOKIES="1")
    assert refused.returncode != 0 and "OCOP_SECRET_KEY" in refused.stderr
    assert not (tmp_path / ".ocop-secret").exists()  # no key made up on the spot
    short = start(tmp_path, OCOP_SECURE_COOKIES="1", OCOP_SECRET_KEY="changeme")
    assert short.returncode != 0 and "too short" in short.stderr
    chosen = start(tmp_path, OCOP_SECURE_COOKIES="1", OCOP_SECRET_KEY="k" * 40)
    assert chosen.returncode == 0, chosen.stderr


def test_a_secret_file_is_kept_readable_by_the_service_only(tmp_path):
    key_file = tmp_path / "secret"
    first = start(tmp_path, OCOP_SECURE_COOKIES="1", OCOP_SECRET_FILE=str(key_file))
    assert first.returncode == 0, first.stderr
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600 and len(key_file.read_text()) >= 32
    again = start(tmp_path, OCOP_SECURE_COOKIES="1", OCOP_SECRET_FILE=str(key_file))
    assert again.stdout == first.stdout  # every worker and every restart reads the same key
    development = start(tmp_path)  # no settings at all: a key of its own beside the database
    assert development.returncode == 0 and stat.S_IMODE((tmp_path / ".ocop-secret").stat().st_mode) == 0o600
