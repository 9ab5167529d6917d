"""Lasso or box selection on the map cross-filters the other views.

The map sends no incident ids (see ``figures.incident_traces``): a selected point
stands for every incident the filters keep at its coordinates, so a lasso around a
point several incidents share selects them all.
"""

from __future__ import annotations

import numpy as np
from dash import Input, Output, State, ctx

from dashboard.app import ids
from dashboard.app.callbacks.common import resolve
from dashboard.views.figures import point_keys
from dashboard.views.incident_keys import selection_of


def selected_points(selected: dict | None) -> tuple[np.ndarray, np.ndarray] | None:
    """(lon, lat) of the selected map points (hexagons and zones, which have no
    coordinates of their own, left out); None when nothing is selected."""
    if not isinstance(selected, dict) or not isinstance(selected.get("points"), list) \
            or not selected["points"]:
        return None
    lon, lat = [], []
    for point in selected["points"]:
        if not isinstance(point, dict):
            continue
        x, y = point.get("lon"), point.get("lat")
        if isinstance(x, int | float) and isinstance(y, int | float):
            lon.append(x)
            lat.append(y)
    return np.array(lon, dtype="float64"), np.array(lat, dtype="float64")


def selection_view(store, session_id, query, selected) -> dict[str, list[str]] | None:
    """``{dataset: [incident ids]}`` of the incidents the filters keep at the selected
    points' coordinates (ids repeat across sources: the source says which)."""
    points = selected_points(selected)
    if points is None:
        return None
    view, state = resolve(store, session_id, query)
    positions = view.index.select(state)
    keys = point_keys(view.index.lon[positions], view.index.lat[positions])
    keep = positions[np.isin(keys, point_keys(*points))]
    return selection_of(view.index.frame, keep)


def register(app, store) -> None:
    @app.callback(Output(ids.SELECTION, "data"), Input(ids.MAP, "selectedData"),
                  Input(ids.CLEAR_SELECTION, "n_clicks"), State(ids.STATE, "data"),
                  State(ids.SESSION, "data"), prevent_initial_call=True)
    def _selection(selected, _clear, query, session_id):
        if ctx.triggered_id == ids.CLEAR_SELECTION:
            return None
        return selection_view(store, session_id, query, selected)
