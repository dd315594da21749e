"""A server killed with SIGKILL in the middle of a stream of writes loses nothing it acknowledged
and leaves nothing half written: after a restart every acknowledged movement, transfer, batch and
booth assignment is there, every other one is there whole or not at all, a retry with the same
idempotency key takes effect once, and the balances still equal the sums of the ledger."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import threading
from collections import Counter

import pytest

from tests.conftest import _WORKDIR, ROOT, run
from tests.hardening.stock_stream import Request, ServerProcess, build_scene, check_ledger, plan, query, read_ledger, send

SEED = 20251123
KILLS = 3  # kill-and-restart rounds in one run
PER_ROUND = 220  # requests planned per round; the kill comes after 40–140 acknowledgements
ASSIGNMENTS = 6  # booth assignments among them
THREADS = 6


@pytest.fixture
def servers():
    """ServerProcess factory; every process it made is stopped at the end."""
    made: list[ServerProcess] = []

    def make() -> ServerProcess:
        made.append(ServerProcess(_WORKDIR / "crash-server.log"))
        return made[-1]

    yield make
    for server in made:
        server.stop()


class KillAfter:
    """Kills the server a few milliseconds after its `count`-th acknowledgement (so the kill does
    not always fall just after an answer); `done` is set first, so no new request starts."""

    def __init__(self, server: ServerProcess, count: int, delay: float) -> None:
        self.server, self.count, self.delay = server, count, delay
        self.done = threading.Event()
        self._seen = 0
        self._lock = threading.Lock()

    def __call__(self, _: Request) -> None:
        with self._lock:
            self._seen += 1
            if self._seen == self.count:
                threading.Timer(self.delay, self._kill).start()

    def _kill(self) -> None:
        self.done.set()
        self.server.kill()


def _check_booths(fair: int, requests: list[Request]) -> dict[int, int]:
    """Each booth holds at most one exhibitor; an acknowledged assignment holds its booth, one not
    sent holds nothing, and one cut off holds its booth together with its status and audit row, or
    nothing at all. Returns booth → application."""
    url = os.environ["DATABASE_URL"]
    rows = query(url, f"SELECT booth, application FROM booth_assignment WHERE fair = {fair}")
    assert not [booth for booth, count in Counter(booth for booth, _ in rows).items() if count > 1]
    held = dict(rows)
    statuses = dict(query(url, f"SELECT id, status FROM application WHERE fair = {fair}"))
    audited = {int(entity) for (entity,) in query(url, "SELECT entity_id FROM audit_entry WHERE action = 'assign' "
                                                       "AND entity = 'application'") if entity.isdigit()}
    for request in (r for r in requests if r.kind == "assign"):
        holds = held.get(request.booth) == request.application
        if request.state == "acknowledged":
            assert holds, request
        elif request.state == "unsent":
            assert request.booth not in held, request
        else:
            assert holds or request.booth not in held, request
        assert (statuses[request.application] == "allocated") == holds, (request, statuses[request.application])
        assert (request.application in audited) == holds, request
    return held


def _ledger_differences() -> list[dict]:
    from salespoints.services import ledger_differences

    return run(ledger_differences())


def test_a_server_killed_mid_stream_keeps_every_acknowledged_write_and_no_half_of_any_other(login, users, producer_id, servers):
    rng = random.Random(SEED)
    # Every server process imports the application now, while the scene is set up; each opens the
    # database only when started, the replacements once their predecessor is dead.
    standby = [servers() for _ in range(KILLS + 1)]
    scene = build_scene(login, users, producer_id, applicants=KILLS * ASSIGNMENTS)
    url = os.environ["DATABASE_URL"]
    server = standby.pop(0).start()
    everything: list[Request] = []
    for round_number in range(1, KILLS + 1):
        requests = plan(rng, scene, PER_ROUND, ASSIGNMENTS)
        kill = KillAfter(server, rng.randint(40, 140), rng.uniform(0, 0.02))
        send(server.url, scene, requests, threads=THREADS, acknowledged=kill, stop=kill.done)
        states = Counter(r.state for r in requests)
        assert kill.done.is_set() and states["refused"] == 0, [r.answer for r in requests if r.state == "refused"][:5]
        server = standby.pop(0).start()

        # After the restart: the acknowledged are there, the rest whole or absent, balances add up.
        ledger = read_ledger(url, scene)
        check_ledger(scene, everything + requests, ledger)
        for request in requests:
            if request.state == "acknowledged" and request.keys:
                assert all(key in ledger.movements for key in request.keys), request
            if request.state == "unsent" and request.keys:
                assert not any(key in ledger.movements for key in request.keys), request
        _check_booths(scene.fair, requests)
        assert _ledger_differences() == []

        # Retried with the same keys, those cut off take effect once: a replay if they had already.
        cut_off = [r for r in requests if r.state == "sent"]
        already = {id(r) for r in cut_off if r.keys and r.keys[0] in ledger.movements}
        send(server.url, scene, cut_off)
        assert all(r.state == "acknowledged" for r in cut_off), [(r.kind, r.state, r.answer) for r in cut_off]
        for request in cut_off:
            if request.keys:
                assert request.replayed == (id(request) in already), request
        sent = [r for r in requests if r.state != "unsent"]
        everything += sent
        ledger = read_ledger(url, scene)
        check_ledger(scene, everything, ledger)
        assert all(key in ledger.movements for r in everything for key in r.keys)
        held = _check_booths(scene.fair, everything)
        assert all(held[r.booth] == r.application for r in everything if r.kind == "assign")
        assert _ledger_differences() == []
        print(f"round {round_number}: killed after {kill.count} acknowledgements; {len(sent)} sent, "
              f"{len(cut_off)} cut off, {len(already)} of them had taken effect")

    server.stop()
    rebuilt = subprocess.run([sys.executable, "-m", "ocop.cli", "stock", "rebuild"], cwd=ROOT, capture_output=True,
                             text=True, env=os.environ, timeout=120)
    assert rebuilt.returncode == 0 and "balances equal the ledger" in rebuilt.stdout, rebuilt.stdout + rebuilt.stderr
