"""Lasso or box selection on the map cross-filters the other views."""

from __future__ import annotations

from dash import Input, Output, ctx

from dashboard.app import ids, parse


def register(app, store) -> None:
    @app.callback(Output(ids.SELECTION, "data"), Input(ids.MAP, "selectedData"),
                  Input(ids.CLEAR_SELECTION, "n_clicks"), prevent_initial_call=True)
    def _selection(selected, _clear):
        if ctx.triggered_id == ids.CLEAR_SELECTION:
            return None
        return parse.selected_ids(selected)
