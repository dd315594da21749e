"""Enumerations of the fairs module, with their labels for pages."""

import enum

from core.errors import N_


class FairKind(str, enum.Enum):
    trade_fair = "trade_fair"  # hội chợ
    trade_week = "trade_week"  # tuần hàng
    connection_conference = "connection_conference"  # hội nghị kết nối giao thương


class FairStatus(str, enum.Enum):
    draft = "draft"
    open = "open"  # open for applications
    allocating = "allocating"
    published = "published"
    running = "running"
    closed = "closed"


# The workflow: the only transitions allowed (reopening allocation after publishing is one of them).
TRANSITIONS = {
    FairStatus.draft: {FairStatus.open},
    FairStatus.open: {FairStatus.allocating, FairStatus.draft},
    FairStatus.allocating: {FairStatus.published, FairStatus.open},
    FairStatus.published: {FairStatus.running, FairStatus.allocating},
    FairStatus.running: {FairStatus.closed},
    FairStatus.closed: set(),
}


class FeePolicy(str, enum.Enum):
    free = "free"
    fixed = "fixed"  # one fee per booth
    by_type = "by_type"  # each booth's own price


class ZoneTheme(str, enum.Enum):
    general = "general"
    group = "group"  # one or more OCOP groups
    province = "province"  # a province's pavilion
    partner = "partner"  # a partner's pavilion: invited exhibitors only
    outdoor = "outdoor"


class BoothKind(str, enum.Enum):
    standard = "standard"  # 3 m × 3 m
    corner = "corner"
    double = "double"
    tent = "tent"  # outdoor tent
    premium = "premium"


class Amenity(str, enum.Enum):
    power = "power"
    water = "water"
    refrigeration = "refrigeration"


class ApplicationStatus(str, enum.Enum):
    submitted = "submitted"
    eligible = "eligible"
    ineligible = "ineligible"
    waitlisted = "waitlisted"
    allocated = "allocated"
    confirmed = "confirmed"
    withdrawn = "withdrawn"


# Applications still in the running for a booth: what an allocation run places, and what an organizer
# may place on the plan by hand.
PLACEABLE = [ApplicationStatus.eligible.value, ApplicationStatus.waitlisted.value, ApplicationStatus.allocated.value,
             ApplicationStatus.confirmed.value]


class AssignmentState(str, enum.Enum):
    proposed = "proposed"
    confirmed = "confirmed"


# Booth colours on the plan.
class BoothState(str, enum.Enum):
    free = "free"
    proposed = "proposed"
    confirmed = "confirmed"
    blocked = "blocked"


LABELS = (
    (FairKind.trade_fair, N_("Trade fair")),
    (FairKind.trade_week, N_("Trade week")),
    (FairKind.connection_conference, N_("Connection conference")),
    (FairStatus.draft, N_("Draft")),
    (FairStatus.open, N_("Open for applications")),
    (FairStatus.allocating, N_("Allocating booths")),
    (FairStatus.published, N_("Floor plan published")),
    (FairStatus.running, N_("Running")),
    (FairStatus.closed, N_("Closed")),
    (FeePolicy.free, N_("Free of charge")),
    (FeePolicy.fixed, N_("Fixed fee per booth")),
    (FeePolicy.by_type, N_("Fee by booth type")),
    (ZoneTheme.general, N_("General")),
    (ZoneTheme.group, N_("OCOP group")),
    (ZoneTheme.province, N_("Province pavilion")),
    (ZoneTheme.partner, N_("Partner pavilion")),
    (ZoneTheme.outdoor, N_("Outdoor")),
    (BoothKind.standard, N_("Standard 3 × 3 m")),
    (BoothKind.corner, N_("Corner")),
    (BoothKind.double, N_("Double")),
    (BoothKind.tent, N_("Outdoor tent")),
    (BoothKind.premium, N_("Premium")),
    (Amenity.power, N_("Power")),
    (Amenity.water, N_("Water")),
    (Amenity.refrigeration, N_("Refrigeration")),
    (ApplicationStatus.submitted, N_("Submitted")),
    (ApplicationStatus.eligible, N_("Eligible")),
    (ApplicationStatus.ineligible, N_("Ineligible")),
    (ApplicationStatus.waitlisted, N_("Waitlisted")),
    (ApplicationStatus.allocated, N_("Allocated")),
    (ApplicationStatus.confirmed, N_("Confirmed")),
    (ApplicationStatus.withdrawn, N_("Withdrawn by the applicant")),
    (BoothState.free, N_("Free")),
    (BoothState.proposed, N_("Proposed")),
    (BoothState.blocked, N_("Blocked")),
)
