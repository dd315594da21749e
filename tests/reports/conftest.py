"""Fixtures for report tests: a trade week with its whole outcome (and last year's edition), an
empty fair, written straight to the tables by reports.synthetic."""

from __future__ import annotations

import datetime as dt
import functools
import io
import random

import pytest

from tests.conftest import run, unique
from tests.pdf import pdf_pages, pdf_text  # noqa: F401  (the report tests' PDF readers)

TODAY = dt.date.today()


def db(function, *args, **kwargs):
    """`await function(*args, **kwargs)` on a fresh loop with the database opened for it."""
    from ocop.cli import _with_database

    return run(_with_database(functools.partial(function, *args, **kwargs)))


def workbook(content: bytes):
    from openpyxl import load_workbook

    return load_workbook(io.BytesIO(content), data_only=True)


@pytest.fixture
def organizer(login):
    return login("organizer")


@pytest.fixture(scope="session")
def trade_week(database, users) -> dict:
    """Last year's edition (closed) and this year's (closed yesterday): ~30 booths, 25 agreements."""
    from reports import synthetic

    async def make() -> dict:
        rng = random.Random(5)
        parties = await synthetic.seed_parties(rng, producers=60, buyers=12, tag=unique("t"))
        series = unique("Tuần hàng OCOP thử ")
        earlier = await synthetic.seed_fair(rng, parties, name=f"{series} {TODAY.year - 1}", booths=24, agreements=10,
                                            starts_on=TODAY - dt.timedelta(days=370), series=series, edition=TODAY.year - 1)
        fair = await synthetic.seed_fair(rng, parties, name=f"{series} {TODAY.year}", booths=32, agreements=25,
                                         starts_on=TODAY - dt.timedelta(days=6), series=series, edition=TODAY.year)
        return {"fair": fair, "earlier": earlier, "parties": parties}

    return db(make)


@pytest.fixture
def empty_fair(database) -> int:
    """A fair with neither booths, sales nor agreements."""
    from fairs.tables import Fair

    async def make() -> int:
        return (await Fair.insert(Fair(name=unique("Hội chợ trống "), venue="Nhà văn hoá", province_code="ha-noi",
                                       starts_on=TODAY - dt.timedelta(days=3), ends_on=TODAY - dt.timedelta(days=2),
                                       status="closed")))[0]["id"]

    return db(make)


@pytest.fixture(scope="session")
def large_fair(database, users) -> int:
    """A fair whose booth and agreement listings run to some twenty pages."""
    from reports import synthetic

    async def make() -> int:
        rng = random.Random(8)
        parties = await synthetic.seed_parties(rng, producers=320, buyers=20, tag=unique("l"))
        return await synthetic.seed_fair(rng, parties, name=unique("Hội chợ OCOP lớn "), booths=300, agreements=420,
                                         starts_on=TODAY - dt.timedelta(days=9), kind="trade_fair")

    return db(make)
