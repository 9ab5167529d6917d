"""URL, controls and state store agree: sync_view on each trigger, and the raw-value
translations in parse (slider offsets are days since the data's first day, 2017-05-04)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from types import SimpleNamespace

import numpy as np
import pytest
from dash import no_update

from dashboard.analysis.aggregate import hex_bins
from dashboard.analysis.viewstate import ViewState
from dashboard.app import ids, parse
from dashboard.app.callbacks.sync import (
    Synced,
    control_props,
    following_dates,
    messages_view,
    sync_view,
)
from dashboard.views.figures import hex_trace

LAST = 376  # offset of the data's last day, 2018-05-15
DEFAULT_CONTROLS = {"sources_on": ["test"], "dedupe": ["dedupe"],  # sources on, count once
                    "types": [], "sub_types": [], "actors": [], "zones": [], "classes": [], "inside": [],
                    "precision": [], "fat_min": None, "fat_max": None, "sources": [], "text": "",
                    "range": [0, LAST], "as_of": None, "play_step": "week", "play_window": 30,
                    "play_mode": "sliding", "play_speed": 400}


FIRST_DAY = date(2017, 5, 4)


def controls(**changes) -> dict:
    """The controls with ``changes``; the date boxes show the slider's days unless given."""
    out = {**DEFAULT_CONTROLS, **changes}
    for name, offset in zip(("first_day", "last_day"), out["range"], strict=True):
        out.setdefault(name, (FIRST_DAY + timedelta(days=offset)).isoformat())
    return out


def sync(view, trigger, values=None, *, search=None, brushed=None, click=None, relayout=None,
         camera=None) -> Synced:
    return sync_view(view, trigger, search, values or controls(), brushed, click, relayout, camera)


def test_control_names_match_the_callbacks_inputs(tiny_view):
    assert [*parse.filter_inputs(), *parse.TIME_CONTROLS] == list(control_props())
    assert set(parse.controls_from_state(tiny_view, tiny_view.default)) == set(control_props())


# Page load: URL -> controls ---------------------------------------------------------------
@pytest.mark.parametrize("trigger", [None, ids.URL])
def test_a_plain_url_sets_the_default_controls(tiny_view, trigger):
    assert sync(tiny_view, trigger, search="") == Synced(controls(), None, "", None, [])


@pytest.mark.parametrize(("search", "changes", "state"), [
    pytest.param("?type=Shelling&from=2017-08-03", {"types": ["Shelling"], "range": [91, LAST]},
                 "?from=2017-08-03&type=Shelling", id="type-and-start"),
    pytest.param("?from=2017-08-03&to=2017-09-01&asof=2017-08-10",
                 {"range": [91, 120], "as_of": "2017-08-10"},
                 "?from=2017-08-03&to=2017-09-01&asof=2017-08-10", id="window-and-as-of"),
    pytest.param("?actor=Government+of+Syria%2C+Russia&zone=east&inside=1",
                 {"actors": ["Government of Syria, Russia"], "zones": ["east"], "inside": ["inside"]},
                 "?actor=Government+of+Syria%2C+Russia&zone=east&inside=1", id="actor-zone-inside"),
    pytest.param("?prec=exact&src=test&fat=1-50&q=Talbiseh",
                 {"precision": ["exact"], "sources": ["test"], "fat_min": 1, "fat_max": 50,
                  "text": "Talbiseh"}, "?prec=exact&src=test&fat=1-50&q=Talbiseh", id="the-rest"),
    pytest.param("?from=2017-05-04&to=2018-05-15", {}, "", id="default-dates-dropped"),
])
def test_url_sets_the_controls_on_load(tiny_view, search, changes, state):
    result = sync(tiny_view, ids.URL, search=search)
    assert result == Synced(controls(**changes), None, state, None, [])


def test_the_camera_in_the_url_goes_to_the_camera_store_not_the_state(tiny_view):
    result = sync(tiny_view, None, search="?type=Shelling&map=34.9,36.7,8")
    assert result.camera == {"center": [34.9, 36.7], "zoom": 8.0}
    assert result.state == "?type=Shelling"
    assert result.search is None  # the URL is left as it is


def test_a_malformed_url_gives_the_default_view_and_messages(tiny_view):
    result = sync(tiny_view, ids.URL, search="?from=nope&fat=9-1&map=1,2&colour=red&type=Shelling")
    assert result.controls == controls(types=["Shelling"])
    assert result.state == "?type=Shelling"
    assert result.messages == [
        "unknown link parameter 'colour' ignored", "'from=nope' is not a date (YYYY-MM-DD); ignored",
        "'fat=9-1' has its minimum above its maximum; ignored (write it as fat=1-9)",
        "'map=1,2' is not lat,lon,zoom; ignored"]
    shown = messages_view(result.messages)[0]
    assert shown.className == "zw-message zw-warning"
    assert "'from=nope' is not a date" in shown.children[1]


