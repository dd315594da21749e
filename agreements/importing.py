"""Importing the organizers' sheet of agreements signed at an event (.xlsx or .csv).

One row per agreement line; rows with the same code are one agreement (a row without a code is
an agreement of its own). The preview reports every row's problems and every buyer or producer the
sheet names that the catalogue does not know, each offered as "create" (buyers) or "match to" one
of the closest known names. The commit checks everything again with the choices made and writes
all agreements in one transaction, or none.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from agreements import quantities
from agreements.enums import AgreementKind
from agreements.schemas import AgreementIn, LineIn
from agreements.services.records import _checked, ensure_editor, lookup_for, new_code
from agreements.tables import Agreement, AgreementLine, AgreementProducer
from catalog.enums import BuyerKind
from catalog.tables import Buyer, ImportUpload, Producer, Product
from core.audit import Actor, record_audit
from core.errors import N_, Msg, ValidationFailed
from core.forms import assemble, parse_date
from core.ids import is_id
from core.settings import settings
from core.spreadsheets import read_table
from core.text import fold
from fairs.tables import Fair

UPLOAD_HOURS = 24
MAX_ROWS = 20_000
COLUMNS = {
    "code": ("ma", "ma bien ban", "so bien ban", "so hop dong"),
    "signed_on": ("ngay ky", "date", "signed"),
    "kind": ("loai", "hinh thuc"),
    "buyer": ("ben mua", "don vi thu mua", "doanh nghiep thu mua", "buyer name"),
    "producer": ("chu the", "chu the ocop", "ben ban", "producer name"),
    "product": ("san pham", "ten san pham", "product name"),
    "quantity": ("so luong", "san luong", "qty"),
    "unit": ("don vi", "don vi tinh", "dvt"),
    "unit_price": ("don gia", "gia", "price"),
    "value": ("gia tri", "tri gia", "thanh tien", "amount"),
    "valid_until": ("hieu luc den", "thoi han", "han", "valid to"),
}
_KINDS = {"ghi nho": "memorandum", "bien ban ghi nho": "memorandum", "mou": "memorandum", "hop dong": "offtake",
          "bao tieu": "offtake", "mua ban": "offtake", "phan phoi": "distribution", "ky gui": "consignment",
          **{k.value: k.value for k in AgreementKind}}


@dataclass
class Unknown:
    """A name the catalogue does not know, and the known names it might be."""

    kind: str  # "buyer" or "producer"
    name: str
    rows: list[int]
    suggestions: list[tuple[int, str]]
    key: str = field(init=False)  # the form field (or JSON key) naming the choice made for it

    def __post_init__(self) -> None:
        self.key = f"{self.kind}:{fold(self.name)}"


@dataclass
class Preview:
    token: str
    filename: str
    agreements: int
    lines: int
    problems: dict[int, list[str]] = field(default_factory=dict)  # row number -> messages
    unknown: list[Unknown] = field(default_factory=list)


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


# A whole number, bare or with its thousands grouped by one separator: 1500000, 1.500.000, 1,500,000, 1 500 000.
_WHOLE = re.compile(r"-?(\d+|\d{1,3}(?P<sep>[.,\s])\d{3}(?:(?P=sep)\d{3})*)")


def _quantity(value: Any) -> float | None:
    """A quantity as sheets hold it: a number, or text with its thousands grouped (1.500) or a decimal
    mark (2,5 or 2.5: one mark followed by other than three digits cannot be grouping); None otherwise."""
    if value in (None, "") or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    whole = _number(value)
    if whole is not None:
        return float(whole)
    found = re.fullmatch(r"(\d+)[.,](\d{1,2}|\d{4,})", str(value).strip().replace("\u00a0", ""))
    return float(f"{found.group(1)}.{found.group(2)}") if found else None


def _three_decimals(quantity: float) -> bool:
    try:
        quantities.stored(quantity)
    except ValueError:
        return False
    return True


def _number(value: Any) -> int | None:
    """A whole number, or None: "2,5" or 2.5 is not read as 25 or 2 (quantities and đồng are whole)."""
    if value in (None, "") or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    text = str(value).strip().replace("\u00a0", " ")
    if not _WHOLE.fullmatch(text):
        return None
    return int(re.sub(r"[.,\s]", "", text))


def _day(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    try:
        return parse_date(value)
    except ValueError:
        return None


def _suggest(name: str, known: dict[str, list[tuple[int, str]]], limit: int = 5) -> list[tuple[int, str]]:
    """Known names sharing the most words with `name`."""
    words = set(fold(name).split())
    scored = []
    for folded, entries in known.items():
        common = len(words & set(folded.split()))
        if common:
            scored += [(-common, entry) for entry in entries]
    return [entry for _, entry in sorted(scored, key=lambda s: (s[0], s[1][1]))[:limit]]


async def _check(rows: list[dict], choices: dict[str, str], fair_id: int | None):
    """(agreements to write, per-row problems, unknown names) with the given create/match choices."""
    buyers: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for b in await Buyer.select(Buyer.id, Buyer.name):
        buyers[fold(b["name"])].append((b["id"], b["name"]))
    producers: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for p in await Producer.select(Producer.id, Producer.name):
        producers[fold(p["name"])].append((p["id"], p["name"]))
    products: dict[tuple[int, str], int] = {}
    for p in await Product.select(Product.id, Product.producer, Product.name):
        products.setdefault((p["producer"], fold(p["name"])), p["id"])
    problems: dict[int, list[str]] = defaultdict(list)
    unknown: dict[tuple[str, str], Unknown] = {}
    groups: dict[str, list[tuple[int, dict]]] = defaultdict(list)

    def resolve(kind: str, name: str, known, number: int) -> int | str | None:
        folded = fold(name)
        if folded in known:
            return known[folded][0][0]
        choice = choices.get(f"{kind}:{folded}", "")
        if choice.isdigit():
            return int(choice)
        if choice == "create" and kind == "buyer":
            return f"new:{name}"
        entry = unknown.setdefault((kind, folded), Unknown(kind, name, [], _suggest(name, known)))
        entry.rows.append(number)
        return None

    for number, raw in enumerate(rows, start=2):
        buyer_name, producer_name, product_name = _text(raw.get("buyer")), _text(raw.get("producer")), _text(raw.get("product"))
        signed_on, quantity = _day(raw.get("signed_on")), _quantity(raw.get("quantity"))
        if not buyer_name:
            problems[number].append(N_("The buyer is missing."))
        if not producer_name:
            problems[number].append(N_("The producer is missing."))
        if signed_on is None:
            problems[number].append(N_("Give the signing date as dd/mm/yyyy."))
        if quantity is None or quantity <= 0:
            problems[number].append(N_("Give a quantity above zero."))
        elif not _three_decimals(quantity):
            problems[number].append(N_("Give the quantity with at most three decimals."))
        for name in ("unit_price", "value"):
            amount = _number(raw.get(name))
            if raw.get(name) not in (None, "") and (amount is None or amount < 0):
                problems[number].append(N_("Amounts are whole đồng, not negative."))
        valid_until = _day(raw.get("valid_until"))
        if raw.get("valid_until") not in (None, "") and valid_until is None:
            problems[number].append(N_("Give the end of the term as dd/mm/yyyy."))
        elif valid_until and signed_on and valid_until < signed_on:
            problems[number].append(N_("The term cannot end before the agreement is signed."))
        kind = _KINDS.get(fold(_text(raw.get("kind"))), "memorandum" if not _text(raw.get("kind")) else None)
        if kind is None:
            problems[number].append(N_("Unknown kind of agreement."))
        buyer = resolve("buyer", buyer_name, buyers, number) if buyer_name else None
        producer = resolve("producer", producer_name, producers, number) if producer_name else None
        product = None
        if isinstance(producer, int):
            product = products.get((producer, fold(product_name)))
            if product is None:
                problems[number].append(N_("This producer has no product of this name in the catalogue."))
        code = _text(raw.get("code")).upper()
        if len(code) > 40:
            problems[number].append(N_("At most 40 characters."))
        groups[code or f"#row{number}"].append((number, {
            "buyer": buyer, "producer": producer, "product": product, "signed_on": signed_on, "quantity": quantity,
            "unit": _text(raw.get("unit"))[:32], "unit_price": _number(raw.get("unit_price")) or 0,
            "value": _number(raw.get("value")), "valid_until": valid_until, "kind": kind, "code": code}))
    taken = {r["code"] for r in await Agreement.select(Agreement.code).where(
        Agreement.code.is_in([code for code in groups if not code.startswith("#row")] or [""]))}
    agreements = []
    for code, members in groups.items():
        first = members[0][1]
        if len({(m["buyer"], m["signed_on"]) for _, m in members}) > 1:
            for number, _ in members:
                problems[number].append(N_("Rows with the same code name different buyers or dates."))
        if code in taken:
            for number, _ in members:
                problems[number].append(N_("Another agreement has this code."))
        agreements.append((code if not code.startswith("#row") else "", [n for n, _ in members], first, members))
    return agreements, problems, list(unknown.values())


def _rows(filename: str, content: bytes) -> list[dict]:
    return read_table(filename, content, settings.max_upload_bytes, COLUMNS, max_rows=MAX_ROWS)


async def preview(filename: str, content: bytes, fair_id: int | None, actor: Actor) -> Preview:
    """Reads and checks an upload, keeps it for the commit, and reports every row's problems."""
    ensure_editor(actor)
    if fair_id is not None and not (is_id(fair_id) and await Fair.exists().where(Fair.id == fair_id)):
        raise ValidationFailed({"fair_id": N_("Choose a fair from the list.")})
    rows = await asyncio.to_thread(_rows, filename, content)
    agreements, problems, unknown = await _check(rows, {}, fair_id)
    token = secrets.token_urlsafe(24)
    stale = dt.datetime.now(dt.UTC) - dt.timedelta(hours=UPLOAD_HOURS)
    await ImportUpload.delete().where(ImportUpload.created_at < stale)
    # the name's end is kept whole: the commit reads the file by its extension
    await ImportUpload.insert(ImportUpload(token=token, filename=f"agreements:{fair_id or ''}:{filename[-200:]}",
                                           content=content, created_by=actor.user_id))
    return Preview(token, filename, len(agreements), len(rows), dict(problems), unknown)


