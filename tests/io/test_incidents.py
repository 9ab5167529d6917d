"""Each incident reader on small hand-made files: UCDP GED, ACLED, generic CSV/XLSX,
point GeoJSON / GeoPackage / GeoParquet, and CSV as people really save it."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from dashboard.core import model
from dashboard.io import load_incidents, read_incidents, validate
from tests.conftest import GOOD_ROW, INCIDENT_HEADER, write_csv, write_incident_csv

# UCDP GED -------------------------------------------------------------------------------
UCDP_HEADER = [
    "id", "year", "active_year", "type_of_violence", "conflict_new_id", "conflict_name",
    "dyad_new_id", "dyad_name", "side_a_new_id", "side_a", "side_b_new_id", "gwnob", "side_b",
    "number_of_sources", "source_article", "source_office", "source_date", "source_headline",
    "source_original", "where_prec", "where_coordinates", "adm_1", "adm_2", "latitude",
    "longitude", "geom_wkt", "priogrid_gid", "country", "country_id", "region", "event_clarity",
    "date_prec", "date_start", "date_end", "deaths_a", "deaths_b", "deaths_civilians",
    "deaths_unknown", "low", "best", "high",
]
assert len(UCDP_HEADER) == 41

UCDP_BASE = {
    "year": "2017", "active_year": "1", "type_of_violence": "1", "conflict_new_id": "299",
    "conflict_name": "Syria: Government", "dyad_new_id": "11587",
    "dyad_name": "Government of Syria - Syrian insurgents", "side_a_new_id": "121",
    "side_a": "Government of Syria", "side_b_new_id": "1104", "gwnob": "",
    "side_b": "Syrian insurgents", "number_of_sources": "1",
    "source_article": '"SOHR,2017-08-03,Shelling on Talbiseh"', "source_office": "SOHR",
    "source_date": "2017-08-03", "source_headline": "Shelling on Talbiseh",
    "source_original": "SOHR", "where_prec": "1", "where_coordinates": "Talbiseh town",
    "adm_1": "Hims governorate", "adm_2": "Ar Rastan district", "latitude": "34.84072",
    "longitude": "36.73092", "geom_wkt": "POINT (36.73092 34.84072)", "priogrid_gid": "178634",
    "country": "Syria", "country_id": "652", "region": "Middle East", "event_clarity": "1",
    "date_prec": "1", "date_start": "2017-08-03", "date_end": "2017-08-03", "deaths_a": "0",
    "deaths_b": "1", "deaths_civilians": "1", "deaths_unknown": "0", "low": "2", "best": "2",
    "high": "2",
}

UCDP_ROWS = [
    {"id": "300001"},  # plain
    {"id": "300002", "date_prec": "3", "date_start": "2017-08-01",  # multi-day event
     "date_end": "2017-08-07"},
    {"id": "300003", "where_prec": "4", "where_coordinates": "Hims governorate",  # centroid
     "latitude": "34.6", "longitude": "37.6"},
    {"id": "300004", "where_prec": "6", "where_coordinates": "Syria",  # country centroid
     "latitude": "35.0", "longitude": "38.5"},
    {"id": "300005", "low": "5", "best": "3", "high": "7"},  # low > best
    {"id": "300006", "side_a": "Government of Syria, Russia", "best": "0", "low": "0",  # lists
     "high": "0", "type_of_violence": "3"},
]


@pytest.fixture
def ucdp_file(tmp_path):
    rows = [[(UCDP_BASE | row).get(col, "") for col in UCDP_HEADER] for row in UCDP_ROWS]
    return write_csv(tmp_path / "ged_syria.csv", [UCDP_HEADER, *rows])


def test_ucdp_reads_all_rows_with_the_common_columns(ucdp_file):
    frame, report = read_incidents(ucdp_file)
    assert report.ok, report.messages()
    assert report.kind == "UCDP GED incidents (CSV)"
    assert frame.columns[: len(model.INCIDENT_COLUMNS)].tolist() == model.INCIDENT_COLUMNS
    assert frame["incident_id"].tolist() == [r["id"] for r in UCDP_ROWS]
    first = frame.iloc[0]
    assert first["date"] == pd.Timestamp("2017-08-03")
    assert (first["lon"], first["lat"]) == (36.73092, 34.84072)
    assert first["event_type"] == "State-based conflict"
    assert first["actor1"] == "Government of Syria"
    assert first["actor2"] == "Syrian insurgents"
    assert first["fatalities"] == 2.0  # best
    assert first["loc_precision"] == "exact"
    assert first["place"] == "Talbiseh town"
    assert (frame["dataset"] == "UCDP GED").all()
    assert frame.loc[5, "event_type"] == "One-sided violence"


def test_ucdp_keeps_its_other_columns(ucdp_file):
    frame, _ = read_incidents(ucdp_file)
    for col in ("low", "high", "deaths_civilians", "priogrid_gid", "conflict_name"):
        assert col in frame.columns
    assert frame.loc[4, "low"] == "5"


def test_ucdp_multi_day_events_are_a_warning_and_keep_their_end(ucdp_file):
    frame, report = read_incidents(ucdp_file)
    row = frame.loc[1]
    assert row["date"] == pd.Timestamp("2017-08-01")
    assert row["date_end"] == pd.Timestamp("2017-08-07")
    assert row["date_precision"] == "week"
    [warning] = [w for w in report.warnings if "multi-day" in w.problem]
    assert warning.problem.startswith("1 rows: multi-day events")
    assert "row 3" in warning.problem


def test_ucdp_centroid_locations_are_a_warning_with_a_wide_radius(ucdp_file):
    frame, report = read_incidents(ucdp_file)
    assert frame.loc[2, "loc_precision"] == "province"
    assert frame.loc[3, "loc_precision"] == "country"
    assert frame.loc[2, "precision_km"] == model.LOCATION_PRECISION_KM["province"]
    [warning] = [w for w in report.warnings if "where_prec 4-6" in w.problem]
    assert warning.problem.startswith("2 rows: located at a governorate or country centroid")
    assert "row 4" in warning.problem and "row 5" in warning.problem


def test_ucdp_low_above_best_is_a_warning_and_best_is_used(ucdp_file):
    frame, report = read_incidents(ucdp_file)
    assert frame.loc[4, "fatalities"] == 3.0
    [warning] = [w for w in report.warnings if "low estimate above best" in w.problem]
    assert "row 6" in warning.problem


def test_ucdp_side_lists_are_kept_as_written_with_a_note(ucdp_file):
    frame, report = read_incidents(ucdp_file)
    assert frame.loc[5, "actor1"] == "Government of Syria, Russia"
    assert any("name several groups" in i.problem for i in report.issues)


def test_ucdp_quirks_never_make_errors(ucdp_file):
    frame, report = load_incidents(ucdp_file)  # raises on any error
    assert len(frame) == len(UCDP_ROWS)
    assert report.errors == []
    assert len(report.warnings) == 3  # multi-day, centroids, low > best


# ACLED ----------------------------------------------------------------------------------
ACLED_HEADER = ["event_id_cnty", "event_date", "year", "time_precision", "disorder_type",
                "event_type", "sub_event_type", "actor1", "actor2", "admin1", "admin2",
                "location", "latitude", "longitude", "geo_precision", "source", "notes",
                "fatalities", "timestamp"]
ACLED_ROWS = [
    ["SYR1001", "2017-08-03", "2017", "1", "Political violence", "Battles", "Armed clash",
     "Military Forces of Syria", "Opposition", "Homs", "Ar-Rastan", "Talbiseh", "34.8407",
     "36.7309", "1", "SOHR", "Clashes on the edge of the pocket.", "2", "1618900000"],
    ["SYR1002", "03 August 2017", "2017", "2", "Political violence",
     "Explosions/Remote violence", "Air/drone strike", "Military Forces of Russia", "",
     "Homs", "Ar-Rastan", "Ar Rastan", "34.9267", "36.7324", "2", "Syria Direct", "", "0",
     "1618900001"],
]


def test_acled_reads_both_date_styles(tmp_path):
    path = write_csv(tmp_path / "acled_export.csv", [ACLED_HEADER, *ACLED_ROWS])
    frame, report = read_incidents(path)
    assert report.ok, report.messages()
    assert report.kind == "ACLED incidents (CSV)"
    assert frame["date"].tolist() == [pd.Timestamp("2017-08-03")] * 2
    assert frame["incident_id"].tolist() == ["SYR1001", "SYR1002"]
    assert frame["loc_precision"].tolist() == ["exact", "near"]
    assert frame["date_precision"].tolist() == ["day", "week"]
    assert frame["event_type"].tolist() == ["Battles", "Explosions/Remote violence"]
    assert frame["sub_type"].tolist() == ["Armed clash", "Air/drone strike"]
    assert frame["fatalities"].tolist() == [2.0, 0.0]
    assert (frame["dataset"] == "ACLED").all()
    assert frame["disorder_type"].tolist() == ["Political violence"] * 2  # extra column kept


def test_kind_can_be_forced(tmp_path):
    path = write_csv(tmp_path / "acled_export.csv", [ACLED_HEADER, *ACLED_ROWS])
    _, report = read_incidents(path, kind="generic")
    assert report.kind == "generic incidents (CSV)"
    _, report = read_incidents(path, kind="gdelt")
    assert report.messages() == [
        "acled_export.csv: unknown incident format 'gdelt'. Fix: use one of ucdp, acled, generic."]


# Generic CSV / XLSX with a column mapping -------------------------------------------------
def test_generic_csv_with_a_column_mapping(tmp_path):
    path = write_csv(tmp_path / "ngo.csv", [
        ["Ref", "Event Date", "X coord", "Y coord", "Killed", "What"],
        ["n1", "2017-08-03", "36.73", "34.84", "3", "Shelling"],
        ["n2", "2017-08-04", "36.74", "34.85", "", "Airstrike"],
    ])
    mapping = {"incident_id": "Ref", "date": "Event Date", "lon": "X coord", "lat": "Y coord",
               "fatalities": "Killed", "event_type": "What"}
    frame, report = read_incidents(path, mapping=mapping)
    assert report.ok, report.messages()
    assert frame["incident_id"].tolist() == ["n1", "n2"]
    assert frame["lon"].tolist() == [36.73, 36.74]
    assert frame["event_type"].tolist() == ["Shelling", "Airstrike"]
    assert frame["fatalities"].iloc[0] == 3.0
    assert pd.isna(frame["fatalities"].iloc[1])  # empty = unknown, not zero
    assert (frame["dataset"] == "ngo.csv").all()


def test_generic_csv_without_ids_numbers_rows_as_a_spreadsheet_does(tmp_path):
    path = write_csv(tmp_path / "plain.csv", [["date", "lon", "lat"], ["2017-08-03", "36.7", "34.8"],
                                              ["2017-08-04", "36.7", "34.8"]])
    frame, report = read_incidents(path)
    assert frame["incident_id"].tolist() == ["row-2", "row-3"]
    assert any("no id column" in m for m in report.messages("info"))


def test_xlsx_with_a_column_mapping(tmp_path):
    path = tmp_path / "incidents.xlsx"
    pd.DataFrame({
        "Ref": ["x1", "x2"], "When": ["2017-08-03", "03 August 2017"], "Long": [36.73, 36.74],
        "Lat": [34.84, 34.85], "Dead": [1, 0], "Reporter": ["SOHR", "SNHR"],
    }).to_excel(path, index=False)
    frame, report = read_incidents(path, mapping={"incident_id": "Ref", "date": "When",
                                                  "lon": "Long", "fatalities": "Dead"})
    assert report.ok, report.messages()
    assert report.kind == "generic incidents (XLSX)"
    assert frame["incident_id"].tolist() == ["x1", "x2"]
    assert frame["date"].tolist() == [pd.Timestamp("2017-08-03")] * 2
    assert frame["lat"].tolist() == [34.84, 34.85]
    assert frame["fatalities"].tolist() == [1.0, 0.0]
    assert frame["Reporter"].tolist() == ["SOHR", "SNHR"]  # unknown column kept


# Point files ------------------------------------------------------------------------------
def _points():
    return gpd.GeoDataFrame(
        {"id": ["p1", "p2"], "date": ["2017-08-03", "2017-08-04"], "fatalities": [1, 2],
         "observer": ["a", "b"]},
        geometry=[Point(36.73, 34.84), Point(36.74, 34.85)], crs="EPSG:4326")


@pytest.mark.parametrize(("name", "write", "kind"), [
    pytest.param("points.geojson", lambda g, p: g.to_file(p), "GeoJSON", id="geojson"),
    pytest.param("points.gpkg", lambda g, p: g.to_file(p), "GeoPackage", id="gpkg"),
    pytest.param("points.parquet", lambda g, p: g.to_parquet(p), "Parquet", id="geoparquet"),
])
def test_point_files(tmp_path, name, write, kind):
    path = tmp_path / name
    write(_points(), path)
    frame, report = read_incidents(path)
    assert report.ok, report.messages()
    assert report.kind == f"generic incidents ({kind})"
    assert frame["incident_id"].tolist() == ["p1", "p2"]
    assert frame["lon"].tolist() == [36.73, 36.74]
    assert frame["lat"].tolist() == [34.84, 34.85]
    assert frame["date"].tolist() == [pd.Timestamp("2017-08-03"), pd.Timestamp("2017-08-04")]
    assert frame["observer"].tolist() == ["a", "b"]


def test_points_in_another_crs_are_reprojected_and_reported(tmp_path):
    path = tmp_path / "utm.gpkg"
    _points().to_crs("EPSG:32637").to_file(path)
    frame, report = read_incidents(path)
    assert report.ok
    assert frame["lon"].tolist() == pytest.approx([36.73, 36.74], abs=1e-7)
    assert frame["lat"].tolist() == pytest.approx([34.84, 34.85], abs=1e-7)
    assert report.messages("info") == [
        "utm.gpkg: reprojected from EPSG:32637 to EPSG:4326 (lon/lat). Fix: nothing to do."]


def test_csv_xy_in_a_named_crs_is_reprojected(tmp_path):
    path = write_csv(tmp_path / "utm.csv", [["id", "date", "x", "y"],
                                            ["u1", "2017-08-03", "286000", "3865000"]])
    frame, report = read_incidents(path, crs="EPSG:32637")
    assert report.ok, report.messages()
    assert 36.5 < frame["lon"].iloc[0] < 36.8 and 34.8 < frame["lat"].iloc[0] < 35.0
    assert any("reprojected from EPSG:32637" in m for m in report.messages("info"))


# CSV as people really save it -------------------------------------------------------------
TRICKY = [
    ["incident_id", "date", "lon", "lat", "place", "notes"],
    ["a", "2017-08-03", "36.7309", "34.8407", "Tallbīsah", "two lines:\nshelling; then, a raid"],
    ["b", "2017-08-04", "36.73", "34.84", "تلبيسة", "قصف على تلبيسة"],
    ["c", "2017-08-05", "36.73", "34.84", "Homs", "=cmd|' /C calc'!A0"],
    ["d", "2017-08-05", "36.73", "34.84", "+1", "@SUM(A1:A2)"],
    ["e", "2017-08-06", "36.73", "34.84", "<b>Homs</b>", "<script>alert(1)</script>"],
    ["f", "2017-08-06", "36.73", "34.84", "-2", "<img src=x onerror=alert(1)>"],
]


@pytest.mark.parametrize(("name", "delimiter", "encoding"), [
    pytest.param("comma.csv", ",", "utf-8", id="utf8-comma"),
    pytest.param("bom.csv", ",", "utf-8-sig", id="utf8-bom"),
    pytest.param("semicolon.csv", ";", "utf-8", id="semicolon"),
    pytest.param("tabs.tsv", "\t", "utf-8", id="tab"),
    pytest.param("tabs.txt", "\t", "utf-8-sig", id="tab-bom-txt"),
])
def test_csv_dialects_read_the_same_and_keep_text_exactly(tmp_path, name, delimiter, encoding):
    path = write_csv(tmp_path / name, TRICKY, delimiter=delimiter, encoding=encoding)
    frame, report = read_incidents(path)
    assert report.ok, report.messages()
    assert report.issues == []
    assert frame["incident_id"].tolist() == list("abcdef")
    assert frame["place"].tolist() == [r[4] for r in TRICKY[1:]]
    assert frame["notes"].tolist() == [r[5] for r in TRICKY[1:]]
    assert frame["lon"].iloc[0] == 36.7309


def test_cp1252_is_read_and_reported(tmp_path):
    rows = [["incident_id", "date", "lon", "lat", "place"],
            ["a", "2017-08-03", "36.73", "34.84", "Hôms – Talbîseh"]]
    path = write_csv(tmp_path / "excel.csv", rows, delimiter=";", encoding="cp1252")
    frame, report = read_incidents(path)
    assert report.ok
    assert frame["place"].tolist() == ["Hôms – Talbîseh"]
    assert report.encoding == "cp1252"
    assert report.messages("info") == [
        "excel.csv: not UTF-8: read as Windows-1252 (Western European) (cp1252, detected). "
        "Fix: if letters look wrong, name the encoding (zonewatch --encoding, or the Encoding "
        "menu beside the upload); saving as UTF-8 avoids the question."]


def test_decimal_commas_in_a_semicolon_file(tmp_path):
    path = write_csv(tmp_path / "eu.csv", [["incident_id", "date", "lon", "lat"],
                                           ["a", "2017-08-03", "36,7309", "34,8407"]], delimiter=";")
    frame, report = read_incidents(path)
    assert report.ok, report.messages()
    assert (frame["lon"].iloc[0], frame["lat"].iloc[0]) == (36.7309, 34.8407)


def test_unknown_extra_columns_are_kept_unchanged_after_ours(tmp_path):
    path = write_incident_csv(tmp_path / "extra.csv", [[*GOOD_ROW, "  spaced  ", "=1+1"]],
                              header=[*INCIDENT_HEADER, "Observer Team", "formula"])
    frame, _ = read_incidents(path)
    assert frame.columns.tolist() == [*model.INCIDENT_COLUMNS, "Observer Team", "formula"]
    assert frame["Observer Team"].tolist() == ["  spaced  "]
    assert frame["formula"].tolist() == ["=1+1"]


def test_gzip_csv_is_read(tmp_path):
    import gzip

    plain = write_incident_csv(tmp_path / "x.csv", [GOOD_ROW])
    path = tmp_path / "incidents.csv.gz"
    path.write_bytes(gzip.compress(plain.read_bytes()))
    frame, report = read_incidents(path)
    assert report.ok and report.kind == "generic incidents (CSV, gzip)"
    assert frame["incident_id"].tolist() == ["a1"]


def test_time_of_day_after_an_iso_date_keeps_the_calendar_day(tmp_path):
    path = write_incident_csv(tmp_path / "times.csv", [
        ["a", "2017-08-03T23:30:00+03:00", "36.7", "34.8", "0"],
        ["b", "2017-08-03 01:00:00Z", "36.7", "34.8", "0"]])
    frame, report = read_incidents(path)
    assert report.ok, report.messages()
    assert frame["date"].tolist() == [pd.Timestamp("2017-08-03")] * 2


def test_fractional_fatalities_are_a_warning(tmp_path):
    path = write_incident_csv(tmp_path / "half.csv", [["a", "2017-08-03", "36.7", "34.8", "1.5"]])
    frame, report = read_incidents(path)
    assert report.ok
    assert report.messages("warning") == [
        "half.csv, row 2, column 'fatalities': fatalities is not a whole number (value: '1.5'). "
        "Fix: check the value; it is kept as given."]
    assert frame["fatalities"].tolist() == [1.5]


def test_validate_guesses_incidents_and_milestones(tmp_path):
    inc = write_incident_csv(tmp_path / "inc.csv", [GOOD_ROW])
    ms = write_csv(tmp_path / "ms.csv", [["zone_id", "timestamp", "kind", "text", "source"],
                                         ["homs-north", "2017-08-03T12:00:00+03:00", "in_effect",
                                          "Ceasefire in effect", "Syria Direct"]])
    assert validate(inc).kind == "generic incidents (CSV)"
    report = validate(ms)
    assert report.kind == "milestones" and report.ok


@pytest.mark.parametrize("values", [
    pytest.param(["a", "b", "c"], id="increasing"),
    pytest.param(["a", "b", "b", "c"], id="sorted-with-a-repeat"),
    pytest.param(["b", "a", "b"], id="unsorted-with-a-repeat"),
    pytest.param(["c", "b", "a"], id="decreasing"),
    pytest.param(["a", None, "b"], id="missing"),
    pytest.param(["x"], id="one"),
    pytest.param([], id="none"),
])
@pytest.mark.parametrize("dtype", ["str", "string", object])
def test_duplicated_ids_fast_path_agrees_with_pandas(values, dtype):
    from dashboard.io.incidents import _duplicated

    series = pd.Series(values, dtype=dtype)
    assert _duplicated(series).tolist() == series.duplicated(keep=False).tolist()


def test_a_repeated_id_among_sorted_ids_is_reported(tmp_path):
    rows = [[f"a{i}", *GOOD_ROW[1:]] for i in (1, 2, 2, 3)]
    _, report = read_incidents(write_incident_csv(tmp_path / "sorted.csv", rows))
    dup = [i.where for i in report.issues if "used by more than one row" in i.problem]
    assert dup == ["row 3", "row 4"]


@pytest.mark.parametrize("kind", ["ucdp", "acled", "generic"])
@pytest.mark.parametrize("dtype", ["str", "string", object])
def test_location_precision_per_distinct_value_is_the_row_by_row_answer(kind, dtype):
    from dashboard.io.incidents import _location_precision, _precision_words
    from dashboard.io.rowcheck import RowChecks
    from dashboard.io.validation import ValidationReport

    # As text() gives them: missing values are already "".
    values = pd.Series(["1", "2", "", "Exact", "near", "9", "x", "1", "3", "2"] * 3, dtype=dtype)
    report = ValidationReport("f.csv")
    words, km = _location_precision(values, kind, RowChecks(report, len(values)), "prec")
    want, (odd, (problem, _)) = _precision_words(values, kind)
    assert words.dtype == want.astype("category").dtype
    assert words.tolist() == want.tolist()
    np.testing.assert_array_equal(
        km, want.map(model.LOCATION_PRECISION_KM).astype("float64").to_numpy())
    assert [i.where for i in report.issues if i.problem == problem] == [
        f"row {i + 2}" for i in np.flatnonzero(odd.fillna(False).to_numpy(dtype=bool))]


def test_end_dates_equal_to_the_start_dates_are_checked_as_their_own_column(tmp_path):
    # date_end repeats date (single-day events): parsed once, reported for both columns.
    header = ["incident_id", "date", "date_end", "lon", "lat"]
    rows = [["a1", "2017-08-03", "2017-08-03", "36.73", "34.84"],
            ["a2", "03/08/2017", "03/08/2017", "36.73", "34.84"],
            ["a3", "soon", "soon", "36.73", "34.84"]]
    frame, report = read_incidents(write_csv(tmp_path / "same.csv", [header, *rows]))
    found = {(i.where, i.column, i.problem, i.value) for i in report.issues}
    assert ("row 3", "date", "the date's day/month order is ambiguous", "03/08/2017") in found
    assert ("row 3", "date_end", "the end date cannot be read", "03/08/2017") in found
    assert ("row 4", "date", "the date cannot be read", "soon") in found
    assert ("row 4", "date_end", "the end date cannot be read", "soon") in found
    assert frame["date_end"].tolist()[0] == pd.Timestamp("2017-08-03")


@pytest.mark.parametrize(("a", "b", "same"), [
    pytest.param(["x", "y"], ["x", "y"], True, id="equal"),
    pytest.param(["x", "y"], ["x", "z"], False, id="differ"),
    pytest.param(["x", None], ["x", None], True, id="equal-with-missing"),
    pytest.param(["x", None], ["x", "y"], False, id="missing-in-one"),
])
def test_same_text(a, b, same):
    from dashboard.io.incidents import _same_text

    assert _same_text(pd.Series(a, dtype="str"), pd.Series(b, dtype="str")) is same
    assert _same_text(pd.Series(a, dtype=object), pd.Series(b, dtype=object)) is False
