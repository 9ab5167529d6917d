"""Bad input, one table: each file names itself, the row or feature, the problem and the fix.

A problem with no place in the file (an empty file, the wrong format, a folder) names
the file only: ``where`` is None for those.
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, box

from dashboard.core.errors import IncidentFileError, MilestoneFileError, ZoneFileError
from dashboard.io import (
    load_incidents,
    load_milestones,
    load_zones,
    read_incidents,
    read_zones,
    rejected_path_for,
    validate,
)
from tests.conftest import (
    GOOD_ROW,
    GOOD_ZONE,
    INCIDENT_HEADER,
    write_csv,
    write_incident_csv,
    write_text,
    write_zones,
)
from tests.geometries import (
    BOWTIE,
    EMPTY,
    LINE,
    NEIGHBOUR,
    POINT,
    PROJECTED,
    PROJECTED_CRS,
    SHRUNK,
    SQUARE,
    SWAPPED,
)

Writer = Callable[[Path], Path]


# Writers for the table -------------------------------------------------------------------
def rows(*data: list, header=INCIDENT_HEADER) -> Writer:
    return lambda path: write_incident_csv(path, data, header=header)


def text(content: str) -> Writer:
    return lambda path: write_text(path, content)


def raw_bytes(content: bytes) -> Writer:
    def write(path: Path) -> Path:
        path.write_bytes(content)
        return path
    return write


def zones(*features, crs=None) -> Writer:
    return lambda path: write_zones(path, features, crs=crs)


def folder() -> Writer:
    def write(path: Path) -> Path:
        path.mkdir()
        return path
    return write


def shapefile_zip(members=(".shp", ".shx", ".dbf", ".prj"), truncate=False) -> Writer:
    def write(path: Path) -> Path:
        shp = path.parent / "shp" / "zones.shp"
        shp.parent.mkdir()
        gpd.GeoDataFrame({"zone_id": ["homs-north"]}, geometry=[SQUARE], crs="EPSG:4326").to_file(shp)
        with zipfile.ZipFile(path, "w") as zf:
            for ext in members:
                zf.write(shp.with_suffix(ext), "zones" + ext)
        if truncate:
            data = path.read_bytes()
            path.write_bytes(data[: len(data) // 2])
        return path
    return write


def cluster_with_one_swapped() -> Writer:
    """Twelve incidents around Talbiseh and one with lat/lon swapped (row 14)."""
    good = [[f"c{i}", "2017-08-03", f"{36.70 + i / 100:.2f}", f"{34.80 + i / 200:.3f}", "0"]
            for i in range(12)]
    return rows(*good, ["swapped", "2017-08-03", "34.84", "36.73", "0"])


def zone(**props) -> dict:
    return GOOD_ZONE | props


GEOJSON_DOC = json.dumps({"type": "FeatureCollection", "features": [
    {"type": "Feature", "properties": GOOD_ZONE,
     "geometry": {"type": "Polygon", "coordinates": [list(SQUARE.exterior.coords)]}}]})
V1 = zone(valid_from="2017-05-05", valid_to="2017-12-31")


# The table -------------------------------------------------------------------------------
INC, Z = "incidents", "zones"
BAD_INPUTS = [
    # Dates
    pytest.param(INC, "i.csv", rows(["a", "2017-13-45", "36.7", "34.8", "1"]), {},
                 r"row 2, column 'date': the date cannot be read \(value: '2017-13-45'\)", "row 2",
                 id="unparseable-date"),
    pytest.param(INC, "i.csv", rows(GOOD_ROW, ["b", "31 February 2019", "36.7", "34.8", "1"]), {},
                 r"row 3, column 'date': 31 February 2019 is not a day: February 2019 has 28 "
                 r"days. Fix: check the day and month against the source", "row 3",
                 id="date-that-does-not-exist"),
    pytest.param(INC, "i.csv", rows(["a", "2019-02-01", "2019-02-29", "36.7", "34.8"],
                                  header=["incident_id", "date", "date_end", "lon", "lat"]), {},
                 r"row 2, column 'date_end': 2019-02-29 is not a day: February 2019 has 28 days",
                 "row 2", id="end-date-that-does-not-exist"),
    pytest.param(INC, "i.csv", rows(GOOD_ROW, ["b", "03/08/2017", "36.7", "34.8", "1"]), {},
                 r"the date's day/month order is ambiguous \(value: '03/08/2017'\). "
                 r"Fix: write dates as YYYY-MM-DD", "row 3", id="ambiguous-date"),
    pytest.param(INC, "i.csv", rows(["a", "", "36.7", "34.8", "1"]), {},
                 r"column 'date': the date is empty", "row 2", id="empty-date"),
    pytest.param(INC, "i.csv", rows(["a", "2017-08-03", "2017-08-01", "36.7", "34.8"],
                                  header=["incident_id", "date", "date_end", "lon", "lat"]), {},
                 r"column 'date_end': the end date is before the start date \(value: '2017-08-01'\)"
                 r". Fix: swap the two dates", "row 2", id="end-before-start"),
    pytest.param(INC, "i.csv", rows(["a", "2017-08-03", "someday", "36.7", "34.8"],
                                  header=["incident_id", "date", "date_end", "lon", "lat"]), {},
                 r"the end date cannot be read \(value: 'someday'\)", "row 2",
                 id="unparseable-end-date"),
    # Coordinates
    pytest.param(INC, "i.csv", rows(["a", "2017-08-03", "", "34.8", "1"]), {},
                 r"column 'lon': the longitude is missing", "row 2", id="missing-lon"),
    pytest.param(INC, "i.csv", rows(["a", "2017-08-03", "36.7", "34°50′", "1"]), {},
                 r"column 'lat': the latitude is not a number \(value: '34°50′'\). "
                 r"Fix: write decimal degrees", "row 2", id="non-numeric-lat"),
    pytest.param(INC, "i.csv", rows(["a", "2017-08-03", "36.7", "348.4", "1"]), {},
                 r"column 'lat': the latitude is out of range \(-90..90\) \(value: '348.4'\)",
                 "row 2", id="lat-out-of-range"),
    pytest.param(INC, "i.csv", rows(["a", "2017-08-03", "36.7", "-200", "1"]), {},
                 r"the latitude is out of range \(-90..90\) \(value: '-200'\)", "row 2",
                 id="lat-out-of-range-negative"),
    pytest.param(INC, "i.csv", rows(["a", "2017-08-03", "181", "34.8", "1"]), {},
                 r"column 'lon': the longitude is out of range \(-180..180\)", "row 2",
                 id="lon-out-of-range"),
    pytest.param(INC, "i.csv", rows(["a", "2017-08-03", "34.84", "136.73", "1"]), {},
                 r"the latitude is out of range \(-90..90\); latitude and longitude look swapped"
                 r".*Fix: swap the values of 'lat' and 'lon'", "row 2", id="swapped-out-of-range"),
    pytest.param(INC, "i.csv", cluster_with_one_swapped(), {},
                 r"column 'lon/lat': latitude and longitude look swapped: the point lies far from "
                 r"the others and among them once swapped \(value: '34.84, 36.73'\)", "row 14",
                 id="swapped-far-from-the-rest"),
    pytest.param(INC, "i.csv", rows(["a", "2017-08-03", "286000", "3865000", "1"]), {},
                 r"the coordinates look projected \(metres\), and no CRS is given "
                 r"\(value: '286000, 3865000'\). Fix: .*--crs EPSG:32637", "row 2",
                 id="projected-csv-no-crs"),
    # Fatalities and ids
    pytest.param(INC, "i.csv", rows(["a", "2017-08-03", "36.7", "34.8", "-3"]), {},
                 r"column 'fatalities': fatalities is negative \(value: '-3'\)", "row 2",
                 id="negative-fatalities"),
    pytest.param(INC, "i.csv", rows(["a", "2017-08-03", "36.7", "34.8", "several"]), {},
                 r"fatalities is not a number \(value: 'several'\)", "row 2",
                 id="non-numeric-fatalities"),
    pytest.param(INC, "i.csv", rows(GOOD_ROW, ["b", "2017-08-04", "36.7", "34.8", "0"], GOOD_ROW), {},
                 r"column 'incident_id': the id is used by more than one row \(value: 'a1'\)",
                 "row 2", id="duplicate-ids"),
    pytest.param(INC, "i.csv", rows(["", "2017-08-04", "36.7", "34.8", "0"]), {},
                 r"column 'incident_id': the id is empty", "row 2", id="empty-id"),
    # Whole files
    pytest.param(INC, "i.csv", text(""), {}, r"the file is empty \(0 bytes\)", None, id="empty-file"),
    pytest.param(INC, "i.csv", text(",".join(INCIDENT_HEADER) + "\n"), {},
                 r"the file has a header but no data rows", None, id="header-only"),
    pytest.param(INC, "i.csv", text("  \n\t\n   \n"), {}, r"the file holds only blank space", None,
                 id="blank-space"),
    pytest.param(INC, "i.csv", rows(GOOD_ROW, ["b", "2017-08-03", "36.7", "34.8", "1", "extra"]), {},
                 r"the text is not a regular table: this row has 6 fields, the header 5", "row 3",
                 id="ragged-rows"),
    pytest.param(INC, "i.csv", text("id,date,lon,lat,date\n1,2017-08-03,36,34,x\n"), {},
                 r"the header repeats column names \['date'\]", "row 1", id="duplicate-header"),
    pytest.param(INC, "i.csv", text('{"type": "FeatureCollection", "features": []}'), {},
                 r"the name says delimited text \(CSV\) \(.csv\) but the content is JSON/GeoJSON",
                 None, id="csv-holding-json"),
    pytest.param(Z, "z.geojson", text("zone_id,geometry\nhoms-north,POLYGON EMPTY\n"), {},
                 r"the name says JSON/GeoJSON \(.geojson\) but the content is delimited text", None,
                 id="geojson-holding-csv"),
    pytest.param(Z, "z.gpkg", text("just some notes\n"), {},
                 r"the name says GeoPackage \(.gpkg\) but the content is delimited text", None,
                 id="gpkg-holding-text"),
    pytest.param(INC, "i.csv", raw_bytes(b"\x00\x01binary\x00" * 20), {},
                 r"the name says delimited text \(CSV\) \(.csv\) but the content is binary data",
                 None, id="csv-holding-binary"),
    pytest.param(Z, "z.geojson", text(GEOJSON_DOC[:-25]), {},
                 r"the JSON ends early \(truncated\). Fix: download or export the file again",
                 r"line 1, column \d+", id="truncated-json"),
    pytest.param(Z, "z.geojson", text('{"type": "FeatureCollection"\n "features": []}'), {},
                 r"the JSON is malformed: Expecting ',' delimiter. Fix: fix the JSON syntax there",
                 r"line 2, column 2", id="malformed-json"),
    pytest.param(Z, "z.geojson", text('{"zones": ["homs-north"]}'), {},
                 r"the JSON is not GeoJSON \(no FeatureCollection\)", None, id="json-not-geojson"),
    pytest.param(INC, "missing.csv", None, {}, r"file not found", None, id="file-not-found"),
    pytest.param(INC, "data.csv", folder(), {}, r"is a folder, not a file. Fix: give the path of a "
                 r"file inside it", None, id="folder-not-file"),
    # Column mapping
    pytest.param(INC, "i.csv", rows(GOOD_ROW), {"mapping": {"date": "Event Date"}},
                 r"the column mapping names columns the file does not have: "
                 r"\['date=Event Date'\]. Fix: use names from the header", None,
                 id="mapping-names-missing-column"),
    pytest.param(INC, "i.csv", rows(["a", "36.7", "34.8"], header=["incident_id", "lon", "lat"]), {},
                 r"no date column found. Fix: name a column 'date' or map it with --map date=COLUMN",
                 None, id="no-date-column"),
    # Incident points
    pytest.param(INC, "p.geojson", zones(({"id": "p1", "date": "2017-08-03"}, SQUARE)), {},
                 r"column 'geometry': geometry is not a point \(value: 'Polygon'\)", "feature 1",
                 id="incident-not-a-point"),
    # Zones
    pytest.param(Z, "z.geojson", zones((zone(valid_to="2017-07-01"), SQUARE)), {},
                 r"valid_to is before valid_from \(value: '2017-08-03 .. 2017-07-01'\). Fix: swap "
                 r"the dates", "feature 1", id="zone-reversed-period"),
    pytest.param(Z, "z.geojson", zones((zone(valid_from="someday"), SQUARE)), {},
                 r"column 'valid_from': valid_from cannot be read \(value: 'someday'\)",
                 "feature 1", id="zone-unparseable-valid_from"),
    pytest.param(Z, "z.geojson", zones((zone(valid_to="31 June 2018"), SQUARE)), {},
                 r"column 'valid_to': 31 June 2018 is not a day: June 2018 has 30 days. Fix: "
                 r"check the day and month", "feature 1", id="zone-valid_to-that-does-not-exist"),
    pytest.param(Z, "z.geojson", zones((V1, SQUARE), (zone(version=2, valid_from="2017-12-01"), SQUARE)),
                 {}, r"this version of zone 'homs-north' overlaps in time with feature 1 \(which "
                 r"runs to 2017-12-31\) \(value: '2017-12-01'\)", "feature 2", id="zone-overlap"),
    pytest.param(Z, "z.geojson", zones((V1, SQUARE), (zone(valid_from="2018-01-01"), SQUARE)), {},
                 r"column 'version': two features have the same zone id and version "
                 r"\(value: 'homs-north v1'\)", "feature 1", id="zone-duplicate-version"),
    pytest.param(Z, "z.geojson", zones((zone(version="two"), SQUARE)), {},
                 r"the version is not a whole number \(value: 'two'\)", "feature 1",
                 id="zone-version-not-a-number"),
    pytest.param(Z, "z.geojson", zones((zone(), EMPTY)), {},
                 r"column 'geometry': the geometry is empty", "feature 1", id="zone-empty-geometry"),
    pytest.param(Z, "z.geojson", zones((zone(), None)), {},
                 r"column 'geometry': the feature has no geometry", "feature 1",
                 id="zone-null-geometry"),
    pytest.param(Z, "z.geojson", zones((zone(), POINT)), {},
                 r"the geometry is not a polygon \(value: 'Point'\)", "feature 1",
                 id="zone-point"),
    pytest.param(Z, "z.geojson", zones((zone(), SQUARE), (zone(zone_id="x", name="x"), LINE)), {},
                 r"the geometry is not a polygon \(value: 'LineString'\)", "feature 2",
                 id="zone-line"),
    pytest.param(Z, "z.geojson", zones(({"valid_from": "2017-08-03", "source": "s"}, SQUARE)), {},
                 r"no zone id or name column. Fix: add a 'zone_id' \(or 'name'\) property", None,
                 id="zone-no-id-column"),
    pytest.param(Z, "z.geojson", zones((zone(zone_id="", name=""), SQUARE)), {},
                 r"the zone has no id or name", "feature 1", id="zone-empty-id"),
    pytest.param(Z, "z.geojson", zones((zone(), PROJECTED)), {},
                 r"the coordinates look projected \(metres\) but the file declares no CRS "
                 r"\(value: '276000, 3855000'\)", "feature 1", id="zone-projected-no-crs"),
    pytest.param(Z, "z.geojson", zones(), {}, r"the file has no features", None,
                 id="zone-no-features"),
    # Zipped Shapefiles
    pytest.param(Z, "z.zip", raw_bytes(b"PK\x03\x04" + b"not really a zip" * 8), {},
                 r"the zip archive cannot be opened \(File is not a zip file\). Fix: zip the files "
                 r"again", None, id="zip-unreadable"),
    pytest.param(Z, "z.zip", shapefile_zip(truncate=True), {},
                 r"the zip archive cannot be opened", None, id="zip-truncated"),
    pytest.param(Z, "z.zip", shapefile_zip(members=(".prj",)), {},
                 r"the zip holds no .shp, .geojson or .gpkg file", None, id="zip-without-shp"),
    pytest.param(Z, "z.zip", shapefile_zip(members=(".shp", ".shx", ".prj")), {},
                 r"the Shapefile 'zones.shp' comes without its .dbf", None, id="zip-missing-dbf"),
    # Milestones
    pytest.param("milestones", "m.csv", text("zone_id,timestamp,kind,text,source\n"
                                             "homs-north,soon,signed,x,TASS\n"), {},
                 r"column 'timestamp': the timestamp cannot be read \(value: 'soon'\)", "row 2",
                 id="milestone-unparseable-timestamp"),
]

LOADERS = {"incidents": (load_incidents, IncidentFileError),
           "zones": (load_zones, ZoneFileError),
           "milestones": (load_milestones, MilestoneFileError)}


def test_the_table_is_big_enough():
    assert len(BAD_INPUTS) >= 30
    assert len({p.id for p in BAD_INPUTS}) == len(BAD_INPUTS)


@pytest.mark.parametrize(("role", "name", "write", "options", "message", "where"), BAD_INPUTS)
def test_bad_input_names_file_place_problem_and_fix(tmp_path, role, name, write, options, message,
                                                    where):
    path = tmp_path / name
    if write is not None:
        write(path)
    load, error_class = LOADERS[role]
    with pytest.raises(error_class, match=message) as caught:
        load(path, **options)
    shown = str(caught.value)
    place = rf"{name}, {where}(, column '[^']+')?: " if where else rf"{name}: "
    assert re.match(place, shown), shown
    assert "Fix: " in shown
    assert caught.value.path == path

    # validate() reports the same problem, with the same role, without raising.
    report = validate(path, role=role, **options)
    assert not report.ok
    assert any(re.search(message, m) for m in report.messages("error"))


# Repaired, reprojected, and everything reported -------------------------------------------
def test_bowtie_is_repaired_with_a_warning_and_loads(tmp_path):
    path = write_zones(tmp_path / "zones.geojson", [(GOOD_ZONE, BOWTIE)])
    frame, report = load_zones(path)
    assert report.ok
    [warning] = report.messages("warning")
    assert warning.startswith("zones.geojson, feature 1, column 'geometry': the geometry was "
                              "invalid (Self-intersection")
    assert "repaired with make_valid" in warning
    geom = frame.geometry.iloc[0]
    assert geom.is_valid and geom.geom_type == "MultiPolygon"
    assert geom.area == pytest.approx(BOWTIE.buffer(0).area + 0.01, rel=0.01)  # both triangles


def test_declared_crs_is_reprojected_and_reported(tmp_path):
    path = write_zones(tmp_path / "utm.geojson", [(GOOD_ZONE, PROJECTED)],
                       crs="urn:ogc:def:crs:EPSG::32637")
    frame, report = load_zones(path)
    assert report.ok
    assert report.messages("info") == [
        f"utm.geojson: reprojected from {PROJECTED_CRS} to EPSG:4326 (lon/lat). Fix: nothing to do."]
    minx, miny, maxx, maxy = frame.total_bounds
    assert 36.5 < minx < maxx < 36.8 and 34.8 < miny < maxy < 35.0
    assert frame.crs.to_epsg() == 4326


def test_every_problem_is_reported_not_just_the_first(tmp_path):
    path = write_incident_csv(tmp_path / "three.csv", [
        ["a", "not a date", "36.7", "34.8", "1"],
        GOOD_ROW,
        ["c", "2017-08-03", "", "34.8", "1"],
        ["d", "2017-08-03", "36.7", "34.8", "-1"],
    ])
    _, report = read_incidents(path)
    assert [(i.where, i.column) for i in report.errors] == [
        ("row 2", "date"), ("row 4", "lon"), ("row 5", "fatalities")]
    with pytest.raises(IncidentFileError, match=r"three.csv, row 2, column 'date'.*; 2 more problems: "
                       r"run 'zonewatch validate three.csv'"):
        load_incidents(path)


def test_every_zone_problem_is_reported(tmp_path):
    path = write_zones(tmp_path / "z.geojson", [
        (GOOD_ZONE | {"zone_id": "a", "valid_to": "2017-01-01"}, SQUARE),
        (GOOD_ZONE | {"zone_id": "b"}, EMPTY),
        (GOOD_ZONE | {"zone_id": "c"}, POINT),
    ])
    _, report = read_zones(path)
    assert [i.where for i in report.errors] == ["feature 1", "feature 2", "feature 3"]


def test_long_runs_of_one_problem_are_folded_after_25(tmp_path):
    path = write_incident_csv(tmp_path / "many.csv",
                              [[f"r{i}", "bad", "36.7", "34.8", "0"] for i in range(40)])
    _, report = read_incidents(path)
    assert len(report.errors) == 26
    assert report.errors[-1].problem == "the date cannot be read — 15 more rows from row 27 on"
    assert report.errors[-1].count == 15
    assert len(report.rejected_rows) == 40


def test_load_raises_the_domain_errors(tmp_path, zone_file):
    bad_zones = write_zones(tmp_path / "bad.geojson", [(GOOD_ZONE, EMPTY)])
    bad_incidents = write_incident_csv(tmp_path / "bad.csv", [["a", "x", "1", "1", "1"]])
    with pytest.raises(ZoneFileError, match=r"^bad.geojson, feature 1"):
        load_zones(bad_zones)
    with pytest.raises(IncidentFileError, match=r"^bad.csv, row 2"):
        load_incidents(bad_incidents)
    frame, report = load_zones(zone_file)  # a good file loads
    assert report.ok and len(frame) == 5


# valid_only: the good rows load, the rejected go to a side file, nothing is lost ----------
def test_valid_only_incidents_write_the_rejected_rows_beside_the_file(tmp_path):
    data = [
        ["a", "2017-08-03", "36.7", "34.8", "1"],
        ["b", "03/08/2017", "36.7", "34.8", "1"],
        ["c", "2017-08-04", "36.7", "34.8", "0"],
        ["d", "2017-08-04", "36.7", "34.8", "-2"],
        ["e", "2017-08-05", "", "34.8", "1"],
        ["f", "2017-08-05", "36.7", "34.8", "=HYPERLINK(\"x\")"],
    ]
    path = write_incident_csv(tmp_path / "mixed.csv", data)
    frame, report = load_incidents(path, valid_only=True)
    assert frame["incident_id"].tolist() == ["a", "c"]
    side = rejected_path_for(path)
    assert side == tmp_path / "mixed.csv.rejected.csv"
    rejected = pd.read_csv(side, dtype=str, keep_default_na=False)
    assert rejected["zonewatch_where"].tolist() == ["row 3", "row 5", "row 6", "row 7"]
    assert rejected["zonewatch_problems"].tolist() == [
        "date: the date's day/month order is ambiguous",
        "fatalities: fatalities is negative",
        "lon: the longitude is missing",
        "fatalities: fatalities is not a number",
    ]
    assert rejected["fatalities"].tolist() == ["1", "-2", "1", "=HYPERLINK(\"x\")"]  # as in the file
    # Nothing is lost: good + rejected = all.
    assert sorted(frame["incident_id"].tolist() + rejected["incident_id"].tolist()) == list("abcdef")
    assert any("4 rows with errors left out and written to" in m for m in report.messages("info"))


def test_valid_only_zones_keep_the_good_versions(tmp_path):
    path = write_zones(tmp_path / "z.geojson", [
        (GOOD_ZONE | {"zone_id": "zz", "valid_to": "2017-01-01"}, SQUARE),
        (GOOD_ZONE | {"zone_id": "aa"}, SQUARE),
        (GOOD_ZONE | {"zone_id": "mm"}, EMPTY),
    ])
    frame, _ = load_zones(path, valid_only=True)
    assert frame["zone_id"].tolist() == ["aa"]
    rejected = pd.read_csv(rejected_path_for(path), dtype=str)
    assert rejected["zone_id"].tolist() == ["zz", "mm"]
    assert rejected["zonewatch_where"].tolist() == ["feature 1", "feature 3"]
    assert rejected["geometry"].tolist()[1] == "POLYGON EMPTY"


def test_valid_only_points_keep_the_points(tmp_path):
    features = [({"id": f"p{i}", "date": "2017-08-03"}, Point(36.7, 34.8)) for i in range(3)]
    features.insert(1, ({"id": "area", "date": "2017-08-03"}, SQUARE))
    path = write_zones(tmp_path / "points.geojson", features)
    frame, _ = load_incidents(path, valid_only=True)
    assert frame["incident_id"].tolist() == ["p0", "p1", "p2"]
    rejected = pd.read_csv(rejected_path_for(path), dtype=str)
    assert rejected["id"].tolist() == ["area"]
    assert rejected["zonewatch_problems"].iloc[0].startswith("geometry: geometry is not a point")


def test_valid_only_still_raises_when_nothing_can_be_read(tmp_path):
    path = write_text(tmp_path / "empty.csv", "")
    with pytest.raises(IncidentFileError, match=r"empty.csv: the file is empty"):
        load_incidents(path, valid_only=True)
    assert not rejected_path_for(path).exists()


def test_rejected_path_can_be_chosen(tmp_path):
    path = write_incident_csv(tmp_path / "i.csv", [GOOD_ROW, ["b", "x", "1", "1", "1"]])
    target = tmp_path / "elsewhere.csv"
    frame, _ = load_incidents(path, valid_only=True, rejected_path=target)
    assert len(frame) == 1
    assert pd.read_csv(target)["incident_id"].tolist() == ["b"]
    assert not rejected_path_for(path).exists()


def test_csv_written_then_validated_reports_nothing_for_good_rows(tmp_path):
    path = write_csv(tmp_path / "ok.csv", [INCIDENT_HEADER, GOOD_ROW])
    assert validate(path).issues == []


@pytest.mark.parametrize(("name", "write"), [
    pytest.param("points.gpkg", lambda g, p: g.to_file(p), id="gpkg"),
    pytest.param("points.parquet", lambda g, p: g.to_parquet(p), id="geoparquet"),
])
def test_point_files_count_features_from_one(tmp_path, name, write):
    points = gpd.GeoDataFrame({"id": ["p1", "p2"], "date": ["2017-08-03", "someday"]},
                              geometry=[Point(36.7, 34.8), Point(36.7, 34.8)], crs="EPSG:4326")
    write(points, tmp_path / name)
    with pytest.raises(IncidentFileError, match=rf"^{name}, feature 2, column 'date': the date cannot"):
        load_incidents(tmp_path / name)


def test_zone_with_lat_lon_swapped_among_good_ones_is_reported(tmp_path):
    path = write_zones(tmp_path / "z.geojson", [
        (GOOD_ZONE | {"zone_id": "a"}, SQUARE), (GOOD_ZONE | {"zone_id": "b"}, SHRUNK),
        (GOOD_ZONE | {"zone_id": "c"}, NEIGHBOUR), (GOOD_ZONE | {"zone_id": "d"}, SWAPPED)])
    _, report = read_zones(path)
    assert [(i.where, i.problem) for i in report.errors] == [(
        "feature 4", "latitude and longitude look swapped: the polygon lies at 36.7°N 34.9°E, "
        "outside every country's outline (at sea?), far from the other zones; swapped it lies "
        "among the other zones, in Syria")]
    assert report.rejected_rows == [3]


def test_zones_far_apart_but_not_swapped_pass(tmp_path):
    """Zones in three governorates: spread out, none lands among the others when swapped."""
    path = write_zones(tmp_path / "z.geojson", [
        (GOOD_ZONE | {"zone_id": "homs"}, SQUARE),
        (GOOD_ZONE | {"zone_id": "idlib"}, box(36.5, 35.7, 36.8, 36.0)),
        (GOOD_ZONE | {"zone_id": "ghouta"}, box(36.3, 33.5, 36.5, 33.6)),
        (GOOD_ZONE | {"zone_id": "daraa"}, box(36.0, 32.5, 36.2, 32.7))])
    assert read_zones(path)[1].errors == []
