"""Two sources whose ids collide: selecting or marking one source's "i07" leaves the
other source's "i07" alone (the lasso, the table and cards it filters, the row click,
the ring and note on the map, the download); a bare id still works as before."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from dash import no_update

from dashboard.analysis.dataset import assemble_dataset
from dashboard.app.callbacks import selection, table
from dashboard.app.callbacks.cards import summary_view
from dashboard.app.callbacks.common import selection_positions
from dashboard.core.settings import Settings
from dashboard.io.milestones import empty_milestones
from dashboard.server.datastore import DataStore
from dashboard.views import incident_keys
from dashboard.views.mapview import build_map
from tests.conftest import INCIDENT_ROWS, ZONE_ROWS, make_incidents, make_zones

# UCDP's i07 and i01 are other events than ACLED's: other places, other days.
UCDP_ROWS = [
    {"incident_id": "i07", "date": "2017-11-20", "lon": 36.62, "lat": 34.82, "dataset": "UCDP"},
    {"incident_id": "i01", "date": "2017-10-15", "lon": 36.85, "lat": 34.97, "dataset": "UCDP"},
]
ACLED_I07 = {"lon": 36.74, "lat": 34.9}   # shared with ACLED's i08
UCDP_I07 = {"lon": 36.62, "lat": 34.82}


@pytest.fixture
def store(tmp_path) -> DataStore:
    rows = [{**row, "dataset": "ACLED"} for row in INCIDENT_ROWS] + UCDP_ROWS
    data = assemble_dataset(make_zones(ZONE_ROWS), make_incidents(rows), empty_milestones(), [])
    return DataStore.from_dataset(data, Settings(session_dir=tmp_path / "s"), "collide")


def named(store, positions) -> list[tuple[str, str]]:
    frame = store.base.index.frame.iloc[positions]
    return sorted(zip(frame["dataset"], frame["incident_id"], strict=True))


def test_a_lasso_on_one_sources_point_selects_only_that_sources_incidents(store):
    picked = selection.selection_view(store, None, "", {"points": [UCDP_I07]})
    assert picked == {"UCDP": ["i07"]}
    assert named(store, selection_positions(store.base, picked)) == [("UCDP", "i07")]


def test_the_selection_filters_the_cards_and_table_by_source_and_id(store):
    picked = selection.selection_view(store, None, "", {"points": [ACLED_I07]})
    assert picked == {"ACLED": ["i07", "i08"]}
    assert summary_view(store, None, "", picked)[1].startswith("2 of ")
    rows, _ = table.table_view(store, None, "", picked)
    assert sorted((r["dataset"], r["incident_id"]) for r in rows) == [
        ("ACLED", "i07"), ("ACLED", "i08")]


def test_a_bare_id_selection_still_names_that_id_in_every_source(store):
    assert named(store, selection_positions(store.base, ["i07"])) == [
        ("ACLED", "i07"), ("UCDP", "i07")]


def test_a_clicked_row_marks_its_own_sources_incident(store):
    far = {"center": [33.5, 36.3], "zoom": 11.0}
    mark, camera = table.highlight_view(store, None, "", far,
                                        [{"incident_id": "i07", "dataset": "UCDP"}])
    assert mark == {"dataset": "UCDP", "id": "i07"}
    assert camera == {"center": [UCDP_I07["lat"], UCDP_I07["lon"]], "zoom": 11.0}


def ring(result) -> list[tuple[float, float]]:
    """(lon, lat) of the highlight ring's points on a built map."""
    traces = [t for t in result.figure["data"] if t.get("name") == "Selected"]
    lon, lat = traces[0]["lon"], traces[0]["lat"]
    return list(zip(np.asarray(lon, float).tolist(), np.asarray(lat, float).tolist(),
                    strict=True))


def test_the_map_rings_and_names_only_the_marked_sources_incident(store):
    view = store.base
    result = build_map(view, view.default, budget=100, mark={"dataset": "UCDP", "id": "i07"})
    assert ring(result) == [pytest.approx((UCDP_I07["lon"], UCDP_I07["lat"]))]
    assert "Marked: incident i07 (UCDP, 20 Nov 2017, Shelling). " in result.note


def test_a_bare_id_mark_still_works_on_one_source(tmp_path):
    data = assemble_dataset(make_zones(ZONE_ROWS), make_incidents(INCIDENT_ROWS),
                            empty_milestones(), [])
    view = DataStore.from_dataset(data, Settings(session_dir=tmp_path / "s"), "one").base
    result = build_map(view, view.default, budget=100, mark="i07")
    assert ring(result) == [pytest.approx((ACLED_I07["lon"], ACLED_I07["lat"]))]
    assert "Marked: incident i07 (31 Dec 2017, Shelling). " in result.note


@pytest.mark.parametrize(("mark", "expected"), [
    (None, None), ("", None), ({"id": "i07"}, None), ({"dataset": "UCDP", "id": 7}, None),
    ("i07", ["i07"]), ({"dataset": "UCDP", "id": "i07"}, {"UCDP": ["i07"]}),
])
def test_mark_keys(mark, expected):
    assert incident_keys.mark_keys(mark) == expected


def test_a_row_without_an_id_marks_nothing(store):
    assert table.highlight_view(store, None, "", None, [{"dataset": "UCDP"}]) == (None, no_update)


@pytest.mark.parametrize("value", [
    "i07", 7, [1, 2], {"UCDP": "i07"}, {"UCDP": [7]}, [["UCDP", "i07"]],
])
def test_a_malformed_selection_is_refused(value):
    with pytest.raises(ValueError, match="selection is not a list of incident ids"):
        incident_keys.checked_selection(value)


def test_the_download_keeps_the_sources_selection(store):
    form = {"state": "", "selection": json.dumps({"UCDP": ["i07"]})}
    response = table.download_response(store, "csv", form)
    lines = response.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert len(lines) == 2 and lines[1].startswith("i07,2017-11-20,")


@pytest.mark.parametrize("bad", [{"UCDP GED": 5}, 7, [None], {"a": {"b": 1}},
                                 {"UCDP GED": [1, 2]}])
def test_a_selection_not_of_its_shape_is_no_selection(bad):
    """What the browser sends can be tampered with: such a selection is ignored (it
    raised a TypeError, shown as "Something went wrong")."""
    from types import SimpleNamespace

    view = SimpleNamespace(index=SimpleNamespace(frame=pd.DataFrame(
        {"dataset": ["UCDP GED"], "incident_id": ["1"]})))
    assert selection_positions(view, bad) is None
