"""Browser-side behaviour: playback and copying the link.

Playback runs in the browser: each tick moves the window; the server only redraws.

The step logic is a small clientside function (assets/playback.js) so frames do not
wait on a server round trip to advance.
"""

from __future__ import annotations

from dash import ClientsideFunction, Input, Output, State

from dashboard.app import ids


def register(app, store) -> None:
    app.clientside_callback(  # "Copy link" copies the page's own URL, which holds the view
        "function (n) { return window.location.href; }",
        Output(ids.COPY_LINK, "content"), Input(ids.COPY_LINK, "n_clicks"),
        prevent_initial_call=True,
    )
    app.clientside_callback(
        ClientsideFunction(namespace="zonewatch", function_name="toggle"),
        Output(ids.PLAY_TIMER, "disabled"), Output(ids.PLAY, "children"),
        Output(ids.PLAY_TIMER, "interval"),
        Output(ids.DATE_RANGE, "value", allow_duplicate=True),
        Input(ids.PLAY, "n_clicks"), Input(ids.PLAY_SPEED, "value"),
        State(ids.PLAY_TIMER, "disabled"), State(ids.DATE_RANGE, "value"),
        State(ids.DATE_RANGE, "min"), State(ids.DATE_RANGE, "max"),
        State(ids.PLAY_WINDOW, "value"), State(ids.PLAY_MODE, "value"),
        prevent_initial_call=True,
    )
    app.clientside_callback(
        ClientsideFunction(namespace="zonewatch", function_name="step"),
        Output(ids.DATE_RANGE, "value", allow_duplicate=True),
        Output(ids.PLAY_TIMER, "disabled", allow_duplicate=True),
        Output(ids.PLAY, "children", allow_duplicate=True),
        Input(ids.PLAY_TIMER, "n_intervals"),
        State(ids.DATE_RANGE, "value"), State(ids.DATE_RANGE, "min"), State(ids.DATE_RANGE, "max"),
        State(ids.PLAY_STEP, "value"), State(ids.PLAY_WINDOW, "value"),
        State(ids.PLAY_MODE, "value"),
        prevent_initial_call=True,
    )
