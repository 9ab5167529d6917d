"""Zones through time: valid_from and valid_to are both in force, open ends are open."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from dashboard.analysis.validity import in_force_mask, status_since, zone_span, zones_as_of
from dashboard.core.model import zone_versions
from tests.conftest import make_zones
from tests.geometries import SQUARE


def in_force(zones, day) -> list[tuple[str, int]]:
    rows = zones_as_of(zones, day)
    return sorted(zip(rows["zone_id"], rows["version"], strict=True))


@pytest.mark.parametrize(("day", "expected"), [
    pytest.param("2017-05-04", [], id="day-before-first-valid_from"),
    pytest.param("2017-05-05", [("homs-north", 1)], id="valid_from-day"),
    pytest.param("2017-08-02", [("homs-north", 1)], id="valid_to-day"),
    pytest.param("2017-08-03", [("buffer", 1), ("homs-north", 2)], id="next-version-first-day"),
    pytest.param("2017-10-01", [("buffer", 1), ("east", 1), ("homs-north", 2)], id="mid-series-start"),
    pytest.param("2018-05-14", [("buffer", 1), ("east", 1), ("homs-north", 3)], id="last-day"),
    pytest.param("2018-05-15", [("buffer", 1), ("east", 1)], id="day-after-last-valid_to"),
    pytest.param("2030-01-01", [("buffer", 1), ("east", 1)], id="open-end"),
])
def test_zones_as_of(zones, day, expected):
    assert in_force(zones, day) == expected


@pytest.mark.parametrize("day", ["2017-08-02", date(2017, 8, 2), pd.Timestamp("2017-08-02 23:59")])
def test_days_may_be_strings_dates_or_timestamps_with_a_time(zones, day):
    assert in_force(zones, day) == [("homs-north", 1)]


def test_in_force_mask_on_the_boundary_days():
    zones = make_zones([{"zone_id": "z", "version": 1, "valid_from": "2017-08-03",
                         "valid_to": "2017-12-31", "geometry": SQUARE}])
    days = ["2017-08-02", "2017-08-03", "2017-12-31", "2018-01-01"]
    assert [bool(in_force_mask(zones, d).iloc[0]) for d in days] == [False, True, True, False]


def test_open_start_and_open_end():
    zones = make_zones([
        {"zone_id": "always", "version": 1, "valid_from": None, "valid_to": None, "geometry": SQUARE},
        {"zone_id": "until", "version": 1, "valid_from": None, "valid_to": "2017-01-01",
         "geometry": SQUARE},
        {"zone_id": "since", "version": 1, "valid_from": "2017-01-01", "valid_to": None,
         "geometry": SQUARE},
    ])
    assert in_force_mask(zones, "1900-01-01").tolist() == [True, True, False]
    assert in_force_mask(zones, "2017-01-01").tolist() == [True, True, True]
    assert in_force_mask(zones, "2100-01-01").tolist() == [True, False, True]


def test_mask_agrees_with_the_record_rule(zones):
    """One interval rule: ZoneVersion.in_force_on and in_force_mask never disagree."""
    records = zone_versions(zones)
    for day in pd.date_range("2017-05-01", "2018-06-01", freq="D"):
        mask = in_force_mask(zones, day).tolist()
        assert mask == [r.in_force_on(day.date()) for r in records], day


def test_status_since_is_the_start_of_the_unbroken_status_run(zones):
    since = status_since(zones)
    by_version = dict(zip(zip(zones["zone_id"], zones["version"], strict=True), since, strict=True))
    assert by_version[("homs-north", 1)] == pd.Timestamp("2017-05-05")  # declared
    assert by_version[("homs-north", 2)] == pd.Timestamp("2017-08-03")  # in effect since ...
    # ... and the boundary change on 2018-01-01 kept the status, so the run goes on:
    assert by_version[("homs-north", 3)] == pd.Timestamp("2017-08-03")
    assert by_version[("east", 1)] == pd.Timestamp("2017-10-01")
    assert since.index.equals(zones.index)


def test_status_since_restarts_when_a_status_comes_back():
    zones = make_zones([
        {"zone_id": "z", "version": v, "valid_from": f, "valid_to": t, "status": s, "geometry": SQUARE}
        for v, f, t, s in [(1, "2017-01-01", "2017-01-31", "in_effect"),
                           (2, "2017-02-01", "2017-02-28", "violated"),
                           (3, "2017-03-01", None, "in_effect")]])
    assert status_since(zones).dt.strftime("%m-%d").tolist() == ["01-01", "02-01", "03-01"]


def test_zone_span(zones):
    assert zone_span(zones) == (pd.Timestamp("2017-05-05"), pd.Timestamp("2018-05-14"))
    undated = make_zones([{"zone_id": "z", "version": 1, "valid_from": None, "valid_to": None,
                           "geometry": SQUARE}])
    assert zone_span(undated) == (None, None)


def test_in_force_between_and_days_in_force_follow_the_one_rule():
    from dashboard.analysis.validity import days_in_force, in_force_between

    zones = make_zones([
        {"zone_id": "a", "version": 1, "valid_from": "2017-08-03", "valid_to": "2017-08-10",
         "status": "in_effect", "geometry": SQUARE},
        {"zone_id": "b", "version": 1, "valid_from": None, "valid_to": "2017-01-31",
         "status": "in_effect", "geometry": SQUARE},
    ])
    assert in_force_between(zones, "2017-08-10", "2017-09-01").tolist() == [True, False]
    assert in_force_between(zones, "2016-01-01", "2016-01-02").tolist() == [False, True]
    assert in_force_between(zones, "2017-08-11", "2017-12-31").tolist() == [False, False]
    days = (pd.to_datetime(["2017-08-02", "2017-08-03", "2017-08-10", "2017-08-11"])
            - pd.Timestamp(0)).days.to_numpy()
    assert days_in_force(zones.iloc[[0]], days).tolist() == [False, True, True, False]
    for day in pd.date_range("2017-07-30", "2017-08-12"):
        number = (day - pd.Timestamp(0)).days
        assert days_in_force(zones, [number])[0] == in_force_mask(zones, day).any()
