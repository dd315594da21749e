"""What the benches share: a scratch folder with its database, a server on a free port of 127.0.0.1,
a login, wrk runs read into figures, percentiles.

A bench runs as `python bench/NAME.py`, so this folder is first on sys.path and `import harness` finds
this module; importing it puts the project's root there too.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("OCOP_SECRET_KEY", "bench-secret-key-0123456789abcdef")


def scratch(prefix: str, database: str | None = "bench.db") -> Path:
    """A new throwaway folder, removed when the bench ends (a stock run leaves 1.6 GB) unless
    OCOP_BENCH_KEEP=1. With `database`, the bench's SQLite file is made there, unless DATABASE_URL names
    a PostgreSQL server (whose database the bench then empties: see `empty_postgres`)."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    if os.environ.get("OCOP_BENCH_KEEP") != "1":
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
    if database and not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        os.environ["DATABASE_URL"] = f"sqlite:///{folder / database}"
    return folder


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))] if ordered else 0.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(target: str, folder: Path, env: dict | None = None, workers: int = 1) -> tuple[subprocess.Popen, str]:
    """uvicorn serving `target` ("module:app", from the project or this folder), returned once it answers."""
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", target, "--host", "127.0.0.1", "--port", str(port),
               "--log-level", "warning", "--no-access-log"]
    if workers > 1:
        command += ["--workers", str(workers)]
    process = subprocess.Popen(command, cwd=ROOT, env={
        **os.environ, **(env or {}), "OCOP_SECRET_FILE": str(folder / "secret"), "PYTHONPATH": f"{ROOT}:{ROOT / 'bench'}"})
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{target} exited with {process.returncode}")
        try:
            httpx.get(f"{base}/health", timeout=1)  # any answer will do: the bare apps have no /health
            return process, base
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"{target} did not start")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


async def empty_postgres() -> None:
    """Drops everything in the PostgreSQL database DATABASE_URL names (it must be the bench's own).
    Nothing on SQLite, whose file `scratch` made new."""
    url = os.environ["DATABASE_URL"]
    if not url.startswith("postgres"):
        return
    import asyncpg

    connection = await asyncpg.connect(url)
    try:
        await connection.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    finally:
        await connection.close()


@contextlib.asynccontextmanager
async def engine() -> AsyncIterator[None]:
    """The project's database engine started in this process for the block (its pool, its writer)."""
    from core import database
    from piccolo_conf import DB

    await database.start(DB)
    try:
        yield
    finally:
        await database.stop(DB)


@contextlib.asynccontextmanager
async def fresh_database() -> AsyncIterator[None]:
    """The bench's database emptied, migrated, and its engine started for the block."""
    from ocop.cli import migrate

    await empty_postgres()
    await migrate()
    async with engine():
        yield


def log_in(base: str, username: str, password: str) -> tuple[httpx.Client, str, str]:
    """A client logged in through the login form, with its Cookie header and CSRF token for wrk."""
    client = httpx.Client(base_url=base, timeout=60)
    client.get("/login")
    token = client.cookies.get("ocop_csrftoken")
    response = client.post("/login", data={"username": username, "password": password, "_csrf_token": token})
    assert response.status_code == 302, response.text[:300]
    cookie = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
    return client, cookie, client.cookies["ocop_csrftoken"]  # the login hands over a token bound to the new session


async def log_in_async(client: httpx.AsyncClient, username: str, password: str) -> None:
    await client.get("/login")
    token = client.cookies.get("ocop_csrftoken")
    response = await client.post("/login", data={"username": username, "password": password, "_csrf_token": token})
    assert response.status_code == 302, response.text[:300]


def run_wrk(script: Path, url: str, connections: int, seconds: int, headers: dict | None = None,
            timeout_s: int | None = None) -> dict:
    """wrk with a Lua script on `connections` connections (two threads at most: the machine's cores are
    the server's) for `seconds`, read into figures."""
    command = ["wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script)]
    if timeout_s:
        command += ["--timeout", f"{timeout_s}s"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run(command + [url], capture_output=True, text=True, check=True).stdout

    def latency(label: str) -> float:
        value, unit = re.search(rf"\s{label}%\s+([\d.]+)(us|ms|s)", output).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
            "p50_ms": latency("50"), "p99_ms": latency("99"),
            "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
            "socket_errors": sum(map(int, sockets.groups())) if sockets else 0,
            "requests": int(re.search(r"(\d+) requests in", output).group(1))}
