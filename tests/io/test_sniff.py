"""Text encodings (dashboard/io/sniff.py): what Excel saves, told apart and reported
(issue 12, item 14)."""

from __future__ import annotations

import json
import re

import pytest

from dashboard.io import read_incidents, read_zones, validate
from dashboard.io.sniff import TEXT, decode_text, detect_encoding, sniff_format
from tests.conftest import GOOD_ZONE, feature_collection, write_csv, write_text
from tests.geometries import SQUARE

ROWS = [["incident_id", "date", "lon", "lat", "place", "notes"],
        ["a", "2017-08-03", "36.73", "34.84", "تلبيسة", "قصف على تلبيسة"],
        ["b", "2017-08-04", "36.72", "34.92", "الرستن", "اشتباكات"]]
WESTERN = [["incident_id", "date", "lon", "lat", "place"],
           ["a", "2017-08-03", "36.73", "34.84", "Hôms – Talbîseh"]]


@pytest.mark.parametrize(("text", "encoding", "found"), [
    pytest.param("place\nتلبيسة\n", "utf-8", "utf-8", id="utf8"),
    pytest.param("place\nتلبيسة\n", "utf-8-sig", "utf-8-sig", id="utf8-bom"),
    pytest.param("place\tnotes\nتلبيسة\tقصف\n", "utf-16", "utf-16", id="utf16-bom"),
    pytest.param("place\tnotes\nTalbiseh\tshelling\n", "utf-16-le", "utf-16-le",
                 id="utf16-le-no-bom"),
    pytest.param("place,notes\nتلبيسة,قصف على تلبيسة\n", "cp1256", "cp1256", id="arabic-excel"),
    pytest.param("place\nHôms – Talbîseh, Réunion à l'hôtel\n", "cp1252", "cp1252",
                 id="western-excel"),
])
def test_detect_encoding_among_what_excel_saves(text, encoding, found):
    raw = text.encode(encoding)
    assert detect_encoding(raw) == found
    assert decode_text(raw)[0].replace("\ufeff", "") == text


def test_a_start_cut_inside_a_character_is_still_utf8():
    raw = "place\nتلبيسة\n".encode()
    assert detect_encoding(raw[:-3], complete=False) == "utf-8"


def test_cp1256_csv_reads_arabic_and_says_so(tmp_path):
    path = write_csv(tmp_path / "arabic.csv", ROWS, encoding="cp1256")
    frame, report = read_incidents(path)
    assert report.ok, report.messages()
    assert frame["place"].tolist() == ["تلبيسة", "الرستن"]
    assert report.encoding == "cp1256"
    assert report.messages("info") == [
        "arabic.csv: not UTF-8: read as Windows-1256 (Arabic) (cp1256, detected). Fix: if "
        "letters look wrong, name the encoding (zonewatch --encoding, or the Encoding menu "
        "beside the upload); saving as UTF-8 avoids the question."]
    assert report.to_dict()["encoding"] == "cp1256"


def test_utf16_tab_separated_unicode_text_is_read_not_refused(tmp_path):
    path = write_csv(tmp_path / "unicode.txt", ROWS, delimiter="\t", encoding="utf-16")
    assert sniff_format(path) == TEXT
    frame, report = read_incidents(path)
    assert report.ok, report.messages()
    assert frame["place"].tolist() == ["تلبيسة", "الرستن"]
    assert frame["lon"].tolist() == [36.73, 36.72]
    assert report.encoding == "utf-16"
    assert any("read as UTF-16" in m for m in report.messages("info"))


def test_utf8_files_add_no_line_to_the_report(tmp_path):
    report = validate(write_csv(tmp_path / "ok.csv", ROWS))
    assert report.issues == []
    assert report.encoding == "utf-8"


