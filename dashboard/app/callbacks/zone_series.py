"""Weekly incidents inside each zone, as small multiples with status periods."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
from dash import Input, Output, State
from dash.exceptions import PreventUpdate

from dashboard.aggregate import weekly_counts
from dashboard.app import ids
from dashboard.app.callbacks.common import filters_key, resolve, selection_positions
from dashboard.figures import zone_series_figure


def zone_series_view(store, session_id, query, selection, previous_key=None):
    """(figure, key); PreventUpdate when only the window moved (the series show every
    date)."""
    view, state = resolve(store, session_id, query)
    key = filters_key(store, session_id, state, selection)
    if key == previous_key:
        raise PreventUpdate
    within = selection_positions(view, selection)
    base = replace(state, zones=())
    positions = view.index.select(base, ignore_window=True, within=within)
    wanted = list(state.zones) or list(dict.fromkeys(view.zones["zone_id"]))
    series = {}
    for zone in wanted:
        mask = view.index.zone_masks.get(zone)
        if mask is None:
            continue
        weekly = weekly_counts(view.index, positions[mask[positions]], span=view.span)
        series[zone] = weekly.sum(axis=1) if len(weekly.columns) else pd.Series(
            0, index=weekly_counts(view.index, positions[:0], span=view.span).index)
    return zone_series_figure(series, view.zones, view.dataset.milestones, view.zone_names(),
                              window=None), key


def register(app, store) -> None:
    @app.callback(Output(ids.ZONE_SERIES, "figure"), Output(ids.ZONE_SERIES_KEY, "data"),
                  Input(ids.STATE, "data"), Input(ids.SELECTION, "data"),
                  State(ids.SESSION, "data"), State(ids.ZONE_SERIES_KEY, "data"))
    def _zone_series(query, selection, session_id, previous_key):
        return zone_series_view(store, session_id, query, selection, previous_key)
