"""Demo agreements: the signing ceremony of the demo connection conference four months ago, about
150 agreements, a third of them followed by deliveries, some with milestones now overdue."""

from __future__ import annotations

import datetime as dt
import random

import msgspec

from agreements import services
from agreements.schemas import AgreementIn, DeliveryIn
from catalog.tables import Buyer, Product
from core.audit import SYSTEM

_TITLES = [("Giám đốc", "Chủ nhiệm HTX"), ("Phó Giám đốc", "Giám đốc"), ("Trưởng phòng thu mua", "Chủ hộ kinh doanh")]
_BUYER_PEOPLE = ["Nguyễn Văn Hùng", "Trần Thị Lan", "Lê Minh Tuấn", "Phạm Thu Hà", "Vũ Đức Thắng", "Đỗ Thị Hương"]
_PRODUCER_PEOPLE = ["Lò Văn Páo", "Hoàng Thị Mai", "Nguyễn Văn Bình", "Bùi Thị Thu", "Đinh Văn Sơn", "Giàng A Tủa"]


async def seed_agreements(rng: random.Random, on: dt.date, fair_id: int, count: int = 150) -> dict[str, int]:
    signed_on = on - dt.timedelta(days=119)
    buyers = await Buyer.select(Buyer.id)
    products = await Product.select(Product.id, Product.producer, Product.unit, Product.reference_price).where(
        (Product.stars >= 3) & Product.withdrawn_on.is_null())
    by_producer: dict[int, list[dict]] = {}
    for product in products:
        by_producer.setdefault(product["producer"], []).append(product)
    producers = sorted(by_producer)
    created, delivered = [], 0
    for number in range(count):
        producer = rng.choice(producers)
        chosen = rng.sample(by_producer[producer], k=min(len(by_producer[producer]), rng.choice([1, 1, 2, 3])))
        kind = rng.choices(["memorandum", "offtake", "distribution", "consignment"], weights=[0.5, 0.3, 0.15, 0.05])[0]
        lines = [{"product_id": p["id"], "quantity": rng.choice([100, 200, 500, 1000, 2000]), "unit": p["unit"] or "sản phẩm",
                  "unit_price": max(10_000, p["reference_price"] * rng.choice([70, 80, 90]) // 100)} for p in chosen]
        titles = rng.choice(_TITLES)
        data = msgspec.convert({
            "buyer_id": rng.choice(buyers)["id"], "producer_ids": [producer], "signed_on": signed_on, "kind": kind,
            "fair_id": fair_id, "valid_until": signed_on + dt.timedelta(days=rng.choice([180, 365, 365, 730])),
            "lines": lines,
            "milestones": [] if kind == "memorandum" else [  # a memorandum states intent: no delivery dates
                {"due_on": signed_on + dt.timedelta(days=60), "description": "Giao đợt 1 (40%)", "line": 0,
                 "quantity": lines[0]["quantity"] * 4 // 10},
                {"due_on": signed_on + dt.timedelta(days=170), "description": "Giao đợt 2 (phần còn lại)", "line": 0,
                 "quantity": lines[0]["quantity"] - lines[0]["quantity"] * 4 // 10}],
            "signatories": [{"party": "buyer", "name": rng.choice(_BUYER_PEOPLE), "title": titles[0]},
                            {"party": "producer", "name": rng.choice(_PRODUCER_PEOPLE), "title": titles[1]}],
        }, AgreementIn)
        agreement_id = await services.create_agreement(data, SYSTEM)
        created.append(agreement_id)
        if number % 3 == 0:  # a third turned into trade, some on time, some late, some only in part
            agreement = await services.get_agreement(agreement_id, SYSTEM)
            for line in agreement.lines:
                share = rng.choice([0.2, 0.4, 0.4, 0.7, 1.0])
                day = signed_on + dt.timedelta(days=rng.choice([30, 45, 58, 75, 100]))
                first = max(1, int(line.quantity * share / 2))
                for part, when in ((first, day), (int(line.quantity * share) - first, day + dt.timedelta(days=20))):
                    if part > 0 and when <= on:
                        await services.record_delivery(agreement_id, msgspec.convert({
                            "line_id": line.id, "delivered_on": when, "quantity": part}, DeliveryIn), SYSTEM)
                        delivered += 1
    return {"agreements": len(created), "deliveries": delivered}
