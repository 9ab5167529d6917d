"""Counts behind the charts: Monday weeks with zeros, card figures, hexagon bins that
count every point once, in the cell whose hexagon holds it."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import Polygon

from dashboard.analysis.aggregate import (
    HexGrid,
    Summary,
    hex_bins,
    hex_polygon,
    hex_polygons,
    summarise,
    week_start,
    weekly_counts,
)
from dashboard.analysis.index import IncidentIndex, day_number
from dashboard.analysis.viewstate import ViewState
from tests.conftest import make_incidents

# 2017-07-31 and 2017-08-07 are Mondays; nothing happens in the week of 2017-08-14.
ROWS = [
    {"date": "2017-08-06", "lon": 36.7, "lat": 34.9, "event_type": "Shelling", "fatalities": 2.0},
    {"date": "2017-07-31", "lon": 36.7, "lat": 34.9, "event_type": "Shelling", "fatalities": 1.0},
    {"date": "2017-08-06", "lon": 36.7, "lat": 34.9, "event_type": "Airstrike", "fatalities": np.nan},
    {"date": "2017-08-07", "lon": 36.7, "lat": 34.9, "event_type": "Shelling", "fatalities": 0.0},
    {"date": "2017-08-21", "lon": 36.7, "lat": 34.9, "event_type": "Airstrike", "fatalities": 7.0},
]


@pytest.fixture
def index() -> IncidentIndex:
    frame = make_incidents(ROWS)
    return IncidentIndex(frame.assign(zone_id=["z", None, "z", None, None]))


def weeks(*days: str) -> pd.DatetimeIndex:
    return pd.DatetimeIndex([pd.Timestamp(d) for d in days], name="week")


@pytest.mark.parametrize(("day", "monday"), [
    ("2017-07-31", "2017-07-31"), ("2017-08-03", "2017-07-31"), ("2017-08-06", "2017-07-31"),
    ("2017-08-07", "2017-08-07"), ("1970-01-01", "1969-12-29"), ("1969-12-31", "1969-12-29"),
    ("2018-01-01", "2018-01-01"),
])
def test_week_start_is_the_monday(day, monday):
    assert week_start(np.array([day_number(date.fromisoformat(day))]))[0] == day_number(
        date.fromisoformat(monday))


def test_weekly_counts_by_type_with_zeros_for_empty_weeks(index):
    out = weekly_counts(index, np.arange(len(index)))
    expected = pd.DataFrame({"Airstrike": [1, 0, 0, 1], "Shelling": [2, 1, 0, 0]},
                            index=weeks("2017-07-31", "2017-08-07", "2017-08-14", "2017-08-21"))
    pd.testing.assert_frame_equal(out, expected, check_dtype=False, check_freq=False)
    assert int(out.to_numpy().sum()) == len(ROWS)


def test_weekly_counts_over_a_wider_span_pads_with_zero_weeks(index):
    out = weekly_counts(index, np.arange(len(index)), span=(date(2017, 7, 20), date(2017, 9, 3)))
    assert out.index.tolist() == list(weeks("2017-07-17", "2017-07-24", "2017-07-31", "2017-08-07",
                                            "2017-08-14", "2017-08-21", "2017-08-28"))
    assert out["Shelling"].tolist() == [0, 0, 2, 1, 0, 0, 0]
    assert out["Airstrike"].tolist() == [0, 0, 1, 0, 0, 1, 0]


def test_weekly_counts_over_a_narrower_span_drops_other_weeks_and_empty_types(index):
    out = weekly_counts(index, np.arange(len(index)), span=(date(2017, 8, 8), date(2017, 8, 13)))
    pd.testing.assert_frame_equal(out, pd.DataFrame({"Shelling": [1]}, index=weeks("2017-08-07")),
                                  check_dtype=False, check_freq=False)


def test_weekly_counts_of_some_positions_and_by_another_column(index):
    shelling = index.select(ViewState(types=("Shelling",)))
    out = weekly_counts(index, shelling)
    assert out.columns.tolist() == ["Shelling"]
    assert out["Shelling"].tolist() == [2, 1, 0, 0]  # the index's span, not the positions'
    by_source = weekly_counts(index, np.arange(len(index)), by="source")
    assert by_source.columns.tolist() == ["test"]
    assert by_source["test"].tolist() == [3, 1, 0, 1]


def test_weekly_counts_of_nothing_keeps_the_weeks(index):
    out = weekly_counts(index, np.array([], dtype=np.int64), span=(date(2017, 7, 31), date(2017, 8, 20)))
    assert out.index.tolist() == list(weeks("2017-07-31", "2017-08-07", "2017-08-14"))
    assert out.columns.tolist() == []


def test_weekly_counts_of_an_empty_index():
    out = weekly_counts(IncidentIndex(make_incidents([])), np.array([], dtype=np.int64))
    assert out.empty


def test_summarise(index):
    positions = np.array([0, 1, 2])  # 07-31 (1 dead), 08-06 (2 dead), 08-06 (unknown)
    summary = summarise(index, positions, previous=np.array([3, 4]))
    assert summary == Summary(incidents=3, fatalities=3, inside_share=pytest.approx(2 / 3),
                              previous_incidents=2, previous_fatalities=7)
    assert summary.change == pytest.approx(0.5)


def test_summarise_nothing(index):
    summary = summarise(index, np.array([], dtype=np.int64), np.array([], dtype=np.int64))
    assert summary == Summary(0, 0, None, 0, 0)
    assert summary.change is None


@pytest.mark.parametrize(("now", "before", "change"), [
    (10, 8, 0.25), (6, 8, -0.25), (5, 5, 0.0), (0, 4, -1.0), (3, 0, None), (0, 0, None),
])
def test_summary_change(now, before, change):
    assert Summary(now, 0, None, before, 0).change == change


# Hexagons -------------------------------------------------------------------------------
def hexagons(cells: pd.DataFrame, size: float) -> list[Polygon]:
    return [Polygon(hex_polygon(c.lon, c.lat, size, cells.attrs["lat0"]))
            for c in cells.itertuples(index=False)]


@pytest.mark.parametrize("size", [0.02, 0.1, 0.5])
def test_every_point_is_counted_once_in_the_hexagon_that_holds_it(size):
    rng = np.random.default_rng(11)
    lon = 36.7 + rng.normal(0, 0.3, 400)
    lat = 34.9 + rng.normal(0, 0.3, 400)
    cells = hex_bins(lon, lat, size)
    assert cells["count"].sum() == 400
    assert not cells.duplicated(["q", "r"]).any()
    holds = np.array([shapely.contains_xy(h, lon, lat) for h in hexagons(cells, size)])
    assert (holds.sum(axis=0) == 1).all()                # each point in exactly one hexagon
    assert holds.sum(axis=1).tolist() == cells["count"].tolist()  # ... and counted there


def test_nearby_points_share_a_cell_and_far_ones_do_not():
    centre = hex_bins(np.array([36.7]), np.array([34.9]), 0.1)
    lon0, lat0 = float(centre["lon"].iloc[0]), float(centre["lat"].iloc[0])
    near = hex_bins(np.array([lon0, lon0 + 0.01, lon0 - 0.01]),
                    np.array([lat0, lat0 + 0.01, lat0 - 0.01]), 0.1)
    assert near["count"].tolist() == [3]
    assert (near["lon"].iloc[0], near["lat"].iloc[0]) == pytest.approx((lon0, lat0))
    far = hex_bins(np.array([36.7, 37.7, 36.7]), np.array([34.9, 34.9, 35.9]), 0.1)
    assert far["count"].tolist() == [1, 1, 1]


def test_a_cell_stays_put_when_other_points_come_and_go():
    rng = np.random.default_rng(5)
    lon, lat = 36.7 + rng.normal(0, 0.05, 200), 34.9 + rng.normal(0, 0.05, 200)
    alone = hex_bins(lon, lat, 0.05)
    more = hex_bins(np.r_[lon, 38 + rng.normal(0, 0.05, 200)],
                    np.r_[lat, 35.2 + rng.normal(0, 0.05, 200)], 0.05)
    pd.testing.assert_frame_equal(more.loc[more["lon"] < 37.5].sort_values(["q", "r"])
                                  .reset_index(drop=True),
                                  alone.sort_values(["q", "r"]).reset_index(drop=True))


def test_hex_bins_of_no_points():
    cells = hex_bins(np.array([]), np.array([]), 0.1)
    assert cells.columns.tolist() == ["q", "r", "lon", "lat", "count"]
    assert len(cells) == 0


def test_hex_polygon_is_a_closed_ring_of_seven_points():
    ring = hex_polygon(0.0, 0.0, 1.0, 0.0)
    assert ring == [[0.86603, 0.5], [0.0, 1.0], [-0.86603, 0.5], [-0.86603, -0.5], [0.0, -1.0],
                    [0.86603, -0.5], [0.86603, 0.5]]
    assert ring[0] == ring[-1]
    assert len({tuple(p) for p in ring}) == 6


def test_hex_polygon_is_squashed_in_latitude_by_cos_lat0():
    ring = hex_polygon(36.7, 34.9, 0.1, 60.0)  # cos 60° = 0.5: half as tall in degrees
    assert ring[1] == [36.7, pytest.approx(34.95)]      # the top corner
    assert ring[4] == [36.7, pytest.approx(34.85)]      # the bottom corner
    assert Polygon(ring).is_valid


@pytest.mark.parametrize("size", [0.02, 0.1, 0.5])
def test_a_precomputed_grid_counts_any_selection_as_hex_bins_does(size):
    rng = np.random.default_rng(5)
    lon = (36.7 + rng.normal(0, 0.4, 2_000)).astype("float32")
    lat = (34.9 + rng.normal(0, 0.4, 2_000)).astype("float32")
    grid = HexGrid(lon, lat, size, lat0=35)
    for positions in (np.arange(2_000), np.sort(rng.choice(2_000, 300, replace=False)),
                      np.array([17])):
        expected = hex_bins(lon[positions], lat[positions], size, lat0=35)
        pd.testing.assert_frame_equal(grid.bins(positions), expected)
        assert grid.bins(positions).attrs == expected.attrs


def test_a_grid_of_nothing_counts_nothing():
    grid = HexGrid(np.zeros(0, "float32"), np.zeros(0, "float32"), 0.1, lat0=0)
    assert grid.bins(np.zeros(0, np.int64)).empty


def test_hexagon_rings_are_those_of_single_hexagons():
    rings = hex_polygons(np.array([36.7, 0.0]), np.array([34.9, 0.0]), 0.1, 35)
    assert rings.shape == (2, 7, 2)
    assert rings[0].tolist() == hex_polygon(36.7, 34.9, 0.1, 35)
    assert rings[1].tolist() == hex_polygon(0.0, 0.0, 0.1, 35)


@pytest.mark.parametrize("keys", [np.array([5, 3, 5, 9, 3, 3]), np.array([10**12, 4, 10**12]),
                                  np.array([-7, -2, -7]), np.array([], dtype=np.int64)])
def test_counting_unique_matches_numpy(keys):
    from dashboard.analysis.aggregate import _unique_inverse

    got, inverse = _unique_inverse(keys)
    want, want_inverse = np.unique(keys, return_inverse=True)
    assert got.tolist() == want.tolist() and inverse.tolist() == want_inverse.tolist()
