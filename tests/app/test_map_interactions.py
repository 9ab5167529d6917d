"""Row clicks bring the incident into view; a lasso selects every incident at the
points it holds (stacked ones included)."""

from __future__ import annotations

import pytest
from dash import no_update

from dashboard.app.callbacks import selection, table
from dashboard.views.mapview import in_sight

FAR = {"center": [33.5, 36.3], "zoom": 11.0}    # Damascus, zoomed in: north Homs off-screen
NEAR = {"center": [34.9, 36.74], "zoom": 11.0}  # on i07/i08's point (36.74 E, 34.9 N)


@pytest.mark.parametrize(("camera", "expected"), [
    (FAR, {"center": [34.9, 36.74], "zoom": 11.0}),   # moved to it, zoom kept
    (NEAR, no_update),                                # in sight: the map stays put
])
def test_a_clicked_row_is_brought_into_view(store, camera, expected):
    rows = [{"incident_id": "i07"}]
    highlight, moved = table.highlight_view(store, None, "", camera, rows)
    assert highlight == "i07"
    assert moved == expected


def test_the_default_camera_is_used_when_the_map_never_moved(store):
    highlight, moved = table.highlight_view(store, None, "", None, [{"incident_id": "i07"}])
    assert (highlight, moved) == ("i07", no_update)  # the tiny data's camera shows it all


@pytest.mark.parametrize(("rows", "expected"), [
    (None, (None, no_update)), ([], (None, no_update)),
    ([{"incident_id": "no-such"}], ("no-such", no_update)),
])
def test_no_row_or_an_unknown_id_moves_nothing(store, rows, expected):
    assert table.highlight_view(store, None, "", FAR, rows) == expected


def test_in_sight_keeps_a_margin_inside_the_assumed_map():
    center, zoom = (34.9, 36.7), 10.0
    assert in_sight(center, zoom, 36.7, 34.9)
    assert not in_sight(center, zoom, 36.7 + 0.5, 34.9)  # about 730 px east: off a 1000 px map


@pytest.mark.parametrize(("points", "expected"), [
    # i07 and i08 share (36.74, 34.9): the one point drawn there selects both.
    ([{"lon": 36.74, "lat": 34.9, "curveNumber": 3, "pointNumber": 0}], {"test": ["i07", "i08"]}),
    ([{"lon": 36.675, "lat": 34.875}, {"location": "hex-0", "customdata": 4}], {"test": ["i04"]}),
    ([{"location": "east"}, "junk", {"lon": "x", "lat": 1}], {}),
])
def test_a_lasso_selects_every_incident_at_its_points(store, points, expected):
    assert selection.selection_view(store, None, "", {"points": points}) == expected


def test_a_lasso_respects_the_filters(store):
    selected = {"points": [{"lon": 36.74, "lat": 34.9}]}
    assert selection.selection_view(store, None, "?to=2017-12-31", selected) == {"test": ["i07"]}


@pytest.mark.parametrize("selected", [None, {}, {"points": []}, {"points": "x"}])
def test_nothing_selected_is_no_selection(store, selected):
    assert selection.selection_view(store, None, "", selected) is None
