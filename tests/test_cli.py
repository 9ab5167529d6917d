"""The ``zonewatch`` command, through click's test runner."""

from __future__ import annotations

import json
import re

import click
import pandas as pd
import pytest
from click.testing import CliRunner

from dashboard.cli import cli
from tests.conftest import GOOD_ROW, write_incident_csv


@pytest.fixture
def runner():
    return CliRunner()


# validate --------------------------------------------------------------------------------
def test_validate_clean_files_exit_0(runner, zone_file, incident_file):
    result = runner.invoke(cli, ["validate", str(zone_file), str(incident_file)])
    assert result.exit_code == 0, result.output
    assert "zones.geojson: read as zones (json), 5 rows/features — 0 errors, 0 warnings" in result.output
    assert "incidents.csv: read as generic incidents (CSV), 12 rows/features — 0 errors" in result.output


def test_validate_with_errors_exits_1_and_prints_every_problem(runner, tmp_path, zone_file):
    bad = write_incident_csv(tmp_path / "bad.csv", [["a", "03/08/2017", "36.7", "34.8", "1"],
                                                    GOOD_ROW, ["c", "2017-08-03", "36.7", "", "-1"]])
    result = runner.invoke(cli, ["validate", str(zone_file), str(bad)])
    assert result.exit_code == 1, result.output
    assert "bad.csv: read as generic incidents (CSV), 3 rows/features — 3 errors" in result.output
    for where in ("row 2, column 'date'", "row 4, column 'lat'", "row 4, column 'fatalities'"):
        assert f"ERROR   bad.csv, {where}" in result.output


@pytest.mark.parametrize("args", [
    pytest.param([], id="no-files"),
    pytest.param(["--bogus", "x.csv"], id="unknown-option"),
    pytest.param(["--role", "planets", "x.csv"], id="bad-choice"),
])
def test_validate_usage_errors_exit_2(runner, args):
    result = runner.invoke(cli, ["validate", *args])
    assert result.exit_code == 2, result.output
    assert "Usage: " in result.output


def test_validate_json_lists_the_issues(runner, tmp_path, zone_file):
    bad = write_incident_csv(tmp_path / "bad.csv", [["a", "2017-08-03", "36.7", "34.8", "lots"]])
    result = runner.invoke(cli, ["validate", "--json", str(zone_file), str(bad)])
    assert result.exit_code == 1, result.output
    reports = json.loads(result.output)
    assert [r["ok"] for r in reports] == [True, False]
    [issue] = reports[1]["issues"]
    assert issue | {"message": ""} == {
        "severity": "error", "problem": "fatalities is not a number",
        "fix": "write a whole number, or leave it empty when unknown", "where": "row 2",
        "column": "fatalities", "value": "lots", "count": 1, "message": ""}
    assert issue["message"].startswith("bad.csv, row 2, column 'fatalities'")
    assert reports[1]["errors"] == 1 and reports[1]["file"] == str(bad)


def test_validate_with_a_mapping_and_kind(runner, tmp_path):
    path = tmp_path / "ngo.csv"
    path.write_text("Ref,When,X,Y\nn1,2017-08-03,36.7,34.8\n", encoding="utf-8")
    result = runner.invoke(cli, ["validate", "--kind", "generic", "--map", "date=When",
                                 "--map", "incident_id=Ref", str(path)])
    assert result.exit_code == 0, result.output
    bad = runner.invoke(cli, ["validate", "--map", "date", str(path)])
    assert bad.exit_code == 2, bad.output
    assert "is not OURS=THEIRS" in bad.output


def test_validate_missing_file_is_an_error_not_a_crash(runner, tmp_path):
    result = runner.invoke(cli, ["validate", str(tmp_path / "nope.csv")])
    assert result.exit_code == 1, result.output
    assert "nope.csv: file not found. Fix: check the path and the file name." in result.output


# info ------------------------------------------------------------------------------------
def test_info_on_the_bundled_data(runner):
    result = runner.invoke(cli, ["info"])
    assert result.exit_code == 0, result.output
    for zone_id in ("idlib", "homs-north", "eastern-ghouta", "southwest"):
        assert re.search(rf"^  {zone_id} — ", result.output, re.M), zone_id
    count = int(re.search(r"^Incidents: ([\d,]+)$", result.output, re.M).group(1).replace(",", ""))
    assert count >= 8352
    assert "UCDP GED 8,352" in result.output
    assert "boundary approximate" in result.output
    assert "boundary exact" not in result.output


def test_info_on_given_files(runner, zone_file, incident_file):
    result = runner.invoke(cli, ["info", "--zones", str(zone_file), "--incidents", str(incident_file)])
    assert result.exit_code == 0, result.output
    assert "Zones: 3 zones, 5 versions" in result.output
    assert "    v3  2018-01-01 .. 2018-05-14  in_effect" in result.output
    assert "Incidents: 12" in result.output
    assert "dates: 2017-05-04 .. 2018-05-15" in result.output
    assert "inside a zone on their date: 7 (1 ambiguous near an edge)" in result.output


