"""HXL tag rows (dashboard/io/hxl.py, columns.hxl_columns): HDX files read, not refused
(issue 12, item 15)."""

from __future__ import annotations

import pytest

from dashboard.io import load_incidents, read_incidents
from dashboard.io.columns import hxl_columns
from tests.conftest import write_csv

# Headers no synonym knows (as a German or Arabic export has them), tags that say it all.
HEADER = ["Kennung", "Datum", "Breite", "Länge", "Gouvernement", "Ort", "Tote", "Art", "Täter",
          "Opfer"]
TAGS = ["#event+id", "#date", "#geo+lat", "#geo+lon", "#adm1+name", "#loc+name",
        "#affected+killed", "#event+type", "#actor", "#actor+target"]
ROW = ["e1", "2017-08-03", "34.84072", "36.73092", "Homs", "Talbiseh", "2", "Shelling", "SAA",
       "Civilians"]


def test_hxl_tag_row_is_dropped_and_its_tags_map_the_columns(tmp_path):
    path = write_csv(tmp_path / "hdx.csv", [HEADER, TAGS, ROW, ["e2", "2017-08-04", *ROW[2:]]])
    frame, report = read_incidents(path)
    assert report.ok, report.messages()
    assert report.rows == 2
    first = frame.iloc[0]
    assert (first["incident_id"], first["lon"], first["lat"], first["admin1"], first["place"],
            first["fatalities"], first["event_type"], first["actor1"], first["actor2"]) == (
        "e1", 36.73092, 34.84072, "Homs", "Talbiseh", 2.0, "Shelling", "SAA", "Civilians")
    assert [m for m in report.messages("info") if "HXL" in m] == [
        "hdx.csv: an HXL tag row was recognised (row 2: #event+id, #date, #geo+lat, #geo+lon, "
        "#adm1+name, #loc+name, ...) and is not read as data; columns the header does not name "
        "are found by their tags. Fix: nothing to do."]


def test_rows_below_a_tag_row_are_numbered_as_the_spreadsheet_shows_them(tmp_path):
    path = write_csv(tmp_path / "hdx.csv", [HEADER, TAGS, ROW, ["e2", "someday", *ROW[2:]]])
    with pytest.raises(Exception, match=r"^hdx.csv, row 4, column 'Datum': the date cannot be read"):
        load_incidents(path)


def test_header_names_win_over_tags_and_spaced_tags_are_read(tmp_path):
    header = ["id", "date", "lat", "lon", "Killed (best)"]
    tags = ["#event +id", "#date +end", "#geo +lat", "#geo +lon", "#affected +killed"]
    path = write_csv(tmp_path / "hdx.csv", [header, tags, ["x", "2017-08-03", "34.8", "36.7", "3"]])
    frame, report = read_incidents(path)
    assert report.ok, report.messages()
    assert frame["date"].iloc[0].isoformat()[:10] == "2017-08-03"   # 'date' by name, not #date+end
    assert frame["fatalities"].tolist() == [3.0]                     # only its tag knows it


def test_hxl_in_a_workbook(tmp_path):
    import pandas as pd

    path = tmp_path / "hdx.xlsx"
    pd.DataFrame([TAGS, ROW], columns=HEADER).to_excel(path, index=False)
    frame, report = read_incidents(path)
    assert report.ok, report.messages()
    assert frame["place"].tolist() == ["Talbiseh"]


@pytest.mark.parametrize("first_row", [
    pytest.param(["e1", "#1 priority", "34.8", "36.7"], id="a-hash-inside-data"),
    pytest.param(["#not a tag", "", "", ""], id="hash-with-spaces"),
])
def test_data_rows_that_start_with_a_hash_stay_data(tmp_path, first_row):
    path = write_csv(tmp_path / "i.csv", [["incident_id", "notes", "lat", "lon"], first_row])
    _, report = read_incidents(path)
    assert report.rows == 1
    assert not any("HXL" in m for m in report.messages())


def test_hxl_columns_second_actor_is_actor2():
    assert hxl_columns({"a": "#actor", "b": "#actor", "c": "#date"}, {"date": "c"}) == {
        "actor1": "a", "actor2": "b"}
