"""A record's history as people read it: each audit row's changed fields named in words and their
values formatted (dates dd/mm/yyyy, money in ₫, codes by their labels), not the stored JSON."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from typing import Any

from core import formatting
from core.errors import N_
from core.i18n import gettext

FIELD_LABELS = {
    "name": N_("Name"), "code": N_("Code"), "kind": N_("Kind"), "status": N_("Status"), "note": N_("Note"),
    "notes": N_("Notes"), "quantity": N_("Quantity"), "unit": N_("Unit"), "value": N_("Value"),
    "unit_price": N_("Unit price"), "selling_price": N_("Selling price"), "reference_price": N_("Price"),
    "committed_value": N_("Committed value"), "fixed_fee": N_("Booth fee"), "reorder_threshold": N_("Reorder threshold"),
    "signed_on": N_("Signed on"), "valid_from": N_("Valid from"), "valid_until": N_("Valid until"),
    "delivered_on": N_("Delivered on"), "due_on": N_("Due on"), "starts_on": N_("Starts on"), "ends_on": N_("Ends on"),
    "certified_on": N_("Certified on"), "expires_on": N_("Expires on"), "withdrawn_on": N_("Withdrawn on"),
    "stars": N_("Stars"), "score": N_("Score"), "certificate_number": N_("Certificate number"),
    "province_code": N_("Province"), "address": N_("Address"), "venue": N_("Venue"), "email": N_("Email"),
    "phone": N_("Phone"), "role": N_("Role"), "username": N_("Username"), "over_delivery": N_("Over-delivery"),
    "booths_wanted": N_("Booths wanted"), "booth_kind": N_("Booth type"), "placed": N_("Placed"),
    "waitlisted": N_("Waitlisted"), "visitors": N_("Visitors"), "lines": N_("Lines"), "booths": N_("Booths"),
    "edition": N_("Edition"), "series": N_("Series"), "min_stars": N_("Minimum stars"), "active": N_("Active"),
    "first_name": N_("First name"), "last_name": N_("Last name"), "password_set": N_("New password set"),
    "producer_added": N_("Producer linked"), "producer_removed": N_("Producer unlinked"),
    "point_added": N_("Sales point linked"), "point_removed": N_("Sales point unlinked"),
    "manager_added": N_("Manager added"), "manager_removed": N_("Manager removed"),
}
_MONEY = {"value", "unit_price", "selling_price", "reference_price", "committed_value", "fixed_fee", "amount"}
# Bookkeeping a reader has no use for, and the ids of linked records (the page names those).
_HIDDEN = {"explanation", "problems", "sha256", "evidence", "submitted_by", "search_text", "bound", "objective",
           "greedy_objective", "gap", "optimal", "seconds", "fair", "buyer", "producer", "producers", "products",
           "product", "line", "zone", "zone_preferences", "photo", "point", "user", "id"}

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _value(key: str, value: Any, label: Callable[[Any], str]) -> str:
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if key in _MONEY and isinstance(value, int | float):
        return formatting.vnd(int(value))
    if isinstance(value, int | float):
        return formatting.number(value)
    if isinstance(value, list):
        return ", ".join(_value(key, item, label) for item in value)
    if isinstance(value, str):
        if key == "province_code":
            from catalog.reference import province_name

            return province_name(value)
        # Only the form dates are stored in: Python also reads some phone numbers ("0994060593") as dates.
        if _ISO_DATE.fullmatch(value):
            try:
                return formatting.date(dt.date.fromisoformat(value))
            except ValueError:
                pass
        return label(value)
    return str(value)


def _as_dict(stored: Any) -> dict:
    if isinstance(stored, str):
        try:
            stored = json.loads(stored)
        except ValueError:
            return {}
    return stored if isinstance(stored, dict) else {}


def changes(entry: dict, label: Callable[[Any], str]) -> list[tuple[str, str]]:
    """(field in words, value as written) for what an audit row set: for an update, only what changed."""
    after, before = _as_dict(entry.get("after")), _as_dict(entry.get("before"))
    shown = []
    for key, value in after.items():
        if key in _HIDDEN or value in (None, "", [], {}) or (key in before and before[key] == value):
            continue
        name = gettext(FIELD_LABELS[key]) if key in FIELD_LABELS else key.replace("_", " ")
        shown.append((name, _value(key, value, label)))
    return shown
