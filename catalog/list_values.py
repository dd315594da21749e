"""Reading the values of a published OCOP list as they are written: stars as "4 sao", a decision
inside a sentence, dates in the column's own order, a producer with its commune appended, places
named as they were before the July 2025 merger. Pure functions: no database, no I/O.

What a value does not say is None (unknown), never a guess: a reader either finds the value the
cell states, or reports that it cannot read it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from catalog import reference
from catalog.enums import ProducerKind
from core.text import fold

DAY_FIRST = "dmy"
MONTH_FIRST = "mdy"


def text(value: Any) -> str:
    """A cell as text: surrounding and repeated spaces (non-breaking ones too) and line breaks gone."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).replace("\u00a0", " ").split())


_NUMBERING = re.compile(r"^\s*(?:\d{1,4}|[IVXivx]{1,4}|[a-zđ])\s*[.)/-]\s+(?=\S)")


def without_numbering(value: str) -> str:
    """"12. Trà Shan tuyết" → "Trà Shan tuyết": the number a list typed in front of a name."""
    return _NUMBERING.sub("", value, count=1)


# -- stars ---------------------------------------------------------------------------------------

_STARS = re.compile(r"^\s*(\d)\s*(?:sao|star|stars|\*|★)?\s*$", re.IGNORECASE)
_STAR_SIGNS = re.compile(r"^\s*(★+|\*+)\s*$")


def stars(value: Any) -> int | None:
    """3, "3", "3 sao", "3*", "★★★" → 3; blank → None (not rated); anything else raises ValueError."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if float(value).is_integer() and 0 <= value <= 5:
            return int(value)
        raise ValueError(value)
    written = text(value)
    match = _STARS.match(fold(written))
    if match and 0 <= int(match.group(1)) <= 5:
        return int(match.group(1))
    signs = _STAR_SIGNS.match(written)
    if signs and len(signs.group(1)) <= 5:
        return len(signs.group(1))
    raise ValueError(value)


# -- decisions and dates ---------------------------------------------------------------------------

# "QĐ số 2008/QĐ-UBND ngày 7/4/2023", "Quyết định 123/QĐ-UBND", "số 45/QĐ-UBND, ngày 12 tháng 3 năm 2024"
_DECISION_NUMBER = re.compile(r"(\d{1,6}\s*/\s*(?:\d{4}\s*/\s*)?QĐ[\w\-–./]*)", re.IGNORECASE)
_WRITTEN_DATE = re.compile(
    r"ngày\s*(\d{1,2})\s*(?:/|-|\.|tháng)\s*(\d{1,2})\s*(?:/|-|\.|năm)\s*(\d{4})", re.IGNORECASE)


@dataclass(frozen=True)
class Decision:
    number: str  # "" when the text names none
    day: dt.date | None


def decision(value: Any) -> Decision:
    """The decision number and date a free text states, either or both possibly missing."""
    written = text(value).replace("Qđ", "QĐ").replace("qđ", "QĐ")
    number = _DECISION_NUMBER.search(written)
    day = _WRITTEN_DATE.search(written)
    found_day = None
    if day:
        try:
            found_day = dt.date(int(day.group(3)), int(day.group(2)), int(day.group(1)))
        except ValueError:
            found_day = None
    return Decision(number=re.sub(r"\s+", "", number.group(1)).rstrip(".,;") if number else "", day=found_day)


_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][\d:.]+Z?)?$")
_SLASHED = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")


def date_order(values: list[Any]) -> str | None:
    """How a column writes its slashed dates: day first when a first part exceeds 12 somewhere,
    month first when a second part does, None when no value tells (the clerk is asked)."""
    day_first = month_first = False
    for value in values:
        match = _SLASHED.match(text(value))
        if match:
            first, second = int(match.group(1)), int(match.group(2))
            day_first |= first > 12
            month_first |= second > 12
    if day_first and not month_first:
        return DAY_FIRST
    if month_first and not day_first:
        return MONTH_FIRST
    return None


def needs_order(values: list[Any]) -> bool:
    """Whether a column holds slashed dates whose order no value settles."""
    return date_order(values) is None and any(
        (m := _SLASHED.match(text(v))) and int(m.group(1)) != int(m.group(2)) for v in values)


def day(value: Any, order: str | None) -> dt.date | None:
    """A date cell in the column's `order`; blank → None; unreadable raises ValueError."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    written = text(value)
    if not written:
        return None
    iso = _ISO.match(written)
    if iso:
        return dt.date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
    slashed = _SLASHED.match(written)
    if slashed:
        first, second, year = int(slashed.group(1)), int(slashed.group(2)), int(slashed.group(3))
        if first == second:
            return dt.date(year, first, second)
        if order is None:
            raise LookupError(value)  # the order is the clerk's to say
        return dt.date(year, second, first) if order == DAY_FIRST else dt.date(year, first, second)
    found = decision(written).day
    if found is not None:
        return found
    raise ValueError(value)


