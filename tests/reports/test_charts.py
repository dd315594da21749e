"""The chart helpers draw what they are given, read back from their SVG: columns and points stand at their
values' heights (below the axis when a value is below zero), a donut's arcs are its parts' shares."""

from __future__ import annotations

from reports import charts
from tests.reports import svg


def test_columns_stand_at_their_values_and_a_negative_value_hangs_below_the_axis():
    items = [("1", 400), ("2", 1_000), ("3", -250), ("4", 0)]
    axis, columns = svg.columns(str(charts.columns(items, "Doanh thu")))
    unit = (axis - columns[1].top) / 1_000
    for column, (name, value) in zip(columns, items, strict=True):
        assert column.name == name and column.label == str(value)
        if value >= 0:
            assert abs(column.bottom - axis) <= 0.1 and abs((axis - column.top) - unit * value) <= 0.15
        else:
            assert abs(column.top - axis) <= 0.1 and abs((column.bottom - axis) - unit * -value) <= 0.15


def test_line_points_stand_at_their_values_and_below_the_axis_when_negative():
    values = [("a", 300), ("b", -100), ("c", 0), ("d", 500)]
    axis, points = svg.points(str(charts.line(values, "Doanh thu")))
    unit = (axis - points[3][0]) / 500
    for (y, label, name), (expected_name, value) in zip(points, values, strict=True):
        assert name == expected_name and label == str(value)
        assert abs((axis - y) - unit * value) <= 0.15


def test_bars_of_nothing_but_losses_have_no_length():
    bars = svg.bars(str(charts.bars([("a", -5), ("b", -10)], "Lỗ")))
    assert [b.length for b in bars] == [0, 0] and [b.label for b in bars] == ["-5", "-10"]


def test_a_donut_without_a_whole_shares_out_its_parts():
    ring = svg.ring(str(charts.donut([("a", 3), ("b", 1), ("c", 0)], "Phần")))
    a, b = ring.legend_line("a"), ring.legend_line("b")
    assert abs(ring.turns(a[0]) - 0.75) < 0.0005 and abs(ring.turns(b[0]) - 0.25) < 0.0005
    assert (a[3], b[3], ring.legend_line("c")[3]) == ("75 %", "25 %", "0 %")


def test_a_donut_far_beyond_its_whole_stops_after_its_last_lap_and_says_how_far():
    ring = svg.ring(str(charts.donut([("a", 1_000)], "Vượt", whole=100, beyond="vượt", remainder="còn")))
    assert len(ring.laps()) == charts.MAX_LAPS and sum(a.turn for a in ring.arcs) == charts.MAX_LAPS
    assert ring.legend_line("vượt")[2:] == ("900", "900 %")
