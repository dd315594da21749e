"""The registrations of a connection conference as offices keep them in a sheet: one row per enterprise,
cooperative or unit, its side written in words ("Bên mua", "Nhà phân phối", "Chủ thể OCOP"), a buyer's needs
(OCOP groups in free text, stars "từ 4 sao", provinces before or after the July 2025 merger, prices such as
"50.000", "50,000đ" or "50 nghìn"), a producer's offer, a quota of meetings and a time window ("Sáng",
"Chiều", "Cả ngày") read against the room's slots.

Pure: no database, no I/O. Each row becomes a `Draft` whose unstated values are None (unknown, never a
guess) with its problems by field; matching a party with the catalogue is the importer's.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from catalog import list_values
from catalog.enums import BuyerKind
from catalog.headed_sheets import HeadedRows
from core.errors import N_, Msg
from core.fields import MAX_MONEY
from core.text import fold
from matchmaking.enums import Side
from matchmaking.schemas import MAX_QUOTA

# field → headings that name it, folded as catalog.list_headings.heading_key folds them.
ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("ten doanh nghiep htx", "ten doanh nghiep", "ten doanh nghiep hop tac xa", "ten doanh nghiep htx co so",
             "ten don vi", "ten don vi tham gia", "don vi tham gia", "don vi", "doanh nghiep", "doanh nghiep htx",
             "ten to chuc", "to chuc", "ten chu the", "chu the", "ten co so", "ten htx", "ten cong ty", "cong ty",
             "ten doi tac", "name", "company", "company name", "organisation", "organization", "participant"),
    "side": ("ben", "vai tro", "loai", "ben tham gia", "tu cach", "tu cach tham gia", "tham gia voi tu cach", "doi tuong",
             "loai doi tuong", "loai tham gia", "mua ban", "ben mua ban", "ben mua ben ban", "side", "role"),
    "kind": ("loai hinh", "loai hinh don vi", "loai hinh doanh nghiep", "loai don vi", "linh vuc", "kenh phan phoi",
             "loai ben mua", "kind", "buyer kind", "buyer type"),
    "code": ("ma so thue", "mst", "ma so doanh nghiep", "ma so dn", "ma so dkkd", "ma so dang ky kinh doanh", "so dkkd",
             "ma chu the", "tax code", "registration code"),
    "province": ("tinh thanh pho", "tinh thanh", "tinh tp", "tinh", "thanh pho", "dia phuong", "province"),
    "groups": ("nhom san pham quan tam", "nhom san pham", "nhom hang quan tam", "nhom hang", "nganh hang quan tam",
               "nganh hang", "nhom quan tam", "nhom ocop", "nhom ocop quan tam", "nhom nganh", "san pham quan tam",
               "nhom san pham can mua", "groups", "product groups", "ocop groups"),
    "subgroups": ("bo san pham quan tam", "bo san pham", "phan nhom quan tam", "phan nhom", "product sets",
                  "subgroups"),
    "min_stars": ("hang sao toi thieu", "sao toi thieu", "so sao toi thieu", "hang sao", "yeu cau hang sao",
                  "hang sao ocop toi thieu", "yeu cau sao", "min stars", "minimum stars"),
    "provinces": ("tinh quan tam", "tinh thanh quan tam", "tinh thanh pho quan tam", "dia phuong quan tam",
                  "vung quan tam", "khu vuc quan tam", "provinces", "provinces of interest"),
    "price_min": ("gia tu", "gia toi thieu", "muc gia tu", "gia thap nhat", "gia mua tu", "price from", "min price"),
    "price_max": ("gia den", "gia toi da", "muc gia den", "gia cao nhat", "gia mua den", "price to", "max price"),
    "price": ("muc gia", "khoang gia", "muc gia mua", "gia mong muon", "price range"),
    "volume": ("san luong can", "nhu cau", "san luong", "khoi luong can", "so luong can", "nhu cau san luong",
               "san luong nhu cau", "san luong can mua", "volume"),
    "capacity": ("nang luc cung ung", "nang luc san xuat", "kha nang cung ung", "san luong cung ung", "capacity"),
    "min_order": ("don hang toi thieu", "luong dat hang toi thieu", "so luong dat hang toi thieu", "moq", "min order",
                  "minimum order"),
    "products": ("san pham chao ban", "san pham", "ten san pham", "san pham tham gia", "san pham gioi thieu",
                 "san pham dang ky", "san pham ocop", "products", "offered products"),
    "quota": ("so cuoc gap toi da", "so cuoc gap", "so luot gap", "so luot gap toi da", "so cuoc gap mong muon",
              "so buoi gap toi da", "quota", "max meetings", "meetings"),
    "window": ("khung gio", "khung gio gap", "thoi gian", "thoi gian tham gia", "buoi", "buoi tham gia", "thoi gian gap",
               "time", "time window", "session"),
    "contact": ("nguoi lien he", "nguoi dai dien", "dai dien", "ho ten nguoi lien he", "contact", "contact person"),
    "email": ("email", "e mail", "thu dien tu", "dia chi email"),
    "phone": ("dien thoai", "so dien thoai", "sdt", "dt", "dien thoai lien he", "phone", "tel"),
    "notes": ("ghi chu", "notes", "note"),
    "language": ("ngon ngu", "ngon ngu lien lac", "ngon ngu giao dich", "language"),
}
_MONEY_SUFFIXES = ("vnd", "dong", "d", "vnd kg", "dong kg", "d kg")  # "Giá từ (VNĐ)" folds to "gia tu vnd"
FIELD_OF: dict[str, str] = {
    **{f"{alias} {suffix}": name for name in ("price_min", "price_max", "price") for alias in ALIASES[name]
       for suffix in _MONEY_SUFFIXES},
    **{alias: name for name, aliases in ALIASES.items() for alias in aliases},
}
REQUIRED = "name"
NO_HEADINGS = N_("No row of headings names the participants (a column such as “Tên doanh nghiệp/HTX”).")

# What a problem names when the sheet has no column for its field (translated when shown).
FIELD_LABELS = {
    "name": N_("Name"), "side": N_("Side"), "kind": N_("Kind"), "code": N_("Tax code"), "province": N_("Province"),
    "groups": N_("OCOP groups"), "subgroups": N_("Product sets"), "min_stars": N_("Stars at least"), "provinces": N_("Provinces of interest"),
    "price_min": N_("Price from"), "price_max": N_("Price to"), "price": N_("Price range"), "volume": N_("Volume"),
    "capacity": N_("Capacity"), "min_order": N_("Minimum order"), "products": N_("Products"),
    "quota": N_("Meetings at most"), "window": N_("Time window"), "contact": N_("Contact person"), "email": N_("Email"),
    "phone": N_("Phone"), "notes": N_("Notes"), "language": N_("Language"),
}

NO_SIDE = N_("Say whether it buys or sells: write “Bên mua” or “Bên bán”.")
NO_NAME = N_("Name the enterprise, cooperative or unit.")
BAD_PRICE = N_("Write the price as a whole number of đồng.")
BAD_STARS = N_("OCOP stars are 3, 4 or 5.")
BAD_QUOTA = N_("A quota is between 0 and 64 meetings.")
PRICES_CROSSED = N_("The highest price is below the lowest.")


class CellProblem(ValueError):
    """A cell that says something this reader cannot take, and what to write instead."""

    def __init__(self, message: str | Msg) -> None:
        self.message = message
        super().__init__(message if isinstance(message, str) else message.render())


def _words(value: Any) -> str:
    """A cell folded to its words: no accents, lower case, punctuation as spaces."""
    return " ".join(re.sub(r"[^\w]+|_", " ", fold(list_values.text(value))).split())


_LANGUAGES = {"tieng viet": "vi", "viet": "vi", "vi": "vi", "vietnamese": "vi",
              "tieng anh": "en", "anh": "en", "en": "en", "english": "en"}


def language(value: Any) -> str | None:
    """ "Tiếng Việt" or "Tiếng Anh" (English) as an office writes it; empty: unknown."""
    text = _words(value)
    if not text:
        return None
    if text not in _LANGUAGES:
        raise CellProblem(Msg(N_("Not a language we write in: “%(value)s”. Write Tiếng Việt or Tiếng Anh."),
                              value=list_values.text(value)))
    return _LANGUAGES[text]


def _unnumbered(value: Any) -> str:
    """"II. BÊN MUA" → "ben mua": a section's numbering gone, folded."""
    return _words(list_values.without_numbering(fold(list_values.text(value))))


