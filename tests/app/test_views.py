"""The *_view functions behind the callbacks, called directly with a DataStore:
count line, cards, empty states, histogram, table, downloads, options, uploads."""

from __future__ import annotations

import base64
import csv
import io
import json
from datetime import date

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from dash import html

from dashboard.analysis.dataset import assemble_dataset
from dashboard.app import ids, panels
from dashboard.app.callbacks import cards as summary
from dashboard.app.callbacks import histogram as timeline
from dashboard.app.callbacks import session, table, uploads, zone_series
from dashboard.app.callbacks.session import option_targets
from dashboard.app.components import CLASS_TABLE_COLUMNS, TABLE_COLUMNS
from dashboard.core.settings import Settings
from dashboard.io.milestones import empty_milestones
from dashboard.io.synth import synthetic_incidents
from dashboard.server.datastore import DataStore
from dashboard.server.sessions import new_session_id, valid_session_id
from dashboard.server.uploads import UploadResult
from tests.conftest import ZONE_ROWS, make_incidents, make_zones

SCRIPT = "<script>alert(1)</script>"
#: Text that a spreadsheet would run, and markup that a browser would render.
NASTY = [
    {"incident_id": "n1", "date": "2017-08-03", "lon": 36.7, "lat": 34.9, "fatalities": 2.0,
     "actor1": "=cmd|' /C calc'!A0", "actor2": "<b>bold</b>", "place": "+SUM(A1)",
     "sub_type": "-2+3", "notes": "@import", "source": SCRIPT},
    {"incident_id": "n2", "date": "2017-08-04", "lon": 36.9, "lat": 34.9, "fatalities": np.nan,
     "actor1": "Government forces", "place": "Tal=bis"},
]
TOWNS = pd.DataFrame({"name": ["Talbiseh"], "lon": [36.73], "lat": [34.84], "population": [38491]})


def store_of(incidents: pd.DataFrame, tmp_path) -> DataStore:
    data = assemble_dataset(make_zones(ZONE_ROWS), incidents, empty_milestones(), [])
    return DataStore.from_dataset(data, Settings(session_dir=tmp_path / "own"), "custom")


def text(component) -> str:
    """Every string inside a component, in order."""
    if component is None:
        return ""
    if isinstance(component, str | int | float):
        return str(component)
    if isinstance(component, list | tuple):
        return " ".join(text(c) for c in component)
    return text(getattr(component, "children", None))


def cards_text(cards) -> list[tuple[str, str, str]]:
    return [tuple(text(part) for part in card.children) for card in cards
            if card.className == "zw-card"]


# Summary --------------------------------------------------------------------------------
@pytest.mark.parametrize(("query", "selection", "line"), [
    pytest.param("", None, "12 of 12 incidents", id="all"),
    pytest.param("?zone=east", None, "1 of 12 incidents", id="zone"),
    pytest.param("?from=2017-09-01&to=2017-09-01", None, "3 of 12 incidents", id="one-day"),
    pytest.param("", ["i06", "i04", "nope"], "2 of 12 incidents", id="lasso"),
    pytest.param("?type=Riots", None, "0 of 12 incidents — widen the dates or clear a filter",
                 id="none"),
    pytest.param("?off=test", None, "0 of 12 incidents — no source is switched on: tick one "
                 "under Sources", id="every-source-off"),
])
def test_count_line(store, query, selection, line):
    assert summary.summary_view(store, None, query, selection)[1] == line


def test_cards(store):
    cards, _ = summary.summary_view(store, None, "?from=2017-09-01&to=2017-10-01", None)
    # 5 incidents (i04, i11, i12, i05, i06) against 2 in Aug 2017 (i02, i03); no fatalities.
    assert cards_text(cards) == [
        ("Incidents", "5", "▲ 150% vs previous 2"),
        ("Fatalities", "0", "no fatalities in the previous window"),
        ("Inside zones", "60%", "of incidents, zones as they stood that day"),
        ("Window", "31 days", "compared with the 31 days before"),
    ]


def test_cards_for_the_whole_span(store):
    cards, _ = summary.summary_view(store, None, "", None)
    assert cards_text(cards) == [
        ("Incidents", "12", "none in previous window"),
        ("Fatalities", "0", "no fatalities in the previous window"),
        ("Inside zones", "58%", "of incidents, zones as they stood that day"),
        ("Window", "377 days", "compared with the 377 days before"),
    ]


