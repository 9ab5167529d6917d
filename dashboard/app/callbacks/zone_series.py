"""Weekly incidents inside each zone, as small multiples with status periods.

The series show every date, so they follow the filters (``FILTERS``), not the window.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
from dash import Input, Output, State

from dashboard.analysis.aggregate import weekly_counts
from dashboard.app import ids
from dashboard.app.callbacks.common import resolve, selection_positions
from dashboard.views.figures import zone_series_figure_dict


def zone_series_view(store, session_id, filters, selection):
    view, state = resolve(store, session_id, filters)
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
    return zone_series_figure_dict(series, view.zones, view.dataset.milestones, view.zone_names(),
                              window=None)


def register(app, store) -> None:
    @app.callback(Output(ids.ZONE_SERIES, "figure"),
                  Input(ids.FILTERS, "data"), Input(ids.SELECTION, "data"),
                  State(ids.SESSION, "data"))
    def _zone_series(filters, selection, session_id):
        return zone_series_view(store, session_id, filters, selection)
