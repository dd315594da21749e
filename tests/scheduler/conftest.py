"""Fixtures for the scheduler: a real SMTP server on 127.0.0.1 that records what it receives, a
controllable clock, the dispatcher pointed at that server, and small factories for the data the
rules look at (written straight to the tables, the way the services leave them)."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import email
import email.policy
import functools
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from tests.conftest import _free_port, run, unique

VIETNAM = dt.timezone(dt.timedelta(hours=7))


def db(function, *args, **kwargs):
    """`await function(*args, **kwargs)` on a fresh loop, with the database opened for that loop (a pool on PostgreSQL)."""
    from ocop.cli import _with_database

    return run(_with_database(functools.partial(function, *args, **kwargs)))


@pytest.fixture(autouse=True)
def _migrated(database, users):
    """Every scheduler test runs on the migrated test database with the session's users (an organizer among them)."""


# -- the SMTP server ------------------------------------------------------------------------------------


@dataclass
class Received:
    rcpt: list[str]
    message: EmailMessage

    @property
    def message_id(self) -> str:
        return self.message["Message-ID"]


@dataclass
class SmtpServer:
    """aiosmtpd on a free port. `reply` answers DATA (None: accept); `delay` holds each message that long."""

    port: int = 0
    reply: str | None = None
    delay: float = 0.0
    received: list[Received] = field(default_factory=list)  # accepted messages, in arrival order
    refused: int = 0
    unknown: set[str] = field(default_factory=set)  # addresses refused at RCPT, as a mailbox that does not exist
    _lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:  # aiosmtpd's name
        if address in self.unknown:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:  # aiosmtpd calls it by this name
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.reply:
            with self._lock:
                self.refused += 1
            return self.reply
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            self.received.append(Received(list(envelope.rcpt_tos), message))
        return "250 OK"

    def start(self) -> None:
        self.port = _free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()

    def clear(self) -> None:
        with self._lock:
            self.received.clear()
            self.refused = 0

    def to(self, address: str) -> list[Received]:
        with self._lock:
            return [r for r in self.received if address in r.rcpt]

    def count(self) -> int:
        with self._lock:
            return len(self.received)


@pytest.fixture
def smtp():
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mailer(smtp, monkeypatch):
    """The dispatcher sends to the test's SMTP server; mailer(send_attempts=3, …) changes other settings."""
    from core.settings import settings
    from scheduler import dispatcher, mail

    def configure(**changes):
        patched = dataclasses.replace(settings, **{"smtp_host": "127.0.0.1", "smtp_port": smtp.port, "smtp_timeout": 5.0,
                                                   **changes})
        monkeypatch.setattr(mail, "settings", patched)
        monkeypatch.setattr(dispatcher, "settings", patched)
        return patched

    configure()
    return configure


@pytest.fixture
def clock():
    """The scheduler's clock, fixed by the test (clock.set_now(moment)); real time again afterwards."""
    from scheduler import clock as scheduler_clock

    yield scheduler_clock
    scheduler_clock.set_now(None)


def local(day: dt.date, hour: int = 9, minute: int = 0) -> dt.datetime:
    """A moment in Vietnam's time."""
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=VIETNAM)


# -- data the rules look at -------------------------------------------------------------------------------


async def make_user(role: str, language: str = "vi", email_address: str | None = None) -> dict:
    from accounts.enums import Role
    from accounts.services import create_user

    username = unique(f"s-{role[:5]}-")
    user = await create_user(username, "scheduler-test-pass", Role(role), email_address or f"{username}@sched.test",
                             language=language)
    return {"id": user.id, "email": user.email, "language": language}


async def make_producer(members: int = 1, language: str = "vi") -> tuple[int, list[dict]]:
    from catalog.tables import Producer, ProducerMember

    producer = (await Producer.insert(Producer(name=unique("HTX "), kind="cooperative", province_code="ha-noi")))[0]["id"]
    users = []
    for _ in range(members):
        user = await make_user("producer", language)
        await ProducerMember.insert(ProducerMember(user=user["id"], producer=producer))
        users.append(user)
    return producer, users


async def make_product(producer: int, expires_on: dt.date | None = None) -> int:
    from catalog.tables import Product

    return (await Product.insert(Product(
        producer=producer, name=unique("Mật ong "), group_code="food", subgroup_code="raw_preprocessed_food", stars=4,
        score=78, certificate_number=unique("GCN-"), certified_on=dt.date(2025, 3, 10), expires_on=expires_on,
        code=unique("P"), unit="chai", reference_price=180_000, province_code="ha-noi")))[0]["id"]