async def commit(token: str, choices: dict[str, str], actor: Actor) -> int:
    """Writes every agreement of a previewed upload in one transaction (or none), once: the stored
    file is taken in the same transaction, so a double click cannot import twice. Returns the count."""
    ensure_editor(actor)
    async with Agreement._meta.db.transaction():
        taken = await ImportUpload.delete().where(ImportUpload.token == token).returning(
            ImportUpload.filename, ImportUpload.content)
        if not taken or not taken[0]["filename"].startswith("agreements:"):
            raise ValidationFailed({"file": N_("This preview has expired. Upload the file again.")})
        _, fair, filename = taken[0]["filename"].split(":", 2)
        fair_id = int(fair) if fair else None
        rows = await asyncio.to_thread(_rows, filename, taken[0]["content"])
        agreements, problems, unknown = await _check(rows, choices, fair_id)
        if problems or unknown:
            count = len(problems) + sum(len(u.rows) for u in unknown)
            raise ValidationFailed({"file": Msg(N_("%(n)s rows have problems; nothing was imported."), n=count)})
        created_buyers: dict[str, int] = {}
        prepared = []
        for code, numbers, first, members in agreements:
            buyer = first["buyer"]
            if isinstance(buyer, str):  # "new:<name>": create it once
                name = buyer[4:]
                if name not in created_buyers:
                    row = (await Buyer.insert(Buyer(name=name[:255], kind=BuyerKind.other.value, search_text=fold(name))))[0]
                    created_buyers[name] = row["id"]
                buyer = created_buyers[name]
            prepared.append((numbers, assemble({
                "buyer_id": buyer, "producer_ids": list(dict.fromkeys(m["producer"] for _, m in members)),
                "signed_on": first["signed_on"], "kind": first["kind"], "code": code, "fair_id": fair_id,
                "valid_until": first["valid_until"],
                "lines": [LineIn(product_id=m["product"], quantity=m["quantity"], unit=m["unit"],
                                 unit_price=m["unit_price"], value=m["value"]) for _, m in members],
            }, AgreementIn)))
        # The same checks as one agreement entered by hand, with what they read fetched once for all.
        lookup = await lookup_for([data for _, data in prepared])
        checked = []
        for numbers, data in prepared:
            try:
                checked.append((data, *(await _checked(data, None, lookup))[:2]))
            except ValidationFailed as error:
                raise ValidationFailed({f"row {numbers[0]}": next(iter(error.errors.values()))}) from None
        written = await _insert_all(checked, fair_id, actor)
        await record_audit(actor, "import", "agreements", filename[:64], None,
                           {"agreements": written, "fair": fair_id, "buyers_created": len(created_buyers)})
    return written


