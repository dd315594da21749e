"""How well a producer's offer answers a buyer's needs: a score from 0 to 100 with its reasons in words.

Pure: plain data in, plain data out. Four parts, each counted only where the buyer said something (a need left
unsaid is no reason to rank anyone lower, and the part's points are shared among the parts it did state):
the OCOP groups or product sets (subgroups) it buys, the stars it asks for, the provinces it buys from, and its price band. A part is met
by any one of the producer's products offered; the reasons name what matched and what did not.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from core.errors import N_, Msg

WEIGHTS = {"groups": 50, "stars": 15, "provinces": 15, "price": 20}  # what it sells matters most


@dataclass(frozen=True)
class Need:
    groups: frozenset[str] = frozenset()
    subgroups: frozenset[str] = frozenset()  # product sets, narrower than a group: "Chè" within the drinks
    min_stars: int | None = None
    provinces: frozenset[str] = frozenset()
    price_min: int | None = None
    price_max: int | None = None


@dataclass(frozen=True)
class OfferedProduct:
    group_code: str
    stars: int
    reference_price: int | None  # VND; None: not known
    subgroup_code: str = ""


@dataclass(frozen=True)
class Offer:
    province_code: str
    products: tuple[OfferedProduct, ...]


@dataclass
class Match:
    score: int
    reasons: list[Msg] = field(default_factory=list)


def _stated(need: Need) -> list[str]:
    parts = []
    if need.groups or need.subgroups:
        parts.append("groups")
    if need.min_stars:
        parts.append("stars")
    if need.provinces:
        parts.append("provinces")
    if need.price_min is not None or need.price_max is not None:
        parts.append("price")
    return parts


def _in_band(price: int | None, need: Need) -> bool:
    if price is None:
        return False
    return (need.price_min is None or price >= need.price_min) and (need.price_max is None or price <= need.price_max)


def score(need: Need, offer: Offer, group_names: dict[str, str] | None = None) -> Match:
    """The pair's score and reasons. A producer offering nothing scores 0: there is nothing to meet about.
    `group_names` names groups and product sets by their codes."""
    names = group_names or {}
    if not offer.products:
        return Match(0, [Msg(N_("No product offered yet."))])
    stated = _stated(need)
    if not stated:
        return Match(50, [Msg(N_("The buyer has stated no needs: every producer is as good a match."))])
    total = sum(WEIGHTS[part] for part in stated)
    earned = 0.0
    reasons: list[Msg] = []
    if "groups" in stated:
        shared = sorted(({p.group_code for p in offer.products} & need.groups)
                        | ({p.subgroup_code for p in offer.products} & need.subgroups))
        if shared:
            earned += WEIGHTS["groups"]
            reasons.append(Msg(N_("Offers what the buyer looks for: %(groups)s."),
                               groups=", ".join(names.get(g, g) for g in shared)))
        else:
            reasons.append(Msg(N_("None of its products is in the groups or product sets the buyer looks for.")))
    if "stars" in stated:
        best = max(p.stars for p in offer.products)
        if best >= (need.min_stars or 0):
            earned += WEIGHTS["stars"]
            reasons.append(Msg(N_("%(stars)s-star products, the buyer asks for %(wanted)s or more."),
                               stars=best, wanted=need.min_stars))
        else:
            reasons.append(Msg(N_("Its best product has %(stars)s stars; the buyer asks for %(wanted)s."),
                               stars=best, wanted=need.min_stars))
    if "provinces" in stated:
        if offer.province_code in need.provinces:
            earned += WEIGHTS["provinces"]
            reasons.append(Msg(N_("From a province the buyer buys from.")))
        else:
            reasons.append(Msg(N_("Not from the provinces the buyer named.")))
    if "price" in stated:
        priced = [p for p in offer.products if p.reference_price is not None]
        within = [p for p in priced if _in_band(p.reference_price, need)]
        if within:
            earned += WEIGHTS["price"]
            reasons.append(Msg(N_("%(n)s of its products within the buyer's price band."), n=len(within)))
        elif priced:
            reasons.append(Msg(N_("Its prices are outside the buyer's band.")))
        else:
            earned += WEIGHTS["price"] / 2  # unknown: neither in nor out
            reasons.append(Msg(N_("Its prices are not known yet.")))
    return Match(round(100 * earned / total), reasons)