# -- producers ------------------------------------------------------------------------------------

_TRAILING_PLACE = re.compile(r"^(?P<name>.+?)\s*[,;–\-]\s*(?P<place>(?:xã|phường|thị trấn|thị xã|huyện|quận|tỉnh|thành phố|tp\.?|ấp|thôn|bản)\b.*)$",
                             re.IGNORECASE)


def producer_and_place(value: Any) -> tuple[str, str]:
    """"HTX Chè Tân Cương, xã Tân Cương" → ("HTX Chè Tân Cương", "xã Tân Cương"): the place a list
    appended to the producer's name, apart."""
    written = text(value)
    match = _TRAILING_PLACE.match(written)
    if match:
        return match.group("name").strip(), match.group("place").strip()
    return written, ""


_KINDS = (
    (("hop tac xa", "htx"), ProducerKind.cooperative),
    (("to hop tac", "tht"), ProducerKind.cooperative_group),
    (("cong ty", "cty", "doanh nghiep", "dntn"), ProducerKind.enterprise),
    (("ho kinh doanh", "hkd", "ho san xuat", "ho gia dinh", "co so"), ProducerKind.household),
)


def producer_kind(name: str, written: Any = None) -> ProducerKind | None:
    """The kind a list states (its kind column), or the one the producer's name starts with
    ("HTX …" is a cooperative); None when neither says."""
    for source in (text(written), name):
        folded = fold(source).strip()
        if not folded:
            continue
        if folded in {k.value for k in ProducerKind}:
            return ProducerKind(folded)
        for words, kind in _KINDS:
            if any(folded == w or folded.startswith(w + " ") or folded.startswith(w + ".") for w in words):
                return kind
    return None


def producer_key(name: str) -> str:
    """A producer's name folded for matching: case, accents, punctuation and the kind's spelling
    ("Hợp tác xã" or "HTX") do not tell two producers apart."""
    folded = re.sub(r"[^\w\s]", " ", fold(name))
    folded = re.sub(r"^hop tac xa\b", "htx", " ".join(folded.split()))
    folded = re.sub(r"^(cong ty|cty)\b", "cong ty", folded)
    return re.sub(r"^co so\b", "co so", folded)


_KIND_TOKENS = frozenset({"htx", "hop", "tac", "xa", "cong", "ty", "cty", "tnhh", "mtv", "co", "phan", "so", "san",
                          "xuat", "ho", "kinh", "doanh", "to", "dntn", "thuong", "mai", "dich", "vu", "va", "tm", "dv"})


def name_tokens(key: str) -> frozenset[str]:
    """The words of a folded producer name that tell producers apart (not "HTX", "Công ty TNHH"…)."""
    return frozenset(word for word in key.split() if word not in _KIND_TOKENS)


def alike(one: frozenset[str], other: frozenset[str]) -> bool:
    """Two producer names that may be one producer written two ways: most of their telling words
    shared, or every word of the shorter in the longer."""
    if not one or not other or one == other:
        return bool(one) and one == other
    shared = len(one & other)
    return shared / len(one | other) >= 0.6 or (shared == min(len(one), len(other)) and shared >= 2)


