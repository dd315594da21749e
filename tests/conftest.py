"""Test fixtures: a real database (a SQLite file, or the PostgreSQL server in DATABASE_URL),
migrated once; the real application served by uvicorn on 127.0.0.1; HTTP clients per role."""

from __future__ import annotations

import asyncio
import atexit
import io
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent
_WORKDIR = Path(tempfile.mkdtemp(prefix="ocop-tests-"))
if os.environ.get("OCOP_TESTS_KEEP") != "1":  # the run's database, uploads and outbox, gone with the run
    atexit.register(shutil.rmtree, _WORKDIR, ignore_errors=True)

if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
    os.environ["DATABASE_URL"] = f"sqlite:///{_WORKDIR / 'test.db'}"
os.environ["OCOP_SECRET_KEY"] = "test-secret-key-not-for-production-0123456789"
os.environ["PICCOLO_CONF"] = "piccolo_conf"
os.environ["OCOP_UPLOADS_DIR"] = str(_WORKDIR / "uploads")
os.environ["OCOP_OUTBOX_DIR"] = str(_WORKDIR / "outbox")
os.environ["OCOP_SCHEDULER_IN_WEB"] = "0"  # scheduler tests start their own
os.environ["OCOP_PUBLIC_VERSION_SECONDS"] = "0"  # public pages see each write at once, not up to a second later
# The product counts days in Vietnam: tests that write "today" must mean the same day, also between
# 17:00 and 24:00 UTC, when a machine on UTC is still on yesterday.
os.environ["TZ"] = "Asia/Ho_Chi_Minh"
time.tzset()

CHROMIUM = os.environ.get("OCOP_CHROMIUM", "/usr/bin/chromium")


def pytest_collection_modifyitems(config, items):
    """The one system package the suite needs is the browser: when it is missing, say so in one line
    before anything runs, not as a traceback in every browser test."""
    needs_browser = any(item.nodeid.startswith("tests/browser/") for item in items)
    if needs_browser and not Path(CHROMIUM).exists():
        pytest.exit(f"Chromium not found at {CHROMIUM}: the browser tests need Debian's package "
                    "(apt-get install chromium), or set OCOP_CHROMIUM, or leave them out with --ignore=tests/browser",
                    returncode=4)


PASSWORDS = {
    "admin": "test-admin-pass",
    "organizer": "test-organizer-pass",
    "salespoint_manager": "test-manager-pass",
    "producer": "test-producer-pass",
    "viewer": "test-viewer-pass",
}


def run(awaitable):
    """Runs a service call or a Piccolo query from a test, on a fresh event loop in its own thread
    (Playwright's sync API keeps a loop running in the main thread)."""

    async def wait():
        return await awaitable

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, wait()).result()


def _reset_postgres(url: str) -> None:
    import asyncpg

    async def reset() -> None:
        connection = await asyncpg.connect(url)
        try:
            await connection.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
        finally:
            await connection.close()

    run(reset())


@pytest.fixture(scope="session")
def database() -> str:
    """A fresh, migrated database for the whole run."""
    url = os.environ["DATABASE_URL"]
    if url.startswith("postgres"):
        _reset_postgres(url)
    from ocop.cli import migrate

    run(migrate())
    return url


@pytest.fixture(scope="session")
def users(database) -> dict[str, str]:
    """One user per role; the producer user acts for a producer of its own."""
    from accounts.enums import Role
    from accounts.services import create_user
    from catalog.tables import Producer, ProducerMember

    async def make() -> dict[str, str]:
        names = {}
        for role in Role:
            username = f"t-{role.value}"
            user = await create_user(username, PASSWORDS[role.value], role, f"{username}@test.vn")
            names[role.value] = username
            if role is Role.producer:
                producer = (await Producer.insert(Producer(name="HTX Test Producer", kind="cooperative", province_code="ha-noi")))[0]
                await ProducerMember.insert(ProducerMember(user=user.id, producer=producer["id"]))
        return names

    return run(make())


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def server(database, users):
    """The real application under uvicorn on 127.0.0.1, for HTTP and browser tests."""
    process, base = serve(_WORKDIR / "server.log")
    yield base
    stop_server(process)


def serve(log_path: Path, cwd: Path = ROOT, **env: str) -> tuple[subprocess.Popen, str]:
    """The application under uvicorn on a free port of 127.0.0.1, `env` over the test environment, its
    output in `log_path`; returned once it answers."""
    port = _free_port()
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "ocop.asgi:app", "--host", "127.0.0.1", "--port", str(port),
             "--log-level", "warning"],
            cwd=cwd,
            env={**os.environ, "OCOP_SECRET_FILE": str(_WORKDIR / "secret"), "PYTHONPATH": str(ROOT), **env},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return process, base
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(log_path.read_text())


def stop_server(process: subprocess.Popen) -> None:
    """SIGTERM, as a service manager stops it: the server finishes its requests and lets go of its lease."""
    process.terminate()
    process.wait(timeout=10)


class Client(httpx.Client):
    """An HTTP client that carries the CSRF token the way the pages and htmx do."""

    def csrf(self) -> str:
        token = self.cookies.get("ocop_csrftoken")
        if token is None:
            self.get("/login")
            token = self.cookies.get("ocop_csrftoken")
        return token

    def form(self, url: str, data: dict, **kwargs) -> httpx.Response:
        return self.post(url, data={**data, "_csrf_token": self.csrf()}, **kwargs)

    def api(self, method: str, url: str, json=None) -> httpx.Response:
        return self.request(method, url, json=json, headers={"x-csrftoken": self.csrf()})

    def log_in(self, username: str, password: str) -> httpx.Response:
        return self.form("/login", {"username": username, "password": password, "next": "/"})


@pytest.fixture
def anonymous(server):
    with Client(base_url=server, follow_redirects=False, timeout=30) as client:
        yield client


@pytest.fixture
def login(server, users):
    """login("organizer") → a client logged in with that role."""
    clients = []

    def make(role: str) -> Client:
        client = Client(base_url=server, follow_redirects=False, timeout=30)
        response = client.log_in(users[role], PASSWORDS[role])
        assert response.status_code == 302, response.text
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


def unique(prefix: str = "") -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"


@pytest.fixture
def producer_id(login) -> int:
    """A fresh producer created through the API by an organizer."""
    response = login("organizer").api(
        "POST", "/api/v1/producers", {"name": unique("HTX Mật ong "), "kind": "cooperative", "province_code": "ha-noi"}
    )
    assert response.status_code == 201, response.text
    return response.json()["id"]


def product_payload(producer_id: int, **overrides) -> dict:
    payload = {
        "producer_id": producer_id,
        "name": "Mật ong Ba Vì",
        "group_code": "food",
        "subgroup_code": "raw_preprocessed_food",
        "stars": 4,
        "score": 78,
        "certificate_number": unique("GCN-"),
        "certified_on": "2025-03-10",
        "unit": "chai 500 ml",
        "reference_price": 180000,
    }
    payload.update(overrides)
    return payload


def stored_files() -> dict[str, bytes]:
    """Every stored file (core.uploads), by its SHA-256."""
    from core import uploads
    from core.tables import StoredFile

    digests = [row["sha256"] for row in run(StoredFile.select(StoredFile.sha256))]
    return {digest: run(uploads.read(digest)) for digest in digests}


def xlsx_of(rows: list[list]) -> bytes:
    """An .xlsx holding `rows` on its first sheet, as an office's list arrives."""
    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
