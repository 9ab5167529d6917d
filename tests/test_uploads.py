"""receive_upload: a clean file is kept, anything else is refused with the reason and
changes nothing; zips are checked before opening; the uploaded name is never a path."""

from __future__ import annotations

import base64
import io
import json
import re
import zipfile
from pathlib import Path

import pytest

from dashboard.server.sessions import SessionStore, new_session_id
from dashboard.server.uploads import MAX_ZIP_MEMBERS, decode_contents, receive_upload, zip_problem
from tests.conftest import GOOD_ZONE, feature_collection
from tests.geometries import SQUARE

GOOD_CSV = (b"incident_id,date,lon,lat,fatalities\r\n"
            b"a1,2017-08-03,36.73,34.84,1\r\na2,2017-08-04,36.74,34.85,0\r\n")
BAD_CSV = b"incident_id,date,lon,lat,fatalities\r\na1,3/8/2017,36.73,34.84,1\r\n"
MB = 1024 * 1024


def data_url(raw: bytes, mime: str = "text/csv") -> str:
    return f"data:{mime};base64," + base64.b64encode(raw).decode("ascii")


def zipped(members: list[tuple[str, bytes]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members:
            zf.writestr(name, data)
    return buf.getvalue()


@pytest.fixture
def sessions(tmp_path) -> SessionStore:
    return SessionStore(tmp_path / "sessions")


@pytest.fixture
def sid() -> str:
    return new_session_id()


def receive(sessions, sid, raw: bytes | str, name="mine.csv", role="incidents", max_mb=1):
    contents = raw if isinstance(raw, str) else data_url(raw)
    return receive_upload(sessions, sid, role, contents, name, max_mb)


def all_files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_a_clean_incident_file_is_kept(sessions, sid):
    result = receive(sessions, sid, GOOD_CSV)
    assert (result.ok, result.message) == (True, "mine.csv: loaded 2 incidents (0 warnings).")
    assert result.report.path == Path("mine.csv")
    files = sessions.files(sid)
    assert files.incidents.read_bytes() == GOOD_CSV
    assert files.names["incidents"] == "mine.csv"
    assert all_files(sessions.root / sid) == [".last_used", "incidents.csv", "meta.json"]


def test_a_clean_zone_file_is_kept(sessions, sid):
    doc = json.dumps(feature_collection([(GOOD_ZONE, SQUARE)])).encode()
    result = receive(sessions, sid, doc, name="zones.geojson", role="zones")
    assert (result.ok, result.message) == (True, "zones.geojson: loaded 1 zone; 0 warnings.")
    assert sessions.files(sid).zones.name == "zones.geojson"
    assert sessions.files(sid).incidents is None


def test_a_file_with_errors_is_refused_and_the_previous_upload_stays(sessions, sid):
    receive(sessions, sid, GOOD_CSV)
    before = sessions.files(sid)
    result = receive(sessions, sid, BAD_CSV, name="bad.csv")
    assert (result.ok, result.message) == (
        False, "bad.csv: 1 error; nothing was loaded and your previous data is still shown.")
    assert result.report.messages("error")[0].startswith("bad.csv, row 2, column 'date': ")
    after = sessions.files(sid)
    assert (after.incidents.read_bytes(), after.version, after.names) == (
        GOOD_CSV, before.version, before.names)


def test_a_refused_first_upload_leaves_the_session_without_files(sessions, sid):
    assert not receive(sessions, sid, BAD_CSV).ok
    assert sessions.files(sid) is None


def test_the_wrong_role_is_refused(sessions, sid):
    result = receive(sessions, sid, GOOD_CSV, role="zones")
    assert not result.ok
    assert sessions.files(sid) is None


REFUSED = [
    pytest.param(b"x" * (MB + MB // 2), "big.csv",
                 r"^big\.csv: 1\.6 MB is over the 1 MB upload limit\. Fix: .*ZONEWATCH_UPLOAD_MAX_MB",
                 id="over-the-size-limit"),
    pytest.param(b"", "empty.csv", r"^empty\.csv: the file is empty \(0 bytes\)\. Fix: export it again",
                 id="empty"),
    pytest.param("data:text/csv;base64,@@not base64@@", "d.csv",
                 r"^d\.csv: the upload arrived damaged\. Fix: upload it again\.$", id="damaged-base64"),
    pytest.param("data:text/csv;base64,YWJ", "d.csv", r"arrived damaged", id="bad-padding"),
    pytest.param(zipped([("../evil.shp", b"x")]), "slip.zip",
                 r"^slip\.zip: the zip member '\.\./evil\.shp' has an unsafe path .* Fix: upload a "
                 r"zip holding only the Shapefile's", id="zip-parent-member"),
    pytest.param(zipped([("a/../../evil.shp", b"x")]), "slip.zip", r"'a/\.\./\.\./evil\.shp' has an "
                 r"unsafe path", id="zip-nested-parent-member"),
    pytest.param(zipped([("/etc/cron.d/x", b"x")]), "abs.zip", r"'/etc/cron\.d/x' has an unsafe path",
                 id="zip-absolute-member"),
    pytest.param(zipped([("C:/x.shp", b"x")]), "drive.zip", r"'C:/x\.shp' has an unsafe path",
                 id="zip-drive-member"),
    pytest.param(zipped([(f"f{i}.dbf", b"x") for i in range(MAX_ZIP_MEMBERS + 1)]), "many.zip",
                 r"^many\.zip: the zip holds 51 files; at most 50 are accepted", id="zip-too-many"),
    pytest.param(zipped([("a.shp", b"\0" * 4 * MB)]), "bomb.zip",
                 r"^bomb\.zip: the zip would unpack to 4 MB from 0\.0 MB; that looks like a "
                 r"decompression bomb", id="zip-bomb"),
]


@pytest.mark.parametrize(("raw", "name", "message"), REFUSED)
def test_refused_uploads_say_why_and_change_nothing(sessions, sid, raw, name, message):
    receive(sessions, sid, GOOD_CSV)
    before = sessions.files(sid)
    result = receive(sessions, sid, raw, name=name, role="zones" if name.endswith(".zip") else
                     "incidents")
    assert not result.ok
    assert re.search(message, result.message), result.message
    assert sessions.files(sid) == before
    assert all_files(sessions.root / sid) == [".last_used", "incidents.csv", "meta.json"]


def test_a_high_ratio_zip_is_refused_even_when_small(sessions, sid):
    # 1 MB of zeros packs to about 1 kB: far over the 200:1 ratio, far under 4 x the limit.
    result = receive(sessions, sid, zipped([("a.shp", b"\0" * MB)]), name="z.zip", role="zones",
                     max_mb=50)
    assert not result.ok
    assert "looks like a decompression bomb" in result.message


@pytest.mark.parametrize(("name", "shown"), [
    ("../../etc/passwd", "passwd"), ("/etc/passwd", "passwd"), ("../../../tmp/x.csv", "x.csv"),
    ("..\\..\\evil.csv", "..\\..\\evil.csv"), ("", "upload"), (None, "upload"),
    ("x" * 300 + ".csv", "x" * 120),
])
def test_the_uploaded_name_is_never_a_path(sessions, sid, tmp_path, name, shown):
    result = receive(sessions, sid, GOOD_CSV, name=name)
    assert result.ok
    assert result.message.startswith(f"{shown}: loaded 2 incidents")
    assert sessions.files(sid).names["incidents"] == shown
    # Every file written is in this session's folder, under a name of ZoneWatch's choosing.
    assert all_files(tmp_path) == [f"sessions/{sid}/.last_used", f"sessions/{sid}/incidents.csv",
                                   f"sessions/{sid}/meta.json"]


def test_two_sessions_uploading_do_not_mix(sessions):
    one, two = new_session_id(), new_session_id()
    receive(sessions, one, GOOD_CSV, name="one.csv")
    receive(sessions, two, GOOD_CSV.replace(b"a1,", b"b1,"), name="two.csv")
    assert sessions.files(one).names["incidents"] == "one.csv"
    assert b"b1," in sessions.files(two).incidents.read_bytes()
    assert b"b1," not in sessions.files(one).incidents.read_bytes()


def test_decode_contents():
    assert decode_contents(data_url(b"a,b\n")) == b"a,b\n"
    assert decode_contents("") == b""
    assert decode_contents(None) == b""


def test_a_damaged_zip_is_left_to_the_reader(tmp_path):
    path = tmp_path / "x.zip"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    assert zip_problem(path, MB) is None


def test_a_plain_shapefile_zip_passes(tmp_path):
    path = tmp_path / "x.zip"
    path.write_bytes(zipped([(f"zones.{ext}", bytes(range(256)) * 4) for ext in
                             ("shp", "shx", "dbf", "prj")]))
    assert zip_problem(path, MB) is None


# Encodings (issue 12, item 14) -------------------------------------------------------------
ARABIC_CSV = "incident_id,date,lon,lat,place\r\na1,2017-08-03,36.73,34.84,تلبيسة\r\n"


def test_an_arabic_excel_upload_is_detected_and_said(sessions, sid):
    result = receive(sessions, sid, ARABIC_CSV.encode("cp1256"))
    assert result.ok, result.message
    assert result.report.encoding == "cp1256"
    assert any("read as Windows-1256 (Arabic)" in m for m in result.report.messages("info"))
    from dashboard.io import read_incidents

    assert read_incidents(sessions.files(sid).incidents)[0]["place"].tolist() == ["تلبيسة"]


def test_a_utf16_unicode_text_upload_is_kept_not_refused_as_binary(sessions, sid):
    result = receive(sessions, sid, ARABIC_CSV.replace(",", "\t").encode("utf-16"), name="u.txt")
    assert result.ok, result.report.messages() if result.report else result.message
    assert result.report.encoding == "utf-16"


def test_the_encoding_chosen_is_used_and_the_kept_file_is_utf8(sessions, sid):
    raw = ARABIC_CSV.encode("cp1256")
    result = receive_upload(sessions, sid, "incidents", data_url(raw), "mine.csv", 1,
                            encoding="cp1256")
    assert result.ok, result.message
    assert "(cp1256, as asked)" in result.report.messages("info")[0]
    assert sessions.files(sid).incidents.read_bytes() == ARABIC_CSV.encode("utf-8")


def test_a_wrong_encoding_chosen_is_refused_with_the_byte(sessions, sid):
    result = receive_upload(sessions, sid, "incidents", data_url(ARABIC_CSV.encode("cp1256")),
                            "mine.csv", 1, encoding="utf-8")
    assert not result.ok
    assert re.match(r"mine.csv, line 2: the file is not UTF-8: byte \w\w at offset",
                    result.report.messages("error")[0])
    assert sessions.files(sid) is None


def test_an_upload_over_the_session_quota_names_the_file_and_keeps_the_old_data(tmp_path, sid):
    small = SessionStore(tmp_path / "small", quota_mb=0.001)   # about 1 KB per session
    assert receive(small, sid, GOOD_CSV).ok
    big = GOOD_CSV + b"".join(b"a%d,2017-08-05,36.74,34.85,0\r\n" % i for i in range(3, 200))
    result = receive(small, sid, big, name="bigger.csv")
    assert not result.ok
    assert result.message.startswith("bigger.csv: this upload (")
    assert "ZONEWATCH_SESSION_QUOTA_MB" in result.message
    assert small.files(sid).names["incidents"] == "mine.csv"   # what was loaded before stays


# Issue 12, item 11: a refused file's valid rows can be loaded alone (as --valid-only),
# and its rejected rows, with why, downloaded.
MIXED_CSV = (b"incident_id,date,lon,lat,fatalities,notes\r\n"
             b"a1,2017-08-03,36.73,34.84,1,fine\r\n"
             b"a2,someday,36.74,34.85,0,=HYPERLINK(\"x\")\r\n"
             b"a3,2017-08-05,36.75,34.86,2,fine\r\n")


def test_a_file_with_some_bad_rows_offers_its_valid_rows_and_keeps_nothing_yet(sessions, sid):
    from dashboard.server.uploads import rejected_csv

    result = receive(sessions, sid, MIXED_CSV, name="mixed.csv")
    assert (result.ok, result.valid_rows, result.rejected) == (False, 2, 1)
    assert sessions.files(sid) is None  # refused: nothing kept until asked
    path, name = rejected_csv(sessions, sid)
    assert name == "mixed-rejected-rows.csv"
    text = path.read_text(encoding="utf-8-sig")
    lines = text.splitlines()
    assert lines[0].startswith("zonewatch_where,zonewatch_problems,incident_id,date")
    assert lines[1].startswith("row 3,date: ") and "someday" in lines[1]
    assert "'=HYPERLINK" in lines[1]  # inert in a spreadsheet
    assert len(lines) == 2


def test_loading_the_valid_rows_only_keeps_the_file_for_its_valid_rows(sessions, sid):
    from dashboard.server.uploads import accept_valid_rows, rejected_csv

    receive(sessions, sid, MIXED_CSV, name="mixed.csv")
    result = accept_valid_rows(sessions, sid)
    assert (result.ok, result.message, result.rejected) == (
        True, "mixed.csv: loaded the valid rows only: 2 incidents; 1 row with errors left out.",
        1)
    files = sessions.files(sid)
    assert files.names["incidents"] == "mixed.csv"
    assert files.valid_only == frozenset({"incidents"})
    assert files.incidents.read_bytes() == MIXED_CSV
    assert rejected_csv(sessions, sid) is not None  # still downloadable
    again = accept_valid_rows(sessions, sid)  # once only
    assert (again.ok, again.message) == (False, "The file with errors is no longer held on the "
                                                "server (it is kept for an hour). Fix: upload "
                                                "it again.")


def test_a_clean_upload_forgets_the_held_file_and_its_rejected_rows(sessions, sid):
    from dashboard.server.uploads import accept_valid_rows, rejected_csv

    receive(sessions, sid, MIXED_CSV, name="mixed.csv")
    receive(sessions, sid, GOOD_CSV, name="good.csv")
    assert rejected_csv(sessions, sid) is None
    assert not accept_valid_rows(sessions, sid).ok
    assert sessions.files(sid).valid_only == frozenset()
    assert all_files(sessions.root / sid) == [".last_used", "incidents.csv", "meta.json"]


def test_a_file_with_no_valid_row_or_a_file_level_error_offers_nothing(sessions, sid):
    from dashboard.server.uploads import accept_valid_rows, rejected_csv

    result = receive(sessions, sid, BAD_CSV, name="bad.csv")  # its only row is bad
    assert (result.valid_rows, result.rejected) == (0, 1)
    assert rejected_csv(sessions, sid)[1] == "bad-rejected-rows.csv"
    assert not accept_valid_rows(sessions, sid).ok
    no_lat = receive(sessions, sid, b"incident_id,date,lon\r\na1,2017-08-03,36.7\r\n", "x.csv")
    assert (no_lat.ok, no_lat.valid_rows, no_lat.rejected) == (False, 0, 0)
    assert rejected_csv(sessions, sid) is None  # the older file's rows are gone too


def test_the_rejected_rows_belong_to_their_session_only(sessions, sid):
    from dashboard.server.uploads import accept_valid_rows, rejected_csv

    receive(sessions, sid, MIXED_CSV, name="mixed.csv")
    other = new_session_id()
    assert rejected_csv(sessions, other) is None
    assert rejected_csv(sessions, "../" + sid) is None
    assert rejected_csv(sessions, "") is None
    assert not accept_valid_rows(sessions, other).ok
    assert sessions.files(other) is None


def test_a_held_file_read_in_a_chosen_encoding_is_kept_as_utf8(sessions, sid):
    from dashboard.server.uploads import accept_valid_rows

    text = ("incident_id,date,lon,lat,fatalities,place\r\na1,2017-08-03,36.73,34.84,1,تلبيسة\r\n"
            "a2,someday,36.74,34.85,0,الرستن\r\n")
    contents = data_url(text.encode("cp1256"))
    result = receive_upload(sessions, sid, "incidents", contents, "ar.csv", 1, encoding="cp1256")
    assert (result.ok, result.valid_rows) == (False, 1)
    assert accept_valid_rows(sessions, sid).ok
    assert "تلبيسة" in sessions.files(sid).incidents.read_text(encoding="utf-8")


def test_a_zone_upload_counts_zones_and_their_versions(sessions, sid):
    """Issue 12, item 13: one zone in two versions is "1 zone (2 versions)"."""
    v1 = {**GOOD_ZONE, "version": 1, "valid_from": "2017-05-05", "valid_to": "2017-08-02"}
    v2 = {**GOOD_ZONE, "version": 2, "valid_from": "2017-08-03", "valid_to": None}
    doc = json.dumps(feature_collection([(v1, SQUARE), (v2, SQUARE)])).encode()
    result = receive(sessions, sid, doc, name="homs.geojson", role="zones")
    assert (result.ok, result.message) == (True, "homs.geojson: loaded 1 zone (2 versions); "
                                                 "0 warnings.")
