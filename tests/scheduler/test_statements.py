"""The month's consignment statements, compiled by the scheduler on the first day of the next month and sent
through a real SMTP server: each producer's users get one e-mail with their own statement's PDF, a producer with
no user gets it at its own address, nothing is sent twice, and a paid month never changes."""

from __future__ import annotations

import datetime as dt

from tests.conftest import unique
from tests.scheduler.conftest import db, dispatch, local, make_point, make_producer, make_product, make_user

VIETNAM = dt.timezone(dt.timedelta(hours=7))


def _months() -> tuple[dt.date, dt.date, dt.date]:
    """The first days of last month, this month and next month (Vietnam's)."""
    this = dt.datetime.now(VIETNAM).date().replace(day=1)
    return (this - dt.timedelta(days=1)).replace(day=1), this, (this + dt.timedelta(days=32)).replace(day=1)


async def _record(point: int, product: int, kind: str, quantity: int, moment: dt.datetime, **extra) -> None:
    from core.audit import SYSTEM
    from salespoints import services
    from salespoints.schemas import MovementIn

    await services.record_movement(point, MovementIn(product_id=product, kind=kind, quantity=quantity, lot_code="KG",
                                                     happened_at=moment, **extra), SYSTEM)


def _attachments(received) -> list[tuple[str, bytes]]:
    return [(part.get_filename(), part.get_payload(decode=True)) for part in received.message.iter_attachments()]


def test_each_producer_gets_its_own_statement_once_and_a_paid_month_never_changes(outbox, clock):
    from catalog.tables import Producer
    from core.audit import SYSTEM
    from salespoints import settlements
    from salespoints.schemas import PaymentIn
    from salespoints.tables import AssortmentItem
    from scheduler.rules.statements import statements_due
    from scheduler.runner import run_tasks

    last, this, following = _months()
    month = f"{last.year:04d}-{last.month:02d}"
    in_last_month = local(last + dt.timedelta(days=9), 10)

    async def setup():
        members, users = await make_producer(members=2)
        users[1]["language"] = "en"
        lone, _ = await make_producer(members=0)
        address = f"{unique('htx-')}@producer.test"
        await Producer.update({Producer.email: address}).where(Producer.id == lone)
        products = {members: await make_product(members), lone: await make_product(lone)}
        manager = await make_user("salespoint_manager")
        point = await make_point([manager["id"]])
        for product in products.values():
            await AssortmentItem.insert(AssortmentItem(point=point, product=product, selling_price=120_000))
        await _record(point, products[members], "receipt", 30, in_last_month, consigned=True, commission_percent=10)
        await _record(point, products[lone], "receipt", 20, in_last_month, consigned=True, producer_price=90_000)
        await _record(point, products[members], "sale", 5, in_last_month + dt.timedelta(days=3))
        await _record(point, products[lone], "sale", 2, in_last_month + dt.timedelta(days=4))
        return point, products, members, users, lone, address

    point, products, members, users, lone, address = db(setup)
    ours = {u["email"] for u in users} | {address}

    clock.set_now(local(this, 0, 5))
    assert db(statements_due, clock.now()) >= 1
    assert db(statements_due, clock.now()) == 0  # owed once per point and month
    db(run_tasks)
    dispatch()
    received = [r for r in outbox.received if set(r.rcpt) & ours]
    assert sorted(r.rcpt[0] for r in received) == sorted(ours)  # one each
    by_address = {r.rcpt[0]: r for r in received}
    statements = {s.producer_id: s for s in db(settlements.point_statements, point, SYSTEM, month)}
    for user in users:
        files = _attachments(by_address[user["email"]])
        assert [name for name, _ in files] == [f"quyet-toan-ky-gui-{month}-{point}-{members}.pdf"]
        assert files[0][1].startswith(b"%PDF")
    assert _attachments(by_address[address])[0][0] == f"quyet-toan-ky-gui-{month}-{point}-{lone}.pdf"
    assert statements[members].owed == 5 * 120_000 * 9 // 10 and statements[lone].owed == 2 * 90_000
    assert "540.000" in by_address[users[0]["email"]].message.get_body(("plain",)).get_content()

    # Run again (a restarted scheduler): nothing more is sent.
    outbox.clear()
    db(statements_due, clock.now())
    db(run_tasks)
    dispatch()
    assert [r for r in outbox.received if set(r.rcpt) & ours] == []

    # Paid, the month is closed: a sale of that month recorded later leaves it as it was, and goes to the next one.
    paid = db(settlements.mark_paid, statements[members].id,
              PaymentIn(amount=540_000, paid_on=dt.datetime.now(VIETNAM).date(), reference="UNC-7"), SYSTEM)
    db(_record, point, products[members], "sale", 1, in_last_month + dt.timedelta(days=5))
    db(settlements.compile_month, point, month, SYSTEM)
    assert db(settlements.get_statement, paid.id, SYSTEM) == paid

    clock.set_now(local(following, 0, 5))
    db(statements_due, clock.now())
    db(run_tasks)
    dispatch()
    later = [r for r in outbox.received if r.rcpt[0] in {u["email"] for u in users}]
    assert len(later) == 2
    next_month = f"{this.year:04d}-{this.month:02d}"
    carried = next(s for s in db(settlements.point_statements, point, SYSTEM, next_month) if s.producer_id == members)
    assert (carried.carried, carried.owed, carried.sold) == (108_000, 108_000, 1)
    assert _attachments(later[0])[0][0] == f"quyet-toan-ky-gui-{next_month}-{point}-{members}.pdf"
