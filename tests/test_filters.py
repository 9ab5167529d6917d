"""IncidentIndex: the date window keeps both end days, each filter keeps what it names,
and results come back in date order without touching the input."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from dashboard.analysis.index import (
    IncidentIndex,
    actor_positions,
    category_codes,
    day_number,
    previous_window,
    split_actors,
    take_rows,
)
from dashboard.analysis.viewstate import ViewState
from dashboard.io.gazetteer import normalize_place
from tests.conftest import make_incidents

# Out of date order on purpose; sorted they are a, e, b, c, d (a and e share a day).
ROWS = [
    {"incident_id": "c", "date": "2017-08-05", "lon": 36.73, "lat": 34.84, "event_type": "Shelling",
     "sub_type": "Mortars", "actor1": "Government forces", "actor2": "HTS, Ahrar al-Sham",
     "fatalities": 3.0, "loc_precision": "near", "source": "UCDP", "place": "Talbiseh"},
    {"incident_id": "a", "date": "2017-08-03", "lon": 36.73, "lat": 34.93, "event_type": "Airstrike",
     "sub_type": "Barrel bomb", "actor1": "Russian air force", "fatalities": 10.0,
     "source": "SOHR", "place": "Ar Rastan", "notes": "Market hit"},
    {"incident_id": "b", "date": "2017-08-04", "lon": 36.5, "lat": 34.89, "event_type": "Shelling",
     "sub_type": "Artillery", "actor1": "Opposition factions", "actor2": "Government forces",
     "fatalities": np.nan, "source": "UCDP", "place": "Houla",
     "notes": "Reported by the TALBISEH council"},
    {"incident_id": "d", "date": "2017-08-06", "lon": 36.9, "lat": 34.9, "event_type": "Armed clash",
     "actor1": "HTS", "fatalities": 0.0, "loc_precision": "district", "source": "Syria Direct"},
    {"incident_id": "e", "date": "2017-08-03", "lon": 36.74, "lat": 34.85, "event_type": "Shelling",
     "sub_type": "Mortars", "actor1": "HTS,Jaysh al-Izza", "fatalities": 1.0, "source": "UCDP",
     "place": "talbiseh"},
]
#: Zone masks over ROWS as given (not sorted): north holds c and a, south holds b.
MASKS = {"north": np.array([True, True, False, False, False]),
         "south": np.array([False, False, True, False, False])}
#: The join's zone_id (the smallest zone holding the incident), over ROWS as given.
ZONE_ID = ["north", "north", "south", None, None]


@pytest.fixture
def frame() -> pd.DataFrame:
    return make_incidents(ROWS).assign(zone_id=ZONE_ID)


@pytest.fixture
def index(frame) -> IncidentIndex:
    return IncidentIndex(frame, MASKS)


def ids(index: IncidentIndex, positions) -> list[str]:
    return index.frame["incident_id"].iloc[positions].tolist()


def test_frame_is_sorted_by_date_keeping_file_order_within_a_day(index):
    assert index.frame["incident_id"].tolist() == ["a", "e", "b", "c", "d"]
    assert index.frame.index.tolist() == [0, 1, 2, 3, 4]
    assert len(index) == 5
    assert index.date_span == (date(2017, 8, 3), date(2017, 8, 6))


@pytest.mark.parametrize(("start", "end", "window", "expected"), [
    pytest.param(date(2017, 8, 4), date(2017, 8, 5), (2, 4), ["b", "c"], id="both-ends-kept"),
    pytest.param(date(2017, 8, 3), date(2017, 8, 3), (0, 2), ["a", "e"], id="one-day-two-rows"),
    pytest.param(None, date(2017, 8, 3), (0, 2), ["a", "e"], id="open-start"),
    pytest.param(date(2017, 8, 6), None, (4, 5), ["d"], id="open-end"),
    pytest.param(None, None, (0, 5), ["a", "e", "b", "c", "d"], id="open-both"),
    pytest.param(date(2017, 8, 7), date(2017, 9, 1), (5, 5), [], id="after-the-data"),
    pytest.param(date(2017, 1, 1), date(2017, 8, 2), (0, 0), [], id="before-the-data"),
    pytest.param(date(2017, 8, 5), date(2017, 8, 4), (3, 3), [], id="reversed-is-empty"),
    pytest.param(pd.Timestamp("2017-08-04"), pd.Timestamp("2017-08-04"), (2, 3), ["b"],
                 id="timestamps"),
])
def test_window_keeps_both_end_days(index, start, end, window, expected):
    assert index.window(start, end) == window
    lo, hi = window
    assert ids(index, np.arange(lo, hi)) == expected
    assert ids(index, index.select(ViewState(start=start, end=end))) == expected


SELECT = [
    pytest.param(ViewState(), ["a", "e", "b", "c", "d"], id="no-filter"),
    pytest.param(ViewState(types=("Shelling",)), ["e", "b", "c"], id="type"),
    pytest.param(ViewState(types=("Airstrike", "Armed clash")), ["a", "d"], id="two-types"),
    pytest.param(ViewState(types=("Shelling", "Riots")), ["e", "b", "c"], id="type-absent-ignored"),
    pytest.param(ViewState(types=("Riots",)), [], id="only-absent-type"),
    pytest.param(ViewState(sub_types=("Mortars",)), ["e", "c"], id="sub-type"),
    pytest.param(ViewState(actors=("HTS",)), ["e", "c", "d"], id="actor-alone-first-and-second"),
    pytest.param(ViewState(actors=("Ahrar al-Sham",)), ["c"], id="actor-second-in-comma-list"),
    pytest.param(ViewState(actors=("Jaysh al-Izza",)), ["e"], id="actor-comma-without-space"),
    pytest.param(ViewState(actors=("Government forces",)), ["b", "c"], id="actor-either-side"),
    pytest.param(ViewState(actors=("Russian air force", "Opposition factions")), ["a", "b"],
                 id="two-actors"),
    pytest.param(ViewState(actors=("HTS, Ahrar al-Sham",)), [], id="whole-list-is-no-actor"),
    pytest.param(ViewState(actors=("hts",)), ["e", "c", "d"], id="actor-any-case"),
    pytest.param(ViewState(actors=("Hay’at Tahrir al-Sham",)), ["e", "c", "d"], id="actor-alias"),
    pytest.param(ViewState(actors=("Ahrar al Sham",)), ["c"], id="actor-hyphen-or-space"),
    pytest.param(ViewState(zones=("north",)), ["a", "c"], id="zone"),
    pytest.param(ViewState(zones=("north", "south")), ["a", "b", "c"], id="two-zones"),
    pytest.param(ViewState(zones=("west",)), [], id="unknown-zone"),
    pytest.param(ViewState(inside_only=True), ["a", "b", "c"], id="inside-only"),
    pytest.param(ViewState(precisions=("exact",)), ["a", "e", "b"], id="precision"),
    pytest.param(ViewState(precisions=("near", "district")), ["c", "d"], id="two-precisions"),
    pytest.param(ViewState(fat_min=1), ["a", "e", "c"], id="fat-min"),
    pytest.param(ViewState(fat_min=3, fat_max=10), ["a", "c"], id="fat-range-both-ends-kept"),
    # Unknown fatalities (b) count as 0, so an upper bound keeps them.
    pytest.param(ViewState(fat_max=0), ["b", "d"], id="fat-max-zero-keeps-unknown"),
    pytest.param(ViewState(fat_min=11), [], id="fat-min-above-all"),
    pytest.param(ViewState(sources=("UCDP",)), ["e", "b", "c"], id="source"),
    pytest.param(ViewState(sources=("SOHR", "Syria Direct")), ["a", "d"], id="two-sources"),
    pytest.param(ViewState(text="talbiseh"), ["e", "b", "c"], id="text-place-and-notes"),
    pytest.param(ViewState(text="TalBISeh"), ["e", "b", "c"], id="text-any-case"),
    pytest.param(ViewState(text="market"), ["a"], id="text-notes"),
    pytest.param(ViewState(text="Ar Ras"), ["a"], id="text-part-of-place"),
    # Place spellings meet (geocode's keys); notes stay literal ("TALBISEH council": b).
    pytest.param(ViewState(text="Talbisah"), ["e", "c"], id="text-place-spelling"),
    pytest.param(ViewState(text="Tallbisah"), ["e", "c"], id="text-doubled-letter"),
    pytest.param(ViewState(text="Telbisa"), ["e", "c"], id="text-gazetteer-alternate"),
    pytest.param(ViewState(text="تلبيسة"), ["e", "c"], id="text-arabic-name"),
    pytest.param(ViewState(text="al-Rastan"), ["a"], id="text-article"),
    pytest.param(ViewState(text="HTS"), [], id="text-not-actors"),
    pytest.param(ViewState(text="(.*)"), [], id="text-is-not-a-regex"),
]


@pytest.mark.parametrize(("state", "expected"), SELECT)
def test_each_filter(index, state, expected):
    assert ids(index, index.select(state)) == expected


def test_filters_combine_with_and(index):
    state = ViewState(start=date(2017, 8, 4), types=("Shelling",), actors=("HTS",))
    assert ids(index, index.select(state)) == ["c"]
    state = ViewState(types=("Shelling",), sources=("UCDP",), fat_min=1, zones=("north",),
                      text="talbiseh", precisions=("near",), sub_types=("Mortars",))
    assert ids(index, index.select(state)) == ["c"]


def test_within_limits_to_given_positions_in_date_order(index):
    assert ids(index, index.select(ViewState(), within=np.array([4, 0]))) == ["a", "d"]
    within = np.array([0, 1, 3])
    assert ids(index, index.select(ViewState(types=("Shelling",)), within=within)) == ["e", "c"]
    assert ids(index, index.select(ViewState(), within=np.array([], dtype=np.int64))) == []


def test_ignore_window_keeps_every_date_and_every_other_filter(index):
    state = ViewState(start=date(2017, 8, 5), end=date(2017, 8, 5), types=("Shelling",))
    assert ids(index, index.select(state)) == ["c"]
    assert ids(index, index.select(state, ignore_window=True)) == ["e", "b", "c"]


def test_positions_are_sorted_so_rows_come_in_date_order(index):
    positions = index.select(ViewState(types=("Shelling", "Airstrike")))
    assert positions.tolist() == sorted(positions.tolist())
    assert index.frame["date"].iloc[positions].is_monotonic_increasing


def test_input_frame_is_untouched(frame):
    before = frame.copy()
    index = IncidentIndex(frame, MASKS)
    index.select(ViewState(types=("Shelling",), actors=("HTS",), text="x", zones=("north",)))
    pd.testing.assert_frame_equal(frame, before)
    assert MASKS["north"].tolist() == [True, True, False, False, False]


def test_without_zone_masks_or_join_columns_zone_filters_keep_nothing():
    index = IncidentIndex(make_incidents(ROWS))
    assert ids(index, index.select(ViewState(inside_only=True))) == []
    assert ids(index, index.select(ViewState(zones=("north",)))) == []
    assert len(index.select(ViewState())) == 5


def test_empty_index():
    index = IncidentIndex(make_incidents([]))
    assert len(index) == 0
    assert index.date_span is None
    assert index.window(date(2017, 1, 1), date(2018, 1, 1)) == (0, 0)
    assert index.select(ViewState(types=("Shelling",), text="x")).tolist() == []
    assert index.options("actor") == []


@pytest.mark.parametrize(("column", "expected"), [
    ("event_type", ["Airstrike", "Armed clash", "Shelling"]),
    ("sub_type", ["Artillery", "Barrel bomb", "Mortars"]),
    ("loc_precision", ["district", "exact", "near"]),
    ("source", ["SOHR", "Syria Direct", "UCDP"]),
    ("actor", ["Ahrar al-Sham", "Government forces", "HTS", "Jaysh al-Izza", "Opposition factions",
               "Russian air force"]),
])
def test_options_are_the_non_empty_values_sorted(index, column, expected):
    assert index.options(column) == expected


def test_nested_zones_both_see_their_incident(tiny_view):
    index = tiny_view.index
    assert ids(index, index.select(ViewState(zones=("homs-north",)))) == [
        "i02", "i03", "i04", "i12", "i07", "i09"]
    assert ids(index, index.select(ViewState(zones=("buffer",)))) == ["i04"]
    assert ids(index, index.select(ViewState(zones=("east",)))) == ["i06"]
    # inside_only follows the join: inside some zone as it stood on the day.
    assert ids(index, index.select(ViewState(inside_only=True))) == [
        "i02", "i03", "i04", "i12", "i06", "i07", "i09"]


@pytest.mark.parametrize(("value", "expected"), [
    ("A, B", ["A", "B"]), ("A,B", ["A", "B"]), ("A ,  B,,C", ["A", "B", "C"]), ("A", ["A"]),
    ("", []), (None, []),
])
def test_split_actors(value, expected):
    assert split_actors(value) == expected


@pytest.mark.parametrize(("start", "end", "expected"), [
    pytest.param(date(2017, 8, 3), date(2017, 8, 5), (date(2017, 7, 31), date(2017, 8, 2)), id="3-days"),
    pytest.param(date(2017, 8, 3), date(2017, 8, 3), (date(2017, 8, 2), date(2017, 8, 2)), id="1-day"),
    pytest.param(date(2018, 1, 1), date(2018, 1, 31), (date(2017, 12, 1), date(2017, 12, 31)),
                 id="over-new-year"),
    pytest.param(date(2016, 3, 1), date(2016, 3, 31), (date(2016, 1, 30), date(2016, 2, 29)),
                 id="leap-day"),
])
def test_previous_window_is_as_long_and_ends_the_day_before(start, end, expected):
    prev = previous_window(start, end)
    assert prev == expected
    assert (prev[1] - prev[0]).days == (end - start).days


def test_day_number_counts_from_1970():
    assert day_number(date(1970, 1, 1)) == 0
    assert day_number(date(2017, 8, 3)) == 17381
    assert day_number(pd.Timestamp("2017-08-03 23:59")) == 17381


def _actors_row_by_row(*sides: pd.Series) -> dict[str, list[int]]:
    """The definition, one row at a time: what the grouped index must agree with."""
    found: dict[str, set[int]] = {}
    for side in sides:
        for pos, value in enumerate(side.astype(str)):
            if isinstance(value, str):
                for actor in split_actors(value):
                    found.setdefault(actor, set()).add(pos)
    return {a: sorted(p) for a, p in found.items()}


@pytest.mark.parametrize("dtype", [object, "str"])
def test_actor_positions_match_row_by_row(dtype):
    side1 = pd.Series(["A, B", "", None, " A ,B", "B", np.nan, "C,,D", "A"], dtype=dtype)
    side2 = pd.Series(["B", "A", "A", None, "nan", "x, A", "", "  E "], dtype=dtype)
    got = actor_positions(side1, side2)
    assert {a: p.tolist() for a, p in got.items()} == _actors_row_by_row(side1, side2)
    assert all(p.dtype == np.int64 for p in got.values())
    assert actor_positions(pd.Series([], dtype=object)) == {}


def test_index_of_a_sorted_frame_keeps_rows_and_masks_in_place():
    frame = make_incidents(ROWS)
    first = IncidentIndex(frame, {"z": np.arange(len(frame)) % 2 == 0})
    again = IncidentIndex(first.frame, first.zone_masks)
    pd.testing.assert_frame_equal(again.frame, first.frame)
    assert np.array_equal(again.days, first.days)
    assert np.array_equal(again.zone_masks["z"], first.zone_masks["z"])


@pytest.mark.parametrize("values", [
    pd.Series(["b", "a", None, "b"], dtype="category"),
    pd.Series(pd.Categorical(["b", "a", "b"], categories=["z", "b", "a", ""])),  # unused, ""
    pd.Series(pd.Categorical([None, None], categories=["a"])),
    pd.Series(pd.Categorical([3, 1, None, 10])),                                  # not text
    pd.Series(["b", "", None, "a"], dtype="str"),
    pd.Series(["b", None, "a"], dtype=object),
    pd.Series([], dtype="category"),
])
def test_category_codes_match_text_categories(values):
    expected = pd.Categorical(values.fillna("").astype(str)) if not isinstance(
        values.dtype, pd.CategoricalDtype) else pd.Categorical(
        values.astype(object).where(values.notna(), "").astype(str))
    codes, texts = category_codes(values)
    assert texts == [str(c) for c in expected.categories]
    assert codes.dtype == np.int32
    assert codes.tolist() == expected.codes.tolist()


def test_actor_positions_are_the_rows_naming_each_actor_in_row_order():
    rng = np.random.default_rng(5)
    names = np.array(["A", "B, C", "C", "", "D,A"], dtype=object)
    side1 = pd.Series(names[rng.integers(0, len(names), 3000)], dtype="str")
    side2 = pd.Series(names[rng.integers(0, len(names), 3000)], dtype=object)
    got = actor_positions(side1, side2)
    split = [[set(split_actors(a)) | set(split_actors(b))] for a, b in zip(side1, side2,
                                                                          strict=True)]
    for actor in ("A", "B", "C", "D"):
        want = [i for i, (named,) in enumerate(split) if actor in named]
        assert got[actor].tolist() == want, actor
    assert list(got) == ["A", "B", "C", "D"]



@pytest.mark.parametrize("n", [0, 1, 5000])
def test_take_rows_is_iloc_renumbered(n):
    rng = np.random.default_rng(n)
    few = np.array(["Homs", "Idlib", " padded ", "", None], dtype=object)
    frame = pd.DataFrame({
        "few": pd.Series(few[rng.integers(0, len(few), n)], dtype="str"),
        "ids": pd.Series([f"id-{i}" for i in rng.permutation(n)], dtype="str"),
        "obj": pd.Series(few[rng.integers(0, len(few), n)], dtype=object),
        "cat": pd.Series(few[rng.integers(0, 3, n)], dtype=object).astype("category"),
        "x": rng.normal(size=n),
        "day": pd.Timestamp("2017-01-01") + pd.to_timedelta(rng.integers(0, 700, n), unit="D"),
        "ver": pd.array(rng.integers(0, 3, n), dtype="Int32"),
    }, index=pd.RangeIndex(10, 10 + n))
    order = rng.permutation(n)
    got = take_rows(frame, order)
    want = frame.iloc[order].reset_index(drop=True)
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    assert got.dtypes.tolist() == frame.dtypes.tolist()
    assert got["few"].isna().tolist() == want["few"].isna().tolist()


def test_text_search_folds_each_distinct_place_once(frame, monkeypatch):
    """Fast at 1M rows: spelling keys are worked out per distinct value, not per row."""
    import dashboard.analysis.index as filters

    calls = []
    monkeypatch.setattr(filters, "normalize_place",
                        lambda text: calls.append(text) or normalize_place(text))
    big = IncidentIndex(pd.concat([frame] * 200, ignore_index=True))
    assert np.count_nonzero(big.select(ViewState(text="Talbisah"))) == 400
    assert np.count_nonzero(big.select(ViewState(text="Tallbisah"))) == 400
    distinct = {v for col in ("place", "admin1", "admin2") for v in frame[col]} - {""}
    assert len(calls) <= len(distinct) + 2  # each value once, plus each query


def test_a_search_for_either_name_of_a_list_side_finds_it():
    frame = make_incidents([
        {"date": "2017-08-03", "lon": 36.7, "lat": 34.8, "actor1": "Ahrar al-Sham, HTS"},
        {"date": "2017-08-04", "lon": 36.7, "lat": 34.8, "actor1": "Jabhat Fateh al-Sham"},
        {"date": "2017-08-05", "lon": 36.7, "lat": 34.8, "actor2": "Syrian Democratic Forces"},
    ])
    index = IncidentIndex(frame)
    assert len(index.select(ViewState(actors=("ahrar al sham",)))) == 1
    assert len(index.select(ViewState(actors=("Hay'at Tahrir",)))) == 0  # a name, not a part
    assert len(index.select(ViewState(actors=("Jabhat al-Nusra",)))) == 2  # the whole group
    assert len(index.select(ViewState(actors=("HTS",)))) == 1  # a listed name is exact
    assert len(index.select(ViewState(actors=("SDF",)))) == 1


@pytest.mark.parametrize("query", ["Talbiseh", "Talbisah", "Tallbisah", "تلبيسة", "Telbisa"])
def test_any_spelling_finds_a_ucdp_place_with_its_kind_appended(query):
    """UCDP writes "Tallbisah  town": the spelling key is found inside the place's key."""
    frame = make_incidents([
        {"date": "2017-08-03", "lon": 36.7, "lat": 34.8, "place": "Tallbisah  town"},
        {"date": "2017-08-04", "lon": 36.7, "lat": 34.8, "place": "Tallbisah-Al Ghantu road"},
        {"date": "2017-08-05", "lon": 36.5, "lat": 34.9, "place": "Houla town"},
    ])
    assert IncidentIndex(frame).select(ViewState(text=query)).tolist() == [0, 1]
