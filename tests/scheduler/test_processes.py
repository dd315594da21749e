"""`ocop scheduler` as real processes against the test database and a real SMTP server: a process
killed in the middle of sending loses nothing (the next one sends what was left, and what it sends
again carries the same Message-ID), and of two processes running at once one holds the lease and
every notification is delivered exactly once."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT, run, unique
from tests.scheduler.conftest import db

N = 300


def scheduler_process(port: int, log: Path, now: dt.datetime | None = None) -> subprocess.Popen:
    env = {**os.environ, "OCOP_SMTP_HOST": "127.0.0.1", "OCOP_SMTP_PORT": str(port), "OCOP_DISPATCH_SECONDS": "1",
           "OCOP_RULES_MINUTES": "100000", "PYTHONUNBUFFERED": "1"}
    env.pop("OCOP_NOW", None)
    if now is not None:
        env["OCOP_NOW"] = now.isoformat()
    with log.open("ab") as output:
        return subprocess.Popen([sys.executable, "-m", "ocop.cli", "scheduler"], cwd=ROOT, env=env, stdout=output,
                                stderr=subprocess.STDOUT)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)  # as Ctrl-C: the lease is released
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_for(condition, timeout: float, what: str, logs: list[Path] = ()) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} within {timeout} s\n" + "\n".join(p.read_text()[-3000:] for p in logs))
        time.sleep(0.02)


def enqueue_many(tag: str, count: int) -> dict[str, str]:
    """`count` notifications due now, each to its own address; address → key."""
    from core.outbox import enqueue_notification

    addresses = {f"{tag}-{number}@buyer.test": f"{tag}:{number}" for number in range(count)}

    async def write() -> None:
        for address, key in addresses.items():
            await enqueue_notification(key, None, "milestone_due", {
                "agreement_id": 1, "code": key, "buyer": "Siêu thị Xanh", "milestone": "Giao đợt 1",
                "due_on": "2091-12-01", "days": 7}, email=address)

    db(write)
    return addresses


def rows(tag: str) -> list[dict]:
    from core.tables import Notification

    return run(Notification.select(Notification.key, Notification.email, Notification.status, Notification.attempts,
                                   Notification.message_id, Notification.claimed_by).where(
        Notification.key.like(f"{tag}:%")))


def sent(tag: str) -> int:
    from core.tables import Notification

    return run(Notification.count().where(Notification.key.like(f"{tag}:%"), Notification.status == "sent"))


@pytest.fixture
def quiet(smtp, mailer, clock):
    """Whatever earlier tests left due is sent first, and nobody holds the lease (a process of an earlier
    test may have released it at a clock ahead of real time)."""
    from scheduler.dispatcher import dispatch_all
    from scheduler.tables import SchedulerLease

    clock.set_now(dt.datetime.now(dt.UTC))
    db(dispatch_all, "drain")
    clock.set_now(None)
    run(SchedulerLease.delete(force=True))
    smtp.clear()
    return smtp


@pytest.fixture
def processes():
    started: list[subprocess.Popen] = []
    yield started
    for process in started:
        stop(process)


def test_a_scheduler_killed_mid_dispatch_loses_nothing_and_resends_with_the_same_message_id(quiet, processes, tmp_path):
    from scheduler import lease, mail

    smtp = quiet
    smtp.delay = 0.05  # a slow server: the kill lands in the middle of the batch
    tag = unique("proc-kill-")
    addresses = enqueue_many(tag, N)
    mine = set(addresses)

    def arrived() -> int:
        return sum(1 for r in list(smtp.received) if mine & set(r.rcpt))

    logs = [tmp_path / "first.log", tmp_path / "second.log"]
    first = scheduler_process(smtp.port, logs[0])
    processes.append(first)
    wait_for(lambda: arrived() >= 30, 30, "the first messages arrived", logs)
    first.send_signal(signal.SIGKILL)
    first.wait()
    at_kill = arrived()
    assert at_kill < N, "the kill came too late to test anything"
    assert sent(tag) < N

    # Its claims are good for two minutes: a process whose clock is five minutes on takes them over.
    second = scheduler_process(smtp.port, logs[1], now=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5))
    processes.append(second)
    wait_for(lambda: sent(tag) == N, 40, "every notification sent", logs)
    holder = run(lease.current())["holder"]
    assert holder.split(":")[1] == str(second.pid)
    stop(second)

    final = rows(tag)
    assert {r["status"] for r in final} == {"sent"}
    expected = {r["email"]: r["message_id"] for r in final}
    assert all(expected[address] == mail.message_id(key) for address, key in addresses.items())
    assert any(r["attempts"] >= 2 for r in final)  # expired claims were taken over
    received = [(rcpt, r.message_id) for r in list(smtp.received) for rcpt in r.rcpt if rcpt in mine]
    assert {rcpt for rcpt, _ in received} == mine  # nothing lost
    assert all(message_id == expected[rcpt] for rcpt, message_id in received)  # a resend carries the same id
    assert len({message_id for _, message_id in received}) == N
    resent = len(received) - N
    from scheduler.dispatcher import LANES, MARK_EVERY

    # At most what was sent but not yet marked at the kill: each lane marks every MARK_EVERY messages.
    assert 0 <= resent <= LANES * MARK_EVERY, f"{resent} resent"


def test_two_schedulers_at_once_one_holds_the_lease_and_each_notification_goes_once(quiet, processes, tmp_path):
    from scheduler import lease
    from scheduler.tables import JobRun

    smtp = quiet
    smtp.delay = 0.01
    tag = unique("proc-pair-")
    addresses = enqueue_many(tag, N)
    mine = set(addresses)
    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    pair = [scheduler_process(smtp.port, log) for log in logs]
    processes.extend(pair)
    wait_for(lambda: sent(tag) == N, 40, "every notification sent", logs)

    holder = run(lease.current())["holder"]
    winner = next(p for p in pair if holder.split(":")[1] == str(p.pid))
    assert {r["claimed_by"] for r in rows(tag)} == {holder}  # the other one dispatched nothing

    def jobs_recorded_by_the_holder() -> bool:
        jobs = run(JobRun.select(JobRun.job, JobRun.holder))
        return {j["job"] for j in jobs} >= {"dispatch", "rules", "tasks"} and {j["holder"] for j in jobs} == {holder}

    # The holder's first run of the tasks job does whatever the suite's data owes (the month's consignment
    # statements of every point that held producers' goods): recorded once that work is done.
    wait_for(jobs_recorded_by_the_holder, 90, "the holder's jobs recorded", logs)
    # The other one first: the holder hands the lease on as it stops, and a waiting scheduler would take it.
    for process in sorted(pair, key=lambda p: p is winner):
        stop(process)
    said = {log: log.read_text() for log in logs}
    holding = [log for log, text in said.items() if "holds the lease" in text]
    assert holding == [logs[pair.index(winner)]], said

    received = [(rcpt, r.message_id) for r in list(smtp.received) for rcpt in r.rcpt if rcpt in mine]
    assert len(received) == len({message_id for _, message_id in received}) == N
    assert {rcpt for rcpt, _ in received} == mine


def test_a_scheduler_stopped_by_the_service_manager_hands_the_lease_on_at_once(quiet, processes, tmp_path):
    """SIGTERM (systemd, Docker) stops it as Ctrl-C does: the lease is released, not left to expire."""
    from scheduler import lease

    log = tmp_path / "term.log"
    process = scheduler_process(quiet.port, log)
    processes.append(process)

    def holding() -> bool:
        current = run(lease.current())
        return bool(current) and current["holder"].split(":")[1] == str(process.pid)

    wait_for(holding, 20, "the lease taken", [log])
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=15) == 0, log.read_text()[-3000:]
    assert run(lease.current())["expires_at"] <= dt.datetime.now(dt.UTC)
