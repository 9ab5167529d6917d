"""--incidents repeatable: each file a source, NAME=FILE names one; the joined output keeps
each incident's source and id, and links events told twice by a cluster."""

from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner

from dashboard.analysis.dataset import SourcePath, source_path
from dashboard.cli import cli
from tests.conftest import write_incident_csv

HEADER = ["incident_id", "date", "lon", "lat", "fatalities", "event_type", "actor1"]
ROWS = [["e1", "2017-08-03", 36.65, 34.95, 2, "Shelling", "Syrian Army"],
        ["e2", "2017-09-01", 36.9, 34.9, 0, "Shelling", "Syrian Army"]]


@pytest.fixture
def two_files(tmp_path):
    first = write_incident_csv(tmp_path / "acled.csv", ROWS, HEADER)
    own = ["own", "2017-10-05", 36.7, 34.8, 1, "Shelling", "Syrian Army"]
    second = write_incident_csv(tmp_path / "field.csv", [ROWS[0], own], HEADER)
    return first, second


def test_join_keeps_every_sources_name_and_id_and_clusters_the_same_event(
        tmp_path, zone_file, two_files):
    out = tmp_path / "joined.csv"
    result = CliRunner().invoke(cli, ["join", "--zones", str(zone_file), "--incidents",
                                      f"ACLED={two_files[0]}", "--incidents", str(two_files[1]),
                                      "-o", str(out)])
    assert result.exit_code == 0, result.output
    joined = pd.read_csv(out)
    assert sorted(zip(joined["dataset"], joined["incident_id"], strict=True)) == [
        ("ACLED", "e1"), ("ACLED", "e2"), ("field.csv", "e1"), ("field.csv", "own")]
    cluster = joined.set_index(["dataset", "incident_id"])["cluster"]
    assert cluster[("ACLED", "e1")] == cluster[("field.csv", "e1")]  # one event, told twice
    assert cluster[("ACLED", "e2")] != cluster[("field.csv", "own")]


def test_info_reads_several_sources(zone_file, two_files):
    result = CliRunner().invoke(cli, ["info", "--zones", str(zone_file), "--incidents",
                                      str(two_files[0]), "--incidents", f"Field={two_files[1]}"])
    assert result.exit_code == 0, result.output
    assert "Incidents: 4" in result.output and "datasets: Field 2, acled.csv 2" in result.output
    # e1 is told by both: the report counts say every report, and the events once.
    assert ("counted once across sources: 3 events (1 report is likely a duplicate of "
            "another source's; the counts above count every report)") in result.output


def test_a_missing_source_file_is_named_with_the_fix(zone_file, tmp_path):
    result = CliRunner().invoke(cli, ["info", "--incidents", f"ACLED={tmp_path / 'nope.csv'}"])
    assert result.exit_code == 2
    assert "no file" in result.output and "nope.csv" in result.output
    assert "NAME=FILE" in result.output


@pytest.mark.parametrize(("text", "name", "path"), [
    ("ACLED=data/acled.csv", "ACLED", "data/acled.csv"),
    (" Field reports =f.csv", "Field reports", "f.csv"),
    ("data/a=b.csv", None, "data/a=b.csv"),       # a slash before "=": a path
    ("plain.csv", None, "plain.csv"),
    ("=x.csv", None, "=x.csv"),
])
def test_name_equals_file_names_a_source(text, name, path):
    got = source_path(text)
    assert (getattr(got, "dataset_name", None), str(got)) == (name, path)
    assert isinstance(got, SourcePath) == (name is not None)


def test_an_existing_file_with_equals_in_its_name_is_a_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a=b.csv").write_text("x", encoding="utf-8")
    assert getattr(source_path("a=b.csv"), "dataset_name", None) is None


def test_report_counts_an_event_two_sources_tell_once(tmp_path, two_files):
    """Bundled zones (homs-north), reference day after e1: e1 told by both is one incident."""
    import json

    result = CliRunner().invoke(cli, ["report", "--zone", "homs-north", "--date", "2017-08-04",
                                      "--incidents", f"ACLED={two_files[0]}", "--incidents",
                                      str(two_files[1]), "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output[result.output.index("{"):])
    assert report["inside_before"]["incidents"] == 1
    assert report["filters"] == {"Duplicates across sources": "counted once"}