# -- sides and buyer kinds ------------------------------------------------------------------------------------

_KIND_WORDS: dict[str, BuyerKind] = {
    **dict.fromkeys(("sieu thi", "he thong sieu thi", "chuoi sieu thi", "sieu thi ban le", "supermarket",
                     "supermarket chain"), BuyerKind.supermarket_chain),
    **dict.fromkeys(("nha phan phoi", "phan phoi", "dai ly", "ban buon", "nha ban buon", "doanh nghiep phan phoi",
                     "distributor", "wholesaler"), BuyerKind.distributor),
    **dict.fromkeys(("thuong mai dien tu", "san thuong mai dien tu", "san tmdt", "tmdt", "ecommerce", "e commerce"),
                    BuyerKind.ecommerce),
    **dict.fromkeys(("xuat khau", "nha xuat khau", "doanh nghiep xuat khau", "exporter", "export"), BuyerKind.exporter),
    **dict.fromkeys(("nha hang", "khach san", "nha hang khach san", "khach san nha hang", "horeca", "hotel",
                     "restaurant"), BuyerKind.hotel_restaurant),
    **dict.fromkeys(("khac", "other"), BuyerKind.other),
    **{kind.value.replace("_", " "): kind for kind in BuyerKind},
}
# Words that say "buys" without saying what kind of buyer.
_BUYER_WORDS = ("ben mua", "nguoi mua", "mua", "buyer", "don vi thu mua", "thu mua", "doanh nghiep thu mua",
                "don vi mua", "ben thu mua", "nha nhap khau", "ban le", "nha ban le", "doanh nghiep mua", "buy")