# -- places ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    province_code: str  # "" when the text names no province
    legacy_province: str  # the pre-2025 province as written, when the text names one
    legacy_district: str  # a district (abolished in July 2025) as written


def _bare(name: str) -> str:
    folded = fold(name).strip().rstrip(".,;")
    for prefix in ("tinh ", "thanh pho ", "tp. ", "tp ", "t. "):
        if folded.startswith(prefix):
            folded = folded[len(prefix):]
    return " ".join(re.sub(r"\s*[-–—]\s*", " - ", folded).split())  # "Bà Rịa – Vũng Tàu" as "Bà Rịa - Vũng Tàu"


@cache
def _provinces() -> dict[str, tuple[str, bool]]:
    """Folded names → (province code, whether the name is a pre-2025 one)."""
    found: dict[str, tuple[str, bool]] = {}
    for province in reference.provinces().values():
        for old in province.merged_from:
            found[_bare(old)] = (province.code, True)
    for province in reference.provinces().values():
        found[_bare(province.name)] = (province.code, False)
        found[province.code.replace("-", " ")] = (province.code, False)
        found[province.code] = (province.code, False)
    return found


_PROVINCE_WORD = re.compile(r"^(?:tỉnh|thành phố|tp\.?)\s+", re.IGNORECASE)


def province(value: Any) -> Place | None:
    """A province cell: its code now, and the old name kept when the list names a pre-2025 one;
    None when it names no province."""
    written = text(value)
    if not written:
        return Place("", "", "")
    hit = _provinces().get(_bare(written))
    if hit is None:
        return None
    code, old = hit
    return Place(code, _PROVINCE_WORD.sub("", written) if old else "", "")


_DISTRICT_KIND = re.compile(r"^(huyen|quan|thi xa|thanh pho|tp\.?)\s+")


def _district_key(name: str) -> tuple[str, str]:
    """("huyen", "cau ke") for "huyện Cầu Kè"; the kind is "" when the name carries none."""
    folded = " ".join(fold(name).strip().rstrip(".,;").split())
    kind = _DISTRICT_KIND.match(folded)
    if kind is None:
        return "", folded
    return kind.group(1).replace("tp.", "thanh pho").replace("tp", "thanh pho"), folded[kind.end():]


@cache
def _districts() -> dict[str, tuple[tuple[str, str, str], ...]]:
    """A district's bare folded name → (kind, province code now, its province's pre-2025 name or "" when
    that province kept its name) for each district of that name before July 2025."""
    found: dict[str, list[tuple[str, str, str]]] = {}
    for old_province, district in reference.legacy_districts():
        kind, bare = _district_key(district)
        code, merged = _provinces()[_bare(old_province)]
        found.setdefault(bare, []).append((kind, code, old_province if merged else ""))
    return {bare: tuple(places) for bare, places in found.items()}


def district_place(written: Any, near: str = "") -> Place | None:
    """The province of a district abolished in July 2025 written without one: "huyện Cầu Kè" → Vĩnh Long,
    "Trà Vinh". A name several provinces had is settled by its kind (huyện, thị xã…) and then by `near`,
    the province the list is from; None when it names no district or stays ambiguous."""
    district = text(written)
    kind, bare = _district_key(district)
    candidates = _districts().get(bare, ())
    if kind and any(c[0] == kind for c in candidates):  # a thị xã that became a thành phố keeps matching
        candidates = tuple(c for c in candidates if c[0] == kind)
    codes = {code for _, code, _ in candidates}
    if len(codes) > 1 and near in codes:
        candidates, codes = tuple(c for c in candidates if c[1] == near), {near}
    if len(codes) != 1:
        return None
    old_names = {old for _, _, old in candidates}
    return Place(codes.pop(), old_names.pop() if len(old_names) == 1 else "", district)