@pytest.mark.parametrize(("query", "message"), [
    pytest.param("?type=Riots&zone=east", "No incidents match these filters — widen the dates or "
                 "clear 'Event type'.", id="names-the-first-filter"),
    pytest.param("?from=2017-06-01&to=2017-06-30", "No incidents in these dates — widen the dates.",
                 id="no-filter-only-dates"),
])
def test_empty_state_says_what_to_change(store, query, message):
    cards, _ = summary.summary_view(store, None, query, None)
    assert [c.children for c in cards if c.className == "zw-empty"] == [message]


def test_no_empty_state_when_something_matches(store):
    cards, _ = summary.summary_view(store, None, "?zone=east", None)
    assert [c for c in cards if c.className == "zw-empty"] == []


# Timeline -------------------------------------------------------------------------------
def test_timeline_shows_the_whole_span_with_the_window_shaded(store):
    fig = go.Figure(timeline.timeline_view(store, None, "#base", None, ["2017-08-03", "2017-09-01"]))
    bars = [t for t in fig.data if t.type == "bar"]
    assert [b.name for b in bars] == ["Shelling"]
    assert sum(bars[0].y) == 12  # every date, not just the window
    assert len(bars[0].y) == 55  # Mondays from 1 May 2017 to 14 May 2018
    shaded = [s for s in fig.layout.shapes if s.type == "rect"]
    assert [pd.Timestamp(s.x0) for s in shaded] == [pd.Timestamp("2017-08-03")]


def test_timeline_follows_filters_and_the_lasso(store):
    fig = go.Figure(timeline.timeline_view(store, None, "", ["i06", "i04"]))
    assert sum(fig.data[0].y) == 2
    shaded = [s for s in fig.layout.shapes if s.type == "rect"]  # no window: all dates
    assert (pd.Timestamp(shaded[0].x0), pd.Timestamp(shaded[0].x1)) == (
        pd.Timestamp("2017-05-04"), pd.Timestamp("2018-05-16"))
    fig = go.Figure(timeline.timeline_view(store, None, "?type=Riots", None))
    assert [t for t in fig.data if t.type == "bar"] == []
    assert fig.layout.yaxis.range == pytest.approx((0, 1.18))


# Table and downloads --------------------------------------------------------------------
def test_table_rows_newest_first_with_the_grid_columns(store):
    rows, _note = table.table_view(store, None, "?from=2017-09-01&to=2018-01-01", None)
    assert [r["incident_id"] for r in rows] == ["i08", "i07", "i06", "i05", "i12", "i11", "i04"]
    assert all(list(r) == [c for c, _, _ in TABLE_COLUMNS if c not in CLASS_TABLE_COLUMNS]
               for r in rows)  # no agreement terms: no class columns
    assert rows[1] == {"date": "2017-12-31", "event_type": "Shelling", "sub_type": "",
                       "actor1": "", "actor2": "", "fatalities": 0.0, "place": "",
                       "zone_id": "homs-north", "loc_precision": "exact", "source": "test",
                       "incident_id": "i07", "dataset": "test"}
    assert rows[0]["zone_id"] is None


def test_table_rows_are_capped_at_the_newest(store, monkeypatch):
    monkeypatch.setattr(table, "MAX_TABLE_ROWS", 3)
    rows, _note = table.table_view(store, None, "", None)
    assert [r["incident_id"] for r in rows] == ["i10", "i09", "i08"]


def test_table_keeps_html_as_text(tmp_path):
    rows, _note = table.table_view(store_of(make_incidents(NASTY), tmp_path), None, "", None)
    assert [r["incident_id"] for r in rows] == ["n2", "n1"]
    assert (rows[1]["actor2"], rows[1]["source"], rows[1]["actor1"]) == (
        "<b>bold</b>", SCRIPT, "=cmd|' /C calc'!A0")
    assert rows[0]["fatalities"] is None  # unknown, not 0


def read_csv(download: dict) -> list[dict]:
    assert download["content"].startswith("\ufeff")  # Excel reads it as UTF-8
    return list(csv.DictReader(io.StringIO(download["content"][1:])))


