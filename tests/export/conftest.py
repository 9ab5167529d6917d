"""Exports: a SYNTHETIC twin of the tiny view, and a skip for machines without Chromium."""

from __future__ import annotations

import pytest

from dashboard.dataset import assemble_dataset
from dashboard.io.milestones import empty_milestones
from dashboard.viewdata import build_view_data
from tests.conftest import INCIDENT_ROWS, ZONE_ROWS, make_incidents, make_zones


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
