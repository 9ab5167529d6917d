"""ViewData: the dataset sorted and indexed once, with its span, legend order, default
window and a camera that fits the data."""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
import pytest

from dashboard.analysis.dataset import assemble_dataset
from dashboard.analysis.viewdata import build_view_data, fit_camera
from dashboard.analysis.viewstate import ViewState
from dashboard.io.milestones import empty_milestones
from dashboard.io.synth import synthetic_incidents
from tests.conftest import INCIDENT_ROWS, ZONE_ROWS, make_incidents, make_zones


@pytest.mark.parametrize(("bounds", "center", "zoom"), [
    # 1.1° each way after the 10% pad: the 400 px height decides (MapLibre's 512 px world),
    # log2(400*360*cos(34.5°)/(512*1.1)) = 7.72
    pytest.param((36.0, 34.0, 37.0, 35.0), (34.5, 36.5), 7.72, id="one-degree"),
    # wide and short: the 1000 px width decides, log2(1000*360/(512*11)) = 6.0
    pytest.param((30.0, 34.0, 40.0, 35.0), (34.5, 35.0), 6.0, id="wide"),
    # a single point: spans of at least 0.05°, zoom capped at 12
    pytest.param((36.7, 34.9, 36.7, 34.9), (34.9, 36.7), 12.0, id="point"),
    # the whole world: zoom floored at 0.5
    pytest.param((-180.0, -90.0, 180.0, 90.0), (0.0, 0.0), 0.51, id="world"),
    pytest.param((math.nan,) * 4, (20.0, 0.0), 1.0, id="nothing"),
    pytest.param((36.0, 34.0, math.inf, 35.0), (20.0, 0.0), 1.0, id="infinite"),
])
def test_fit_camera(bounds, center, zoom):
    got_center, got_zoom = fit_camera(bounds)
    assert got_center == pytest.approx(center)
    assert got_zoom == zoom


def test_fit_camera_for_another_map_size():
    assert fit_camera((36.0, 34.0, 37.0, 35.0), width_px=200, height_px=800)[1] == pytest.approx(
        round(math.log2(200 * 360 / (512 * 1.1)), 2))


def test_tiny_view(tiny_view, tiny_dataset):
    # The same dataset, its incidents in date order: one frame shared with the index.
    assert tiny_view.dataset.zones is tiny_dataset.zones
    assert tiny_view.dataset.incidents is tiny_view.index.frame
    assert sorted(tiny_view.dataset.incidents["incident_id"]) == sorted(
        tiny_dataset.incidents["incident_id"])
    assert tiny_view.label == "test"
    assert len(tiny_view.index) == 12
    assert tiny_view.index.frame["date"].is_monotonic_increasing
    assert tiny_view.span == (date(2017, 5, 4), date(2018, 5, 15))
    assert tiny_view.default == ViewState(start=date(2017, 5, 4), end=date(2018, 5, 15))
    assert tiny_view.type_order == ["Shelling"]
    assert tiny_view.synthetic is False
    assert tiny_view.zone_names() == {"homs-north": "homs-north", "east": "east", "buffer": "buffer"}
    assert sorted(tiny_view.index.zone_masks) == ["buffer", "east", "homs-north"]


def test_zones_carry_status_since(tiny_view):
    since = dict(zip(zip(tiny_view.zones["zone_id"], tiny_view.zones["version"], strict=True),
                     tiny_view.zones["status_since"], strict=True))
    assert since[("homs-north", 3)] == pd.Timestamp("2017-08-03")
    assert since[("east", 1)] == pd.Timestamp("2017-10-01")


def test_camera_fits_zones_and_most_incidents(tiny_view):
    (lat, lon), zoom = tiny_view.center, tiny_view.zoom
    # Zones reach 36.6..37.0 E, 34.7..35.0 N; i11 (38.5 E, 33.5 N) pulls the 1st/99th percentiles.
    assert 33.5 < lat < 35.0 and 36.6 < lon < 38.5
    assert 6 < zoom < 9


def test_legend_order_is_most_frequent_first(zones):
    incidents = make_incidents([{"date": "2017-08-03", "lon": 36.7, "lat": 34.9, "event_type": t}
                                for t in ["Airstrike", "Shelling", "Shelling", "Detention",
                                          "Shelling", "Airstrike"]])
    view = build_view_data(assemble_dataset(zones, incidents, empty_milestones(), []), "t")
    assert view.type_order == ["Shelling", "Airstrike", "Detention"]


def test_span_covers_zones_as_well_as_incidents(zones):
    incidents = make_incidents([{"date": "2017-09-01", "lon": 36.7, "lat": 34.9}])
    view = build_view_data(assemble_dataset(zones, incidents, empty_milestones(), []), "t")
    assert view.span == (date(2017, 5, 5), date(2018, 5, 14))  # zone versions' first and last days
    assert view.default == ViewState(start=date(2017, 9, 1), end=date(2017, 9, 1))  # incidents'


def test_no_incidents(zones):
    view = build_view_data(assemble_dataset(zones, make_incidents([]), empty_milestones(), []), "t")
    assert len(view.index) == 0
    assert view.span == (date(2017, 5, 5), date(2018, 5, 14))
    assert view.default == ViewState(start=date(2017, 5, 5), end=date(2018, 5, 14))
    assert view.type_order == []
    # The camera fits the zones: 36.6..37.0 E, 34.7..35.0 N.
    assert view.center == pytest.approx((34.85, 36.8))


def test_synthetic_data_is_flagged():
    towns = pd.DataFrame({"name": ["Talbiseh"], "lon": [36.73], "lat": [34.84], "population": [1]})
    incidents = synthetic_incidents(20, 1, towns=towns)
    view = build_view_data(assemble_dataset(make_zones(ZONE_ROWS), incidents, empty_milestones(),
                                            []), "demo")
    assert view.synthetic is True


def test_build_does_not_change_the_dataset(tiny_dataset):
    before = tiny_dataset.incidents.copy()
    build_view_data(tiny_dataset, "again")
    pd.testing.assert_frame_equal(tiny_dataset.incidents, before)
    assert len(tiny_dataset.incidents) == len(INCIDENT_ROWS)


def test_view_takes_the_masks_the_join_computed(tiny_dataset, tiny_view):
    from dashboard.analysis.spatial import membership_masks

    want = membership_masks(tiny_dataset.incidents, tiny_dataset.zone_index)
    assert tiny_dataset.zone_masks is not None
    assert {z: m.tolist() for z, m in tiny_dataset.zone_masks.items()} == {
        z: m.tolist() for z, m in want.items()}
    # The view's dataset carries the masks of its own (date-sorted) rows.
    assert tiny_view.dataset.zone_masks is tiny_view.index.zone_masks
    again = membership_masks(tiny_view.index.frame, tiny_dataset.zone_index)
    assert {z: m.tolist() for z, m in tiny_view.index.zone_masks.items()} == {
        z: m.tolist() for z, m in again.items()}


def test_view_without_join_masks_computes_them(tiny_dataset, tiny_view):
    from dataclasses import replace

    plain = replace(tiny_dataset, zone_masks=None)
    view = build_view_data(plain, "test")
    assert {z: m.tolist() for z, m in view.index.zone_masks.items()} == {
        z: m.tolist() for z, m in tiny_view.index.zone_masks.items()}