def test_an_encoding_given_overrides_detection(tmp_path):
    path = write_csv(tmp_path / "arabic.csv", ROWS, encoding="cp1256")
    frame, report = read_incidents(path, encoding="cp1252")
    assert frame["place"].iloc[0] == "ÊáÈíÓÉ"   # what the user asked for, and said so
    assert "(cp1252, as asked)" in report.messages("info")[0]
    path = write_csv(tmp_path / "western.csv", WESTERN, encoding="cp1252")
    assert read_incidents(path, encoding="windows-1252")[0]["place"].tolist() == ["Hôms – Talbîseh"]


@pytest.mark.parametrize(("encoding", "message"), [
    pytest.param("utf-8", r"^arabic.csv, line 2: the file is not UTF-8: byte CA at offset \d+ "
                 r"cannot be read in it. Fix: choose the encoding the file was saved in",
                 id="wrong-encoding"),
    pytest.param("klingon", r"^arabic.csv: there is no text encoding called 'klingon'. Fix: use "
                 r"one of utf-8, utf-16, cp1256, cp1252", id="unknown-encoding"),
])
def test_a_wrong_encoding_is_an_error_with_the_fix(tmp_path, encoding, message):
    path = write_csv(tmp_path / "arabic.csv", ROWS, encoding="cp1256")
    _, report = read_incidents(path, encoding=encoding)
    assert len(report.errors) == 1
    assert re.match(message, report.messages("error")[0]), report.messages("error")


def test_binary_with_zero_bytes_is_still_binary(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b"\x00\x01binary\x00" * 20)
    assert sniff_format(path) == "binary"


def test_validate_passes_the_encoding_to_the_reader(tmp_path):
    path = write_text(tmp_path / "w.csv", "incident_id,date,lon,lat,place\n"
                      "a,2017-08-03,36.73,34.84,Hôms\n", encoding="cp1252")
    report = validate(path, encoding="latin-1")
    assert report.encoding == "iso8859-1" and report.ok


@pytest.mark.parametrize("encoding", ["cp1256", "utf-16"])
def test_zones_geojson_in_another_encoding_keeps_arabic_names(tmp_path, encoding):
    doc = feature_collection([(GOOD_ZONE | {"name": "ريف حمص الشمالي"}, SQUARE)])
    path = write_text(tmp_path / "z.geojson", json.dumps(doc, ensure_ascii=False),
                      encoding=encoding)
    zones, report = read_zones(path)
    assert report.ok, report.messages()
    assert zones["name"].tolist() == ["ريف حمص الشمالي"]
    assert report.encoding == encoding


def big_csv(tail: str, rows: int = 20_000) -> str:
    """Over a megabyte of plain ASCII rows, then ``tail`` (the part after the sniffed head)."""
    body = "".join(f"r{i},2017-08-03,36.73,34.84,1,{'x' * 40}\n" for i in range(rows))
    return "incident_id,date,lon,lat,fatalities,notes\n" + body + tail


def test_a_big_utf8_file_is_read_whole_and_says_utf8(tmp_path):
    path = tmp_path / "big.csv"
    path.write_bytes(big_csv("z1,2017-08-04,36.74,34.85,0,تلبيسة\n").encode("utf-8"))
    assert path.stat().st_size > (1 << 20)
    frame, report = read_incidents(path)
    assert report.ok and report.encoding == "utf-8" and len(frame) == 20_001
    assert frame["notes"].iloc[-1] == "تلبيسة"


def test_a_big_file_whose_head_is_ascii_and_tail_cp1256_is_read_as_cp1256(tmp_path):
    path = tmp_path / "arabic-excel.csv"
    path.write_bytes(big_csv("z1,2017-08-04,36.74,34.85,0,تلبيسة\n").encode("cp1256"))
    frame, report = read_incidents(path)
    assert report.ok and report.encoding == "cp1256"
    assert frame["notes"].iloc[-1] == "تلبيسة"


def test_a_ragged_row_past_the_sniffed_head_is_located(tmp_path):
    path = tmp_path / "ragged.csv"
    path.write_bytes(big_csv("z1,2017-08-04,36.74\n").encode("utf-8"))
    _, report = read_incidents(path)
    assert not report.ok
    assert any(i.where == "row 20002" and "3 fields" in i.problem for i in report.errors)
