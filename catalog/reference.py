"""OCOP reference data: provinces, groups and subgroups, star bands, certificate rules.

The rules change by decision (1048/QĐ-TTg 2019 → 148/QĐ-TTg 2023 → 1489/QĐ-TTg 2025),
so they are data files under `catalog/data/` with the decision they come from, read once.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from core.text import fold

DATA_DIR = Path(__file__).resolve().parent / "data"

# A certificate inside this window is shown as "expiring" so points and producers act in time.
EXPIRING_WITHIN_DAYS = 90


@dataclass(frozen=True)
class Province:
    code: str
    name: str
    kind: str
    merged_from: tuple[str, ...]


@dataclass(frozen=True)
class Subgroup:
    code: str
    name_vi: str
    name_en: str
    group_code: str


@dataclass(frozen=True)
class Group:
    code: str
    name_vi: str
    name_en: str
    subgroups: tuple[Subgroup, ...]


@dataclass(frozen=True)
class StarBand:
    stars: int
    min_score: float
    max_score: float


@dataclass(frozen=True)
class Rules:
    current_decision: str
    decisions: tuple[dict, ...]
    star_bands: tuple[StarBand, ...]
    min_certified_stars: int
    certificate_validity_months: int
    expiry_notice_days: int
    groups: tuple[Group, ...]


@cache
def provinces() -> dict[str, Province]:
    with open(DATA_DIR / "provinces.csv", encoding="utf-8", newline="") as handle:
        return {
            row["code"]: Province(
                code=row["code"],
                name=row["name"],
                kind=row["kind"],
                merged_from=tuple(p.strip() for p in row["merged_from"].split(";") if p.strip()),
            )
            for row in csv.DictReader(handle)
        }


@cache
def legacy_districts() -> tuple[tuple[str, str], ...]:
    """(province as named then, district) for each of the 696 districts before July 2025, when the
    district level was abolished (districts_2024.csv, written by scripts/districts_2024.py)."""
    with open(DATA_DIR / "districts_2024.csv", encoding="utf-8", newline="") as handle:
        return tuple((row["province"], row["district"]) for row in csv.DictReader(handle))


@cache
def provinces_by_name() -> tuple[Province, ...]:
    """The provinces in the order a Vietnamese reader looks for them (by name, accents folded)."""
    return tuple(sorted(provinces().values(), key=lambda p: fold(p.name)))


@cache
def rules() -> Rules:
    raw = json.loads((DATA_DIR / "ocop_rules.json").read_text(encoding="utf-8"))
    groups = tuple(
        Group(
            code=g["code"],
            name_vi=g["name_vi"],
            name_en=g["name_en"],
            subgroups=tuple(
                Subgroup(code=s["code"], name_vi=s["name_vi"], name_en=s["name_en"], group_code=g["code"])
                for s in g.get("subgroups", [])
            ),
        )
        for g in raw["groups"]
    )
    return Rules(
        current_decision=raw["current_decision"],
        decisions=tuple(raw["decisions"]),
        star_bands=tuple(
            StarBand(stars=int(b["stars"]), min_score=float(b["min_score"]), max_score=float(b["max_score"]))
            for b in raw["star_bands"]
        ),
        min_certified_stars=int(raw.get("min_certified_stars", 3)),
        certificate_validity_months=int(raw.get("certificate_validity_months", 36)),
        expiry_notice_days=int(raw.get("expiry_notice_days", 30)),
        groups=groups,
    )


@cache
def legacy_group_names() -> dict[str, str]:
    """Group names as lists still write them (the 2019 decision's, habits) → the 2023 group code."""
    with (DATA_DIR / "ocop_rules.json").open(encoding="utf-8") as handle:
        return dict(json.load(handle)["legacy_group_names"]["names"])


@cache
def groups() -> dict[str, Group]:
    return {group.code: group for group in rules().groups}


@cache
def subgroups() -> dict[str, Subgroup]:
    return {sub.code: sub for group in rules().groups for sub in group.subgroups}


def stars_for_score(score: float) -> int:
    """The star rating a score out of 100 earns under the current decision."""
    for band in sorted(rules().star_bands, key=lambda b: -b.min_score):
        if score >= band.min_score:
            return band.stars
    return 1


def add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate_day in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, candidate_day)
        except ValueError:
            continue
    raise ValueError(day)  # unreachable: every month has 28 days


def default_expiry(certified_on: dt.date) -> dt.date:
    """Certificates last 36 months from the decision date unless the decision says otherwise."""
    return add_months(certified_on, rules().certificate_validity_months)


def certificate_status(
    expires_on: dt.date | None, withdrawn_on: dt.date | None, today: dt.date
) -> str:
    """valid / expiring / expired / withdrawn, from the certificate's dates; undated when the list
    it came from gave no date, so its validity cannot be confirmed."""
    if withdrawn_on is not None and withdrawn_on <= today:
        return "withdrawn"
    if expires_on is None:
        return "undated"
    if expires_on < today:
        return "expired"
    if (expires_on - today).days <= EXPIRING_WITHIN_DAYS:
        return "expiring"
    return "valid"


def is_certified(stars: int, status: str) -> bool:
    """Listed as an OCOP product now: enough stars, and a certificate not expired or withdrawn (one
    whose list gave no date counts, its validity shown as unconfirmed)."""
    return stars >= rules().min_certified_stars and status in ("valid", "expiring", "undated")


def province_name(code: str) -> str:
    province = provinces().get(code)
    return province.name if province else code