def test_no_problems_no_message():
    assert messages_view([]) == []


def test_url_dates_outside_the_data_put_the_slider_at_its_ends(tiny_view):
    result = sync(tiny_view, ids.URL, search="?from=2000-01-01&to=2030-01-01")
    assert result.controls["range"] == [0, LAST]


# Controls -> URL ------------------------------------------------------------------------
@pytest.mark.parametrize(("trigger", "changes", "search"), [
    pytest.param(ids.TYPES, {"types": ["Shelling"]}, "?type=Shelling", id="type"),
    pytest.param(ids.ACTORS, {"actors": ["A, B", "<script>"]},
                 "?actor=A%2C+B&actor=%3Cscript%3E", id="actors"),
    pytest.param(ids.DATE_RANGE, {"range": [91, 120]}, "?from=2017-08-03&to=2017-09-01",
                 id="slider"),
    pytest.param(ids.DATE_RANGE, {"range": [120, 91]}, "?from=2017-08-03&to=2017-09-01",
                 id="slider-reversed"),
    pytest.param(ids.AS_OF, {"as_of": "2017-10-01T00:00:00"}, "?asof=2017-10-01", id="as-of"),
    pytest.param(ids.AS_OF, {"as_of": "not a day"}, "", id="as-of-unreadable"),
    pytest.param(ids.INSIDE_ONLY, {"inside": ["inside"]}, "?inside=1", id="inside"),
    pytest.param(ids.FAT_MIN, {"fat_min": 2, "fat_max": "10"}, "?fat=2-10", id="fatalities"),
    pytest.param(ids.FAT_MIN, {"fat_min": "many"}, "", id="fatalities-not-a-number"),
    pytest.param(ids.TEXT, {"text": "  Talbiseh  "}, "?q=Talbiseh", id="text-stripped"),
    pytest.param(ids.ZONES, {"zones": ["east", "", None]}, "?zone=east", id="blank-values-dropped"),
])
def test_a_control_writes_the_url_and_the_state(tiny_view, trigger, changes, search):
    result = sync(tiny_view, trigger, controls(**changes))
    assert result == Synced(None, search, search, None, [])


def test_the_url_keeps_the_camera_and_the_state_does_not(tiny_view):
    camera = {"center": [34.9, 36.7], "zoom": 8.0}
    result = sync(tiny_view, ids.TYPES, controls(types=["Shelling"]), camera=camera)
    assert result.search == "?type=Shelling&map=34.9000%2C36.7000%2C8.00"
    assert result.state == "?type=Shelling"
    assert result.camera == camera


def test_reset_sets_every_control_back_and_keeps_the_camera(tiny_view):
    camera = {"center": [34.9, 36.7], "zoom": 8.0}
    busy = controls(types=["Shelling"], range=[91, 120], text="x", inside=["inside"], fat_min=3)
    result = sync(tiny_view, ids.RESET, busy, camera=camera)
    assert result == Synced(controls(), "?map=34.9000%2C36.7000%2C8.00", "", camera, [])


# Histogram brush, map clicks and moves ----------------------------------------------------
@pytest.mark.parametrize(("x", "window", "search"), [
    pytest.param(["2017-09-01 06:00", "2017-10-15 18:00"], [120, 164],
                 "?from=2017-09-01&to=2017-10-15&type=Shelling", id="inside-the-data"),
    pytest.param(["2000-01-01", "2017-06-01"], [0, 28], "?to=2017-06-01&type=Shelling",
                 id="clipped-at-the-start"),
    pytest.param(["2000-01-01", "2030-01-01"], [0, LAST], "?type=Shelling", id="all-of-it"),
])
def test_a_brush_on_the_histogram_sets_the_dates(tiny_view, x, window, search):
    result = sync(tiny_view, ids.HISTOGRAM, controls(types=["Shelling"]), brushed={"range": {"x": x}})
    assert result.controls == controls(types=["Shelling"], range=window)
    assert (result.search, result.state) == (search, search)


@pytest.mark.parametrize("brushed", [
    pytest.param({"range": {"x": ["2010-01-01", "2011-01-01"]}}, id="before-the-data"),
    pytest.param(None, id="cleared"),
    pytest.param({"points": []}, id="lasso-without-range"),
])
def test_a_brush_that_selects_no_days_changes_nothing(tiny_view, brushed):
    result = sync(tiny_view, ids.HISTOGRAM, controls(types=["Shelling"]), brushed=brushed)
    assert result == Synced(None, "?type=Shelling", "?type=Shelling", None, [])


