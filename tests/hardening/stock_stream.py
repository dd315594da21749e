"""What the crash and backup tests share: a sales point with stock and a fair with applicants
(the scene), a seeded stream of stock movements and booth assignments sent from several threads
with a record of which were acknowledged, the server in a process of its own, and readers of
what a database holds afterwards (the test database or a restored copy, SQLite or PostgreSQL)."""

from __future__ import annotations

import json
import os
import random
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.conftest import ROOT, Client, _free_port, product_payload, run, unique
from tests.fairs.conftest import fair_payload

INITIAL = 100_000  # received per product and lot before the stream: no sale or transfer can run short
LOTS = ("", "L7")
Key = tuple[int, int, str]  # point, product, lot


@dataclass
class Scene:
    point: int  # the manager's point, where every movement starts
    other: int  # the point transfers go to
    products: list[int]
    manager_id: int
    manager: Client
    organizer: Client
    fair: int | None = None
    free: list[tuple[int, int]] = field(default_factory=list)  # (application, booth) not yet used


def build_scene(login, users, producer_id: int, applicants: int = 0) -> Scene:
    """Two points carrying two products, INITIAL units of each lot at the first; with `applicants`,
    a fair open for applications with that many eligible applications and as many booths."""
    from accounts.tables import User

    organizer, manager = login("organizer"), login("salespoint_manager")
    points = []
    for _ in range(2):
        response = organizer.api("POST", "/api/v1/salespoints", {"name": unique("Điểm OCOP "), "province_code": "ha-noi"})
        assert response.status_code == 201, response.text
        points.append(response.json()["id"])
    manager_id = run(User.select(User.id).where(User.username == users["salespoint_manager"]).first())["id"]
    assert organizer.api("POST", f"/api/v1/salespoints/{points[0]}/managers", {"user_id": manager_id}).status_code == 204
    products = []
    for _ in range(2):
        response = organizer.api("POST", "/api/v1/products", product_payload(producer_id, name=unique("Sản phẩm ")))
        assert response.status_code == 201, response.text
        products.append(response.json()["id"])
        for point in points:
            carried = organizer.api("PUT", f"/api/v1/salespoints/{point}/assortment/{products[-1]}",
                                    {"selling_price": 50_000, "reorder_threshold": 0})
            assert carried.status_code == 200, carried.text
    scene = Scene(point=points[0], other=points[1], products=products, manager_id=manager_id, manager=manager,
                  organizer=organizer)
    for product in products:
        for lot in LOTS:
            key = unique("initial-")
            response = manager.post(f"/api/v1/salespoints/{scene.point}/movements",
                                    json={"product_id": product, "kind": "receipt", "quantity": INITIAL, "lot_code": lot},
                                    headers={"x-csrftoken": manager.csrf(), "Idempotency-Key": key})
            assert response.status_code == 201, response.text
    if applicants:
        _open_fair(scene, applicants)
    return scene


def _open_fair(scene: Scene, applicants: int) -> None:
    organizer = scene.organizer
    response = organizer.api("POST", "/api/v1/fairs", fair_payload())
    assert response.status_code == 201, response.text
    scene.fair = response.json()["id"]
    zone = organizer.api("POST", f"/api/v1/fairs/{scene.fair}/zones",
                         {"code": "A", "name": "Thực phẩm", "theme": "group", "theme_value": "food"})
    assert zone.status_code == 201, zone.text
    grid = organizer.api("POST", f"/api/v1/fairs/{scene.fair}/booths/grid",
                         {"zone_id": zone.json()["id"], "rows": 1, "columns": applicants, "x": 0.0, "amenities": []})
    assert grid.status_code == 201, grid.text
    assert organizer.api("POST", f"/api/v1/fairs/{scene.fair}/status", {"status": "open"}).status_code == 201

    def apply(_: int) -> int:
        with Client(base_url=str(organizer.base_url), cookies=organizer.cookies, timeout=60) as client:
            producer = client.api("POST", "/api/v1/producers",
                                  {"name": unique("HTX "), "kind": "cooperative", "province_code": "ha-noi"}).json()["id"]
            product = client.api("POST", "/api/v1/products", product_payload(producer)).json()["id"]
            response = client.api("POST", f"/api/v1/fairs/{scene.fair}/applications",
                                  {"producer_id": producer, "product_ids": [product]})
            assert response.status_code == 201 and response.json()["status"] == "eligible", response.text
            return response.json()["id"]

    with ThreadPoolExecutor(max_workers=4) as pool:
        applications = list(pool.map(apply, range(applicants)))
    booths = sorted(b["id"] for b in organizer.get(f"/api/v1/fairs/{scene.fair}/plan").json()["booths"])
    scene.free = list(zip(applications, booths, strict=True))


