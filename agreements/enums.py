"""Enumerations of the agreements module, with their labels for pages."""

import enum

from core.errors import N_


class AgreementKind(str, enum.Enum):
    memorandum = "memorandum"  # biên bản ghi nhớ
    offtake = "offtake"  # hợp đồng mua bán / bao tiêu
    distribution = "distribution"  # hợp đồng phân phối
    consignment = "consignment"  # ký gửi


class AgreementStatus(str, enum.Enum):
    draft = "draft"
    signed = "signed"
    in_progress = "in_progress"
    fulfilled = "fulfilled"
    partially_fulfilled = "partially_fulfilled"
    lapsed = "lapsed"
    cancelled = "cancelled"


CLOSING = frozenset({AgreementStatus.fulfilled, AgreementStatus.partially_fulfilled, AgreementStatus.lapsed,
                     AgreementStatus.cancelled})
TRANSITIONS = {
    AgreementStatus.draft: {AgreementStatus.signed, AgreementStatus.cancelled},
    AgreementStatus.signed: {AgreementStatus.in_progress, *CLOSING},
    AgreementStatus.in_progress: set(CLOSING),
    AgreementStatus.fulfilled: set(),
    AgreementStatus.partially_fulfilled: set(),
    AgreementStatus.lapsed: set(),
    AgreementStatus.cancelled: set(),
}
# Deliveries are recorded against an agreement in these states (the first one moves it to in progress).
DELIVERING = frozenset({AgreementStatus.signed, AgreementStatus.in_progress})


class Party(str, enum.Enum):
    buyer = "buyer"
    producer = "producer"
    witness = "witness"  # the organizer's representative


LABELS = (
    (AgreementKind.memorandum, N_("Memorandum of understanding")),
    (AgreementKind.offtake, N_("Offtake / purchase contract")),
    (AgreementKind.distribution, N_("Distribution agreement")),
    (AgreementKind.consignment, N_("Consignment")),
    (AgreementStatus.draft, N_("Draft")),
    (AgreementStatus.signed, N_("Signed")),
    (AgreementStatus.in_progress, N_("In progress")),
    (AgreementStatus.fulfilled, N_("Fulfilled")),
    (AgreementStatus.partially_fulfilled, N_("Partially fulfilled")),
    (AgreementStatus.lapsed, N_("Lapsed")),
    (AgreementStatus.cancelled, N_("Cancelled")),
    (Party.buyer, N_("Buyer")),
    (Party.producer, N_("Producer")),
    (Party.witness, N_("Witness")),
)
