"""Login throttling (accounts.services.login_wait): waits that grow per account and address, never a
lockout anyone else can cause. The service is driven with its clock (`now`) and with client addresses;
over HTTP every request of the suite comes from 127.0.0.1, which uvicorn trusts as a proxy, so the HTTP
test names its address in X-Forwarded-For."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import uuid

import pytest

from accounts.services import (
    ADDRESS_FREE_FAILURES,
    LOGIN_FAILURE_MEMORY,
    LOGIN_FREE_FAILURES,
    LOGIN_LONGEST_WAIT_SECONDS,
    log_in,
    login_wait,
)
from core.errors import TooManyAttempts, ValidationFailed
from tests.conftest import Client, run, unique

PASSWORD = "correct-horse-battery"


def address() -> str:
    """An address of its own for each use (IPv6 documentation range), so tests never share failures."""
    return f"2001:db8::{uuid.uuid4().hex[:4]}:{uuid.uuid4().hex[:4]}"


def seconds(n: float) -> dt.timedelta:
    return dt.timedelta(seconds=n)


@pytest.fixture
def account(database) -> str:
    from accounts.enums import Role
    from accounts.services import create_user

    username = unique("admin-")
    run(create_user(username, PASSWORD, Role.admin, f"{username}@test.vn"))
    return username


def fail(username: str, client: str, now: dt.datetime, times: int = 1) -> None:
    """Wrong passwords checked one after another at `now` (each hashed, as a real guess)."""
    for _ in range(times):
        with pytest.raises(ValidationFailed):
            run(log_in(username, "wrong-guess", client, now=now))


def failures_recorded(username: str, client: str, now: dt.datetime, times: int) -> None:
    """Earlier failures as the table holds them, without paying a hash for each."""
    from accounts.tables import LoginAttempt

    run(LoginAttempt.insert(*[LoginAttempt(username=username, client=client, attempted_at=now) for _ in range(times)]))


def strangers_failed(client: str, now: dt.datetime, times: int) -> None:
    """Failures from `client`, each for an account of its own."""
    from accounts.tables import LoginAttempt

    run(LoginAttempt.insert(*[LoginAttempt(username=unique("guess-"), client=client, attempted_at=now) for _ in range(times)]))


def refused(username: str, password: str, client: str, now: dt.datetime) -> int:
    """The seconds a refused login was told to wait."""
    with pytest.raises(TooManyAttempts) as error:
        run(log_in(username, password, client, now=now))
    return error.value.retry_after or 0


def test_an_attackers_failures_elsewhere_do_not_delay_the_account_at_another_or_a_known_address(account):
    now = dt.datetime.now(dt.UTC)
    usual, attacker = address(), address()
    assert run(log_in(account, PASSWORD, usual, now=now))  # the admin's usual address

    fail(account, attacker, now, LOGIN_FREE_FAILURES)
    failures_recorded(account, attacker, now, 20)  # far past the longest wait
    assert refused(account, PASSWORD, attacker, now) == LOGIN_LONGEST_WAIT_SECONDS  # even the right password

    assert run(log_in(account, PASSWORD, usual, now=now))  # where the admin signed in before
    assert run(log_in(account, PASSWORD, address(), now=now))  # and from an address never seen


def test_the_attackers_own_waits_double_from_the_latest_failure_up_to_the_longest(account):
    attacker, now = address(), dt.datetime.now(dt.UTC)
    fail(account, attacker, now, LOGIN_FREE_FAILURES)  # the free failures wait for nothing
    waits = []
    for _ in range(12):
        wait = refused(account, "wrong-guess", attacker, now)
        # a refused attempt is not a failure: asking again a second early is told the rest, no more
        assert refused(account, "wrong-guess", attacker, now + seconds(wait - 1)) == 1
        waits.append(wait)
        now += seconds(wait)
        fail(account, attacker, now)  # the moment the wait is over, the password is checked again
    assert waits == [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300]


def test_a_sign_in_clears_the_failures_of_its_account_at_its_address(account):
    from accounts.tables import LoginAttempt

    here, now = address(), dt.datetime.now(dt.UTC)
    failures_recorded(account, here, now, LOGIN_FREE_FAILURES + 3)
    assert refused(account, PASSWORD, here, now) == 8
    assert run(log_in(account, PASSWORD, here, now=now + seconds(8)))

    assert run(login_wait(account, here, now + seconds(8))) == 0
    fail(account, here, now + seconds(9), LOGIN_FREE_FAILURES)  # a whole new allowance
    assert run(login_wait(account, here, now + seconds(9))) == 1
    rows = run(LoginAttempt.select(LoginAttempt.succeeded).where(
        (LoginAttempt.username == account) & (LoginAttempt.client == here)))
    assert sorted(r["succeeded"] for r in rows) == [False] * LOGIN_FREE_FAILURES + [True]  # one record of the sign-in


def test_an_office_with_many_failures_across_accounts_is_slowed_not_blocked(account):
    office, now = address(), dt.datetime.now(dt.UTC)
    assert run(log_in(account, PASSWORD, office, now=now))  # a colleague who signed in here before
    strangers_failed(office, now, ADDRESS_FREE_FAILURES - 1)
    assert run(login_wait(unique("newcomer-"), office, now)) == 0  # the old ceiling of 20 is long gone

    strangers_failed(office, now, 20)
    newcomer = unique("newcomer-")
    assert refused(newcomer, "whatever-password", office, now) == LOGIN_LONGEST_WAIT_SECONDS
    with pytest.raises(ValidationFailed):  # slowed: once the wait is over, the password is checked
        run(log_in(newcomer, "whatever-password", office, now=now + seconds(LOGIN_LONGEST_WAIT_SECONDS)))
    assert run(log_in(account, PASSWORD, office, now=now))  # the colleague is not slowed at all
    assert run(login_wait(newcomer, address(), now)) == 0  # nor is the newcomer anywhere else


def test_failures_older_than_the_memory_no_longer_count(account):
    here, now = address(), dt.datetime.now(dt.UTC)
    failures_recorded(account, here, now - LOGIN_FAILURE_MEMORY - seconds(1), 30)
    strangers_failed(here, now - LOGIN_FAILURE_MEMORY - seconds(1), ADDRESS_FREE_FAILURES + 30)
    assert run(login_wait(account, here, now)) == 0
    assert run(log_in(account, PASSWORD, here, now=now))


def test_parallel_guesses_at_the_edge_of_the_allowance_get_one_check(account):
    attacker, now = address(), dt.datetime.now(dt.UTC)
    failures_recorded(account, attacker, now, LOGIN_FREE_FAILURES - 1)

    async def guesses() -> list[BaseException | str]:
        return await asyncio.gather(*[log_in(account, "wrong-guess", attacker, now=now) for _ in range(6)],
                                    return_exceptions=True)

    outcomes = run(guesses())
    assert sum(isinstance(o, ValidationFailed) for o in outcomes) == 1, outcomes
    assert sum(isinstance(o, TooManyAttempts) for o in outcomes) == 5, outcomes


def test_the_429_page_says_how_long_to_wait_and_the_account_still_opens_elsewhere(server, account):
    attacker = address()
    failures_recorded(account, attacker, dt.datetime.now(dt.UTC), LOGIN_FREE_FAILURES + 5)  # a 32-second wait
    with Client(base_url=server, headers={"X-Forwarded-For": attacker}) as client:
        for query, words in (("?lang=en", r"Please wait (\d+) seconds"), ("?lang=vi", r"Vui lòng đợi (\d+) giây")):
            response = client.post(f"/login{query}", data={"username": account, "password": PASSWORD, "next": "/",
                                                           "_csrf_token": client.csrf()})
            assert response.status_code == 429
            told = re.search(words, response.text)
            assert told is not None, response.text
            assert 0 < int(told.group(1)) <= 32 and response.headers["retry-after"] == told.group(1)
            assert "id" not in client.cookies
    with Client(base_url=server, headers={"X-Forwarded-For": address()}, follow_redirects=False) as admin:
        assert admin.log_in(account, PASSWORD).status_code == 302