_PRODUCER_WORDS = ("ben ban", "nguoi ban", "ban", "chu the", "chu the ocop", "nha san xuat", "san xuat",
                   "co so san xuat", "nha cung cap", "cung ung", "don vi cung ung", "producer", "seller", "supplier",
                   "sell", "doanh nghiep san xuat", "htx san xuat", "ben cung cap")
_SIDE_EXACT: dict[str, tuple[Side, BuyerKind | None]] = {
    **dict.fromkeys(_BUYER_WORDS, (Side.buyer, None)),
    **{words: (Side.buyer, kind) for words, kind in _KIND_WORDS.items() if kind is not BuyerKind.other},
    **dict.fromkeys(_PRODUCER_WORDS, (Side.producer, None)),
}
# Within a longer phrase ("Bên mua (nhà phân phối)", "DOANH NGHIỆP THU MUA, PHÂN PHỐI") only words of more than
# one syllable tell the side: "bán" alone is also in "bán lẻ", which buys.
_SIDE_PHRASES = sorted(((words, side) for words, side in _SIDE_EXACT.items() if " " in words),
                       key=lambda item: -len(item[0]))


def side_of(value: Any) -> tuple[Side, BuyerKind | None] | None:
    """The side a cell states, with the kind of buyer its words carry ("Nhà phân phối": a distributor); None when
    it states none, or both."""
    words = _unnumbered(value)
    if not words:
        return None
    if words in _SIDE_EXACT:
        return _SIDE_EXACT[words]
    padded = f" {words} "
    found = [said for phrase, said in _SIDE_PHRASES if f" {phrase} " in padded]
    sides = {side for side, _ in found}
    if len(sides) != 1:
        return None
    return sides.pop(), next((kind for _, kind in found if kind is not None), None)


