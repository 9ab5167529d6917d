"""`zonewatch db init|import|status|export` and `join --db`, as a user runs them."""

from __future__ import annotations

import pandas as pd
from click.testing import CliRunner

from dashboard.cli import cli
from tests.conftest import GOOD_ZONE, write_csv, write_zones
from tests.geometries import SQUARE


def _run(*args, env=None):
    return CliRunner().invoke(cli, [str(a) for a in args], env=env, catch_exceptions=False)


def test_init_import_status_export_join_from_the_command_line(db_url, tmp_path):
    zones = write_zones(tmp_path / "zones.geojson", [(GOOD_ZONE, SQUARE)])
    acled = write_csv(tmp_path / "acled.csv", [["incident_id", "date", "lon", "lat"],
                                               ["a1", "2017-08-03", "36.73", "34.84"],
                                               ["a2", "2017-08-04", "36.95", "34.84"]])
    env = {"ZONEWATCH_DATABASE_URL": db_url}
    result = _run("db", "init", "--roles", env=env)
    assert result.exit_code == 0, result.output
    assert "schema at revision 0001" in result.output
    result = _run("db", "import", "--zones", zones, "--incidents", f"ACLED={acled}", env=env)
    assert result.exit_code == 0, result.output
    assert "ACLED: 2 rows, 2 inserted, 0 updated, 0 deleted" in result.output
    result = _run("db", "status", "--db", db_url)
    assert result.exit_code == 0, result.output
    assert "zones: 1 (1 versions)" in result.output
    assert "  ACLED: 2 / 0" in result.output
    result = _run("db", "export", "--db", db_url, "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["ACLED.csv", "zones.geojson"]
    result = _run("join", "--db", db_url, "-o", tmp_path / "joined.csv")
    assert result.exit_code == 0, result.output
    joined = pd.read_csv(tmp_path / "joined.csv")
    assert joined[["incident_id", "zone_id"]].fillna("").values.tolist() == [
        ["a1", "homs-north"], ["a2", ""]]


def test_import_of_a_file_with_errors_names_the_file_and_writes_nothing(db_url, tmp_path):
    bad = write_csv(tmp_path / "bad.csv", [["incident_id", "date", "lon", "lat"],
                                           ["a1", "2017-02-30", "36.73", "34.84"]])
    assert _run("db", "init", "--db", db_url).exit_code == 0
    result = _run("db", "import", "--db", db_url, "--incidents", bad)
    assert result.exit_code == 1
    assert result.output.startswith("Error: bad.csv, row 2")
    assert "Fix: " in result.output
    status = _run("db", "status", "--db", db_url).output
    assert "last imports:\n" in status and "run 1" not in status


def test_without_a_url_the_error_says_where_to_give_one():
    result = CliRunner().invoke(cli, ["db", "status"], env={"ZONEWATCH_DATABASE_URL": ""})
    assert result.exit_code == 1
    assert "pass --db postgresql://" in result.output and "ZONEWATCH_DATABASE_URL" in result.output


def test_db_replaces_files():
    result = CliRunner().invoke(cli, ["join", "--db", "postgresql://x@/y", "--zones", "z.geojson",
                                      "-o", "out.csv"])
    assert result.exit_code != 0