# -- the stream ----------------------------------------------------------------------------------


@dataclass
class Request:
    """One request of the stream and what it should leave in the database once it took effect."""

    kind: str  # movement, transfer, batch, assign
    role: str  # manager or organizer
    path: str
    body: dict
    headers: dict
    keys: tuple[str, ...] = ()  # idempotency keys as stored: all of them are in the ledger, or none
    effects: dict[Key, int] = field(default_factory=dict)
    application: int | None = None
    booth: int | None = None
    state: str = "unsent"  # → sent → acknowledged (a 2xx came back) or refused (any other answer)
    replayed: bool | None = None
    answer: str = ""
    sent_at: float = 0.0  # time.monotonic()
    acknowledged_at: float = 0.0


def plan(rng: random.Random, scene: Scene, count: int, assignments: int = 0) -> list[Request]:
    """`count` requests in a seeded order: single movements (most), transfers to the other point,
    batches (some with one key for the batch, some with a key per line) and booth assignments."""
    requests = [_movement(rng, scene) if roll < 0.6 else _transfer(rng, scene) if roll < 0.8 else _batch(rng, scene)
                for roll in (rng.random() for _ in range(count - assignments))]
    for _ in range(assignments):
        application, booth = scene.free.pop(0)
        requests.insert(rng.randrange(len(requests) + 1), Request(
            kind="assign", role="organizer", path=f"/api/v1/fairs/{scene.fair}/assignments",
            body={"application_id": application, "booth_ids": [booth]}, headers={}, application=application, booth=booth))
    return requests


def _stored(scene: Scene, key: str) -> str:
    return f"p{scene.point}:u{scene.manager_id}:{key}"  # salespoints.services.scoped_key


def _line(rng: random.Random, scene: Scene) -> tuple[dict, Key, int]:
    product, lot = rng.choice(scene.products), rng.choice(LOTS)
    kind, quantity = ("receipt", rng.randint(1, 5)) if rng.random() < 0.4 else ("sale", rng.randint(1, 3))
    return ({"product_id": product, "kind": kind, "quantity": quantity, "lot_code": lot},
            (scene.point, product, lot), quantity if kind == "receipt" else -quantity)


def _movement(rng: random.Random, scene: Scene) -> Request:
    body, key, delta = _line(rng, scene)
    idempotency = f"m-{rng.getrandbits(64):016x}"
    return Request(kind="movement", role="manager", path=f"/api/v1/salespoints/{scene.point}/movements", body=body,
                   headers={"Idempotency-Key": idempotency}, keys=(_stored(scene, idempotency),), effects={key: delta})


def _transfer(rng: random.Random, scene: Scene) -> Request:
    product, quantity = rng.choice(scene.products), rng.randint(1, 2)
    idempotency = f"t-{rng.getrandbits(64):016x}"
    stored = _stored(scene, idempotency)
    return Request(kind="transfer", role="manager", path=f"/api/v1/salespoints/{scene.point}/transfers",
                   body={"to_point_id": scene.other, "product_id": product, "quantity": quantity},
                   headers={"Idempotency-Key": idempotency}, keys=(f"{stored}:out", f"{stored}:in"),
                   effects={(scene.point, product, ""): -quantity, (scene.other, product, ""): quantity})


