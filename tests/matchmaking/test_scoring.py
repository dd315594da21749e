"""How a producer's offer answers a buyer's needs: only what the buyer stated counts, product sets narrow the
groups, and every point given or withheld has its reason."""

from __future__ import annotations

from matchmaking.scoring import Need, Offer, OfferedProduct, score

TEA = OfferedProduct("beverages", 4, 120_000, "tea")
WINE = OfferedProduct("beverages", 3, 300_000, "alcoholic_beverages")
NAMES = {"beverages": "Đồ uống", "tea": "Chè"}


def _reasons(match) -> list[str]:
    return [reason.render() for reason in match.reasons]


def test_a_buyer_that_stated_nothing_finds_every_producer_as_good():
    assert score(Need(), Offer("thai-nguyen", (TEA,))).score == 50


def test_a_product_set_is_met_by_a_product_of_that_set_only():
    need = Need(subgroups=frozenset({"tea"}))
    tea = score(need, Offer("thai-nguyen", (TEA,)), NAMES)
    assert tea.score == 100 and "Chè" in " ".join(_reasons(tea))
    wine = score(need, Offer("thai-nguyen", (WINE,)), NAMES)
    assert wine.score == 0 and "product sets" in " ".join(_reasons(wine))


def test_a_group_or_a_set_meets_the_need_and_the_other_parts_share_the_rest():
    need = Need(groups=frozenset({"food"}), subgroups=frozenset({"tea"}), min_stars=4, provinces=frozenset({"son-la"}),
                price_min=50_000, price_max=150_000)
    match = score(need, Offer("thai-nguyen", (TEA,)))
    assert match.score == round(100 * (50 + 15 + 20) / 100)  # not from the provinces named
    assert len(match.reasons) == 4


def test_prices_unknown_are_neither_in_nor_out():
    need = Need(price_min=10_000, price_max=20_000)
    assert score(need, Offer("hue", (OfferedProduct("food", 3, None),))).score == 50


def test_nothing_offered_is_nothing_to_meet_about():
    assert score(Need(groups=frozenset({"food"})), Offer("hue", ())).score == 0
