"""Several incident sources: the dedup switch changes every figure the same way (count
line, histogram, cards, zone series, the ceasefire numbers, briefing words), sources
switch on and off, and the link round-trips both. One fixture: the tiny world told by
"ACLED" (every tiny incident) and "Field reports" (three of them again, one of its own)."""

from __future__ import annotations

import base64
import io
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from dash import dcc, no_update
from dash.exceptions import PreventUpdate

from dashboard.analysis import sources
from dashboard.analysis.ceasefire import before_after
from dashboard.analysis.dataset import assemble_dataset
from dashboard.analysis.viewdata import view_links
from dashboard.analysis.viewstate import ViewState, decode, encode
from dashboard.app import ids, panels
from dashboard.app.callbacks import sources as sources_cb
from dashboard.app.callbacks import uploads
from dashboard.app.callbacks.cards import summary_view
from dashboard.app.callbacks.histogram import timeline_view
from dashboard.app.callbacks.zone_series import zone_series_view
from dashboard.core.settings import Settings
from dashboard.export.words import counting_words, filter_words
from dashboard.io.milestones import empty_milestones
from dashboard.server.datastore import DataStore
from dashboard.server.sessions import new_session_id
from tests.conftest import INCIDENT_ROWS, ZONE_ROWS, make_incidents, make_zones

TWICE = ("i03", "i06", "i07")  # told again by the field reports: same day, place and kind
FIELD_ROWS = [{**row, "incident_id": f"f-{row['incident_id']}", "dataset": "Field reports"}
              for row in INCIDENT_ROWS if row["incident_id"] in TWICE] + [
    {"incident_id": "f-own", "date": "2017-11-15", "lon": 36.66, "lat": 34.96,
     "dataset": "Field reports"}]  # inside homs-north, no other source has it


def two_sources():
    rows = [{**row, "dataset": "ACLED"} for row in INCIDENT_ROWS] + FIELD_ROWS
    return assemble_dataset(make_zones(ZONE_ROWS), make_incidents(rows), empty_milestones(), [])


@pytest.fixture
def store(tmp_path) -> DataStore:
    return DataStore.from_dataset(two_sources(), Settings(session_dir=tmp_path / "s"), "two")


def card_texts(cards) -> list[str]:
    """Every text in the cards, in order."""
    out = []
    for card in cards:
        for part in [card, *card._traverse()]:
            children = getattr(part, "children", None)
            if isinstance(children, str):
                out.append(children)
    return out


def bar_total(figure) -> int:
    """Incidents in a figure's bars (legend-only bars hold no numbers); a figure or its
    plain data."""
    traces = figure["data"] if isinstance(figure, dict) else figure.to_plotly_json()["data"]
    bars = [list(t["y"]) if t.get("y") is not None else [] for t in traces
            if t.get("type") == "bar"]
    return int(sum(sum(y) for y in bars if y and None not in y))


def figures(store, query: str) -> dict:
    """Each figure's incident count for the link ``query`` (no window: all dates)."""
    cards, line = summary_view(store, None, query, None)
    hist = timeline_view(store, None, query, None)
    series = zone_series_view(store, None, query, None)
    return {"line": line, "card": card_texts(cards)[1],
            "histogram": bar_total(hist), "series": bar_total(series)}


def test_the_clusters_join_each_told_again_event_to_its_first_telling(store):
    view = store.base
    frame = view.index.frame
    cluster_of = dict(zip(frame["incident_id"], view.index.clusters, strict=True))
    assert all(cluster_of[i] == cluster_of[f"f-{i}"] for i in TWICE)
    assert len(set(cluster_of.values())) == 13  # 16 rows, three told twice


def test_the_dedup_switch_changes_every_figure_alike(store):
    on, off = figures(store, ""), figures(store, "?dedup=0")
    assert off["line"] == "16 of 16 incidents"
    assert on["line"] == "13 of 13 incidents, duplicates across sources counted once"
    assert (off["card"], on["card"]) == ("16", "13")
    assert (off["histogram"], on["histogram"]) == (16, 13)
    inside_off, inside_on = off["series"], on["series"]
    assert inside_off - inside_on == 3  # the three told twice are all inside a zone


def test_a_source_switched_off_leaves_one_source_and_nothing_to_count_once(store):
    only_acled = figures(store, "?off=Field+reports")
    assert only_acled["line"] == "12 of 16 incidents"  # one source: every row is its own
    assert only_acled["histogram"] == 12
    field = figures(store, "?off=ACLED")
    assert field["line"] == "4 of 16 incidents"
    assert figures(store, "?off=ACLED&off=Field+reports")["line"].startswith("0 of 16")


