"""What a hostile browser can send the server, and what the server answers with.

Issue 17, items 5, 8, 9, 10, 12 and 13 as attacks: forged component values and
cameras (clamped or refused with a message, never a crash), markup in zone names
(shown literally in every renderer, never run), and the headers on every response.
Everything is built in code; nothing here is slow or touches the network.
"""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date

import pytest

from dashboard.app import parse
from dashboard.errors import FilterError
from dashboard.state import MAX_ITEMS, MAX_TEXT, decode

NAN, INF = float("nan"), float("inf")


# Item 12: bounds on what the browser sends ------------------------------------------------
@pytest.mark.parametrize(("values", "start", "end"), [
    pytest.param({"range": [NAN, 5]}, date(2017, 5, 4), date(2017, 5, 9), id="nan"),
    pytest.param({"range": [-1e12, 1e12]}, date(2017, 5, 4), date(2018, 5, 15), id="huge"),
    pytest.param({"range": [INF, -INF]}, None, None, id="inf"),
    pytest.param({"range": ["a", None]}, None, None, id="text"),
    pytest.param({"range": 5}, None, None, id="not-a-pair"),
    pytest.param({"range": [1, 2, 3]}, None, None, id="three"),
])
def test_a_forged_window_is_clamped_to_the_span(tiny_view, values, start, end):
    state = parse.state_from_controls(tiny_view, values)
    assert state.start == (start or tiny_view.default.start)
    assert state.end == (end or tiny_view.default.end)


@pytest.mark.parametrize("value", [INF, -INF, NAN, 1e300, "1e400", [1], {"a": 1}, True])
def test_forged_fatality_bounds_never_raise(tiny_view, value):
    state = parse.state_from_controls(tiny_view, {"fat_min": value, "fat_max": value})
    assert state.fat_min is None or 0 <= state.fat_min <= 10_000_000
    assert tiny_view.index.select(state) is not None


def test_filter_lists_are_bounded(tiny_view):
    many = [f"type {i}" for i in range(100_000)]
    state = parse.state_from_controls(tiny_view, {"types": many, "actors": ["x" * 10_000],
                                                  "zones": "homs-north", "sources": [None, 5]})
    assert len(state.types) == MAX_ITEMS and state.actors == ("x" * MAX_TEXT,)
    assert state.zones == ()  # a string is not a list: ignored, not split into letters
    assert state.sources == ("5",)


def test_a_link_with_many_values_or_huge_numbers_is_bounded(tiny_view):
    decoded = decode("&".join(f"type=t{i}" for i in range(500)) + "&fat=1-" + "9" * 25,
                     tiny_view.default)
    assert len(decoded.state.types) == MAX_ITEMS
    assert decoded.state.fat_min == 1 and decoded.state.fat_max == 10_000_000
    assert len(tiny_view.index.select(replace(decoded.state, types=()))) == \
        len(tiny_view.index.select(replace(tiny_view.default, fat_min=1)))


@pytest.mark.parametrize(("center", "zoom", "expected"), [
    ({"lat": NAN, "lon": 1}, 3, None),
    ({"lat": 1, "lon": INF}, 3, None),
    ({"lat": 1, "lon": 1}, "x", None),
    ("34,36", 3, None),
    ({"lat": 100, "lon": 540}, 99, {"center": [85.0511, -180.0], "zoom": 22.0}),
    ({"lat": -100, "lon": -181}, -5, {"center": [-85.0511, 179.0], "zoom": 0.0}),
    ({"lat": 34.9, "lon": 36.7}, 7.5, {"center": [34.9, 36.7], "zoom": 7.5}),
])
def test_a_forged_map_move_is_clamped_or_ignored(center, zoom, expected):
    assert parse.camera_from_relayout({"map.center": center, "map.zoom": zoom}) == expected


@pytest.mark.parametrize("camera", [{"center": [NAN, 1], "zoom": 2}, {"center": "x"},
                                    {"center": [1], "zoom": 1}, {"zoom": INF}, "camera", 5])
def test_a_forged_camera_store_is_ignored(tiny_view, camera):
    assert parse.with_camera(tiny_view.default, camera) == tiny_view.default


def test_a_camera_store_out_of_range_is_clamped(tiny_view):
    state = parse.with_camera(tiny_view.default, {"center": [91, 200], "zoom": 40})
    assert state.center == (85.0511, -160.0) and state.zoom == 22.0


@pytest.mark.parametrize(("before", "after", "ring", "expected"), [
    (None, "", None, (90, 90, 25.0)),
    ("30", 60.0, "2.5", (30, 60, 2.5)),
    (3650, 1, 500, (3650, 1, 500.0)),
])
def test_analysis_window_reads_the_panel(before, after, ring, expected):
    assert parse.analysis_window(before, after, ring) == expected


@pytest.mark.parametrize(("before", "after", "ring", "message"), [
    (3651, 90, 25, r"^Days before 3651 is not a whole number of days from 1 to 3,650\. Fix: "),
    (90, 10**9, 25, r"^Days after 1000000000 is not a whole number"),
    (0, 90, 25, r"^Days before 0 is not"),
    (-5, 90, 25, r"^Days before -5 is not"),
    (1.5, 90, 25, r"^Days before 1\.5 is not a whole number"),
    (INF, 90, 25, r"^Days before inf is not"),
    (90, 90, NAN, r"^Ring width nan is not a distance in km from 0\.1 to 500\. Fix: "),
    (90, 90, -3, r"^Ring width -3 is not"),
    (90, 90, "1e999", r"^Ring width '1e999' is not"),
    ("ninety", 90, 25, r"^Days before 'ninety' is not"),
])
def test_analysis_window_refuses_with_a_message(before, after, ring, message):
    with pytest.raises(FilterError, match=message):
        parse.analysis_window(before, after, ring)


def test_nothing_the_panel_accepts_overflows_a_date():
    before, after, _ = parse.analysis_window(3650, 3650, 500)
    assert date(2017, 1, 1).toordinal() - before > 0 and math.isfinite(after)
