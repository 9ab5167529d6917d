"""SYNTHETIC incidents: seeded, labelled on every row, shaped like the real columns."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.core import model
from dashboard.io.synth import SYNTHETIC, is_synthetic, synthetic_incidents
from tests.conftest import make_incidents

TOWNS = pd.DataFrame({"name": ["Talbiseh", "Ar Rastan", "Houla"],
                      "lon": [36.73092, 36.73241, 36.49582], "lat": [34.84072, 34.92667, 34.89469],
                      "population": [38491, 53152, 21819]})


def make(n=200, seed=3, **kw):
    return synthetic_incidents(n, seed, towns=TOWNS, **kw)


def test_same_seed_same_rows_other_seed_other_rows():
    pd.testing.assert_frame_equal(make(seed=3), make(seed=3))
    assert not make(seed=3)[["lon", "lat"]].equals(make(seed=4)[["lon", "lat"]])


@pytest.mark.parametrize("n", [1, 7, 200])
def test_count_and_columns(n):
    frame = make(n)
    assert len(frame) == n
    assert frame.columns.tolist() == model.INCIDENT_COLUMNS
    assert frame["incident_id"].is_unique


def test_every_row_says_synthetic():
    frame = make()
    assert (frame["dataset"] == SYNTHETIC).all()
    assert frame["source"].str.contains(SYNTHETIC).all()
    assert (frame["notes"] == SYNTHETIC).all()
    assert is_synthetic(frame)
    assert not is_synthetic(make_incidents([{"date": "2017-08-03", "lon": 36.7, "lat": 34.8}]))
    assert not is_synthetic(make(0))


def test_rows_are_plausible():
    frame = make(500, start="2017-05-01", end="2017-06-30")
    assert frame["date"].between(pd.Timestamp("2017-05-01"), pd.Timestamp("2017-06-30")).all()
    assert (frame["date_end"] == frame["date"]).all()
    assert frame["lon"].between(36.2, 37.1).all() and frame["lat"].between(34.5, 35.3).all()
    assert set(frame["place"]) <= set(TOWNS["name"])
    assert set(frame["loc_precision"]) <= set(model.LOCATION_PRECISION_KM)
    assert (frame["precision_km"] == frame["loc_precision"].map(model.LOCATION_PRECISION_KM)).all()
    assert (frame["fatalities"] >= 0).all()


def test_default_towns_are_the_bundled_gazetteer():
    frame = synthetic_incidents(50, 1)
    assert len(frame) == 50
    assert frame["lon"].between(35.5, 42.5).all() and frame["lat"].between(32.0, 37.5).all()
    pd.testing.assert_frame_equal(frame, synthetic_incidents(50, 1))


def test_synthetic_file_stays_synthetic_when_loaded_again(tmp_path):
    from dashboard.io import load_incidents
    from dashboard.io.synth import is_synthetic, synthetic_incidents
    from dashboard.io.writers import write_incidents

    towns = __import__("pandas").DataFrame({"name": ["Tallbisah"], "lon": [36.73], "lat": [34.84],
                                             "population": [38491]})
    for suffix in (".parquet", ".csv", ".geojson"):
        path = write_incidents(synthetic_incidents(20, 1, towns=towns),
                               tmp_path / f"SYNTHETIC-demo{suffix}")
        frame, report = load_incidents(path)
        assert report.ok, report.to_text()
        assert is_synthetic(frame), suffix