def test_the_ceasefire_numbers_count_each_cluster_once(store):
    view = store.base
    on = view.default
    off = replace(on, dedupe=False)

    def counts(positions):
        a = before_after(view.index, view.zones, view.dataset.zone_index,
                         view.dataset.milestones, "homs-north", reference=None,
                         positions=positions)
        return a.inside_before.incidents + a.inside_after.incidents

    rows_off = view.index.select(off, ignore_window=True)
    _, first = np.unique(view.index.clusters[rows_off], return_index=True)
    by_hand = np.sort(rows_off[first])
    assert counts(view.index.select(on, ignore_window=True)) == counts(by_hand)
    assert counts(by_hand) < counts(rows_off)


def test_the_words_say_it_in_the_briefing_and_the_link_keeps_the_switches(store):
    view = store.base
    assert counting_words(view, view.default) == "duplicates across sources counted once"
    off = replace(view.default, dedupe=False, datasets_off=("Field reports",))
    assert counting_words(view, off) is None
    assert filter_words(view, off) == ["Sources off: Field reports",
                                       "Duplicates across sources: each source's report counted"]
    assert encode(off, view.default) == "?off=Field+reports&dedup=0"
    assert decode("?off=Field+reports&dedup=0", view.default).state == off
    assert decode("?dedup=maybe", ViewState()).problems == ["'dedup=maybe' is not 1 or 0; ignored"]


# Uploads add, replace one or replace every source; decisions stay with the session -------
def as_upload(text: str) -> str:
    return "data:text/csv;base64," + base64.b64encode(text.encode()).decode()


#: A third source: i03 told again, and an event of its own.
THIRD_CSV = ("incident_id,date,lon,lat,fatalities,event_type\n"
             "x1,2017-08-03,36.65,34.95,0,Shelling\nx2,2017-12-01,36.9,34.9,0,Shelling\n")


def sources_of(view) -> list[str]:
    return view.index.options("dataset")


def test_an_upload_adds_a_source_replaces_one_or_replaces_every_one(store):
    sid = new_session_id()
    added = uploads.upload_view(store, sid, "incidents", as_upload(THIRD_CSV), "mine.csv",
                                mode="add")
    assert added.message == "mine.csv: loaded 2 incidents as the source 'mine.csv' (0 warnings)."
    view = store.view_data(sid)
    assert sources_of(view) == ["ACLED", "Field reports", "mine.csv"]
    assert len(view.index) == 18
    assert count_of(store, sid) == "14 of 14 incidents, duplicates across sources counted once"
    uploads.upload_view(store, sid, "incidents", as_upload(THIRD_CSV), "again.csv",
                        mode="replace:Field reports")
    view = store.view_data(sid)
    assert sources_of(view) == ["ACLED", "Field reports", "mine.csv"]  # renamed in place
    assert (view.index.frame["dataset"] == "Field reports").sum() == 2
    uploads.upload_view(store, sid, "incidents", as_upload(THIRD_CSV), "only.csv", mode="all")
    assert sources_of(store.view_data(sid)) == ["only.csv"]
    assert count_of(store, sid) == "2 of 2 incidents"  # one source: nothing to count once
    assert sources_of(store.view_data(new_session_id())) == ["ACLED", "Field reports"]


def count_of(store, sid, query: str = "") -> str:
    return summary_view(store, sid, query, None)[1]


def test_decisions_change_the_clusters_and_survive_a_new_server_process(store, tmp_path):
    sid = new_session_id()
    links = view_links(store.view_data(sid))
    first = links.iloc[0]
    key = (first["dataset_a"], first["id_a"], first["dataset_b"], first["id_b"])
    assert count_of(store, sid).startswith("13 of 13")
    assert sources_cb.decide_view(store, sid, ids.link_decision(key, "rejected"), 1)
    assert count_of(store, sid).startswith("14 of 14")  # two events now, each counted
    again = DataStore.from_dataset(two_sources(), store.settings, "two")  # a restart
    assert count_of(again, sid).startswith("14 of 14")
    csv = pd.read_csv(io.StringIO(sources_cb.export_view(again, sid)["content"]))
    assert list(csv.columns) == sources.EXPORT_COLUMNS
    assert csv.set_index("id_b").loc[key[3], ["decision", "clustered"]].tolist() == [
        "rejected", "no"]
    sources_cb.decide_view(again, sid, ids.link_decision(key, "rejected"), 2)  # taken back
    assert count_of(again, sid).startswith("13 of 13")
    with pytest.raises(PreventUpdate):  # a button drawn, not clicked
        sources_cb.decide_view(again, sid, ids.link_decision(key, "confirmed"), None)


