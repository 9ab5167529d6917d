"""Writing incidents: CSV that a spreadsheet will not execute, and lossless round trips."""

from __future__ import annotations

import csv

import pandas as pd
import pytest

from dashboard.core.errors import ZoneWatchError
from dashboard.io import read_incidents
from dashboard.io.writers import inert, inert_frame, write_incidents
from tests.conftest import make_incidents

DANGEROUS = ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "\rCR"]


@pytest.mark.parametrize("value", DANGEROUS, ids=["equals", "plus", "minus", "at", "tab", "cr"])
def test_formula_text_gets_an_apostrophe(value):
    assert inert(value) == "'" + value


@pytest.mark.parametrize("value", ["Talbiseh", "a=b", "", "تلبيسة", "<script>x</script>", 5, -3.5, None],
                         ids=["plain", "inner-equals", "empty", "arabic", "html", "int", "negative-float",
                              "none"])
def test_other_values_are_left_alone(value):
    assert inert(value) == value


def test_inert_frame_leaves_numbers_and_the_input_alone():
    frame = pd.DataFrame({"notes": ["=1+1", "ok", "-x"], "lon": [-3.5, 36.7, 1.0]})
    out = inert_frame(frame)
    assert out["notes"].tolist() == ["'=1+1", "ok", "'-x"]
    assert out["lon"].tolist() == [-3.5, 36.7, 1.0]
    assert frame["notes"].tolist() == ["=1+1", "ok", "-x"]


@pytest.fixture
def risky_incidents():
    return make_incidents([
        {"incident_id": "w1", "date": "2017-08-03", "lon": 36.73, "lat": 34.84,
         "notes": "=HYPERLINK(\"http://x\")", "place": "تلبيسة", "actor1": "+Government"},
        {"incident_id": "w2", "date": "2017-08-04", "date_end": "2017-08-06", "lon": 36.74,
         "lat": 34.85, "notes": "<script>alert(1)</script>", "place": "Ar Rastan",
         "actor1": "@opposition", "fatalities": 3.0, "loc_precision": "near"},
    ])


def test_csv_export_neutralises_formulas(tmp_path, risky_incidents):
    path = write_incidents(risky_incidents, tmp_path / "out.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM, so Excel reads UTF-8
    with open(path, encoding="utf-8-sig", newline="") as fh:
        cells = list(csv.DictReader(fh))
    assert [c["notes"] for c in cells] == ["'=HYPERLINK(\"http://x\")", "<script>alert(1)</script>"]
    assert [c["actor1"] for c in cells] == ["'+Government", "'@opposition"]
    assert [c["place"] for c in cells] == ["تلبيسة", "Ar Rastan"]
    assert [c["date"] for c in cells] == ["2017-08-03", "2017-08-04"]
    assert [c["lon"] for c in cells] == ["36.73", "36.74"]  # numbers untouched
    assert risky_incidents["notes"].iloc[0].startswith("=")  # the frame itself is not changed


@pytest.mark.parametrize("suffix", [".geojson", ".parquet"])
def test_round_trip(tmp_path, risky_incidents, suffix):
    path = write_incidents(risky_incidents, tmp_path / f"out{suffix}")
    back, report = read_incidents(path)
    assert report.ok, report.messages()
    for col in ("incident_id", "place", "notes", "actor1", "loc_precision", "event_type", "source"):
        assert back[col].tolist() == risky_incidents[col].tolist(), col
    assert back["date"].tolist() == risky_incidents["date"].tolist()
    assert back["date_end"].tolist() == risky_incidents["date_end"].tolist()
    assert back["lon"].tolist() == risky_incidents["lon"].tolist()
    assert back["lat"].tolist() == risky_incidents["lat"].tolist()
    assert back["fatalities"].tolist() == risky_incidents["fatalities"].tolist()


def test_csv_round_trip_keeps_rows_and_ids(tmp_path, incidents):
    path = write_incidents(incidents, tmp_path / "out.csv")
    back, report = read_incidents(path)
    assert report.ok, report.messages()
    assert back["incident_id"].tolist() == incidents["incident_id"].tolist()
    assert back["date"].tolist() == incidents["date"].tolist()


def test_unknown_suffix_is_refused(tmp_path, incidents):
    with pytest.raises(ZoneWatchError, match=r"^out.xlsx: cannot write '.xlsx' files. Fix: use one of "
                       r".csv, .geojson, .parquet.$"):
        write_incidents(incidents, tmp_path / "out.xlsx")


def test_arrow_csv_matches_the_pandas_writer_cell_for_cell(tmp_path, risky_incidents):
    """The fast writer gives what inert_frame + pandas.to_csv gave, read back as text
    (numbers compared as numbers: Arrow writes 3.0 as 3)."""
    frame = risky_incidents.assign(ambiguous=[True, False], empty=[None, None])
    ours = pd.read_csv(write_incidents(frame, tmp_path / "ours.csv"), dtype=str,
                       keep_default_na=False, encoding="utf-8-sig")
    theirs = inert_frame(frame.assign(**{c: frame[c].dt.strftime("%Y-%m-%d")
                                         for c in ("date", "date_end")}))
    theirs.to_csv(tmp_path / "theirs.csv", index=False, encoding="utf-8-sig")
    theirs = pd.read_csv(tmp_path / "theirs.csv", dtype=str, keep_default_na=False,
                         encoding="utf-8-sig")
    assert list(ours.columns) == list(theirs.columns)
    for col in ours.columns:
        if pd.api.types.is_numeric_dtype(frame[col]) and not pd.api.types.is_bool_dtype(frame[col]):
            assert pd.to_numeric(ours[col]).astype(float).equals(
                pd.to_numeric(theirs[col]).astype(float)), col
        else:
            assert ours[col].tolist() == theirs[col].tolist(), col


def test_a_carriage_return_in_a_cell_stays_inside_its_quoted_cell(tmp_path, risky_incidents):
    """pandas left a cell starting with CR unquoted, which split the row in two."""
    frame = risky_incidents.assign(notes=[DANGEROUS[4], DANGEROUS[5]])
    back = pd.read_csv(write_incidents(frame, tmp_path / "cr.csv"), dtype=str,
                       keep_default_na=False, encoding="utf-8-sig")
    assert back["notes"].tolist() == ["'\tTAB", "'\rCR"]
    assert back["incident_id"].tolist() == ["w1", "w2"]