def test_csv_download_neutralises_formulas_and_keeps_numbers(tmp_path):
    store = store_of(make_incidents(NASTY), tmp_path)
    frame, stem = table.export_frame(store, None, "", None)
    download = table.csv_download(frame, stem)
    assert download["filename"] == "zonewatch-20170803-20170804.csv"
    first, second = read_csv(download)
    assert (first["actor1"], first["place"], first["sub_type"], first["notes"]) == (
        "'=cmd|' /C calc'!A0", "'+SUM(A1)", "'-2+3", "'@import")
    assert (first["actor2"], first["source"]) == ("<b>bold</b>", SCRIPT)
    assert (second["place"], second["actor1"]) == ("Tal=bis", "Government forces")
    assert float(second["edge_km"]) < 0  # outside: a negative number, left as a number
    assert not second["edge_km"].startswith("'")
    assert (first["date"], first["fatalities"], second["fatalities"]) == ("2017-08-03", "2.0", "")
    assert list(first) == [c for c in table.EXPORT_COLUMNS if c != "cluster"]  # one source


def test_csv_download_follows_the_filters(store):
    frame, stem = table.export_frame(store, None, "?zone=homs-north&from=2017-08-01&to=2017-12-31",
                                     None)
    assert stem == "zonewatch-20170801-20171231"
    assert [r["incident_id"] for r in read_csv(table.csv_download(frame, stem))] == [
        "i02", "i03", "i04", "i12", "i07"]


def test_geojson_download_parses(store):
    frame, stem = table.export_frame(store, None, "?zone=east", None)
    download = table.geojson_download(frame, stem)
    assert download["filename"] == "zonewatch-20170504-20180515.geojson"
    doc = json.loads(download["content"])
    assert doc["type"] == "FeatureCollection"
    [feature] = doc["features"]
    assert feature["geometry"] == {"type": "Point", "coordinates": [36.9, 34.9]}
    props = feature["properties"]
    assert (props["incident_id"], props["date"], props["zone_id"], props["zone_version"]) == (
        "i06", "2017-10-01", "east", 1)


def test_geojson_download_keeps_text_and_unknowns(tmp_path):
    store = store_of(make_incidents(NASTY), tmp_path)
    doc = json.loads(table.geojson_download(*table.export_frame(store, None, "", None))["content"])
    first, second = (f["properties"] for f in doc["features"])
    assert (first["actor1"], first["source"]) == ("=cmd|' /C calc'!A0", SCRIPT)
    assert second["fatalities"] is None and second["zone_id"] is None


# Zone series ----------------------------------------------------------------------------
def test_zone_series_has_a_panel_per_zone_with_its_weekly_counts(store):
    fig = go.Figure(zone_series.zone_series_view(store, None, "", None))
    assert [a.text for a in fig.layout.annotations] == ["homs-north", "east", "buffer"]
    bars = [t for t in fig.data if t.type == "bar" and t.showlegend is False]
    assert [int(sum(b.y)) for b in bars] == [6, 1, 1]  # nested: i04 counts in both


def test_zone_series_of_the_chosen_zones_follows_the_other_filters(store):
    fig = go.Figure(zone_series.zone_series_view(store, None, "?zone=east&zone=buffer", None))
    assert [a.text for a in fig.layout.annotations] == ["east", "buffer"]
    fig = go.Figure(zone_series.zone_series_view(store, None, "?zone=east&type=Riots", None))
    assert [int(sum(b.y)) for b in fig.data if b.type == "bar" and b.showlegend is False] == [0]


# Options, session, banner ---------------------------------------------------------------
def test_options_view(store):
    options = dict(zip(option_targets(), session.options_view(store.base), strict=True))
    assert options[("filter-types", "options")] == [{"label": "Shelling", "value": "Shelling"}]
    assert options[("filter-sub-types", "options")] == []
    assert options[("filter-zones", "options")] == [
        {"label": "homs-north", "value": "homs-north"}, {"label": "east", "value": "east"},
        {"label": "buffer", "value": "buffer"}]
    assert options[("filter-precision", "options")] == [{"label": " exact", "value": "exact"},
                                                         {"label": " near", "value": "near"}]
    assert options[("filter-sources", "options")] == [{"label": "test", "value": "test"}]
    assert (options[("date-range", "min")], options[("date-range", "max")]) == (0, 376)
    assert options[("date-range", "marks")] == {58: "Jul 2017", 150: "Oct", 242: "Jan 2018",
                                                332: "Apr"}
    assert options[("data-label", "children")] == "test"
    assert options[("synthetic-banner", "children")] == ""
    assert options[("synthetic-banner", "hidden")] is True
    assert "Zone sources" in text(options[("provenance", "children")])