def place_in(address: Any) -> Place:
    """The province (and abolished district) an address names in its parts, last part first:
    "thôn 3, xã Ninh Sơn, huyện Ninh Sơn, tỉnh Ninh Thuận" → Khánh Hòa, "Ninh Thuận", "huyện Ninh Sơn"."""
    parts = [p.strip() for p in re.split(r"[,;–\-]", text(address)) if p.strip()]
    code = legacy = district = ""
    for part in reversed(parts):
        folded = fold(part)
        if not district and re.match(r"^(huyen|quan|thi xa)\s", folded):
            district = part
        if not code:
            hit = _provinces().get(_bare(part))
            if hit is not None and (folded.startswith(("tinh", "thanh pho", "tp")) or len(parts) > 1):
                code, legacy = hit[0], (_PROVINCE_WORD.sub("", part) if hit[1] else "")
    return Place(code, legacy, district)


def place_of(province_cell: Any, address: Any = "", district: Any = "", suffix: Any = "", near: str = "") -> Place | None:
    """Where a row of a list is: its province cell; else the province its address names (or the place
    appended to the producer's name, `suffix`); else the province of the abolished district it names;
    else `near`, the province the list is from ("" when none was chosen). The district is kept as written.
    None when the province cell names no province, before or after July 2025."""
    district = text(district)
    if text(province_cell):
        named = province(province_cell)
        return None if named is None else Place(named.province_code, named.legacy_province, district)
    for written in (address, suffix):
        found = place_in(written)
        if found.province_code:
            return Place(found.province_code, found.legacy_province, district or found.legacy_district)
        district = district or found.legacy_district
    return (district_place(district, near) if district else None) or Place(near, "", district)


# -- groups ----------------------------------------------------------------------------------------


@cache
def _groups() -> dict[str, str]:
    found = {fold(name).strip(): code for name, code in reference.legacy_group_names().items()}
    for group in reference.rules().groups:
        for key in (group.code, fold(group.name_vi).strip(), fold(group.name_en).strip()):
            found[key] = group.code
    return found


@cache
def _subgroups() -> dict[str, str]:
    return {key: s.code for s in reference.subgroups().values() for key in (s.code, fold(s.name_vi).strip(), fold(s.name_en).strip())}


def group_code(value: Any) -> str | None:
    """A group written as the 2023 rules name it, as the 2019 ones did ("Thảo dược"), or by its code;
    None when it is none of them."""
    folded = " ".join(fold(text(value)).replace("nhom", " ").split())
    return _groups().get(folded)


def subgroup_code(value: Any) -> str | None:
    return _subgroups().get(" ".join(fold(text(value)).split()))


# -- barcodes ----------------------------------------------------------------------------------------


def barcode(value: Any) -> str:
    """A GTIN (8, 12, 13 or 14 digits) whose check digit is right; raises ValueError otherwise."""
    digits = text(value).replace(" ", "")
    if not digits:
        return ""
    if not digits.isdigit() or len(digits) not in (8, 12, 13, 14):
        raise ValueError(value)
    if check_digit(digits[:-1]) != int(digits[-1]):
        raise ValueError(value)
    return digits


def check_digit(body: str) -> int:
    """The GS1 check digit of a GTIN's other digits."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def product_key(name: str) -> str:
    """A product's name as sheets are matched against it: folded, its spaces single."""
    return fold(" ".join(name.split()))


def named_products(own: dict[str, int], written: list[str]) -> tuple[list[int], list[str]]:
    """The ids of the products a sheet names among a producer's own (`own`: product_key → id), each once; "Mật ong"
    finds the producer's only "Mật ong hoa nhãn" too. Also the names the producer has no product of."""
    ids: list[int] = []
    unknown: list[str] = []
    for name in written:
        key = product_key(name)
        match = own.get(key)
        if match is None:
            close = [pid for known, pid in own.items() if key in known]
            match = close[0] if len(close) == 1 else None
        if match is None:
            unknown.append(name)
        elif match not in ids:
            ids.append(match)
    return ids, unknown