def test_a_small_source_gets_its_own_panel_and_scale_beside_a_big_one():
    """Five field reports beside UCDP's hundreds a week: one panel per source, each
    with its own y axis, titled with its name and total, in the map's source colours,
    the figure as tall as its panels need."""
    from dashboard.views.palette import source_colours
    from dashboard.views.sources import source_weeks_figure

    weeks = pd.date_range("2017-07-03", periods=6, freq="7D", name="week")
    weekly = pd.DataFrame({"Field reports": [1, 0, 2, 0, 0, 2],
                           "UCDP GED": [300, 280, 310, 290, 305, 295]}, index=weeks)
    fig = source_weeks_figure(weekly, "Homs", "3 Jul – 13 Aug 2017", ["UCDP GED",
                                                                       "Field reports"])
    field, ucdp = fig.data
    assert (field.yaxis, ucdp.yaxis) == ("y", "y2")  # two y axes...
    assert fig.layout.yaxis.matches is None and fig.layout.yaxis2.matches is None  # ...free
    assert fig.layout.xaxis.matches == "x2"  # the weeks line up
    titles = [a.text for a in fig.layout.annotations]
    assert titles[:2] == ["<b>Field reports</b> · 5 incidents · at most 2 a week",
                          "<b>UCDP GED</b> · 1,780 incidents · at most 310 a week"]
    colours = source_colours(["UCDP GED", "Field reports"])
    assert (field.marker.color, ucdp.marker.color) == (colours["Field reports"],
                                                       colours["UCDP GED"])
    assert fig.layout.yaxis.dtick == 1 and fig.layout.yaxis2.dtick is None  # counts: whole
    assert fig.layout.height > source_weeks_figure(weekly[["UCDP GED"]], "", "").layout.height
    empty = source_weeks_figure(weekly.iloc[:, :0], "Homs", "")
    assert "No incidents from any source" in str(empty.layout.annotations)


def test_the_sources_tab_compares_the_sources_in_a_zone(store):
    panel = sources_cb.sources_view(store, None, "", "homs-north")
    figure = next(c.figure for c in panel if isinstance(c, dcc.Graph))
    assert [t.name.split(" (")[0] for t in figure.data] == ["ACLED", "Field reports"]
    assert "Northern" not in figure.layout.title.text and "homs-north" in figure.layout.title.text
    assert "Incidents per week" in [a.text for a in figure.layout.annotations]
    text = str(panel)
    assert "Likely duplicates to review" in text and "only in Field reports" in text
    assert "f-i03" in text and "f-i07" in text  # homs-north's events told twice
    assert "f-i06" not in text  # east's


def test_the_review_names_how_many_links_and_shows_the_best(store):
    view = store.base
    everything = view.index.select(replace(view.default, dedupe=False))
    review = sources.links_to_review(view.index, view_links(view), everything, limit=1)
    assert len(review) == 1 and review.attrs["total"] >= 3
    assert review["score"].iloc[0] == view_links(view)["score"].max()
    assert "the best 1 shown" in str(panels.sources_panel(None, review.iloc[:0], alone_of(view),
                                                          review, ""))
    alone = alone_of(view)
    assert alone.to_dict() == {"ACLED": 9, "Field reports": 1}  # 12 - 3 told twice; f-own


def alone_of(view):
    return sources.only_counts(view.index, view.index.select(replace(view.default,
                                                                      dedupe=False)))


def test_one_source_has_no_links_and_an_empty_csv(tmp_path):
    one = DataStore.from_dataset(
        assemble_dataset(make_zones(ZONE_ROWS), make_incidents(INCIDENT_ROWS),
                         empty_milestones(), []), Settings(session_dir=tmp_path / "s"), "one")
    assert view_links(one.base) is None and one.base.index.clusters is None
    assert sources_cb.export_view(one, None)["content"].strip() == ",".join(
        sources.EXPORT_COLUMNS)
    panel = sources_cb.sources_view(one, None, "", None)
    assert "One source on: nothing to compare" in str(panel)
    figure = next(c.figure for c in panel if isinstance(c, dcc.Graph))
    assert figure.layout.annotations[0].text.startswith("<b>test</b> · 12 incidents")  # a
    # slide names its one source too


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_counting_once_keeps_the_rows_dedupe_count_once_keeps(seed):
    """The index's sorted-once shortcut and ``dedupe.count_once`` agree on any selection."""
    from dashboard.analysis.dedupe import count_once
    from dashboard.analysis.index import IncidentIndex

    rng = np.random.default_rng(seed)
    n = 400
    rows = [{"incident_id": f"r{i}", "date": f"2017-08-{1 + i % 28:02d}", "lon": 36.7,
             "lat": 34.9, "loc_precision": str(rng.choice(["exact", "near", "district"]))}
            for i in range(n)]
    frame = make_incidents(rows).assign(cluster=rng.integers(0, 150, n))
    index = IncidentIndex(frame)
    for _ in range(5):
        positions = np.flatnonzero(rng.random(n) < rng.random())
        mask = np.zeros(n, dtype=bool)
        mask[positions] = True
        expected = np.flatnonzero(count_once(mask, index.clusters,
                                             index.frame["precision_km"].to_numpy()))
        assert index.once_per_cluster(positions).tolist() == expected.tolist()


