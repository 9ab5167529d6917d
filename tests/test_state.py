"""The view state and its URL: every state survives the round trip, bad links fall back
to the default and say which parameter was dropped."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import parse_qsl

import pytest

from dashboard.analysis.viewstate import (
    MAX_TEXT,
    ViewState,
    decode,
    encode,
    play_values,
    state_fields,
    without_playback,
)

DEFAULT = ViewState(start=date(2017, 5, 4), end=date(2018, 5, 15))

ROUND_TRIP = [
    pytest.param(ViewState(), id="empty"),
    pytest.param(DEFAULT, id="default-window"),
    pytest.param(ViewState(start=date(2017, 8, 3), end=date(2017, 8, 3)), id="one-day"),
    pytest.param(ViewState(as_of=date(2016, 1, 1)), id="as-of-outside-window"),
    pytest.param(ViewState(types=("Shelling", "Airstrike")), id="types-in-given-order"),
    pytest.param(ViewState(sub_types=("Barrel bomb",), precisions=("exact", "near")), id="sub-prec"),
    pytest.param(ViewState(actors=("Government of Syria, Russia", "HTS")), id="actor-with-comma"),
    pytest.param(ViewState(actors=("هيئة تحرير الشام",), zones=("حمص-الشمالي",)), id="arabic"),
    pytest.param(ViewState(text="<script>alert(1)</script>"), id="script-text"),
    pytest.param(ViewState(text="=cmd|' /C calc'!A0", sources=("+SUM(1)", "@x", "-2")), id="formula"),
    pytest.param(ViewState(text="  a&b=c#d%20+e?f  "), id="url-syntax-and-spaces"),
    pytest.param(ViewState(types=("a+b", "c&d", "e=f", "%20", "#x")), id="url-syntax-in-lists"),
    pytest.param(ViewState(zones=("homs-north", "buffer"), inside_only=True), id="zones-inside"),
    pytest.param(ViewState(fat_min=0), id="fat-min-zero"),
    pytest.param(ViewState(fat_max=0), id="fat-max-zero"),
    pytest.param(ViewState(fat_min=5, fat_max=5), id="fat-one-value"),
    pytest.param(ViewState(fat_min=1, fat_max=50), id="fat-range"),
    pytest.param(ViewState(center=(34.9, 36.7), zoom=7.25), id="camera"),
    pytest.param(ViewState(center=(-33.8688, 151.2093), zoom=0.0), id="camera-south-east-zoom-0"),
    pytest.param(ViewState(start=date(2017, 9, 1), end=date(2017, 12, 31), as_of=date(2017, 10, 1),
                           types=("Shelling",), actors=("A, B",), zones=("east",), inside_only=True,
                           precisions=("exact",), fat_min=1, fat_max=10, sources=("test",),
                           text="Talbiseh", center=(34.84, 36.73), zoom=11.5), id="everything"),
    pytest.param(ViewState(start=date(2018, 2, 1), end=date(2018, 4, 30), play_step="month",
                           play_window=90, play_mode="cumulative", play_speed="fast"),
                 id="playback"),
    pytest.param(ViewState(play_step="day", play_window=1, play_speed="slow"), id="playback-min"),
    pytest.param(ViewState(play_window=3650), id="playback-longest-window"),
]


@pytest.mark.parametrize("state", ROUND_TRIP)
@pytest.mark.parametrize("default", [ViewState(), DEFAULT], ids=["no-default", "window-default"])
def test_round_trip(state, default):
    decoded = decode(encode(state, default), default)
    expected = state
    if default.start and state.start is None:  # a missing date means "the default's"
        expected = ViewState(**{**state.__dict__, "start": default.start, "end": default.end})
    assert decoded.state == expected
    assert decoded.problems == []


@pytest.mark.parametrize("state", ROUND_TRIP)
def test_round_trip_without_the_question_mark(state):
    assert decode(encode(state).lstrip("?")).state == state


def test_the_default_encodes_to_nothing():
    assert encode(ViewState()) == ""
    assert encode(DEFAULT, DEFAULT) == ""


def test_fields_equal_to_the_default_are_left_out():
    state = ViewState(start=DEFAULT.start, end=date(2017, 12, 31), types=("Shelling",))
    assert parse_qsl(encode(state, DEFAULT).lstrip("?")) == [("to", "2017-12-31"),
                                                             ("type", "Shelling")]


def test_query_keys_and_values_are_readable():
    state = ViewState(start=date(2017, 8, 3), end=date(2017, 9, 1), as_of=date(2017, 8, 10),
                      types=("Shelling",), inside_only=True, fat_min=1, text="Talbiseh",
                      center=(34.84, 36.73), zoom=9)
    assert parse_qsl(encode(state).lstrip("?")) == [
        ("from", "2017-08-03"), ("to", "2017-09-01"), ("asof", "2017-08-10"), ("type", "Shelling"),
        ("inside", "1"), ("fat", "1-"), ("q", "Talbiseh"), ("map", "34.8400,36.7300,9.00")]


def test_the_camera_needs_both_centre_and_zoom():
    assert encode(ViewState(center=(34.9, 36.7))) == ""
    assert encode(ViewState(zoom=7.0)) == ""


@pytest.mark.parametrize("query", [None, "", "?"])
def test_no_query_is_the_default(query):
    assert decode(query, DEFAULT) == decode("", DEFAULT)
    assert decode(query, DEFAULT).state == DEFAULT
    assert decode(query, DEFAULT).problems == []


BAD_QUERIES = [
    pytest.param("from=2017-02-30", {}, r"^'from=2017-02-30' is not a date \(YYYY-MM-DD\); ignored$",
                 id="impossible-date"),
    pytest.param("to=3 Aug 2017", {}, r"^'to=3 Aug 2017' is not a date", id="not-iso"),
    pytest.param("asof=yesterday", {}, r"^'asof=yesterday' is not a date", id="bad-as-of"),
    pytest.param("from=2018-01-01&to=2017-01-01", {},
                 r"start date is after its end date; showing the default dates", id="from-after-to"),
    pytest.param("from=2019-01-01", {}, r"start date is after its end date", id="from-after-default-to"),
    pytest.param("fat=5", {}, r"^'fat=5' is not a range like 1-50; ignored$", id="fat-no-dash"),
    pytest.param("fat=a-b", {}, r"^'fat=a-b' is not a range", id="fat-not-numbers"),
    pytest.param("fat=1-2-3", {}, r"^'fat=1-2-3' is not a range", id="fat-two-dashes"),
    pytest.param("fat=50-1", {}, r"^'fat=50-1' has its minimum above its maximum; ignored "
                 r"\(write it as fat=1-50\)$", id="fat-reversed"),
    pytest.param("fat=-3-5", {}, r"^'fat=-3-5' is not a range like 1-50", id="fat-negative"),
    pytest.param("map=34.9,36.7", {}, r"^'map=34.9,36.7' is not lat,lon,zoom; ignored$", id="map-2"),
    pytest.param("map=91,36.7,5", {}, r"^'map=91,36.7,5' is not lat,lon,zoom", id="map-lat-range"),
    pytest.param("map=34,181,5", {}, r"^'map=34,181,5' is not lat", id="map-lon-range"),
    pytest.param("map=34,36,23", {}, r"^'map=34,36,23' is not lat", id="map-zoom-range"),
    pytest.param("map=nan,36,5", {}, r"^'map=nan,36,5' is not lat", id="map-nan"),
    pytest.param("map=a,b,c", {}, r"^'map=a,b,c' is not lat", id="map-text"),
    pytest.param("colour=red", {}, r"^unknown link parameter 'colour' ignored$", id="unknown"),
    pytest.param("q=x" + "&q=" + "y" * 8000, {}, r"^the link is too long", id="over-8000-chars"),
    pytest.param("type=Shelling&from=nope", {"types": ("Shelling",)}, r"'from=nope' is not a date",
                 id="good-parts-kept"),
    pytest.param("step=year", {}, r"^'step=year' is not day, week or month; ignored$",
                 id="play-step"),
    pytest.param("step=Month", {}, r"^'step=Month' is not day", id="play-step-case"),
    pytest.param("window=0", {}, r"^'window=0' is not a number of days from 1 to 3650; ignored$",
                 id="play-window-zero"),
    pytest.param("window=3651", {}, r"^'window=3651' is not a number of days", id="play-window-big"),
    pytest.param("window=-7", {}, r"^'window=-7' is not a number of days", id="play-window-neg"),
    pytest.param("window=7.5", {}, r"^'window=7\.5' is not a number of days", id="play-window-frac"),
    pytest.param("window=" + "9" * 40, {}, r"^'window=9{40}' is not a number", id="play-window-huge"),
    pytest.param("window=\u0663\u0660", {}, r"is not a number of days", id="play-window-arabic-digits"),
    pytest.param("mode=growing", {}, r"^'mode=growing' is not sliding or cumulative; ignored$",
                 id="play-mode"),
    pytest.param("speed=400", {}, r"^'speed=400' is not slow, normal or fast; ignored$",
                 id="play-speed-ms"),
    pytest.param("step=month&speed=warp", {"play_step": "month"}, r"^'speed=warp' is not slow",
                 id="play-good-parts-kept"),
]


@pytest.mark.parametrize(("query", "kept", "message"), BAD_QUERIES)
def test_malformed_link_gives_the_default_and_names_the_parameter(query, kept, message):
    decoded = decode("?" + query, DEFAULT)
    assert decoded.state == ViewState(**{**DEFAULT.__dict__, **kept})
    assert len(decoded.problems) == 1, decoded.problems
    assert re.search(message, decoded.problems[0]), decoded.problems


def test_every_problem_is_reported_not_just_the_first():
    decoded = decode("?from=x&to=y&fat=z&map=w&zz=1&aa=2", DEFAULT)
    assert decoded.state == DEFAULT
    assert decoded.problems == [
        "unknown link parameter 'aa' ignored", "unknown link parameter 'zz' ignored",
        "'from=x' is not a date (YYYY-MM-DD); ignored", "'to=y' is not a date (YYYY-MM-DD); ignored",
        "'fat=z' is not a range like 1-50; ignored", "'map=w' is not lat,lon,zoom; ignored"]


def test_a_long_bad_value_is_cut_in_the_message():
    decoded = decode("?from=" + "9" * 500)
    assert decoded.problems == [f"'from={'9' * 40}' is not a date (YYYY-MM-DD); ignored"]


def test_an_8000_character_link_is_still_read():
    query = "q=x&zone=" + "z" * (8000 - len("q=x&zone="))
    assert len(query) == 8000
    decoded = decode(query)
    assert decoded.problems == []
    assert decoded.state.text == "x"


@pytest.mark.parametrize(("query", "expected"), [
    pytest.param("fat=-", (None, None), id="both-open"),
    pytest.param("fat=-5", (None, 5), id="up-to"),
    pytest.param("fat=5-", (5, None), id="from"),
    pytest.param("fat=3-3", (3, 3), id="one-value"),
])
def test_open_fatality_ranges(query, expected):
    decoded = decode(query)
    assert (decoded.state.fat_min, decoded.state.fat_max) == expected
    assert decoded.problems == []


@pytest.mark.parametrize(("value", "expected"), [("1", True), ("true", True), ("yes", True),
                                                 ("0", False), ("no", False), ("on", False)])
def test_inside_flag(value, expected):
    assert decode(f"inside={value}").state.inside_only is expected


def test_repeated_values_are_kept_once_in_order_and_blank_ones_dropped():
    decoded = decode("?type=B&type=A&type=B&type=&actor=x")
    assert decoded.state.types == ("B", "A")
    assert decoded.state.actors == ("x",)


def test_text_is_cut_to_max_text():
    assert decode("q=" + "x" * 500).state.text == "x" * MAX_TEXT
    assert decode("type=" + "x" * 500).state.types == ("x" * MAX_TEXT,)


def test_the_last_of_repeated_single_values_wins():
    decoded = decode("from=2017-01-01&from=2017-02-01&q=a&q=b")
    assert (decoded.state.start, decoded.state.text) == (date(2017, 2, 1), "b")


def test_zones_day_is_as_of_else_end():
    assert ViewState(end=date(2017, 9, 1)).zones_day == date(2017, 9, 1)
    assert ViewState(end=date(2017, 9, 1), as_of=date(2017, 8, 3)).zones_day == date(2017, 8, 3)
    assert ViewState().zones_day is None


@pytest.mark.parametrize(("state", "words"), [
    pytest.param(ViewState(), {}, id="none"),
    pytest.param(DEFAULT, {}, id="dates-are-not-filters"),
    pytest.param(ViewState(types=("Shelling", "Airstrike")), {"Event type": "Shelling, Airstrike"},
                 id="types"),
    pytest.param(ViewState(sub_types=("Mortars",)), {"Sub-type": "Mortars"}, id="sub-type"),
    pytest.param(ViewState(actors=("A, B",)), {"Actor": "A, B"}, id="actor"),
    pytest.param(ViewState(zones=("east",)), {"Zone": "east"}, id="zone"),
    pytest.param(ViewState(precisions=("exact", "near")), {"Precision": "exact, near"}, id="prec"),
    pytest.param(ViewState(sources=("UCDP",)), {"Source": "UCDP"}, id="source"),
    pytest.param(ViewState(inside_only=True), {"Inside zones only": "yes"}, id="inside"),
    pytest.param(ViewState(fat_min=1), {"Fatalities": "1–any"}, id="fat-min"),
    pytest.param(ViewState(fat_max=10), {"Fatalities": "0–10"}, id="fat-max"),
    pytest.param(ViewState(fat_min=0, fat_max=0), {"Fatalities": "0–0"}, id="fat-zero"),
    pytest.param(ViewState(text="Talbiseh"), {"Search": "“Talbiseh”"}, id="search"),
    pytest.param(ViewState(center=(34.9, 36.7), zoom=7), {}, id="camera-is-not-a-filter"),
])
def test_active_filters_wording(state, words):
    assert state.active_filters() == words


def test_active_filters_come_in_panel_order():
    state = ViewState(text="x", fat_min=1, inside_only=True, sources=("s",), precisions=("exact",),
                      zones=("z",), actors=("a",), sub_types=("st",), types=("t",))
    assert list(state.active_filters()) == [
        "Event type", "Sub-type", "Actor", "Zone", "Precision", "Source", "Inside zones only",
        "Fatalities", "Search"]


def test_state_fields_lists_every_field():
    assert state_fields() == ["start", "end", "as_of", "types", "sub_types", "actors", "zones",
                              "classes", "inside_only", "precisions", "fat_min", "fat_max", "sources",
                              "datasets_off", "dedupe", "text", "center", "zoom", "play_step", "play_window",
                              "play_mode", "play_speed"]


def test_old_links_play_as_before():
    """Links made before playback settings were in them keep the old defaults."""
    state = decode("?from=2018-02-01&to=2018-04-30&type=Shelling").state
    assert (state.play_step, state.play_window, state.play_mode, state.play_speed) == (
        "week", 30, "sliding", "normal")


def test_playback_settings_are_readable_in_the_link():
    state = ViewState(start=date(2018, 2, 1), end=date(2018, 4, 30), play_step="month",
                      play_window=45, play_mode="cumulative", play_speed="slow")
    assert parse_qsl(encode(state).lstrip("?")) == [
        ("from", "2018-02-01"), ("to", "2018-04-30"), ("step", "month"), ("window", "45"),
        ("mode", "cumulative"), ("speed", "slow")]


@pytest.mark.parametrize(("raw", "expected"), [
    pytest.param({"step": "month", "window": 45, "mode": "cumulative", "speed": "fast"},
                 {"play_step": "month", "play_window": 45, "play_mode": "cumulative",
                  "play_speed": "fast"}, id="all"),
    pytest.param({"window": 45.0}, {"play_window": 45}, id="float-from-number-input"),
    pytest.param({"window": 4.5, "step": ["month"], "mode": None, "speed": 400}, {},
                 id="unusable-left-out"),
    pytest.param({"window": float("nan")}, {}, id="nan"),
    pytest.param({"window": float("inf")}, {}, id="inf"),
    pytest.param({"window": True}, {}, id="bool"),
    pytest.param({"zoom": 3}, {}, id="not-playback"),
])
def test_play_values_read_controls_as_the_link_reads_them(raw, expected):
    assert play_values(raw) == expected


def test_without_playback_keeps_everything_else():
    state = ViewState(types=("Shelling",), play_step="day", play_window=7, play_mode="cumulative",
                      play_speed="fast")
    assert without_playback(state) == ViewState(types=("Shelling",))