def buyer_kind(value: Any) -> BuyerKind | None:
    """The kind of buyer a cell names; None when it names none this reader knows."""
    words = _unnumbered(value)
    if words in _KIND_WORDS:
        return _KIND_WORDS[words]
    padded = f" {words} "
    kinds = {kind for phrase, kind in _KIND_WORDS.items() if " " in phrase and f" {phrase} " in padded}
    return kinds.pop() if len(kinds) == 1 else None


# -- numbers -------------------------------------------------------------------------------------------------

_NO_VALUE = frozenset({"thoa thuan", "khong", "khong yeu cau", "khong gioi han", "tuy", "tuy theo", "x"})
_MULTIPLIERS = {"k": 1_000, "nghin": 1_000, "ngan": 1_000, "tr": 1_000_000, "trieu": 1_000_000, "ty": 1_000_000_000,
                "ti": 1_000_000_000}
_AMOUNT = re.compile(r"^(?P<number>\d[\d., ]*?)\s*(?P<unit>k|nghin|ngan|tr|trieu|ty|ti)?\.?\s*(?:vnd|dong|d)?\.?$")
_GROUPED = re.compile(r"^\d{1,3}(?P<mark>[., ])\d{3}(?:(?P=mark)\d{3})*$")


def money(value: Any) -> int | None:
    """A price in đồng as offices write it: 50000, "50.000", "50,000đ", "50 nghìn", "1,5 triệu", "50.000 đ/kg";
    blank or "thỏa thuận" → None (no bound said). Raises CellProblem otherwise."""
    if value is None or isinstance(value, bool):
        if value is None:
            return None
        raise CellProblem(BAD_PRICE)
    if isinstance(value, int | float):
        if float(value).is_integer() and 0 <= value <= MAX_MONEY:
            return int(value)
        raise CellProblem(BAD_PRICE if value >= 0 else N_("The price cannot be negative."))
    written = fold(list_values.text(value)).replace("₫", " ").split("/")[0].strip()  # "50.000 đ/kg": per kg
    if not written or written in ("-", "—") or _words(written) in _NO_VALUE:
        return None
    match = _AMOUNT.match(written)
    if match is None:
        raise CellProblem(BAD_PRICE)
    number, unit = match.group("number").strip(), match.group("unit")
    if _GROUPED.match(number):
        amount = Decimal(re.sub(r"[., ]", "", number))
    elif unit and re.fullmatch(r"\d+(?:[.,]\d+)?", number):  # "1,5 triệu": a decimal mark before a word of thousands
        amount = Decimal(number.replace(",", "."))
    elif re.fullmatch(r"\d+", number):
        amount = Decimal(number)
    else:
        raise CellProblem(BAD_PRICE)
    amount *= _MULTIPLIERS[unit] if unit else 1
    if amount != amount.to_integral_value():
        raise CellProblem(BAD_PRICE)
    if amount > MAX_MONEY:
        raise CellProblem(N_("This price is too large."))
    return int(amount)


_RANGE = re.compile(r"\s*(?:-|–|—|~|\bden\b)\s*")
_BELOW = re.compile(r"^(?:duoi|toi da|khong qua|<=|<|≤)\s*")
_ABOVE = re.compile(r"^(?:tren|tu|toi thieu|>=|>|≥)\s*")


