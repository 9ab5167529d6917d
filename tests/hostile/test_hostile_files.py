"""Hostile files: every attack of issue 17's table, built at run time in tmp_path.

Each bomb is small on disk and is refused from what the file says it holds (or
stopped by the sandboxed check's deadline) before it is materialised, so these
tests stay within a few seconds and a few hundred MB even when a cap is missing.
"""

from __future__ import annotations

import base64
import gzip
import io
import json
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from dashboard.cli import cli
from dashboard.io import read_incidents, read_zones
from dashboard.io.limits import Limits
from dashboard.server.sessions import SessionStore, new_session_id
from dashboard.server.uploads import receive_upload
from tests.conftest import GOOD_ROW, INCIDENT_HEADER

HEADER = ",".join(INCIDENT_HEADER).encode() + b"\n"
ROW = ",".join(GOOD_ROW).encode() + b"\n"
BOWTIE = [[[36.6, 34.8], [36.8, 35.0], [36.8, 34.8], [36.6, 35.0], [36.6, 34.8]]]


@pytest.fixture
def upload(tmp_path):
    """receive_upload as the dashboard calls it, for one session; returns the result."""
    sessions, sid = SessionStore(tmp_path / "sessions"), new_session_id()

    def send(raw: bytes, name: str, role: str = "incidents", max_mb: int = 5,
             limits: Limits | None = None):
        contents = "data:application/octet-stream;base64," + base64.b64encode(raw).decode()
        return receive_upload(sessions, sid, role, contents, name, max_mb, limits=limits)
    return send


def issues_text(result) -> str:
    return result.message + "\n" + "\n".join(result.report.messages() if result.report else [])