def _batch(rng: random.Random, scene: Scene) -> Request:
    lines, effects = [], Counter()
    for _ in range(rng.randint(3, 12)):
        body, key, delta = _line(rng, scene)
        lines.append(body)
        effects[key] += delta
    idempotency = f"b-{rng.getrandbits(64):016x}"
    if rng.random() < 0.5:  # one key for the batch: line n is stored as "{key}:{n}"
        headers, keys = {"Idempotency-Key": idempotency}, tuple(_stored(scene, f"{idempotency}:{n}") for n in range(1, len(lines) + 1))
    else:  # a key per line, as the counter's offline queue sends them
        for number, line in enumerate(lines, start=1):
            line["idempotency_key"] = f"{idempotency}-{number}"
        headers, keys = {}, tuple(_stored(scene, line["idempotency_key"]) for line in lines)
    return Request(kind="batch", role="manager", path=f"/api/v1/salespoints/{scene.point}/movements/batch",
                   body={"movements": lines}, headers=headers, keys=keys, effects=dict(effects))


def send(base_url: str, scene: Scene, requests: list[Request], threads: int = 4, acknowledged=None,
         stop: threading.Event | None = None) -> None:
    """Sends the requests in order from `threads` clients at once, until all are sent or `stop` is
    set; `acknowledged(request)` is called after each 2xx. A request the server died under stays
    "sent": it may or may not have taken effect."""
    stop = stop or threading.Event()
    pending = iter(requests)
    lock = threading.Lock()

    def work() -> None:
        clients = {role: Client(base_url=base_url, cookies=source.cookies, timeout=60)
                   for role, source in (("manager", scene.manager), ("organizer", scene.organizer))}
        try:
            while not stop.is_set():
                with lock:
                    request = next(pending, None)
                if request is None:
                    return
                client = clients[request.role]
                request.state, request.sent_at = "sent", time.monotonic()
                try:
                    response = client.post(request.path, json=request.body,
                                           headers={"x-csrftoken": client.csrf(), **request.headers})
                except httpx.TransportError:
                    continue
                if response.is_success:
                    request.state, request.acknowledged_at = "acknowledged", time.monotonic()
                    request.replayed = response.json().get("replayed") if response.content else None
                    if acknowledged is not None:
                        acknowledged(request)
                else:
                    request.state, request.answer = "refused", f"{response.status_code} {response.text[:300]}"
        finally:
            for client in clients.values():
                client.close()

    workers = [threading.Thread(target=work, daemon=True) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)


# -- the server in a process of its own ----------------------------------------------------------

# Imports and builds the application at once, but opens the database only after a line on stdin:
# a replacement can get ready while the stream runs and still start after the crash.
_STANDBY = (
    "import sys\n"
    "import uvicorn\n"
    "from ocop.asgi import app\n"
    "sys.stdin.readline()\n"
    "uvicorn.run(app, host='127.0.0.1', port=int(sys.argv[1]), log_level='warning')\n"
)


