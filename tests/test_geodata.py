"""The bundled files in geodata/ validate, and carry their sources and precision.

The only test module that reads the bundled data (the gazetteer has its own in
tests/io/test_gazetteer.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dashboard.analysis.dataset import BUNDLED_INCIDENTS, BUNDLED_MILESTONES, BUNDLED_ZONES, load_dataset
from dashboard.core.paths import geodata_dir
from dashboard.io import read_incidents, read_milestones, read_zones, validate

ASTANA_ZONES = {"idlib", "homs-north", "eastern-ghouta", "southwest"}
UCDP, REPORTED = BUNDLED_INCIDENTS
SHARED_UCDP = Path(__file__).resolve().parents[2] / "shared" / "data" / "ucdp_ged_syria_2017_2018.csv"


@pytest.fixture(scope="module")
def ucdp():
    return read_incidents(geodata_dir() / UCDP)


def test_ucdp_validates_with_warnings_only(ucdp):
    frame, report = ucdp
    assert report.errors == [], report.messages("error")
    assert report.kind == "UCDP GED incidents (CSV, gzip)"
    assert report.rows == len(frame) == 8352
    problems = " | ".join(w.problem for w in report.warnings)
    for quirk in ("multi-day events", "where_prec 4-6", "low estimate above best"):
        assert quirk in problems
    assert (frame["dataset"] == "UCDP GED").all()
    assert frame["date"].between("2017-01-01", "2018-12-31").all()
    assert frame["incident_id"].is_unique


@pytest.mark.skipif(not SHARED_UCDP.exists(), reason="../shared/data is not beside this checkout")
def test_ucdp_bundle_holds_every_event_of_the_shared_file(ucdp):
    shared, report = read_incidents(SHARED_UCDP)
    assert report.errors == []
    assert sorted(shared["incident_id"]) == sorted(ucdp[0]["incident_id"])


def test_zones_validate_without_errors():
    frame, report = read_zones(geodata_dir() / BUNDLED_ZONES)
    assert report.errors == [], report.messages("error")
    assert set(frame["zone_id"]) >= ASTANA_ZONES
    assert (frame["boundary_precision"] == "approximate").all()
    assert frame.geometry.is_valid.all()


def test_every_zone_feature_says_approximate_and_cites_a_source():
    doc = json.loads((geodata_dir() / BUNDLED_ZONES).read_text(encoding="utf-8"))
    assert doc["features"]
    for i, feature in enumerate(doc["features"], start=1):
        props = feature["properties"]
        assert props.get("boundary_precision") == "approximate", f"feature {i}"
        assert str(props.get("source") or "").strip(), f"feature {i} has no source"


def test_milestones_validate_and_cite_sources():
    frame, report = read_milestones(geodata_dir() / BUNDLED_MILESTONES)
    assert report.issues == [], report.messages()
    assert len(frame)
    assert (frame["source"].str.strip() != "").all()
    zone_ids = set(frame["zone_id"].dropna())
    assert zone_ids <= ASTANA_ZONES | {"idlib-dmz"}


def test_reported_events_validate_and_cite_sources():
    frame, report = read_incidents(geodata_dir() / REPORTED)
    assert report.errors == [], report.messages("error")
    assert len(frame)
    assert (frame["source"].str.strip() != "").all()


@pytest.mark.parametrize("name", [BUNDLED_ZONES, BUNDLED_MILESTONES, *BUNDLED_INCIDENTS])
def test_validate_guesses_each_bundled_file(name):
    report = validate(geodata_dir() / name)
    assert report.ok, report.messages("error")


def test_provenance_lists_every_bundled_file():
    text = (geodata_dir() / "PROVENANCE.md").read_text(encoding="utf-8")
    for path in geodata_dir().iterdir():
        if path.is_file() and path.name != "PROVENANCE.md":
            assert path.name in text, path.name


def test_bundled_dataset_loads_and_joins():
    data = load_dataset()
    assert set(data.zones["zone_id"]) >= ASTANA_ZONES
    assert not data.synthetic
    assert len(data.incidents) == 8352 + len(read_incidents(geodata_dir() / REPORTED)[0])
    assert data.incidents["zone_id"].notna().any()
    assert set(data.incidents["zone_id"].dropna()) <= set(data.zones["zone_id"])


def test_every_view_renders_on_the_bundled_data(tmp_path):
    """Each *_view function on the real dataset (a smoke test of the whole stack)."""
    from dashboard.app.callbacks import analysis, map_view, session, table, zone_series
    from dashboard.app.callbacks import cards as summary
    from dashboard.app.callbacks import histogram as timeline
    from dashboard.core.settings import Settings
    from dashboard.server.datastore import DataStore

    store = DataStore.load(Settings(session_dir=tmp_path))
    query = "?from=2017-07-01&to=2017-12-31&zone=homs-north"
    figure = timeline.timeline_view(store, None, query, None)
    assert figure["data"] and str(figure["layout"]["shapes"][0]["x0"]).startswith("2017-07-01")
    _cards, count = summary.summary_view(store, None, query, None)
    assert f"of {len(store.base.index):,} incidents, duplicates across sources counted once" in count
    assert zone_series.zone_series_view(store, None, query, None)["data"]
    assert table.table_view(store, None, query, None)
    map_figure, note, drawn = map_view.map_view(store, None, query, None, [], None)
    assert drawn["mode"] == "points" and drawn["shown"] == drawn["total"]
    assert "Zones as they stood on 31 Dec 2017" in note and map_figure["data"]
    assert session.options_view(store.base)
    panel, zone_id, reference = analysis.analysis_view(store, None, query, None, None, 90, 90, 25)
    assert "from 3 Aug 2017 in Northern Homs countryside" in str(panel)
    assert (zone_id, reference) == ("homs-north", "2017-08-03")  # the boxes show what is used
    frame, stem = table.export_frame(store, None, query, None)
    assert table.csv_download(frame, stem)["filename"].endswith(".csv")
    assert table.geojson_download(frame, stem)["filename"].endswith(".geojson")