def price_range(value: Any) -> tuple[int | None, int | None]:
    """A price band in one cell: "50.000 – 200.000", "từ 50 nghìn đến 200 nghìn", "dưới 100.000", "từ 50.000"."""
    if value is None or isinstance(value, int | float):
        if value is None:
            return None, None
        raise CellProblem(N_("Write the price range as “from – to”, such as 50.000 – 200.000."))
    written = fold(list_values.text(value)).strip()
    if not written or written in ("-", "—") or _words(written) in _NO_VALUE:
        return None, None
    parts = [p for p in _RANGE.split(written, maxsplit=1) if p.strip()]
    if len(parts) == 2:
        return money(_ABOVE.sub("", parts[0].strip())), money(parts[1])
    if _BELOW.match(written):
        return None, money(_BELOW.sub("", written))
    if _ABOVE.match(written):
        return money(_ABOVE.sub("", written)), None
    raise CellProblem(N_("Write the price range as “from – to”, such as 50.000 – 200.000."))


_AT_LEAST = re.compile(r"^(?:tu|toi thieu|it nhat|>=|≥)\s*")
_OR_MORE = re.compile(r"\s*(?:tro len|\+)$")


def min_stars(value: Any) -> int | None:
    """The fewest stars a buyer takes: 4, "4 sao", "từ 4 sao", "4 sao trở lên", "★★★★"; 3 to 5."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    written = value if isinstance(value, int | float) else _OR_MORE.sub("", _AT_LEAST.sub("", fold(list_values.text(value))))
    try:
        stars = list_values.stars(written)
    except ValueError:
        raise CellProblem(BAD_STARS) from None
    if stars is None or not 3 <= stars <= 5:
        raise CellProblem(BAD_STARS)
    return stars


_COUNT = re.compile(r"^(\d{1,3})\s*(?:cuoc|luot|buoi)?(?:\s*gap)?$")


def quota(value: Any) -> int | None:
    """How many meetings at most: 8, "8", "8 cuộc", "8 lượt gặp"; 0 to 64."""
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = int(value) if float(value).is_integer() else -1
    else:
        written = _words(value)
        if not written:
            return None
        match = _COUNT.match(written)
        number = int(match.group(1)) if match else -1
    if not 0 <= number <= MAX_QUOTA:
        raise CellProblem(BAD_QUOTA)
    return number


# -- lists: OCOP groups, provinces, products -------------------------------------------------------------------

_ALL = frozenset({"tat ca", "tat ca cac nhom", "tat ca nhom", "moi nhom", "toan quoc", "ca nuoc", "tat ca cac tinh",
                  "moi tinh", "khong gioi han", "all", "any"})
_PROVINCE_SHORT = {"hcm": "ho-chi-minh", "tp hcm": "ho-chi-minh", "tphcm": "ho-chi-minh", "sai gon": "ho-chi-minh",
                   "tp ho chi minh": "ho-chi-minh"}


def _greedy(pieces: list[str], find: Callable[[str], str | None]) -> tuple[list[str], list[str]]:
    """Codes of comma-separated pieces, joining neighbours a name holds ("Vải, may mặc"); (codes, unread)."""
    codes: list[str] = []
    unread: list[str] = []
    start = 0
    while start < len(pieces):
        for end in range(len(pieces), start, -1):  # the longest run of pieces that names one
            code = find(", ".join(pieces[start:end]))
            if code:
                codes.append(code)
                start = end
                break
        else:
            unread.append(pieces[start])
            start += 1
    return list(dict.fromkeys(codes)), unread


def _pieces(text: str, joiners: bool = False) -> list[list[str]]:
    """A list cell in parts (lines and semicolons) of comma pieces; "và" / "and" part too when `joiners`."""
    parts = re.split(r"[;\n|]+", text.replace("\r", "\n"))
    if joiners:
        parts = [p for part in parts for p in re.split(r"\s+(?:và|va|and|&)\s+|\s*\+\s*", part, flags=re.IGNORECASE)]
    return [[" ".join(piece.split()) for piece in part.split(",") if piece.strip()] for part in parts if part.strip()]


def groups(value: Any) -> list[str] | None:
    """The OCOP groups a buyer looks for, named as the 2023 rules or the 2019 ones do ("Thực phẩm; Đồ uống",
    "Thảo dược", "Nhóm đồ uống (trà, cà phê)"); "Tất cả" → [] (no preference); blank → None."""
    return _named(value, list_values.group_code, N_("Not an OCOP group: %(value)s."))


def subgroups(value: Any) -> list[str] | None:
    """The OCOP product sets a buyer looks for ("Chè; Cà phê, ca cao"), as `groups` reads groups."""
    return _named(value, list_values.subgroup_code, N_("Not an OCOP product set: %(value)s."))


def _named(value: Any, code_of: Callable[[Any], str | None], unknown: str) -> list[str] | None:
    written = re.sub(r"\([^)]*\)", " ", _raw(value))  # "(trà, cà phê)": what of the group, not another group
    if not written.strip():
        return None
    if _words(written) in _ALL:
        return []
    codes: list[str] = []
    unread: list[str] = []
    for part in _pieces(written):
        found, missed = _greedy(part, code_of)
        codes += found
        for piece in missed:  # "Thực phẩm và đồ uống", where no group's own name holds the "và"
            joined = [code_of(sub) for pieces in _pieces(piece, joiners=True) for sub in pieces]
            if joined and all(joined):
                codes += [code for code in joined if code]
            else:
                unread.append(piece)
    if unread:
        raise CellProblem(Msg(unknown, value=", ".join(unread)))
    return list(dict.fromkeys(codes))


def province_code(value: Any) -> list_values.Place | None:
    """A province as written now or before the July 2025 merger (and "TP HCM"); Place("") when blank, None when
    it names none."""
    short = _PROVINCE_SHORT.get(_words(value))
    return list_values.Place(short, "", "") if short else list_values.province(value)


def provinces(value: Any) -> list[str] | None:
    """The provinces a buyer buys from, old names read as the province they joined; "Toàn quốc" → []."""
    written = _raw(value)
    if not written.strip():
        return None
    if _words(written) in _ALL:
        return []
    codes: list[str] = []
    unread: list[str] = []
    for part in _pieces(written, joiners=True):
        for piece in part:
            place = province_code(piece)
            if place and place.province_code:
                codes.append(place.province_code)
            else:
                unread.append(piece)
    if unread:
        raise CellProblem(Msg(N_("Not a province we know, before or after July 2025: %(names)s."), names=", ".join(unread)))
    return list(dict.fromkeys(codes))


def items(value: Any) -> list[str] | None:
    """A cell's list of names: one per line or semicolon; commas too when neither is used."""
    written = _raw(value).replace("\r", "\n")
    parts = re.split(r"[;\n]+", written) if re.search(r"[;\n]", written) else written.split(",")
    found = [" ".join(p.split()) for p in parts if p.strip()]
    return found or None