class ServerProcess:
    """`uvicorn ocop.asgi:app` on a free 127.0.0.1 port with the test server's environment."""

    def __init__(self, log: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        with log.open("ab") as output:
            self.process = subprocess.Popen(
                [sys.executable, "-c", _STANDBY, str(self.port)], cwd=ROOT, stdin=subprocess.PIPE, stdout=output,
                stderr=subprocess.STDOUT, env={**os.environ, "OCOP_SECRET_FILE": str(log.parent / "secret")},
            )

    def start(self, timeout: float = 90) -> ServerProcess:
        """Opens the database and serves; returns once /health answers."""
        self.process.stdin.write(b"go\n")
        self.process.stdin.flush()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited with {self.process.returncode}:\n{self.log.read_text()[-3000:]}")
            try:
                if httpx.get(f"{self.url}/health", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.05)
        raise RuntimeError(f"the server did not start:\n{self.log.read_text()[-3000:]}")

    def kill(self) -> None:
        """SIGKILL: no shutdown hook, no flush, no goodbye."""
        self.process.kill()
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stdin is not None:
            self.process.stdin.close()


# -- what a database holds -----------------------------------------------------------------------


def query(url: str, sql: str) -> list[tuple]:
    """Rows of one statement (no parameters) on the database at `url`, SQLite or PostgreSQL."""
    if url.startswith("sqlite:///"):
        connection = sqlite3.connect(url[len("sqlite:///"):], timeout=30)
        try:
            return connection.execute(sql).fetchall()
        finally:
            connection.close()
    import asyncpg

    async def fetch() -> list[tuple]:
        connection = await asyncpg.connect(url)
        try:
            return [tuple(row) for row in await connection.fetch(sql)]
        finally:
            await connection.close()

    return run(fetch())


@dataclass
class Ledger:
    movements: dict[str, tuple]  # idempotency key → (id, point, product, lot, quantity, transfer)
    unkeyed: int  # movements at the points without a key (the stream writes none)
    balances: dict[Key, int]
    audited: Counter  # movement id → how many audit rows name it


def read_ledger(url: str, scene: Scene) -> Ledger:
    points = f"{scene.point}, {scene.other}"
    rows = query(url, f"SELECT id, point, product, lot_code, quantity, transfer, idempotency_key FROM stock_movement "
                      f"WHERE point IN ({points})")
    balances = {(r[0], r[1], r[2]): r[3] for r in query(
        url, f"SELECT point, product, lot_code, quantity FROM stock_balance WHERE point IN ({points})")}
    audited: Counter = Counter()
    for (after,) in query(url, f"SELECT after FROM audit_entry WHERE action = 'movement' AND entity = 'salespoint' "
                               f"AND entity_id IN ('{scene.point}', '{scene.other}')"):
        audited.update(json.loads(after).get("movements", []))
    return Ledger(movements={r[6]: r[:6] for r in rows if r[6] is not None}, unkeyed=sum(r[6] is None for r in rows),
                  balances=balances, audited=audited)


def expected_balances(scene: Scene, requests: list[Request], ledger: Ledger) -> dict[Key, int]:
    """INITIAL per product and lot at the point, plus the effect of every request whose keys are in `ledger`."""
    totals: Counter = Counter({(scene.point, product, lot): INITIAL for product in scene.products for lot in LOTS})
    for request in requests:
        if request.keys and request.keys[0] in ledger.movements:
            totals.update(request.effects)
    return {key: quantity for key, quantity in totals.items() if quantity}


def check_ledger(scene: Scene, requests: list[Request], ledger: Ledger) -> None:
    """Whole or absent: every request's keys are all in the ledger or none is, each movement as it
    was asked for; nothing in the ledger that the stream did not send; each movement audited once;
    the balances are the initial stock plus what the recorded requests did."""
    known = set()
    for request in requests:
        if not request.keys:
            continue
        known.update(request.keys)
        present = [key in ledger.movements for key in request.keys]
        assert all(present) or not any(present), f"{request.kind} half written: {request.keys} {present}"
        if not any(present):
            continue
        written = Counter()
        for key in request.keys:
            _, point, product, lot, quantity, _ = ledger.movements[key]
            written[(point, product, lot)] += quantity
        assert {k: v for k, v in written.items() if v} == {k: v for k, v in request.effects.items() if v}, request
        if request.kind == "transfer":
            assert ledger.movements[request.keys[0]][5] == ledger.movements[request.keys[1]][5] is not None
    initial = {key for key in ledger.movements if key.startswith(f"p{scene.point}:u{scene.manager_id}:initial-")}
    assert set(ledger.movements) - initial <= known, set(ledger.movements) - initial - known
    assert len(initial) == len(scene.products) * len(LOTS) and ledger.unkeyed == 0
    ids = {row[0] for row in ledger.movements.values()}
    assert set(ledger.audited) == ids and set(ledger.audited.values()) == {1}, "a movement without its audit row"
    balances = {key: quantity for key, quantity in ledger.balances.items() if quantity}
    assert balances == expected_balances(scene, requests, ledger)
