"""dashboard/core/mercator.py against the table assets/adapter.js is checked against too
(tests/js/mercator_cases.json, expected values from pyproj)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dashboard.core import mercator

CASES = json.loads((Path(__file__).parent / "js" / "mercator_cases.json").read_text("utf-8"))
TOL = CASES["tolerance"]


@pytest.mark.parametrize("case", CASES["points"], ids=lambda c: c["id"])
def test_world_coordinates_of_a_point(case):
    assert float(mercator.merc_x(case["lon"])) == pytest.approx(case["x"], abs=TOL)
    assert float(mercator.merc_y(case["lat"])) == pytest.approx(case["y"], abs=TOL)


@pytest.mark.parametrize("case", [c for c in CASES["points"] if abs(c["lat"]) < 85],
                         ids=lambda c: c["id"])
def test_world_coordinates_back_to_the_point(case):
    lon, lat = mercator.lonlat(case["x"], case["y"])
    assert (float(lon), float(lat)) == pytest.approx((case["lon"], case["lat"]), abs=1e-7)


@pytest.mark.parametrize("case", CASES["zooms"], ids=lambda c: f"zoom {c['zoom']}")
def test_world_size_at_a_zoom(case):
    assert mercator.world_px(case["zoom"]) == pytest.approx(case["world_px"], rel=TOL)
    assert mercator.deg_per_px(case["zoom"]) == pytest.approx(case["deg_per_px"], rel=TOL)


@pytest.mark.parametrize("case", CASES["zooms"], ids=lambda c: f"zoom {c['zoom']}")
def test_the_zoom_that_fits_a_span(case):
    assert mercator.zoom_for(case["deg_per_px"] * 1000, 1000) == pytest.approx(case["zoom"])


@pytest.mark.parametrize("case", CASES["metres_per_px"], ids=lambda c: f"{c['lat']}@{c['zoom']}")
def test_ground_metres_per_px(case):
    got = mercator.metres_per_px(case["lat"], case["zoom"])
    assert got == pytest.approx(case["metres_per_px"], rel=1e-9)


def test_arrays_in_arrays_out():
    ys = mercator.merc_y([0.0, 33.5138, 95.0])
    assert ys.shape == (3,) and ys[0] == pytest.approx(0.5) and ys[2] == pytest.approx(0, abs=TOL)