def _raw(value: Any) -> str:
    return "" if value is None else str(value).replace("\u00a0", " ")


# -- time windows ------------------------------------------------------------------------------------------------

NOON = dt.time(12, 0)
_MORNING = frozenset({"sang", "buoi sang", "ca sang", "morning", "am"})
_AFTERNOON = frozenset({"chieu", "buoi chieu", "ca chieu", "afternoon", "pm"})
_WHOLE_DAY = frozenset({"ca ngay", "ca hai buoi", "ca 2 buoi", "sang chieu", "sang va chieu", "chieu va sang",
                        "ca ngay sang chieu", "all day", "full day", "tat ca", "ca"})
_SPAN = re.compile(r"^(\d{1,2})(?:\s*[:h]\s*(\d{2})?)?\s*(?:-|–|—|den|toi)\s*(\d{1,2})(?:\s*[:h]\s*(\d{2})?)?$")


def window(value: Any, starts: Sequence[dt.time]) -> list[int] | None:
    """The slots a party can attend, from the words of a cell and the start of each slot (`starts[n]`: slot n, in
    the conference's local time): "Sáng" the slots starting before noon, "Chiều" the others, "8:30-10:00" those
    starting in that span; "Cả ngày" → [] (every slot, as the registration keeps it); blank → None."""
    words = _words(re.sub(r"\([^)]*\)", " ", list_values.text(value))) or _words(value)
    if not words:
        return None
    if words in _WHOLE_DAY:
        return []
    if not starts:
        raise CellProblem(N_("The meeting room has no slots yet: set the room before importing time windows."))
    chosen: set[int] = set()
    written = fold(list_values.text(value)).strip()
    bare = re.sub(r"\([^)]*\)", " ", written).strip()  # "Sáng (8h-11h)": the word says it, the hours repeat it
    for part in re.split(r"\s*[,;/+&\n]\s*|\s+(?:va|and)\s+", bare or written.strip("() ")):
        part = _words(part) if not _SPAN.match(part.strip()) else part.strip()
        if not part:
            continue
        if part in _WHOLE_DAY:
            return []
        if part in _MORNING:
            chosen |= {n for n, start in enumerate(starts) if start < NOON}
        elif part in _AFTERNOON:
            chosen |= {n for n, start in enumerate(starts) if start >= NOON}
        elif span := _SPAN.match(part):
            begin, end = _clock(span.group(1), span.group(2)), _clock(span.group(3), span.group(4))
            if begin is None or end is None or end <= begin:
                raise CellProblem(_unknown_window(value))
            chosen |= {n for n, start in enumerate(starts) if begin <= start < end}
        else:
            raise CellProblem(_unknown_window(value))
    if not chosen:
        raise CellProblem(Msg(N_("The meeting room has no slot in this window: %(value)s."), value=list_values.text(value)))
    return [] if len(chosen) == len(starts) else sorted(chosen)


