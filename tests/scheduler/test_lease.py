"""The lease that makes one scheduler active among many: one holder at a time, renewed by it, taken
over once it expires or is released."""

from __future__ import annotations

import datetime as dt
import threading

from tests.conftest import run, unique


def hold_at_once(name: str, holders: list[str]) -> dict[str, object]:
    """Each holder asks for the lease from its own thread and connection, all at the same moment."""
    from scheduler import lease

    barrier = threading.Barrier(len(holders))
    answers: dict[str, object] = {}

    def ask(holder: str) -> None:
        barrier.wait()
        try:
            answers[holder] = run(lease.hold(holder, name=name))
        except Exception as error:  # noqa: BLE001 (an error is an answer the test rejects)
            answers[holder] = error

    threads = [threading.Thread(target=ask, args=(holder,)) for holder in holders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return answers


def test_of_processes_asking_at_once_exactly_one_gets_the_lease_and_none_fails(clock):
    from scheduler import lease

    clock.set_now(dt.datetime.now(dt.UTC))
    for _ in range(8):
        name = unique("test-lease-")
        answers = hold_at_once(name, ["first", "second", "third"])
        assert sorted(map(repr, answers.values())) == ["False", "False", "True"], answers
        winner = next(holder for holder, answer in answers.items() if answer is True)
        assert run(lease.current(name))["holder"] == winner


def test_the_holder_renews_the_lease_and_another_takes_it_once_expired_or_released(clock):
    from scheduler import lease

    name = unique("test-lease-")
    start = dt.datetime.now(dt.UTC)
    clock.set_now(start)
    assert run(lease.hold("one", ttl=45, name=name))
    assert not run(lease.hold("two", ttl=45, name=name))

    clock.set_now(start + dt.timedelta(seconds=30))  # renewed before it expires: good for 45 s more
    assert run(lease.hold("one", ttl=45, name=name))
    clock.set_now(start + dt.timedelta(seconds=60))
    assert not run(lease.hold("two", ttl=45, name=name))

    clock.set_now(start + dt.timedelta(seconds=76))  # its holder stopped renewing: expired
    assert run(lease.hold("two", ttl=45, name=name))
    assert not run(lease.hold("one", ttl=45, name=name))
    current = run(lease.current(name))
    assert (current["holder"], current["acquired_at"]) == ("two", start + dt.timedelta(seconds=76))

    run(lease.release("two", name=name))  # a holder that stops hands it on at once
    assert run(lease.hold("one", ttl=45, name=name))
