"""Enumerations of the catalog, shared by tables, schemas and templates."""

import enum

from core.errors import N_


class ProducerKind(str, enum.Enum):
    enterprise = "enterprise"  # doanh nghiệp
    cooperative = "cooperative"  # hợp tác xã
    cooperative_group = "cooperative_group"  # tổ hợp tác
    household = "household"  # hộ kinh doanh


class BuyerKind(str, enum.Enum):
    supermarket_chain = "supermarket_chain"
    distributor = "distributor"
    ecommerce = "ecommerce"
    exporter = "exporter"
    hotel_restaurant = "hotel_restaurant"
    other = "other"


class CertifyingLevel(str, enum.Enum):
    ministry = "ministry"
    province = "province"
    district = "district"  # before 1 July 2025 districts certified 3 stars


class CertificateStatus(str, enum.Enum):
    valid = "valid"
    expiring = "expiring"
    expired = "expired"
    withdrawn = "withdrawn"
    undated = "undated"  # the source gave no certification date: validity cannot be confirmed


class PhotoAction(str, enum.Enum):
    """What the audit log says happened to a product's photos."""

    photo_added = "photo_added"
    photo_removed = "photo_removed"


# What people read for each code (translated when shown).
LABELS = (
    (ProducerKind.enterprise, N_("Enterprise")),
    (ProducerKind.cooperative, N_("Cooperative")),
    (ProducerKind.cooperative_group, N_("Cooperative group")),
    (ProducerKind.household, N_("Household business")),
    (BuyerKind.supermarket_chain, N_("Supermarket chain")),
    (BuyerKind.distributor, N_("Distributor / wholesaler")),
    (BuyerKind.ecommerce, N_("E-commerce platform")),
    (BuyerKind.exporter, N_("Exporter")),
    (BuyerKind.hotel_restaurant, N_("Hotel / restaurant")),
    (BuyerKind.other, N_("Other")),
    (CertifyingLevel.ministry, N_("Ministry")),
    (CertifyingLevel.province, N_("Province")),
    (CertifyingLevel.district, N_("District (before July 2025)")),
    (CertificateStatus.valid, N_("Valid")),
    (CertificateStatus.expiring, N_("Expiring soon")),
    (CertificateStatus.expired, N_("Expired")),
    (CertificateStatus.withdrawn, N_("Withdrawn")),
    (CertificateStatus.undated, N_("Date not recorded")),
    (PhotoAction.photo_added, N_("photo added")),
    (PhotoAction.photo_removed, N_("photo removed")),
)
