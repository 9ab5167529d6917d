"""Browser-side behaviour: playback and copying the link.

Playback runs in the browser (assets/playback.js): on Play it fetches the matching
incidents once from ``/zonewatch/playback`` (dashboard.playback) and draws every frame
itself, advancing only when the previous frame is on screen. The server hears of the
window again when playback stops, and redraws every view for it. With too many
incidents for the browser, each tick of the Play timer moves the slider and the server
redraws instead.
"""

from __future__ import annotations

import logging

from dash import ClientsideFunction, Input, Output, State
from flask import jsonify, request

from dashboard.app import ids
from dashboard.app.callbacks.common import resolve
from dashboard.errors import ZoneWatchError
from dashboard.playback import playback_payload

PLAYBACK_URL = "/zonewatch/playback"
log = logging.getLogger("zonewatch")


def playback_response(store, session_id: str | None, state_data: str | None) -> tuple[dict, int]:
    """(JSON body, HTTP status) for the playback data of a session's current state."""
    try:
        view, state = resolve(store, session_id, state_data)
        return playback_payload(view, state), 200
    except ZoneWatchError as err:
        return {"error": str(err)}, 400


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def register(app, store) -> None:
    @app.server.route(PLAYBACK_URL, methods=["POST"])
    def _playback():
        # The session id is the only credential: it comes in the body, never in the URL,
        # where proxies and access logs would keep it.
        sent = request.get_json(silent=True)
        sent = sent if isinstance(sent, dict) else {}
        body, status = playback_response(store, _text(sent.get("session")),
                                         _text(sent.get("state")))
        if status != 200:
            log.warning("playback data refused: %s", body["error"])
        return jsonify(body), status

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
        State(ids.STATE, "data"), State(ids.SESSION, "data"), State(ids.PLAY_STEP, "value"),
        State(ids.WINDOW, "data"),
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