def test_info_with_a_bad_file_says_where_and_how_to_fix(runner, tmp_path, zone_file):
    bad = write_incident_csv(tmp_path / "bad.csv", [["a", "someday", "36.7", "34.8", "1"]])
    result = runner.invoke(cli, ["info", "--zones", str(zone_file), "--incidents", str(bad)])
    assert result.exit_code == 1, result.output
    assert "Error: bad.csv, row 2, column 'date': the date cannot be read" in result.output
    assert "Fix: " in result.output
    assert "Traceback" not in result.output


# join ------------------------------------------------------------------------------------
@pytest.mark.parametrize("suffix", [".csv", ".geojson", ".parquet"])
def test_join_writes_each_format(runner, tmp_path, zone_file, incident_file, suffix):
    out = tmp_path / f"joined{suffix}"
    result = runner.invoke(cli, ["join", "--zones", str(zone_file), "--incidents", str(incident_file),
                                 "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert f"12 incidents, 7 inside a zone, 1 ambiguous -> {out}" in result.output
    if suffix == ".csv":
        back = pd.read_csv(out, encoding="utf-8-sig")
    elif suffix == ".geojson":
        import geopandas as gpd

        back = gpd.read_file(out)
    else:
        back = pd.read_parquet(out)
    assert len(back) == 12
    assert back.set_index("incident_id")["zone_id"].fillna("-").to_dict()["i04"] == "buffer"
    assert {"zone_version", "edge_km", "ambiguous", "zone_count"} <= set(back.columns)


def test_join_valid_only_writes_the_side_file(runner, tmp_path, zone_file):
    src = write_incident_csv(tmp_path / "mixed.csv", [GOOD_ROW, ["b", "nope", "36.7", "34.8", "1"]])
    out = tmp_path / "joined.csv"
    args = ["join", "--zones", str(zone_file), "--incidents", str(src), "-o", str(out)]
    refused = runner.invoke(cli, args)
    assert refused.exit_code == 1, refused.output
    assert "mixed.csv, row 3, column 'date'" in refused.output
    result = runner.invoke(cli, [*args, "--valid-only"])
    assert result.exit_code == 0, result.output
    assert "1 incidents" in result.output
    assert (tmp_path / "mixed.csv.rejected.csv").exists()


def test_join_to_an_unknown_format_fails_cleanly(runner, tmp_path, zone_file, incident_file):
    result = runner.invoke(cli, ["join", "--zones", str(zone_file), "--incidents", str(incident_file),
                                 "-o", str(tmp_path / "out.txt")])
    assert result.exit_code == 1, result.output
    assert "out.txt: cannot write '.txt' files. Fix: use one of .csv, .geojson, .parquet." in result.output


# geocode and synth -----------------------------------------------------------------------
def test_geocode_talbiseh(runner):
    result = runner.invoke(cli, ["geocode", "Talbiseh"])
    assert result.exit_code == 0, result.output
    first = result.output.splitlines()[0].split("\t")
    assert first[0] == "Tallbīsah"
    assert (float(first[1]), float(first[2])) == (34.84072, 36.73092)
    assert "GeoNames 163779" in first


def test_geocode_unknown_place_fails_cleanly(runner):
    result = runner.invoke(cli, ["geocode", "Xyzzyqwv"])
    assert result.exit_code == 1, result.output
    assert "no place like 'Xyzzyqwv' in the gazetteer" in result.output


def test_synth_is_deterministic_and_labelled(runner, tmp_path):
    paths = [tmp_path / "a-SYNTHETIC.csv", tmp_path / "b-SYNTHETIC.csv"]
    for path in paths:
        result = runner.invoke(cli, ["synth", "--n", "50", "--seed", "1", "-o", str(path)])
        assert result.exit_code == 0, result.output
        assert f"50 SYNTHETIC incidents (seed 1) -> {path}" in result.output
        assert "tip" not in result.output
    assert paths[0].read_bytes() == paths[1].read_bytes()
    frame = pd.read_csv(paths[0], encoding="utf-8-sig")
    assert len(frame) == 50
    assert (frame["dataset"] == "SYNTHETIC").all()


def test_synth_tips_to_name_the_file_synthetic(runner, tmp_path):
    result = runner.invoke(cli, ["synth", "--n", "5", "-o", str(tmp_path / "demo.parquet")])
    assert result.exit_code == 0, result.output
    assert "(tip: put SYNTHETIC in the file name)" in result.output


def test_synth_rejects_zero(runner, tmp_path):
    result = runner.invoke(cli, ["synth", "--n", "0", "-o", str(tmp_path / "x.csv")])
    assert result.exit_code == 2, result.output


# Help for everything ---------------------------------------------------------------------
@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_option_has_help(runner, command):
    cmd = cli.commands[command]
    assert cmd.help, f"zonewatch {command} has no docstring"
    for opt in (p for p in cmd.params if isinstance(p, click.Option)):
        assert opt.help, f"zonewatch {command} {opt.opts[0]} has no help"
    result = runner.invoke(cli, [command, "--help"])
    assert result.exit_code == 0, result.output
    assert f"Usage: cli {command}" in result.output or f"Usage: zonewatch {command}" in result.output