def test_a_click_on_a_zone_filters_to_that_zone(tiny_view):
    click = {"points": [{"curveNumber": 0, "pointNumber": 1, "location": "east", "z": 1}]}
    result = sync(tiny_view, ids.MAP, controls(zones=["buffer"]), click=click)
    assert result.controls == controls(zones=["east"])
    assert result.search == result.state == "?zone=east"


@pytest.mark.parametrize("click", [
    pytest.param({"points": [{"curveNumber": 3, "lon": 36.7, "lat": 34.9,
                              "customdata": ["1 Sep 2017"] + [""] * 6 + ["i04"]}]}, id="point"),
    pytest.param({"points": [{"location": "hex-0", "customdata": 4}]}, id="hexagon"),
    pytest.param({"points": [{"location": "atlantis"}]}, id="unknown-zone"),
])
def test_a_click_elsewhere_leaves_the_zone_filter(tiny_view, click):
    result = sync(tiny_view, ids.MAP, controls(zones=["buffer"]), click=click)
    assert result == Synced(None, "?zone=buffer", "?zone=buffer", None, [])


def test_a_click_on_a_hexagon_is_not_a_click_on_a_zone_with_a_numeric_id():
    cell = hex_trace(hex_bins(np.array([36.7]), np.array([34.9]), 0.1), 0.1)["locations"][0]
    numbered = {str(i) for i in range(100)} | {"homs-north", "east", "buffer"}
    assert parse.clicked_zone({"points": [{"location": cell, "z": 1}]}, numbered) is None


def test_moving_the_map_puts_the_camera_in_the_url_only(tiny_view):
    relayout = {"map.center": {"lon": 36.71234, "lat": 34.95678}, "map.zoom": 9.123,
                "map.bearing": 0, "map.pitch": 0}
    result = sync(tiny_view, ids.MAP, controls(types=["Shelling"]), relayout=relayout)
    assert result.camera == {"center": [34.9568, 36.7123], "zoom": 9.12}
    assert result.search == "?type=Shelling&map=34.9568%2C36.7123%2C9.12"
    assert result.state == "?type=Shelling"
    assert result.controls is None


def test_a_relayout_without_a_camera_keeps_the_last_one(tiny_view):
    camera = {"center": [34.9, 36.7], "zoom": 8.0}
    result = sync(tiny_view, ids.MAP, relayout={"autosize": True}, camera=camera)
    assert result.camera == camera
    assert result.search == "?map=34.9000%2C36.7000%2C8.00"


# parse ----------------------------------------------------------------------------------
@pytest.mark.parametrize(("offset", "day"), [
    (0, date(2017, 5, 4)), (1, date(2017, 5, 5)), (91, date(2017, 8, 3)), (120, date(2017, 9, 1)),
    (242, date(2018, 1, 1)), (LAST, date(2018, 5, 15)), (-1, date(2017, 5, 3)),
])
def test_slider_offsets_are_days_since_the_first_day(tiny_view, offset, day):
    assert parse.offset_to_day(tiny_view, offset) == day
    assert parse.day_to_offset(tiny_view, day) == offset


def test_a_fractional_offset_is_the_day_it_falls_in(tiny_view):
    assert parse.offset_to_day(tiny_view, 91.7) == date(2017, 8, 3)


def span(first: str, last: str) -> SimpleNamespace:
    """A stand-in with only the span, which is all the slider helpers read."""
    return SimpleNamespace(span=(date.fromisoformat(first), date.fromisoformat(last)))


@pytest.mark.parametrize(("first", "last", "limits"), [
    ("2017-05-04", "2018-05-15", (0, LAST)), ("2017-08-03", "2017-08-03", (0, 1)),
    ("2017-08-03", "2017-08-04", (0, 1)),
])
def test_slider_limits(first, last, limits):
    assert parse.slider_limits(span(first, last)) == limits


@pytest.mark.parametrize(("first", "last", "marks"), [
    pytest.param("2017-05-04", "2018-05-15", {58: "Jul 2017", 150: "Oct", 242: "Jan 2018", 332: "Apr"},
                 id="quarters"),
    pytest.param("2017-02-01", "2017-11-30", {59: "Apr 2017", 150: "Jul", 242: "Oct"},
                 id="quarters-in-one-year"),
    pytest.param("2017-08-03", "2017-11-30", {29: "Sep 2017", 59: "Oct 2017", 90: "Nov 2017"},
                 id="months"),
    pytest.param("2012-03-01", "2018-05-15", {671: "2014", 1036: "2015", 1401: "2016", 1767: "2017",
                                              2132: "2018", 306: "2013"}, id="years"),
])
def test_slider_marks_name_the_year(first, last, marks):
    assert parse.slider_marks(span(first, last)) == marks


