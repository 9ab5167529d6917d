"""``zonewatch report`` on the bundled data."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from dashboard.cli import cli


@pytest.mark.parametrize("zone", ["homs-north", "eastern-ghouta", "southwest", "idlib"])
def test_rp001_markdown_report_for_each_bundled_zone(zone):
    result = CliRunner().invoke(cli, ["report", "--zone", zone])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("# Ceasefire report: ")
    assert "rate ratio" in result.output and "Zone boundaries are approximate" in result.output


def test_rp002_json_and_csv_and_file(tmp_path):
    runner = CliRunner()
    result = runner.invoke(cli, ["report", "--zone", "homs-north", "--format", "json",
                                 "--before", "60", "--after", "60", "--ring-km", "10"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["reference"] == "2017-08-03" and doc["ring_km"] == 10
    out = tmp_path / "r.csv"
    result = runner.invoke(cli, ["report", "--zone", "southwest", "--format", "csv", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("zone_id,reference,area")


def test_rp003_unknown_zone_and_given_date():
    runner = CliRunner()
    result = runner.invoke(cli, ["report", "--zone", "atlantis"])
    assert result.exit_code == 1
    assert "no zone 'atlantis'. Fix: use one of" in result.output
    result = runner.invoke(cli, ["report", "--zone", "idlib", "--date", "2018-01-01"])
    assert result.exit_code == 0, result.output
    assert "1 Jan 2018" in result.output
