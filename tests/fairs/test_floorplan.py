"""Floor-plan geometry: booth grids, and the checks an imported or edited plan must pass."""

from __future__ import annotations

from dataclasses import replace
from itertools import combinations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fairs.floorplan import BoothSpec, duplicated_codes, extent, grid, overlapping

# ---------------------------------------------------------------------------------------------
# Grids


def test_booths_are_numbered_row_by_row_with_two_digits():
    booths = grid("A", 2, 3)
    assert [b.code for b in booths] == ["A01", "A02", "A03", "A04", "A05", "A06"]
    assert [(b.x, b.y) for b in booths[:4]] == [(0.0, 0.0), (3.0, 0.0), (6.0, 0.0), (0.0, 3.0)]


def test_numbering_can_start_elsewhere_and_grows_past_two_digits():
    assert [b.code for b in grid("B-", 1, 3, first_number=9)] == ["B-09", "B-10", "B-11"]
    assert grid("C", 1, 101)[-1].code == "C101"


def test_the_booths_at_both_ends_of_a_row_are_corners():
    booths = grid("A", 2, 4)
    assert [b.kind for b in booths] == ["corner", "standard", "standard", "corner"] * 2


def test_a_single_booth_row_and_other_kinds_have_no_corners():
    assert [b.kind for b in grid("A", 2, 1)] == ["standard", "standard"]
    assert {b.kind for b in grid("T", 1, 4, kind="tent")} == {"tent"}
    assert {b.kind for b in grid("A", 1, 4, mark_corners=False)} == {"standard"}


def test_rows_stand_back_to_back_in_pairs_with_an_aisle_between_pairs():
    booths = grid("A", 5, 2, x=1.0, y=2.0, width=3.0, depth=2.5, aisle=4.0)
    tops = sorted({b.y for b in booths})
    assert tops == [2.0, 4.5, 11.0, 13.5, 20.0]
    assert tops[1] - tops[0] == 2.5  # back to back: the second row touches the first
    assert tops[2] - (tops[1] + 2.5) == 4.0  # an aisle after each pair
    assert {b.x for b in booths} == {1.0, 4.0}


def test_without_back_to_back_every_row_has_its_own_aisle():
    booths = grid("A", 3, 2, depth=3.0, aisle=2.0, back_to_back=False)
    assert sorted({b.y for b in booths}) == [0.0, 5.0, 10.0]


def test_grid_booths_carry_size_amenities_and_price():
    booths = grid("P", 1, 3, width=4.0, depth=2.0, kind="premium", amenities=frozenset({"power"}), price=500)
    assert {(b.width, b.depth, b.kind, b.amenities, b.price) for b in booths} == {(4.0, 2.0, "premium", frozenset({"power"}), 500)}


def test_extent_is_the_far_corner_of_the_plan():
    assert extent(grid("A", 3, 4, x=1.0, y=0.5, aisle=2.0)) == (13.0, 11.5)
    assert extent([]) == (0.0, 0.0)


grids = st.builds(
    grid, st.just("A"), st.integers(1, 6), st.integers(1, 8),
    x=st.sampled_from((0.0, 1.5, 10.0)), y=st.sampled_from((0.0, 2.0, 7.25)),
    width=st.sampled_from((2.0, 2.5, 3.0, 4.0)), depth=st.sampled_from((2.0, 3.0)),
    aisle=st.sampled_from((0.0, 1.5, 3.0)), back_to_back=st.booleans(),
)


@settings(max_examples=100, deadline=None)
@given(grids)
def test_a_grid_has_unique_codes_and_right_row_ends(booths):
    assert duplicated_codes(booths) == []
    rows: dict[float, list[BoothSpec]] = {}
    for booth in booths:
        rows.setdefault(booth.y, []).append(booth)
    for row in rows.values():
        if len(row) > 1:
            assert row[0].kind == row[-1].kind == "corner"
            assert all(b.kind == "standard" for b in row[1:-1])


# ---------------------------------------------------------------------------------------------
# Overlap checks


