"""The histogram above the date slider: every date, whatever the window.

It is redrawn when the filters or the lasso selection change, not when the window
moves: the window's shading and the date label follow in the browser
(assets/views.js, from the ``WINDOW`` store).
"""

from __future__ import annotations

from dash import ClientsideFunction, Input, Output, State

from dashboard.analysis.aggregate import weekly_counts
from dashboard.app import ids
from dashboard.app.callbacks.common import resolve, selection_positions
from dashboard.views.figures import histogram_figure_dict


def timeline_view(store, session_id, filters, selection, window=None):
    """The histogram for the filters (a query string without window) with ``window``
    ([first, last] ISO days) shaded."""
    view, state = resolve(store, session_id, filters)
    positions = view.index.select(state, ignore_window=True,
                                  within=selection_positions(view, selection))
    weekly = weekly_counts(view.index, positions, span=view.span)
    shaded = tuple(window) if window else (state.start, state.end)
    return histogram_figure_dict(weekly, view.dataset.milestones, shaded, view.span)


def register(app, store) -> None:
    @app.callback(Output(ids.HISTOGRAM, "figure"),
                  Input(ids.FILTERS, "data"), Input(ids.SELECTION, "data"),
                  State(ids.SESSION, "data"), State(ids.WINDOW, "data"))
    def _timeline(filters, selection, session_id, window):
        return timeline_view(store, session_id, filters, selection, window)

    app.clientside_callback(  # the date label and the histogram's shading
        ClientsideFunction(namespace="zonewatch_views", function_name="window"),
        Output(ids.DATE_LABEL, "children"),
        Output(ids.HISTOGRAM, "figure", allow_duplicate=True),
        Input(ids.WINDOW, "data"), State(ids.HISTOGRAM, "figure"),
        prevent_initial_call=True,
    )
