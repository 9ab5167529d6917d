"""Exports: a SYNTHETIC twin of the tiny view, and a skip for machines without Chromium."""

from __future__ import annotations

import pytest
from shapely.geometry import box

from dashboard.analysis.dataset import assemble_dataset
from dashboard.analysis.viewdata import build_view_data
from dashboard.io.milestones import empty_milestones
from tests.conftest import INCIDENT_ROWS, ZONE_ROWS, make_incidents, make_zones
from tests.geometries import SQUARE


@pytest.fixture(scope="session")
def synthetic_view():
    rows = [{**row, "dataset": "SYNTHETIC", "source": "SYNTHETIC data"} for row in INCIDENT_ROWS]
    data = assemble_dataset(make_zones(ZONE_ROWS), make_incidents(rows), empty_milestones(), [])
    return build_view_data(data, "synthetic")


@pytest.fixture(scope="session")
def browser():
    """Skip cleanly when kaleido or Chromium is missing (one kaleido browser per worker)."""
    from dashboard.export.render import available

    if not available():
        pytest.skip("kaleido or Chromium is not installed (pip install kaleido; "
                    "apt-get install chromium)")
    return True


#: Milestones of ``milestone_view``: one inside QUERY's window, one after it.
MILESTONE_DAYS = ("2017-08-03", "2018-03-01")


@pytest.fixture(scope="session")
def milestone_view():
    """The tiny view with two milestones (dashed lines on the histogram)."""
    import pandas as pd

    milestones = pd.DataFrame({
        "zone_id": pd.Series(["homs-north", None], dtype=object),
        "timestamp": list(MILESTONE_DAYS), "date": pd.to_datetime(list(MILESTONE_DAYS)),
        "kind": ["in_effect", "other"], "text": ["Truce in force", "Talks"],
        "source": ["Syria Direct", "Reuters"]})
    data = assemble_dataset(make_zones(ZONE_ROWS), make_incidents(INCIDENT_ROWS), milestones, [])
    return build_view_data(data, "milestones")


#: Two zones 250 km apart, each with its own source and its own incident dataset.
NEAR_FAR_ZONES = [
    {"zone_id": "near", "version": 1, "valid_from": "2017-05-05", "valid_to": None,
     "status": "in_effect", "source": "Source NEAR", "geometry": SQUARE},
    {"zone_id": "far", "version": 1, "valid_from": "2017-05-05", "valid_to": None,
     "status": "in_effect", "source": "Source FAR", "geometry": box(36.0, 32.6, 36.3, 32.9)},
]
NEAR_FAR_INCIDENTS = [
    {"date": "2017-09-01", "lon": 36.7, "lat": 34.9, "dataset": "Near data"},
    {"date": "2017-09-02", "lon": 36.1, "lat": 32.7, "dataset": "Far data"},
]


@pytest.fixture(scope="session")
def near_far_view():
    data = assemble_dataset(make_zones(NEAR_FAR_ZONES), make_incidents(NEAR_FAR_INCIDENTS),
                            empty_milestones(), [])
    return build_view_data(data, "near-far")