STATES = [
    pytest.param(ViewState(start=date(2017, 5, 4), end=date(2018, 5, 15)), id="default"),
    pytest.param(ViewState(start=date(2017, 8, 3), end=date(2017, 9, 1), as_of=date(2017, 8, 10),
                           types=("Shelling",), sub_types=("Mortars",), actors=("A, B",),
                           zones=("east", "buffer"), inside_only=True, precisions=("near",),
                           fat_min=0, fat_max=5, sources=("test",), text="حمص"), id="everything"),
]


@pytest.mark.parametrize("state", STATES)
def test_controls_round_trip(tiny_view, state):
    assert parse.state_from_controls(tiny_view, parse.controls_from_state(tiny_view, state)) == state


def test_missing_controls_mean_the_default(tiny_view):
    assert parse.state_from_controls(tiny_view, {}) == tiny_view.default
    assert parse.state_from_controls(tiny_view, {"range": None}) == tiny_view.default


def test_text_is_cut_to_200_characters(tiny_view):
    assert parse.state_from_controls(tiny_view, {"text": "x" * 500}).text == "x" * 200


@pytest.mark.parametrize(("relayout", "camera"), [
    ({"map.center": {"lon": 36.7, "lat": 34.9}, "map.zoom": 8}, {"center": [34.9, 36.7], "zoom": 8.0}),
    ({"map.center": {"lon": "36.71239", "lat": 34.9}, "map.zoom": 8.129},
     {"center": [34.9, 36.7124], "zoom": 8.13}),
    ({"map.center": {"lon": 36.7, "lat": 34.9}}, None),
    ({"map.zoom": 8}, None),
    ({"map.center": {"lon": 36.7}, "map.zoom": 8}, None),
    ({"map.center": None, "map.zoom": 8}, None),
    ({"map.center": {"lon": "east", "lat": 34.9}, "map.zoom": 8}, None),
    ({}, None), (None, None),
])
def test_camera_from_relayout(relayout, camera):
    assert parse.camera_from_relayout(relayout) == camera


def test_with_camera():
    state = ViewState(types=("Shelling",))
    assert parse.with_camera(state, None) is state
    assert parse.with_camera(state, {"center": [34.9, 36.7], "zoom": 8.0}) == ViewState(
        types=("Shelling",), center=(34.9, 36.7), zoom=8.0)


@pytest.mark.parametrize(("click", "zone"), [
    ({"points": [{"location": "east"}]}, "east"),
    ({"points": [{"lon": 36.7}, {"location": "buffer"}]}, "buffer"),
    ({"points": [{"location": "mars"}]}, None),
    ({"points": []}, None), ({}, None), (None, None),
])
def test_clicked_zone(click, zone):
    assert parse.clicked_zone(click, {"east", "buffer", "homs-north"}) == zone


@pytest.mark.parametrize(("selected", "window"), [
    ({"range": {"x": ["2017-08-03", "2017-09-01"]}}, (date(2017, 8, 3), date(2017, 9, 1))),
    ({"range": {"x": ["2017-08-03 23:59:59.9", "2017-09-01 00:00"]}},
     (date(2017, 8, 3), date(2017, 9, 1))),
    ({"range": {"x": ["2017-08-03"]}}, None),
    ({"range": {"y": [0, 3]}}, None),
    ({"range": {"x": ["soon", "later"]}}, None),
    ({"points": []}, None), (None, None),
])
def test_brushed_range(selected, window):
    assert parse.brushed_range(selected) == window


@pytest.mark.parametrize(("selected", "found"), [
    ({"points": [{"customdata": ["d", "a1", "a2", "0", "p", "exact", "s", "i04"]},
                 {"customdata": ["d", "a1", "a2", "0", "p", "exact", "s", "i07"]}]},
     ["i04", "i07"]),
    ({"points": [{"customdata": [""] * 7 + ["&lt;b&gt;id &amp; co&lt;/b&gt;"]}]}, ["<b>id & co</b>"]),
    ({"points": [{"location": "east"}, {"customdata": 3}, {"customdata": ["x"]}]}, []),
    ({"points": []}, None), ({}, None), (None, None),
])
def test_selected_ids_come_from_the_hover_data(selected, found):
    assert parse.selected_ids(selected) == found


