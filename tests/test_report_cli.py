"""``zonewatch report`` on the bundled data."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from dashboard.cli import cli
from dashboard.core.paths import geodata_dir


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


@pytest.fixture
def classify_or_stub(monkeypatch):
    """The real classifier once dashboard.analysis.classify exists; until then a stand-in
    that calls every incident it is given a violation (these tests check the report's
    shape, not the rules: tests/analysis has those)."""
    import importlib.util

    import pandas as pd

    from dashboard.analysis import ceasefire

    if importlib.util.find_spec("dashboard.analysis.classify") is None:
        monkeypatch.setattr(ceasefire, "_classify", lambda incidents, terms, nv=frozenset():
                            pd.DataFrame({"classification": "violation",
                                          "classification_reason": "stub",
                                          "agreement_id": "north-homs-2017"},
                                         index=incidents.index))


def test_rp004_json_with_bundled_terms_lists_commitments_and_class_counts(classify_or_stub):
    result = CliRunner().invoke(cli, ["report", "--zone", "homs-north", "--terms", "bundled",
                                      "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert [c["id"] for c in doc["commitments"]] == ["aid", "detainees", "highway", "observers"]
    for c in doc["commitments"]:
        assert {"id", "text", "due", "status", "evidence_ids", "source"} <= set(c)
        assert c["status"] in ("kept", "late", "no_evidence", "broken")
        assert c["source"] == "Syria Direct, 3 Aug 2017"
        assert (c["status"] == "no_evidence") == (c["evidence_ids"] == [])
    terms = doc["terms"]
    assert terms["agreements"][0]["id"] == "north-homs-2017"
    assert sum(terms["classes"].values()) == doc["inside_after"]["incidents"]
    assert {"violations", "permitted", "unclear", "non_party"} <= set(terms)
    assert "Strikes on Hay'at Tahrir al-Sham from 10 Sep 2017 are not counted as violations" \
        in doc["sentence"]


def test_rp005_markdown_terms_section_with_sources(classify_or_stub):
    result = CliRunner().invoke(cli, ["report", "--zone", "homs-north", "--terms", "bundled"])
    assert result.exit_code == 0, result.output
    section = result.output.split("\n## Terms\n", 1)[1].split("\n## ", 1)[0]
    assert "**North Homs ceasefire** (north-homs-2017), in effect from 3 Aug 2017 12:00; " \
        "source: Syria Direct, 3 Aug 2017." in section
    assert "- Government and allies (government): also Government of Syria" in section
    assert "strikes on Hay'at Tahrir al-Sham from 10 Sep 2017 are not counted as violations; " \
        "source: Syria Direct, 3 Aug 2017" in section
    assert "Commitments as of " in section
    assert section.count("; source: Syria Direct, 3 Aug 2017") >= 5   # exemption + 4 promises


def test_rp006_without_terms_no_terms_section_and_bad_terms_options(tmp_path):
    runner = CliRunner()
    plain = runner.invoke(cli, ["report", "--zone", "homs-north", "--format", "json"])
    assert plain.exit_code == 0, plain.output
    assert "commitments" not in json.loads(plain.output)
    result = runner.invoke(cli, ["report", "--zone", "homs-north", "--terms",
                                 str(tmp_path / "missing.json")])
    assert result.exit_code == 2 and "no file" in result.output
    zones = geodata_dir() / "syria-2017-zones.geojson"            # named, so not 'bundled'
    result = runner.invoke(cli, ["report", "--zone", "homs-north", "--terms", "bundled",
                                 "--zones", str(zones)])
    assert result.exit_code == 2 and "the bundled terms name the bundled zones" in result.output