async def make_point(managers: list[int], carries: list[tuple[int, int]] = (), stock: list[tuple] = ()) -> int:
    """A sales point with its managers, carrying (product, reorder threshold) and holding (product, quantity, lot, expiry)."""
    from salespoints.tables import AssortmentItem, SalesPoint, SalesPointManager, StockBalance

    point = (await SalesPoint.insert(SalesPoint(name=unique("Điểm OCOP "), province_code="ha-noi")))[0]["id"]
    for user in managers:
        await SalesPointManager.insert(SalesPointManager(point=point, user=user))
    for product, threshold in carries:
        await AssortmentItem.insert(AssortmentItem(point=point, product=product, selling_price=100_000,
                                                   reorder_threshold=threshold))
    for product, quantity, lot, expiry in stock:
        await StockBalance.insert(StockBalance(point=point, product=product, quantity=quantity, lot_code=lot,
                                               lot_expiry=expiry))
    return point


async def make_agreement(producers: list[int], buyer_email: str = "", valid_until: dt.date | None = None,
                         status: str = "signed") -> int:
    from agreements.tables import Agreement, AgreementProducer
    from catalog.tables import Buyer

    buyer = (await Buyer.insert(Buyer(name=unique("Siêu thị "), kind="supermarket_chain", email=buyer_email)))[0]["id"]
    agreement = (await Agreement.insert(Agreement(code=unique("BB-"), kind="memorandum", signed_on=dt.date(2025, 1, 1),
                                                  buyer=buyer, status=status, valid_until=valid_until)))[0]["id"]
    for producer in producers:
        await AgreementProducer.insert(AgreementProducer(agreement=agreement, producer=producer))
    return agreement


async def make_milestone(agreement: int, due_on: dt.date, done_on: dt.date | None = None) -> int:
    from agreements.tables import Milestone

    return (await Milestone.insert(Milestone(agreement=agreement, due_on=due_on, description=unique("Giao đợt "),
                                             quantity=100, done_on=done_on)))[0]["id"]


async def make_fair(starts_on: dt.date, ends_on: dt.date, status: str = "published", setup_on: dt.date | None = None,
                    series: str = "", closes_on: dt.date | None = None) -> int:
    from fairs.tables import Fair, Zone

    fair = (await Fair.insert(Fair(name=unique("Hội chợ OCOP "), venue="Công viên Thống Nhất", province_code="ha-noi",
                                   starts_on=starts_on, ends_on=ends_on, setup_on=setup_on, status=status, series=series,
                                   applications_close_on=closes_on)))[0]["id"]
    await Zone.insert(Zone(fair=fair, code="A", name="Thực phẩm"))
    return fair


async def place(fair: int, producer: int, booths: int = 1, status: str = "allocated") -> int:
    """An application of `producer` at `fair` holding `booths` booths (none when it is not placed)."""
    from fairs.tables import Application, Booth, BoothAssignment, Zone

    application = (await Application.insert(Application(fair=fair, producer=producer, status=status)))[0]["id"]
    if status not in ("allocated", "confirmed"):
        return application
    zone = (await Zone.select(Zone.id).where(Zone.fair == fair).first())["id"]
    taken = await Booth.count().where(Booth.fair == fair)
    for number in range(taken + 1, taken + booths + 1):
        booth = (await Booth.insert(Booth(fair=fair, zone=zone, code=f"A{number:02d}", x=3.0 * number, y=0.0)))[0]["id"]
        await BoothAssignment.insert(BoothAssignment(fair=fair, booth=booth, application=application))
    return application


async def organizer_ids() -> set[int]:
    """The organizing office as the rules should see it: active organizers."""
    from accounts.tables import User

    rows = await User.select(User.id).where(User.role == "organizer", User.active.eq(True))
    return {r["id"] for r in rows}


async def notifications(prefix: str) -> list[dict]:
    """The notifications whose key starts with `prefix`, oldest first."""
    from core.tables import Notification

    return await Notification.select().where(Notification.key.like(f"{prefix}%")).order_by(Notification.id)


# -- the dispatcher ----------------------------------------------------------------------------------


def dispatch(worker: str = "test-dispatcher"):
    from scheduler.dispatcher import dispatch_all

    return db(dispatch_all, worker)


def real_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@pytest.fixture
def outbox(smtp, mailer, clock):
    """The dispatcher sending to the test's server, with whatever earlier tests left due already sent."""
    clock.set_now(real_now() + dt.timedelta(seconds=1))
    dispatch("drain")
    smtp.clear()
    return smtp
