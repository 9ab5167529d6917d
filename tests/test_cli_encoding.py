"""``--encoding`` on the commands that read incident and zone files (issue 12, item 14)."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner

from dashboard.cli import cli
from tests.conftest import write_csv

ROWS = [["incident_id", "date", "lon", "lat", "place"],
        ["a", "2017-08-03", "36.73", "34.84", "تلبيسة"]]


@pytest.fixture
def arabic_csv(tmp_path):
    return write_csv(tmp_path / "arabic.csv", ROWS, encoding="cp1256")


def test_validate_detects_and_reports_the_encoding(arabic_csv):
    result = CliRunner().invoke(cli, ["validate", "--json", str(arabic_csv)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)[0]
    assert report["encoding"] == "cp1256"
    assert "read as Windows-1256 (Arabic) (cp1256, detected)" in report["issues"][0]["message"]


def test_validate_with_a_wrong_encoding_says_which_byte(arabic_csv):
    result = CliRunner().invoke(cli, ["validate", "--encoding", "utf-8", str(arabic_csv)])
    assert result.exit_code == 1, result.output
    assert "arabic.csv, line 2: the file is not UTF-8: byte CA" in result.output


def test_join_reads_with_the_encoding_given(tmp_path, arabic_csv, zone_file):
    out = tmp_path / "joined.csv"
    result = CliRunner().invoke(cli, ["join", "--zones", str(zone_file), "--incidents",
                                      str(arabic_csv), "--encoding", "cp1256", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert pd.read_csv(out, encoding="utf-8-sig")["place"].tolist() == ["تلبيسة"]


def test_info_with_an_unknown_encoding_fails_cleanly(arabic_csv, zone_file):
    result = CliRunner().invoke(cli, ["info", "--zones", str(zone_file), "--incidents",
                                      str(arabic_csv), "--encoding", "klingon"])
    assert result.exit_code == 1, result.output
    assert "there is no text encoding called 'klingon'" in result.output
    assert "Traceback" not in result.output
