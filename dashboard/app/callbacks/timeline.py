"""The histogram above the date slider, and the window in words."""

from __future__ import annotations

from dash import Input, Output, Patch, State

from dashboard.aggregate import weekly_counts
from dashboard.app import ids
from dashboard.app.callbacks.common import filters_key, resolve, selection_positions
from dashboard.figures import histogram_figure, window_shape


def date_label(state) -> str:
    days = (state.end - state.start).days + 1
    return f"{state.start:%-d %b %Y} – {state.end:%-d %b %Y} ({days:,} days)"


def timeline_view(store, session_id, query, selection, previous_key=None):
    """(figure or Patch, label, key): a slider move patches only the shaded window."""
    view, state = resolve(store, session_id, query)
    key = filters_key(store, session_id, state, selection)
    if key == previous_key:
        patch = Patch()
        patch["layout"]["shapes"][0] = window_shape((state.start, state.end))
        return patch, date_label(state), key
    positions = view.index.select(state, ignore_window=True,
                                  within=selection_positions(view, selection))
    weekly = weekly_counts(view.index, positions, span=view.span)
    figure = histogram_figure(weekly, view.dataset.milestones, (state.start, state.end),
                              view.span)
    return figure, date_label(state), key


def register(app, store) -> None:
    @app.callback(Output(ids.HISTOGRAM, "figure"), Output(ids.DATE_LABEL, "children"),
                  Output(ids.HISTOGRAM_KEY, "data"),
                  Input(ids.STATE, "data"), Input(ids.SELECTION, "data"),
                  State(ids.SESSION, "data"), State(ids.HISTOGRAM_KEY, "data"))
    def _timeline(query, selection, session_id, previous_key):
        return timeline_view(store, session_id, query, selection, previous_key)