# Values not used as typed are said, with the fix (issue 12, items 6 and 9) ---------------
@pytest.mark.parametrize(("changes", "search", "note"), [
    pytest.param({"fat_min": 5, "fat_max": 2}, "",
                 r"^Fatalities 5 to 2: the minimum is above the maximum, so no fatality filter "
                 r"is applied\. Fix: make the minimum at most the maximum \(e\.g\. 2 to 5\)\.$",
                 id="min-above-max"),
    pytest.param({"fat_min": -3}, "?fat=0-",
                 r"^Fatalities minimum -3 is below 0, so it counts as 0\. Fix: type 0 or more",
                 id="negative-min"),
    pytest.param({"fat_min": 1, "fat_max": -2.5}, "",
                 r"^Fatalities maximum -2\.5 is below 0.*\bFatalities 1 to 0: the minimum",
                 id="negative-max-then-reversed"),
])
def test_a_fatality_range_that_cannot_be_used_is_said(tiny_view, changes, search, note):
    result = sync(tiny_view, ids.FAT_MAX, controls(**changes))
    assert (result.controls, result.search, result.messages) == (None, search, [])
    assert re.search(note, " ".join(result.notes))
    shown = messages_view([], result.notes)
    assert [d.className for d in shown] == ["zw-message zw-warning"] * len(result.notes)


def test_a_usable_fatality_range_has_no_note(tiny_view):
    assert sync(tiny_view, ids.FAT_MIN, controls(fat_min=2, fat_max=2)).notes == []


@pytest.mark.parametrize(("typed", "window", "search", "note"), [
    pytest.param(("2017-08-03", "2017-09-01"), [91, 120], "?from=2017-08-03&to=2017-09-01", "",
                 id="both-days"),
    pytest.param(("2017-08-03T00:00:00", None), [91, LAST], "?from=2017-08-03", "",
                 id="first-day-only"),
    pytest.param(("2017-09-01", "2017-08-03"), [91, 120], "?from=2017-08-03&to=2017-09-01", "",
                 id="reversed-days-swap"),
    pytest.param(("0018-02-01", "2018-02-28"), [0, 300], "?to=2018-02-28",
                 r"^The first day 1 Feb 0018 is before the data \(4 May 2017 to 15 May 2018\), "
                 r"so the window starts on 4 May 2017\. Fix: type a day from 4 May 2017 to",
                 id="before-the-data"),
    pytest.param(("2018-02-01", "2019-01-01"), [273, LAST], "?from=2018-02-01",
                 r"^The last day 1 Jan 2019 is after the data", id="after-the-data"),
    pytest.param(("nonsense", ""), [0, LAST], "", "", id="unreadable-keeps-the-window"),
])
def test_typed_days_set_the_window_the_slider_and_the_link(tiny_view, typed, window, search,
                                                            note):
    values = controls(first_day=typed[0], last_day=typed[1])
    result = sync(tiny_view, ids.WINDOW_DATES, values)
    assert result.controls == controls(range=window)
    assert (result.search, result.state) == (search, search)
    assert re.search(note, " ".join(result.notes)) if note else result.notes == []


def test_the_date_boxes_follow_a_slider_move(tiny_view):
    values = controls(range=[91, 120], first_day="2017-05-04", last_day="2018-05-15")
    result = sync(tiny_view, ids.DATE_RANGE, values)
    assert result.controls is None
    assert following_dates(result.window, values) == ["2017-08-03", "2017-09-01"]
    same = controls(range=[91, 120])
    assert following_dates(result.window, same) == [no_update, no_update]


@pytest.mark.parametrize(("search", "month"), [
    pytest.param("", "2018-05-15", id="the-data-s-last-day-not-today"),
    pytest.param("?to=2017-09-01", "2017-09-01", id="the-window-s-end"),
    pytest.param("?to=2017-09-01&asof=2017-08-10", "2017-08-10", id="the-chosen-day"),
])
def test_the_zones_as_of_calendar_opens_on_the_data_s_period(tiny_view, search, month):
    assert sync(tiny_view, ids.URL, search=search).as_of_month == month


def test_the_fatality_boxes_let_a_negative_number_reach_the_server():
    """With min=0 the browser drops "-3" as invalid and the page could not say why."""
    from dashboard.app.components import build_filters

    boxes = {c.id: c for c in build_filters()._traverse() if getattr(c, "id", None) in
             (ids.FAT_MIN, ids.FAT_MAX)}
    assert [getattr(boxes[i], "min", None) for i in (ids.FAT_MIN, ids.FAT_MAX)] == [None, None]