def _clock(hour: str, minute: str | None) -> dt.time | None:
    try:
        return dt.time(int(hour), int(minute or 0))
    except ValueError:
        return None


def _unknown_window(value: Any) -> Msg:
    return Msg(N_("Not a time window we know: “%(value)s”. Write Sáng, Chiều or Cả ngày."), value=list_values.text(value))


# -- rows ----------------------------------------------------------------------------------------------------------


@dataclass
class Draft:
    """One row's registration as the sheet states it: None wherever the sheet says nothing."""

    row: int
    name: str
    side: Side | None
    buyer_kind: BuyerKind | None  # what the sheet says of the buyer; None: it does not say
    kind_written: str  # the kind cell as written, when it names no kind this reader knows
    code: str  # tax or registration code, "" when none
    place: list_values.Place | None  # the party's province; None when the cell names none we know
    groups: list[str] | None = None
    subgroups: list[str] | None = None
    min_stars: int | None = None
    provinces: list[str] | None = None
    price_min: int | None = None
    price_max: int | None = None
    volume: str | None = None
    capacity: str | None = None
    min_order: str | None = None
    products: list[str] | None = None  # product names as written
    quota: int | None = None
    available: list[int] | None = None
    contact: str = ""
    email: str = ""
    phone: str = ""
    notes: str | None = None
    language: str | None = None  # "vi" or "en": what its e-mails and printed schedule are written in
    values: dict[str, str] = field(default_factory=dict)  # heading → cell, what the row says
    stated: frozenset[str] = frozenset()  # the fields whose cells are filled
    problems: dict[str, str | Msg] = field(default_factory=dict)  # field → what is wrong


@dataclass
class Reading:
    """A sheet's registrations, and its section titles: (row, the side of the rows under it)."""

    drafts: list[Draft]
    sections: list[tuple[int, Side]]


def _only_numbers(cells: list[Any]) -> bool:
    """A row numbered in advance and left empty ("STT" filled, nothing else)."""
    return all(isinstance(c, int | float) or list_values.text(c).rstrip(".").isdigit() for c in cells
               if list_values.text(c))


