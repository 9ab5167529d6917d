"""``zonewatch dedupe``: one CSV row per link across the files given, a summary on stderr."""

from __future__ import annotations

import pandas as pd
from click.testing import CliRunner

from dashboard.cli import cli
from dashboard.cli_dedupe import OUTPUT_COLUMNS

HEADER = "incident_id,date,lon,lat,loc_precision,event_type,actor1,actor2,fatalities\n"


def write_sources(tmp_path):
    a = tmp_path / "a.csv"
    a.write_text(HEADER
                 + "a1,2017-08-03,36.7300,34.8400,exact,Airstrike,Government of Syria,,4\n"
                 + "a2,2017-08-03,36.7300,34.8400,exact,Aid convoy,,,0\n"
                 + "a3,2017-09-01,37.1000,36.2000,exact,Shelling,IS,,1\n", encoding="utf-8")
    b = tmp_path / "b.csv"
    b.write_text(HEADER
                 + "b1,2017-08-03,36.7310,34.8450,exact,Air/drone strike,SAA,,5\n"
                 + "b2,2017-08-10,36.7300,34.8400,exact,Airstrike,Government of Syria,,4\n",
                 encoding="utf-8")
    return a, b


def test_dedupe_writes_one_row_per_link_and_a_summary(tmp_path):
    a, b = write_sources(tmp_path)
    out = tmp_path / "links.csv"
    result = CliRunner().invoke(cli, ["dedupe", "--incidents", f"Field={a}", "--incidents",
                                      f"Wire={b}", "-o", str(out)])
    assert result.exit_code == 0, result.output
    links = pd.read_csv(out)
    assert list(links.columns) == OUTPUT_COLUMNS
    assert links[["cluster", "dataset_a", "id_a", "dataset_b", "id_b", "clustered"]
                 ].values.tolist() == [[1, "Field", "a1", "Wire", "b1", "yes"]]
    assert links["reasons"][0].startswith("same day; 0.6 km apart (both radii 2 km); "
                                          "both airstrikes; actors agree (Government of Syria)")
    assert "5 incidents in 2 sources; 1 likely duplicate links in 1 clusters" in result.stderr
    assert "Field: 3 incidents, 1 also told by another source" in result.stderr


def test_dedupe_threshold_and_tolerance_admit_more(tmp_path):
    a, b = write_sources(tmp_path)
    out = tmp_path / "links.csv"
    result = CliRunner().invoke(cli, ["dedupe", "--incidents", str(a), "--incidents", str(b),
                                      "-o", str(out), "--threshold", "0.95"])
    assert result.exit_code == 0, result.output
    assert pd.read_csv(out).empty
    result = CliRunner().invoke(cli, ["dedupe", "--incidents", str(a), "--incidents", str(b),
                                      "-o", str(out), "--day-tolerance", "7"])
    assert result.exit_code == 0, result.output
    assert pd.read_csv(out)["id_b"].tolist() == ["b1"]  # b2 is a1's second best


def test_dedupe_names_a_missing_file_and_one_source_is_said(tmp_path):
    a, _ = write_sources(tmp_path)
    missing = CliRunner().invoke(cli, ["dedupe", "--incidents", str(tmp_path / "no.csv"),
                                       "-o", str(tmp_path / "x.csv")])
    assert missing.exit_code == 2
    assert "no file" in missing.output and "Fix:" in missing.output
    alone = CliRunner().invoke(cli, ["dedupe", "--incidents", str(a),
                                     "-o", str(tmp_path / "x.csv")])
    assert alone.exit_code == 0, alone.output
    assert "one source only" in alone.stderr
