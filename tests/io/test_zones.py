"""The zone reader on good files: every format, synonyms, versions, times and statuses."""

from __future__ import annotations

import warnings
import zipfile

import geopandas as gpd
import pandas as pd
import pytest

from dashboard.core import model
from dashboard.io import read_zones, validate
from tests.conftest import GOOD_ZONE, write_zones
from tests.geometries import GOOD_ZONE_SHAPES, SQUARE


def _frame(**extra) -> gpd.GeoDataFrame:
    props = {k: [v] for k, v in (GOOD_ZONE | extra).items()}
    return gpd.GeoDataFrame(props, geometry=[SQUARE], crs="EPSG:4326")


def _zipped_shapefile(path, **extra):
    shp = path.parent / "shp" / "zones.shp"
    shp.parent.mkdir()
    with warnings.catch_warnings():  # Shapefile field names are cut to 10 characters
        warnings.simplefilter("ignore")
        _frame(**extra).drop(columns=["valid_to"]).to_file(shp)
    with zipfile.ZipFile(path, "w") as zf:
        for member in shp.parent.iterdir():
            zf.write(member, member.name)


@pytest.mark.parametrize(("name", "write"), [
    pytest.param("zones.geojson", lambda p: _frame().to_file(p), id="geojson"),
    pytest.param("zones.gpkg", lambda p: _frame().to_file(p), id="gpkg"),
    pytest.param("zones.parquet", lambda p: _frame().to_parquet(p), id="geoparquet"),
    pytest.param("zones.zip", _zipped_shapefile, id="zipped-shapefile"),
])
def test_zone_formats(tmp_path, name, write):
    path = tmp_path / name
    write(path)
    frame, report = read_zones(path)
    assert report.errors == [], report.messages()
    assert frame.columns.tolist()[: len(model.ZONE_COLUMNS) - 1] == model.ZONE_COLUMNS[:-1]
    row = frame.iloc[0]
    assert (row["zone_id"], row["version"], row["status"]) == ("homs-north", 1, "in_effect")
    assert row["valid_from"] == pd.Timestamp("2017-08-03")
    assert pd.isna(row["valid_to"])
    assert row["source"] == "Syria Direct, 3 Aug 2017"
    assert row.geometry.equals(SQUARE)
    assert frame.crs.to_epsg() == 4326


def test_shapefile_field_names_cut_to_ten_characters_are_recognised(tmp_path):
    path = tmp_path / "exact.zip"
    _zipped_shapefile(path, boundary_precision="exact")
    frame, report = read_zones(path)
    assert report.issues == [], report.messages()
    assert frame["boundary_precision"].tolist() == ["exact"]


@pytest.mark.parametrize("shape", list(GOOD_ZONE_SHAPES.values()), ids=list(GOOD_ZONE_SHAPES))
def test_good_shapes_load_unchanged(tmp_path, shape):
    frame, report = read_zones(write_zones(tmp_path / "z.geojson", [(GOOD_ZONE, shape)]))
    assert report.issues == []
    assert frame.geometry.iloc[0].equals(shape)


def test_property_synonyms_and_a_mapping(tmp_path):
    path = write_zones(tmp_path / "z.geojson", [
        ({"Code": "hn", "Title": "Northern Homs", "Start": "3 August 2017", "Until": "2018-05-14",
          "Phase": "Violated", "Accuracy": "exact", "Citation": "TASS", "Comment": "n"}, SQUARE)])
    frame, report = read_zones(path)
    assert report.issues == [], report.messages()
    row = frame.iloc[0]
    assert (row["zone_id"], row["name"], row["status"]) == ("hn", "Northern Homs", "violated")
    assert (row["valid_from"], row["valid_to"]) == (pd.Timestamp("2017-08-03"),
                                                    pd.Timestamp("2018-05-14"))
    assert (row["boundary_precision"], row["source"], row["notes"]) == ("exact", "TASS", "n")

    frame, report = read_zones(path, mapping={"zone_id": "Title"})
    assert frame["zone_id"].tolist() == ["Northern Homs"]


def test_a_file_with_no_dates_is_one_version_per_zone_always_in_force(tmp_path):
    path = write_zones(tmp_path / "plain.geojson", [
        ({"name": "Idlib", "source": "s"}, SQUARE), ({"name": "Homs", "source": "s"}, SQUARE)])
    frame, report = read_zones(path)
    assert report.ok
    assert frame["zone_id"].tolist() == ["Homs", "Idlib"]  # sorted by id
    assert frame["version"].tolist() == [1, 1]
    assert frame["valid_from"].isna().all() and frame["valid_to"].isna().all()
    assert frame["status"].tolist() == ["in_effect", "in_effect"]
    infos = report.messages("info")
    assert any("every zone is taken as in force at all times" in m for m in infos)
    assert any("no boundary_precision property" in m for m in infos)


def test_versions_are_numbered_by_valid_from_when_not_given(tmp_path):
    base = {k: v for k, v in GOOD_ZONE.items() if k != "version"}
    path = write_zones(tmp_path / "z.geojson", [
        (base | {"valid_from": "2018-01-01"}, SQUARE),
        (base | {"valid_from": "2017-05-05", "valid_to": "2017-12-31"}, SQUARE)])
    frame, report = read_zones(path)
    assert report.ok
    assert frame["version"].tolist() == [1, 2]
    assert frame["valid_from"].dt.year.tolist() == [2017, 2018]


def test_time_of_day_is_kept_beside_the_calendar_day(tmp_path):
    path = write_zones(tmp_path / "z.geojson", [(GOOD_ZONE | {"valid_from": "2017-08-03T12:00:00+03:00"},
                                                 SQUARE)])
    frame, report = read_zones(path)
    assert report.ok
    assert frame["valid_from"].iloc[0] == pd.Timestamp("2017-08-03")
    assert frame["valid_from_time"].iloc[0] == "12:00:00+03:00"


def test_own_status_labels_are_kept_and_noted(tmp_path):
    path = write_zones(tmp_path / "z.geojson", [(GOOD_ZONE | {"status": "Partly Observed"}, SQUARE)])
    frame, report = read_zones(path)
    assert frame["status"].tolist() == ["partly_observed"]
    assert report.messages("info") == [
        "z.geojson: status labels of your own kept as given: partly_observed. Fix: nothing to do."]


def test_odd_boundary_precision_and_missing_source_are_warnings(tmp_path):
    props = {k: v for k, v in GOOD_ZONE.items() if k != "source"} | {"boundary_precision": "rough"}
    frame, report = read_zones(write_zones(tmp_path / "z.geojson", [(props, SQUARE)]))
    assert report.ok
    assert frame["boundary_precision"].tolist() == ["approximate"]
    assert report.messages("warning") == [
        "z.geojson, feature 1, column 'boundary_precision': boundary_precision is neither exact "
        "nor approximate (value: 'rough'). Fix: write 'exact' or 'approximate'; taken as "
        "approximate.",
        "z.geojson: no source property. Fix: add a 'source' to every feature so maps and reports "
        "can cite it.",
    ]


def test_validate_guesses_zones(zone_file):
    report = validate(zone_file)
    assert report.kind == "zones (json)"
    assert report.ok and report.rows == 5