def test_actor_options_split_comma_lists(tmp_path):
    incidents = make_incidents([{"date": "2017-08-03", "lon": 36.7, "lat": 34.9,
                                 "actor1": "HTS, Ahrar al-Sham", "actor2": "Government forces"}])
    options = dict(zip(option_targets(), session.options_view(store_of(incidents, tmp_path).base),
                       strict=True))
    assert [o["value"] for o in options[("filter-actors", "options")]] == [
        "Ahrar al-Sham", "Government forces", "HTS"]


def test_actor_options_are_found_by_their_aliases(tmp_path):
    """The list searches label and ``search``: "Hay'at Tahrir" or "Nusra" finds HTS."""
    incidents = make_incidents([{"date": "2017-08-03", "lon": 36.7, "lat": 34.9,
                                 "actor1": "HTS, Ahrar al-Sham"}])
    options = dict(zip(option_targets(), session.options_view(store_of(incidents, tmp_path).base),
                       strict=True))
    hts = next(o for o in options[("filter-actors", "options")] if o["value"] == "HTS")
    assert {"Hay'at", "Hay’at", "hayat", "Nusra"} <= set(hts["search"].split())


def test_synthetic_data_raises_the_banner_and_marks_the_download(tmp_path):
    store = store_of(synthetic_incidents(30, 2, start="2017-08-01", end="2017-09-30", towns=TOWNS),
                     tmp_path)
    options = dict(zip(option_targets(), session.options_view(store.base), strict=True))
    assert options[("synthetic-banner", "children")].startswith("SYNTHETIC DATA — ")
    assert options[("synthetic-banner", "hidden")] is False
    _, stem = table.export_frame(store, None, "", None)
    assert stem.endswith("-SYNTHETIC")


def test_initial_props_fill_the_first_paint(store):
    props = session.initial_props(store.base)
    assert props["synthetic-banner"] == {"children": "", "hidden": True}
    assert props["date-range"]["max"] == 376


@pytest.mark.parametrize("current", [None, "", "abc", "../" + "a" * 32, "A" * 32])
def test_ensure_session_replaces_a_bad_id(current):
    made = session.ensure_session(current)
    assert valid_session_id(made) and made != current


def test_ensure_session_keeps_a_good_id():
    good = new_session_id()
    assert session.ensure_session(good) == good


# Uploads --------------------------------------------------------------------------------
def as_upload(text_: str) -> str:
    return "data:text/csv;base64," + base64.b64encode(text_.encode("utf-8")).decode("ascii")


GOOD_CSV = "incident_id,date,lon,lat,fatalities\na1,2017-08-03,36.73,34.84,1\n"


def test_upload_view_keeps_a_clean_file(store):
    sid = new_session_id()
    result = uploads.upload_view(store, sid, "incidents", as_upload(GOOD_CSV), "mine.csv")
    assert (result.ok, result.message) == (True, "mine.csv: loaded 1 incident (0 warnings).")
    shown = panels.upload_report(result)
    assert shown.children[0].className == "zw-message zw-ok"
    assert len(store.view_data(sid).index) == 1


HEADER = "incident_id,date,lon,lat,fatalities\n"
WARNING_ROW = "w,2017-08-03,36.7,34.9,1.5\n"  # fatalities not a whole number: a warning


def test_upload_report_lists_errors_first_and_keeps_markup_as_text(store):
    rows = WARNING_ROW + "b0,<b>0</b>,36.7,34.9,1\nb1,<i>1</i>,36.7,34.9,1\n"
    result = uploads.upload_view(store, new_session_id(), "incidents", as_upload(HEADER + rows),
                                 "x.csv")
    assert (result.ok, result.message) == (
        False, "x.csv: 2 errors; nothing was loaded and your previous data is still shown.")
    shown = panels.upload_report(result)
    assert shown.children[0].className == "zw-message zw-error"
    items = shown.children[1].children
    assert [i.children[0].children for i in items] == ["ERROR ", "ERROR ", "WARNING "]
    assert items[0].children[1] == (  # a plain string, so Dash shows the markup as text
        "x.csv, row 3, column 'date': the date cannot be read (value: '<b>0</b>'). "
        "Fix: write dates as YYYY-MM-DD (e.g. 2017-08-03) or '03 August 2017'.")
    assert [i.className for i in items] == ["zw-issue zw-error", "zw-issue zw-error",
                                            "zw-issue zw-warning"]


