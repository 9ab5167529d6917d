"""Coordinates checked against what rows name (dashboard/io/places.py): a file whose every
row has latitude and longitude swapped is caught (issue 12, item 16)."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.core.errors import IncidentFileError
from dashboard.core.paths import geodata_dir
from dashboard.io import load_incidents, read_incidents
from tests.conftest import write_csv


@pytest.fixture(scope="module")
def ucdp_rows() -> pd.DataFrame:
    """The first 300 bundled UCDP GED rows, as text."""
    frame = pd.read_csv(geodata_dir() / "ucdp-ged-syria-2017-2018.csv.gz", dtype=str,
                        keep_default_na=False, nrows=300)
    return frame


def test_a_ucdp_file_with_every_row_swapped_is_refused_with_the_fix(tmp_path, ucdp_rows):
    swapped = ucdp_rows.assign(latitude=ucdp_rows["longitude"], longitude=ucdp_rows["latitude"])
    path = tmp_path / "ged.csv"
    swapped.to_csv(path, index=False)
    _, report = read_incidents(path)
    assert len(report.errors) == 1, report.messages("error")
    message = report.messages("error")[0]
    assert message.startswith("ged.csv, column 'longitude/latitude': latitude and longitude "
                              "look swapped in ")
    assert message.endswith(
        " rows: e.g. row 2 names Deir-ez-Zor but lies at 41.0°N 34.5°E, in Turkey; swapped it "
        "lies in Deir-ez-Zor. Fix: swap the 'latitude' and 'longitude' columns.")
    assert len(report.rejected_rows) > 250


def test_the_same_rows_unswapped_pass(tmp_path, ucdp_rows):
    path = tmp_path / "ged.csv"
    ucdp_rows.to_csv(path, index=False)
    assert read_incidents(path)[1].errors == []


def test_place_names_alone_catch_a_swapped_file(tmp_path):
    rows = [["incident_id", "date", "lon", "lat", "place"]] + [
        [f"t{i}", "2017-08-03", "34.84", "36.73", "Talbiseh"] for i in range(3)]
    path = write_csv(tmp_path / "t.csv", rows)
    with pytest.raises(IncidentFileError, match=r"^t.csv, column 'lon/lat': latitude and "
                       r"longitude look swapped in 3 of 3 rows: e.g. row 2 names Talbiseh but "
                       r"lies at 36.7°N 34.8°E, .*; swapped it lies in Talbiseh. Fix: swap the "
                       r"'lat' and 'lon' columns"):
        load_incidents(path)


def test_one_swapped_row_among_good_ones_is_listed_by_itself(tmp_path):
    rows = [["incident_id", "date", "lon", "lat", "admin1", "country"],
            ["g1", "2017-08-03", "36.73", "34.84", "Homs", "Syria"],
            ["g2", "2017-08-03", "36.72", "34.92", "Homs", "Syria"],
            ["s1", "2017-08-03", "34.84", "36.73", "Homs", "Syria"]]
    _, report = read_incidents(write_csv(tmp_path / "m.csv", rows))
    assert [(i.where, i.value) for i in report.errors] == [("row 4", "34.84, 36.73")]
    assert "names Homs but lies at 36.7°N 34.8°E" in report.errors[0].problem


def test_country_names_catch_a_swapped_file_anywhere(tmp_path):
    # Kabul (69.2 E, 34.5 N) swapped lands in the Arabian Sea... and Kabul is in Afghanistan.
    rows = [["incident_id", "date", "lon", "lat", "country"],
            ["k1", "2017-08-03", "34.53", "69.17", "Afghanistan"],
            ["k2", "2017-08-03", "34.55", "69.20", "AFG"]]
    _, report = read_incidents(write_csv(tmp_path / "af.csv", rows))
    assert "look swapped in 2 of 2 rows" in report.messages("error")[0]


def test_rows_naming_nothing_known_are_left_alone(tmp_path):
    rows = [["incident_id", "date", "lon", "lat", "place", "country"],
            ["x", "2017-08-03", "34.84", "36.73", "Nowhere-on-the-map", "Atlantis"]]
    assert read_incidents(write_csv(tmp_path / "n.csv", rows))[1].errors == []