def _overlap(a: BoothSpec, b: BoothSpec) -> bool:
    return a.x < b.x + b.width and b.x < a.x + a.width and a.y < b.y + b.depth and b.y < a.y + a.depth


def _pairs(found: list[tuple[str, str]]) -> set[frozenset[str]]:
    return {frozenset(pair) for pair in found}


def test_touching_booths_do_not_overlap():
    a = BoothSpec("A", 0.0, 0.0, 3.0, 3.0)
    beside, below, diagonal = BoothSpec("B", 3.0, 0.0, 3.0, 3.0), BoothSpec("C", 0.0, 3.0, 3.0, 3.0), BoothSpec("D", 3.0, 3.0, 3.0, 3.0)
    assert overlapping([a, beside, below, diagonal]) == []


def test_rounding_noise_at_an_edge_is_still_touching():
    a = BoothSpec("A", 0.0, 0.0, 3.0, 3.0)
    assert overlapping([a, BoothSpec("B", 3.0 - 1e-9, 0.0, 3.0, 3.0), BoothSpec("C", 0.0, 3.0 - 1e-9, 3.0, 3.0)]) == []


def test_overlapping_booths_are_reported_as_pairs():
    a = BoothSpec("A", 0.0, 0.0, 3.0, 3.0)
    inside = BoothSpec("B", 1.0, 1.0, 1.0, 1.0)
    across = BoothSpec("C", 2.5, 2.5, 3.0, 3.0)
    far = BoothSpec("D", 20.0, 0.0, 3.0, 3.0)
    assert _pairs(overlapping([far, across, inside, a])) == {frozenset("AB"), frozenset("AC")}


@settings(max_examples=100, deadline=None)
@given(grids)
def test_a_grid_never_overlaps_itself(booths):
    assert overlapping(booths) == []


@settings(max_examples=100, deadline=None)
@given(grids, st.data())
def test_a_shifted_copy_of_a_grid_overlaps_it_booth_by_booth(booths, data):
    width, depth = booths[0].width, booths[0].depth
    # Any shift by less than a booth's size (on a quarter-metre grid, clear of the touching tolerance).
    dx = data.draw(st.integers(-round(4 * width) + 1, round(4 * width) - 1)) / 4
    dy = data.draw(st.integers(-round(4 * depth) + 1, round(4 * depth) - 1)) / 4
    copy = [replace(b, code="copy-" + b.code, x=b.x + dx, y=b.y + dy) for b in booths]
    found = _pairs(overlapping(booths + copy))
    assert {frozenset((b.code, c.code)) for b, c in zip(booths, copy, strict=True)} <= found
    assert found == {frozenset((a.code, b.code)) for a, b in combinations(booths + copy, 2) if _overlap(a, b)}


half_metres = st.integers(0, 24).map(lambda n: n / 2)
sizes = st.integers(1, 8).map(lambda n: n / 2)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(half_metres, half_metres, sizes, sizes), max_size=12))
def test_overlapping_finds_exactly_the_pairs_that_overlap(rectangles):
    booths = [BoothSpec(f"B{i}", x, y, w, d) for i, (x, y, w, d) in enumerate(rectangles)]
    found = overlapping(booths)
    assert len(found) == len(_pairs(found))  # each pair once
    assert _pairs(found) == {frozenset((a.code, b.code)) for a, b in combinations(booths, 2) if _overlap(a, b)}


# ---------------------------------------------------------------------------------------------
# Duplicated codes


def test_duplicated_codes_ignore_case_and_surrounding_spaces():
    booths = [BoothSpec(code, 0.0, 0.0, 3.0, 3.0) for code in ("a01", "A02", " A01 ", "A01", "b7", "B7", "C1")]
    assert duplicated_codes(booths) == ["A01", "B7"]


@pytest.mark.parametrize("codes", [[], ["A01"], ["A01", "A1", "A001"]])
def test_distinct_codes_are_not_duplicates(codes):
    assert duplicated_codes([BoothSpec(code, 0.0, 0.0, 3.0, 3.0) for code in codes]) == []
