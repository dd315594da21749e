"""Two organizers editing the plan at once can never give a booth twice: of many simultaneous
assignments of one booth exactly one wins and every other is told the booth is taken."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.conftest import Client, run
from tests.fairs.conftest import move

CONTENDERS = 20


@pytest.fixture
def organizers(organizer, server):
    """CONTENDERS clients sharing the organizer's session, one per thread."""
    organizer.cookies.set("lang", "en")
    organizer.csrf()
    clients = [Client(base_url=server, cookies=organizer.cookies, follow_redirects=False, timeout=60)
               for _ in range(CONTENDERS)]
    yield clients
    for client in clients:
        client.close()


def test_twenty_simultaneous_assignments_of_one_booth_leave_exactly_one_winner(organizer, organizers, make_fair, exhibitor):
    from fairs.tables import BoothAssignment

    fair_id, _ = make_fair(rows=2, columns=6)
    move(organizer, fair_id, "open")
    applications = []
    for _ in range(CONTENDERS):
        producer, product = exhibitor()
        response = organizer.api("POST", f"/api/v1/fairs/{fair_id}/applications",
                                 {"producer_id": producer, "product_ids": [product]})
        assert response.status_code == 201, response.text
        applications.append(response.json()["id"])
    move(organizer, fair_id, "allocating")
    booth = next(b for b in organizer.get(f"/api/v1/fairs/{fair_id}/plan").json()["booths"] if b["code"] == "A02")

    start = threading.Barrier(CONTENDERS)

    def assign(client: Client, application: int):
        start.wait()
        return application, client.api("POST", f"/api/v1/fairs/{fair_id}/assignments",
                                       {"application_id": application, "booth_ids": [booth["id"]]})

    with ThreadPoolExecutor(max_workers=CONTENDERS) as pool:
        results = list(pool.map(assign, organizers, applications))

    codes = sorted(response.status_code for _, response in results)
    assert codes == [204] + [409] * (CONTENDERS - 1), [(r.status_code, r.text) for _, r in results]
    for _, response in results:
        if response.status_code == 409:  # told by the check, or by the unique key when the race slipped past it
            title = response.json()["title"]
            assert "A02 is already taken" in title or "saved at the same moment" in title, title
    winner = next(application for application, response in results if response.status_code == 204)

    held = run(BoothAssignment.select(BoothAssignment.application).where(BoothAssignment.booth == booth["id"]))
    assert held == [{"application": winner}]
    assert run(BoothAssignment.count().where(BoothAssignment.fair == fair_id)) == 1
    listed = {a["id"]: a for a in organizer.get(f"/api/v1/fairs/{fair_id}/applications").json()}
    assert listed[winner]["status"] == "allocated" and listed[winner]["booths"] == ["A02"]
    assert all(a["status"] == "eligible" and a["booths"] == [] for i, a in listed.items() if i != winner)
    plan = organizer.get(f"/api/v1/fairs/{fair_id}/plan").json()
    assert [b["application_id"] for b in plan["booths"] if b["state"] != "free"] == [winner]


def test_an_assignment_sent_again_changes_nothing_and_is_audited_once(organizer, make_fair, exhibitor):
    from core.tables import AuditEntry

    fair_id, _ = make_fair(rows=1, columns=4)
    move(organizer, fair_id, "open")
    producer, product = exhibitor()
    application = organizer.api("POST", f"/api/v1/fairs/{fair_id}/applications",
                                {"producer_id": producer, "product_ids": [product]}).json()["id"]
    move(organizer, fair_id, "allocating")
    booths = {b["code"]: b["id"] for b in organizer.get(f"/api/v1/fairs/{fair_id}/plan").json()["booths"]}

    def assign(*codes: str, lock: bool = True) -> None:
        response = organizer.api("POST", f"/api/v1/fairs/{fair_id}/assignments",
                                 {"application_id": application, "booth_ids": [booths[c] for c in codes], "lock": lock})
        assert response.status_code == 204, response.text

    def audited() -> int:
        return run(AuditEntry.count().where((AuditEntry.action == "assign") & (AuditEntry.entity_id == str(application))))

    assign("A01", "A02")
    assign("A01", "A02")  # a retry after a lost answer
    assign("A02", "A01")  # the same booths in another order
    assert audited() == 1
    assign("A01", "A02", lock=False)  # unlocking is a change
    assign("A03")
    assert audited() == 3
    listed = {a["id"]: a for a in organizer.get(f"/api/v1/fairs/{fair_id}/applications").json()}
    assert listed[application]["booths"] == ["A03"]


def test_an_application_withdrawn_while_the_engine_solves_stays_withdrawn_with_no_booth(
        organizer, make_fair, exhibitor, monkeypatch):
    """The run reads the applications, solves for seconds, then writes back: a withdrawal in between
    wins, and the run's write-back neither revives the application nor gives it a booth."""
    from core.audit import SYSTEM
    from fairs import allocation
    from fairs.services import allocations
    from fairs.tables import BoothAssignment
    from tests.reports.conftest import db

    fair_id, _ = make_fair(rows=2, columns=6)
    move(organizer, fair_id, "open")
    applications = []
    for _ in range(3):
        producer, product = exhibitor()
        response = organizer.api("POST", f"/api/v1/fairs/{fair_id}/applications", {"producer_id": producer, "product_ids": [product]})
        applications.append(response.json()["id"])
    move(organizer, fair_id, "allocating")
    gone = applications[0]

    solving, withdrawn = threading.Event(), threading.Event()
    solve = allocation.allocate_booths

    def slow_solve(*args):
        solving.set()
        assert withdrawn.wait(30)
        return solve(*args)

    monkeypatch.setattr(allocation, "allocate_booths", slow_solve)
    with ThreadPoolExecutor(max_workers=1) as pool:
        running = pool.submit(db, allocations.run_allocation, fair_id, SYSTEM)
        assert solving.wait(30)
        response = organizer.api("POST", f"/api/v1/fairs/applications/{gone}/withdraw")
        assert response.status_code == 201, response.text
        withdrawn.set()
        result = running.result(timeout=60)

    assert organizer.get(f"/api/v1/fairs/applications/{gone}").json()["status"] == "withdrawn"
    assert not run(BoothAssignment.exists().where(BoothAssignment.application == gone))
    assert result.placed == 2 and result.waitlisted == 0
    for other in applications[1:]:
        assert organizer.get(f"/api/v1/fairs/applications/{other}").json()["status"] == "allocated"