def test_upload_report_folds_a_long_list(store):
    # 35 bad dates and 35 bad fatalities: the reader keeps 25 of each plus a folded line.
    rows = (WARNING_ROW + "".join(f"d{i},<b>{i}</b>,36.7,34.9,1\n" for i in range(35))
            + "".join(f"f{i},2017-08-03,36.7,34.9,x{i}\n" for i in range(35)))
    result = uploads.upload_view(store, new_session_id(), "incidents", as_upload(HEADER + rows),
                                 "many.csv")
    assert len(result.report.issues) == 53
    items = panels.upload_report(result).children[1].children
    assert len(items) == panels.SHOWN_ISSUES + 1
    assert items[-1].children == "… and 23 more; run 'zonewatch validate many.csv' for all of them."
    assert all(i.children[0].children == "ERROR " for i in items[:-1])


def test_upload_report_of_a_refusal_without_a_report():
    shown = panels.upload_report(UploadResult(False, "x.csv: the upload arrived damaged."))
    assert isinstance(shown, html.Div)
    assert len(shown.children) == 1
    assert shown.children[0].children == "x.csv: the upload arrived damaged."


def test_views_follow_the_sessions_own_upload(store):
    sid = new_session_id()
    uploads.upload_view(store, sid, "incidents", as_upload(GOOD_CSV), "mine.csv")
    assert summary.summary_view(store, sid, "", None)[1] == "1 of 1 incidents"
    assert summary.summary_view(store, None, "", None)[1] == "12 of 12 incidents"
    assert store.view_data(sid).default.start == date(2017, 8, 3)


def test_table_note_says_when_rows_are_cut():
    assert table.table_note(3, 3) == "3 incidents. Click a row to mark it on the map."
    assert table.table_note(5_000, 12_431).startswith("The newest 5,000 of 12,431 matching")


def test_map_redraws_on_camera_moves_only_when_needed():
    from dashboard.views.mapview import redraw_needed

    all_points = {"mode": "points", "shown": 10, "total": 10, "zoom": 6.0}
    in_view = {"mode": "points", "shown": 4, "total": 10, "zoom": 6.0}
    hexes = {"mode": "hexagons", "shown": 0, "total": 10**6, "zoom": 6.0}
    assert not redraw_needed(all_points, 9.0)
    assert redraw_needed(in_view, 6.0)
    assert not redraw_needed(hexes, 6.5)
    assert redraw_needed(hexes, 7.0)
    assert redraw_needed(None, 6.0)


def test_the_window_and_the_filters_reach_the_views_separately(tiny_view):
    from dashboard.app.callbacks.sync import sync_view

    first = sync_view(tiny_view, None, "?from=2017-08-03&to=2017-09-01&type=Shelling", {},
                      None, None, None, None)
    assert first.filters == "?type=Shelling"
    assert first.window == ["2017-08-03", "2017-09-01"]
    values = {"range": [100, 150], "types": ["Shelling"]}
    moved = sync_view(tiny_view, ids.DATE_RANGE, None, values, None, None, None, None)
    assert moved.filters == first.filters and moved.window != first.window
    other = sync_view(tiny_view, ids.TYPES, None, {**values, "types": ["Riots"]}, None, None,
                      None, None)
    assert other.filters == "?type=Riots" and other.window == moved.window


def test_a_new_pages_session_does_not_send_the_options_again(store):
    """The page carries the server data's options; sending them again when the session id
    arrives re-rendered every dropdown (an open one closed under the user's typing)."""
    from dash.exceptions import PreventUpdate

    with pytest.raises(PreventUpdate):
        session.session_options(store, None, ids.SESSION)
    sent = session.session_options(store, None, ids.DATA_VERSION)  # "Back to the server's data"
    assert str(sent) == str(session.options_view(store.base))


def test_the_table_shows_each_rows_dataset_beside_its_date():
    """With several sources ids repeat: the dataset tells rows apart, so it is in sight
    (it was the last column, off-screen), and the cited source is named as such."""
    fields = [field for field, _, _ in TABLE_COLUMNS]
    assert fields[:2] == ["date", "dataset"]
    assert dict((f, h) for f, h, _ in TABLE_COLUMNS)["source"] == "Cited source"
