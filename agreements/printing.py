"""The agreement printed for signing: filled in from the record, in Vietnamese, as PDF: the national
header, parties, the articles of its kind as signed (agreements.documents, versioned), and a
signature block for every party (the buyer, each producer, the witness)."""

from __future__ import annotations

import asyncio

from agreements import documents
from agreements.enums import AgreementKind, Party
from agreements.schemas import AgreementOut
from catalog import reference
from core import i18n

# What each side is called in each kind of document.
ROLES = {
    AgreementKind.memorandum: {"buyer": "Bên tiêu thụ", "producer": "Bên cung cấp"},
    AgreementKind.offtake: {"buyer": "Bên mua", "producer": "Bên bán"},
    AgreementKind.distribution: {"buyer": "Bên phân phối", "producer": "Bên sản xuất"},
    AgreementKind.consignment: {"buyer": "Bên nhận ký gửi", "producer": "Bên ký gửi"},
}


def signatories_by_party(agreement: AgreementOut) -> dict:
    """The signatories as the document places them: the buyer's, each producer's (by producer id), the witness."""
    producers: dict[int, list[dict]] = {}
    buyer, witness = [], []
    # A representative recorded before parties were told apart stands for the first producer.
    first = agreement.producers[0]["id"] if agreement.producers else 0
    for s in agreement.signatories:
        if s["party"] == Party.buyer.value:
            buyer.append(s)
        elif s["party"] == Party.producer.value:
            producers.setdefault(s.get("producer_id") or first, []).append(s)
        else:
            witness.append(s)
    return {"buyer": buyer, "producers": producers, "witness": witness}


def place_line(agreement: AgreementOut) -> str:
    """Where it was signed, as the date line names it: the place typed, or the fair's province."""
    if agreement.place:
        return agreement.place
    if agreement.fair_province_code:
        return reference.province_name(agreement.fair_province_code)
    return "…………"


async def agreement_pdf(engine, agreement: AgreementOut, articles: list[tuple[str, str]]) -> bytes:
    """Renders the agreement with the articles it was signed with (always Vietnamese: it is the signed
    document) with WeasyPrint."""
    token = i18n.current_language.set("vi")
    count = len(agreement.producers)
    kind = AgreementKind(agreement.kind)
    try:
        html = engine.get_template("agreements/print/base.html").render(
            agreement=agreement, province=reference.province_name, roles=ROLES[kind], heading=documents.HEADINGS[kind],
            articles=[(title, documents.blocks(body)) for title, body in articles],
            signatories=signatories_by_party(agreement), place_line=place_line(agreement),
            party_code=lambda n: "B" if count == 1 else f"B{n}")
    finally:
        i18n.current_language.reset(token)

    def render() -> bytes:
        from weasyprint import HTML

        return HTML(string=html, url_fetcher=_no_fetching).write_pdf()

    return await asyncio.to_thread(render)


def _no_fetching(url: str, *args, **kwargs):
    raise ValueError(f"the printed agreement fetches nothing ({url})")