def test_the_links_csv_has_the_columns_of_zonewatch_dedupe_and_the_decision():
    from dashboard.cli_dedupe import OUTPUT_COLUMNS

    assert [*OUTPUT_COLUMNS, "decision"] == sources.EXPORT_COLUMNS



def test_the_map_colours_by_source_as_the_sources_tab_does(store):
    """'by source' on the map: one trace per source, in the colour its bars have on the
    Sources tab; a source keeps its colour when the other is switched off."""
    from dashboard.app.callbacks.map_view import map_view
    from dashboard.views import roles

    def drawn(figure) -> dict[str, str]:
        return {t["name"]: t["marker"]["color"] for t in figure["data"]
                if t.get("meta") == roles.meta(roles.INCIDENTS)}

    figure, *_ = map_view(store, None, "", None, [], None, colour_by="source")
    colours = drawn(figure)
    assert set(colours) == {"ACLED", "Field reports"} and len(set(colours.values())) == 2
    assert {t.get("legendgrouptitle", {}).get("text") for t in figure["data"]
            if t.get("legendgroup") == "types"} == {"Incidents by source (size: fatalities)"}
    panel = sources_cb.sources_view(store, None, "", None)
    bars = next(c.figure for c in panel if isinstance(c, dcc.Graph)).data
    assert {t.name.split(" (")[0]: t.marker.color for t in bars} == colours
    alone, *_ = map_view(store, None, "?off=ACLED", None, [], None, colour_by="source")
    assert drawn(alone) == {"Field reports": colours["Field reports"]}


def test_a_decision_that_cannot_be_kept_is_said_and_earlier_ones_stay(store, monkeypatch):
    """A tampered button (an unknown decision, a bad key) changes nothing; a session out
    of room for decisions gets a message, and the decisions kept before stay."""
    from dashboard.server import sessions as sessions_module

    sid = new_session_id()
    links = view_links(store.view_data(sid))
    keys = [tuple(row) for row in links[["dataset_a", "id_a", "dataset_b", "id_b"]].to_numpy()]
    version, message = sources_cb.decide_view(store, sid, ids.link_decision(keys[0], "rejected"), 1)
    assert message is no_update and version
    for bad in ({**ids.link_decision(keys[1], "rejected"), "decision": "delete"},
                {**ids.link_decision(keys[1], "rejected"), "key": "not json"}):
        with pytest.raises(PreventUpdate):
            sources_cb.decide_view(store, sid, bad, 1)
    monkeypatch.setattr(sessions_module, "MAX_DECISIONS", 1)
    version, message = sources_cb.decide_view(store, sid, ids.link_decision(keys[1], "confirmed"), 1)
    assert version is no_update
    assert "Decision not kept: a session keeps at most 1 decisions. Fix:" in str(message)
    kept = sources.decision_map(sources_cb.decisions_of(store, sid))
    assert kept[keys[0]] == "rejected" and keys[1] not in kept


def test_replacing_a_source_the_data_does_not_have_is_refused_and_changes_nothing(store):
    """A tampered "replace:<name>" (the menu lists only the sources shown) is said, not
    taken for a new source: the sources, the counts and the server's sources stay."""
    sid = new_session_id()
    uploads.upload_view(store, sid, "incidents", as_upload(THIRD_CSV), "mine.csv", mode="add")
    before = store.sessions.files(sid)
    for tampered in ("replace:Nobody", "replace:", "replace:mine.csv "):
        result = uploads.upload_view(store, sid, "incidents", as_upload(THIRD_CSV), "x.csv",
                                     mode=tampered)
        assert not result.ok
        assert result.message.startswith(
            f"x.csv: there is no source '{tampered.removeprefix('replace:')}' to replace")
        assert "nothing was loaded" in result.message and "Fix:" in result.message
        assert store.sessions.files(sid) == before
        assert sources_of(store.view_data(sid)) == ["ACLED", "Field reports", "mine.csv"]
    fresh = new_session_id()
    refused = uploads.upload_view(store, fresh, "incidents", as_upload(THIRD_CSV), "x.csv",
                                  mode="replace:mine.csv")  # another session's source
    assert not refused.ok and store.sessions.files(fresh) is None
    assert uploads.upload_view(store, sid, "incidents", as_upload(THIRD_CSV), "x.csv",
                               mode="replace:mine.csv").ok  # the session's own: kept