def gzip_bomb(text_mb: int) -> bytes:
    """``text_mb`` MB of CSV in about 1 KB per MB: one compressed member repeated
    (gzip readers join members), so building it costs nothing."""
    member = gzip.compress(HEADER + ROW * (1024 * 1024 // len(ROW)), compresslevel=9)
    return member * text_mb


def xfd_workbook(rows: int) -> bytes:
    """A few KB of XLSX whose every row holds one cell, in the last column (XFD)."""
    from openpyxl import Workbook

    book = Workbook()
    for r in range(1, rows + 1):
        book.active.cell(row=r, column=16384, value="x")
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def zipped(name: str, data: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(name, data)
    return buf.getvalue()


def slow_zones(n: int) -> bytes:
    """A zipped GeoJSON of ``n`` self-crossing zones: each is repaired one by one,
    about 12 s of work per 100,000 (the 197 MB GeoJSON of the issue, in small)."""
    feats = [{"type": "Feature", "properties": {"zone_id": f"z{i}"},
              "geometry": {"type": "Polygon", "coordinates": BOWTIE}} for i in range(n)]
    return zipped("zones.geojson", json.dumps({"type": "FeatureCollection",
                                               "features": feats}).encode())


# 1. Compressed inputs are capped before they are unpacked ---------------------------------
def test_gzip_bomb_upload_is_refused_at_the_unpacked_cap(upload):
    raw = gzip_bomb(12)  # 12 KB that unpack to 12 MB; uploads unpack to 4x max_mb at most
    result = upload(raw, "bomb.csv.gz", max_mb=1)
    assert not result.ok
    assert ("bomb.csv.gz: the gzip data unpacks to more than 4 MB; at most 4 MB are read. "
            "Fix: split the file by date or area, or ask the server's operator to raise "
            "ZONEWATCH_MAX_UNPACKED_MB.") in issues_text(result)


def test_gzip_bomb_of_a_gigabyte_stops_at_the_cap_in_the_reader(tmp_path):
    path = tmp_path / "bomb.csv.gz"
    path.write_bytes(gzip_bomb(1024))  # 1 MB on disk, 1 GB of text
    _, report = read_incidents(path, limits=Limits(unpacked_mb=8))
    assert report.messages() == [
        "bomb.csv.gz: the gzip data unpacks to more than 8 MB; at most 8 MB are read. Fix: "
        "split the file by date or area, or ask the server's operator to raise "
        "ZONEWATCH_MAX_UNPACKED_MB."]


def write_parquet_rows(path: Path, rows: int, chunk: int = 250_000) -> None:
    """``rows`` identical rows in a few hundred KB (dictionary and run-length encoded)."""
    table = pa.table({c: pa.array([v] * chunk) for c, v in zip(INCIDENT_HEADER, GOOD_ROW, strict=True)})
    with pq.ParquetWriter(path, table.schema) as writer:
        for _ in range(rows // chunk):
            writer.write_table(table)


def test_parquet_of_identical_rows_is_refused_from_its_metadata(upload, tmp_path, monkeypatch):
    monkeypatch.setenv("ZONEWATCH_MAX_CELLS", "100000")
    path = tmp_path / "rows.parquet"
    write_parquet_rows(path, 250_000)
    result = upload(path.read_bytes(), "rows.parquet")
    assert not result.ok
    assert ("rows.parquet: the table holds 250,000 rows x 5 columns = 1,250,000 cells; "
            "at most 100,000 are read. Fix: split the file by date or area, or drop columns "
            "you do not need, or ask the server's operator to raise ZONEWATCH_MAX_CELLS."
            ) in issues_text(result)


def test_geopackage_is_refused_from_its_feature_count(tmp_path):
    import geopandas as gpd
    from shapely.geometry import Point

    path = tmp_path / "points.gpkg"
    gpd.GeoDataFrame({"incident_id": [f"a{i}" for i in range(50)]},
                     geometry=[Point(36.7, 34.8)] * 50, crs="EPSG:4326").to_file(path)
    _, report = read_incidents(path, limits=Limits(cells=60))
    assert report.messages()[0].startswith(
        "points.gpkg: the table holds 50 rows x 2 columns = 100 cells; at most 60 are read.")


def test_xlsx_whose_rows_reach_column_xfd_is_refused_at_the_first_row(upload):
    raw = xfd_workbook(50)
    assert len(raw) < 10_000
    started = time.perf_counter()
    result = upload(raw, "wide.xlsx")
    assert time.perf_counter() - started < 10
    assert not result.ok
    assert ("wide.xlsx, sheet 'Sheet', row 1: the row has a value in column XFD (column "
            "16,384); at most 1,000 columns are read. Fix: delete the cells far to the right"
            ) in issues_text(result)


def test_xlsx_that_unpacks_past_the_cap_is_refused_before_it_is_opened(tmp_path):
    path = tmp_path / "big.xlsx"
    frame = pd.DataFrame({"incident_id": [f"a{i}" for i in range(20_000)], "date": "2017-08-03"})
    frame.to_excel(path, index=False)
    _, report = read_incidents(path, limits=Limits(unpacked_mb=1))
    assert report.messages()[0].startswith("big.xlsx: the workbook unpacks to ")
    assert "MB; at most 1 MB are read" in report.messages()[0]


def test_cli_validate_applies_the_same_caps(tmp_path):
    path = tmp_path / "bomb.csv.gz"
    path.write_bytes(gzip_bomb(12))
    result = CliRunner().invoke(cli, ["validate", str(path)],
                                env={"ZONEWATCH_MAX_UNPACKED_MB": "4"})
    assert result.exit_code == 1, result.output
    assert "the gzip data unpacks to more than 4 MB; at most 4 MB are read" in result.output


# 2. Validation has a deadline and a memory cap -------------------------------------------
def test_sniffing_a_line_of_comma_quote_is_linear():
    code = "from dashboard.io.sniff import sniff_delimiter; sniff_delimiter(',\"' * 32768)"
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, timeout=8)  # was 19 s
    assert time.perf_counter() - started < 5


def test_comma_quote_upload_gets_a_message_fast(upload):
    started = time.perf_counter()
    result = upload(b',"' * 32768, "quotes.csv", limits=Limits(check_seconds=3))
    assert time.perf_counter() - started < 5
    assert not result.ok and "the header repeats column names" in issues_text(result)


def test_a_slow_file_is_stopped_at_the_deadline_and_its_uploader_told(upload):
    started = time.perf_counter()
    result = upload(slow_zones(40_000), "zones.zip", role="zones",
                    limits=Limits(check_seconds=1))
    elapsed = time.perf_counter() - started
    assert elapsed < 4, elapsed  # 1 s of CPU, then SIGXCPU; the parent waits 2 s at most
    assert not result.ok
    assert result.report.messages() == [
        "zones.zip: checking the file took longer than 1 s, the limit. Fix: split the file by "
        "date or area, or simplify the geometries (fewer vertices), or ask the server's "
        "operator to raise ZONEWATCH_CHECK_SECONDS."]


def test_a_hungry_file_is_stopped_at_the_memory_cap(upload):
    raw = HEADER + b"".join(b"a%d,2017-08-03,36.73,34.84,1\n" % i for i in range(300_000))
    result = upload(raw, "many.csv", max_mb=20, limits=Limits(check_memory_mb=64))
    assert not result.ok
    assert result.report.messages() == [
        "many.csv: checking the file needs more than 64 MB of memory, the limit. Fix: split "
        "the file by date or area, or ask the server's operator to raise "
        "ZONEWATCH_CHECK_MEMORY_MB."]


# 6. XLSX of any size is recognised as a workbook ------------------------------------------
def test_a_real_workbook_over_4_kb_is_uploaded(upload, tmp_path):
    path = tmp_path / "incidents.xlsx"
    pd.DataFrame([dict(zip(INCIDENT_HEADER, GOOD_ROW, strict=True), incident_id=f"a{i}", notes="x" * 40)
                  for i in range(300)]).to_excel(path, index=False)
    assert path.stat().st_size > 4096
    result = upload(path.read_bytes(), "incidents.xlsx")
    assert (result.ok, result.message) == (True, "incidents.xlsx: loaded 300 incidents "
                                                 "(0 warnings).")


def test_a_zip_that_merely_holds_an_xl_folder_is_not_a_workbook(tmp_path):
    from dashboard.io.sniff import ZIP, sniff_format

    path = tmp_path / "odd.zip"
    path.write_bytes(zipped("xl/notes.txt", b"x" * 8000))
    assert sniff_format(path) == ZIP


# 7. Odd text gives a located message, not "Something went wrong" ---------------------------
@pytest.mark.parametrize(("raw", "name", "role", "expected"), [
    pytest.param(HEADER + b"a1,2017-08-03,36.73,34.84,1\rb\n", "cr.csv", "incidents",
                 "cr.csv, row 2: a field holds a line break on its own (a bare carriage "
                 "return, CR) that splits the row. Fix: remove the line break", id="bare-cr"),
    pytest.param(HEADER + b"a1,2017-08-03,36.73,34.84," + b"9" * 140_000 + b"\na2,1\n",
                 "long.csv", "incidents", "long.csv, row 2: a field is longer than 131,072 "
                 "characters (often a quote that is never closed). Fix: close the quote",
                 id="field-over-128k"),
    pytest.param(b'{"type": "FeatureCollection", "features": [{"type": "Feature", '
                 b'"properties": {"a": ' + b"[" * 200_000 + b"]" * 200_000 + b"}}]}",
                 "deep.geojson", "zones", "deep.geojson, feature 1, line 1, column 180: the "
                 "JSON nests brackets more than 100 levels deep. Fix: GeoJSON needs about six "
                 "levels", id="geojson-200k-deep"),
])
def test_odd_text_gets_a_located_message(upload, tmp_path, raw, name, role, expected):
    result = upload(raw, name, role=role)
    assert not result.ok
    assert expected in issues_text(result)
    path = tmp_path / name  # the CLI's readers say the same
    path.write_bytes(raw)
    reader = read_zones if role == "zones" else read_incidents
    assert expected in "\n".join(reader(path)[1].messages())


def test_upload_checks_drop_to_the_lowest_cpu_priority_when_slow(tmp_path, monkeypatch):
    """A hostile upload's check yields the CPU to everyone else's requests after its
    first half second; an ordinary file is checked before that."""
    from dashboard.server import upload_check

    seen = []
    monkeypatch.setattr(upload_check, "lower_priority_after", lambda s: seen.append(s == 0.5))
    monkeypatch.setattr(upload_check, "_limit_self", lambda limits: None)
    path = tmp_path / "own.csv"
    path.write_bytes(HEADER + b"a1,2017-08-03,36.73,34.84,1\n")

    class Sender:
        def send(self, answer):
            seen.append(answer)

        def close(self):
            pass

    upload_check._child(Sender(), str(path), "incidents", Limits())
    assert seen[0] is True and isinstance(seen[1], dict)  # lowered first, then read


def test_lower_priority_after_lowers_the_main_thread_when_the_time_is_up():
    code = ("import os, time\nfrom dashboard.core.priority import lower_priority_after\n"
            "lower_priority_after(0.2)\nprint(os.getpriority(os.PRIO_PROCESS, os.getpid()))\n"
            "time.sleep(0.6)\nprint(os.getpriority(os.PRIO_PROCESS, os.getpid()))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                         check=True).stdout.split()
    assert out == [str(os.nice(0)), "19"]  # as started (inherited), then the lowest


def test_a_worker_can_wait_for_its_upload_checker_to_be_ready():
    """gunicorn's post_worker_init waits for it: a ready server serves a child."""
    from dashboard.server.upload_check import start_checker

    assert start_checker(wait_s=60.0) is True
    assert start_checker() is False  # started, not waited for
