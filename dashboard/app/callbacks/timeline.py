"""The histogram above the date slider, and the window in words."""

from __future__ import annotations

from dash import Input, Output, State

from dashboard.aggregate import weekly_counts
from dashboard.app import ids
from dashboard.app.callbacks.common import resolve, selection_positions
from dashboard.figures import histogram_figure


def date_label(state) -> str:
    days = (state.end - state.start).days + 1
    return f"{state.start:%-d %b %Y} – {state.end:%-d %b %Y} ({days:,} days)"


def timeline_view(store, session_id, query, selection):
    view, state = resolve(store, session_id, query)
    positions = view.index.select(state, ignore_window=True,
                                  within=selection_positions(view, selection))
    weekly = weekly_counts(view.index, positions, span=view.span)
    figure = histogram_figure(weekly, view.dataset.milestones, (state.start, state.end),
                              view.span)
    return figure, date_label(state)


def register(app, store) -> None:
    @app.callback(Output(ids.HISTOGRAM, "figure"), Output(ids.DATE_LABEL, "children"),
                  Input(ids.STATE, "data"), Input(ids.SELECTION, "data"),
                  State(ids.SESSION, "data"))
    def _timeline(query, selection, session_id):
        return timeline_view(store, session_id, query, selection)