async def _insert_all(checked: list[tuple[AgreementIn, dict, list[dict]]], fair_id: int | None, actor: Actor) -> int:
    """Writes checked agreements in bulk: codes generated in sequence, then agreements, producers, lines."""
    codes = [data.code.strip().upper() or await new_code(fair_id, data.signed_on) for data, _, _ in checked]
    rows = [Agreement(code=code, status="signed", created_by=actor.user_id, **values)
            for code, (_, values, _) in zip(codes, checked, strict=True)]
    for start in range(0, len(rows), 500):
        await Agreement.insert(*rows[start:start + 500])
    ids = {r["code"]: r["id"] for start in range(0, len(codes), 500) for r in await Agreement.select(
        Agreement.id, Agreement.code).where(Agreement.code.is_in(codes[start:start + 500]))}
    producers, lines = [], []
    for code, (data, _, parts) in zip(codes, checked, strict=True):
        producers += [AgreementProducer(agreement=ids[code], producer=p) for p in dict.fromkeys(data.producer_ids)]
        lines += [AgreementLine(agreement=ids[code], **line) for line in parts]
    for start in range(0, len(lines), 500):
        await AgreementLine.insert(*lines[start:start + 500])
    for start in range(0, len(producers), 500):
        await AgreementProducer.insert(*producers[start:start + 500])
    return len(rows)