def _section(cells: list[Any]) -> Side | None:
    """The side a section's title row states, alone in its row: "I. BÊN MUA", "B. Chủ thể OCOP", "DOANH NGHIỆP THU
    MUA, PHÂN PHỐI" (numbered or in capitals when more than the words of a side, so a party's name is never one)."""
    filled = [list_values.text(c) for c in cells if list_values.text(c)]
    if len(filled) != 1:
        return None
    said = side_of(filled[0])
    if said is None:
        return None
    numbered = list_values.without_numbering(fold(filled[0])) != fold(filled[0])
    if _unnumbered(filled[0]) in _SIDE_EXACT or numbered or filled[0].isupper():
        return said[0]
    return None


def read_registrations(sheet: HeadedRows, starts: Sequence[dt.time]) -> Reading:
    """Every registration of a sheet, in order, with its problems; `starts`: each slot's start (slot n at n).

    A section's title row ("II. BÊN BÁN") sets the side of the rows under it that state none; rows holding only
    their number are left out."""
    reading = Reading([], [])
    section: Side | None = None
    for number, cells in sheet.rows:
        if _only_numbers(cells):
            continue
        titled = _section(cells)
        if titled is not None:
            section = titled
            reading.sections.append((number, titled))
            continue
        reading.drafts.append(read_row(sheet, number, cells, starts, section))
    return reading


def read_row(sheet: HeadedRows, number: int, cells: list[Any], starts: Sequence[dt.time],
             section: Side | None = None) -> Draft:
    """One row as a Draft; `section`: the side the rows under a section title take when they state none."""
    def cell(name: str) -> str:
        return sheet.cell(cells, name)

    problems: dict[str, str | Msg] = {}

    def read(name: str, reader: Callable[..., Any], *args: Any) -> Any:
        try:
            return reader(sheet.raw(cells, name), *args)
        except CellProblem as problem:
            problems[name] = problem.message
            return None

    name = list_values.without_numbering(cell("name"))
    if not name:
        problems["name"] = NO_NAME
    said = side_of(cell("side")) if cell("side") else None
    if cell("side") and said is None:
        problems["side"] = Msg(N_("Not a side we know: “%(value)s”. Write “Bên mua” or “Bên bán”."), value=cell("side"))
    elif said is None and section is None:
        problems["side"] = NO_SIDE
    side, kind = said if said else (section, None)
    kind_written = ""
    if cell("kind"):
        stated = buyer_kind(cell("kind"))
        kind, kind_written = (stated, "") if stated else (kind, cell("kind"))
    place = province_code(cell("province"))
    if place is None:
        problems["province"] = N_("This province is not one we know, before or after July 2025.")
    price_min, price_max = read("price", price_range) or (None, None)
    price_min = read("price_min", money) if "price_min" in sheet.columns else price_min
    price_max = read("price_max", money) if "price_max" in sheet.columns else price_max
    if price_min is not None and price_max is not None and price_min > price_max:
        problems["price_max" if "price_max" in sheet.columns else "price"] = PRICES_CROSSED
    return Draft(
        row=number, name=name, side=side, buyer_kind=kind, kind_written=kind_written,
        code="".join(cell("code").split()), place=place,
        groups=read("groups", groups), subgroups=read("subgroups", subgroups), min_stars=read("min_stars", min_stars), provinces=read("provinces", provinces),
        price_min=price_min, price_max=price_max, volume=cell("volume") or None, capacity=cell("capacity") or None,
        min_order=cell("min_order") or None, products=items(sheet.raw(cells, "products")), quota=read("quota", quota),
        available=read("window", window, starts), contact=cell("contact"), email=cell("email"), phone=cell("phone"),
        notes=cell("notes") or None, language=read("language", language),
        values={sheet.headings[i]: list_values.text(c) for i, c in enumerate(cells)
                if i < len(sheet.headings) and list_values.text(c)},
        stated=frozenset(name for name in sheet.columns if cell(name)),
        problems=problems,
    )
