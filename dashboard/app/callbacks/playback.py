"""Browser-side behaviour: playback and copying the link.

Playback runs in the browser (assets/playback.js): on Play it fetches the matching
incidents and the frames of the chosen range once from ``/zonewatch/playback``
(dashboard.views.playback_data; the frames follow dashboard.analysis.frames, as the GIF's do) and draws
every frame itself, advancing only when the previous frame is on screen. The server
hears of the window again when playback pauses (the frame shown) or ends (the range),
and redraws every view for it. With too many incidents for the browser, each tick of
the Play timer moves the slider and the server redraws instead.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import timedelta

from dash import ClientsideFunction, Input, Output, State
from flask import jsonify, request

from dashboard.analysis.viewdata import ViewData
from dashboard.analysis.viewstate import ViewState, play_values
from dashboard.app import ids
from dashboard.app.callbacks.common import resolve
from dashboard.core.errors import ZoneWatchError
from dashboard.views.playback_data import playback_payload

PLAYBACK_URL = "/zonewatch/playback"
log = logging.getLogger("zonewatch")


def playback_state(view: ViewData, state: ViewState, sent: dict) -> ViewState:
    """The state whose frames the browser asks for: the range it plays (``range``, the
    slider's [first, last] offsets; else the state's window) with the playback controls'
    ``step``, ``window`` and ``mode``, each read as a link reads it (a value that cannot
    be used keeps the state's)."""
    values = play_values({key: sent.get(key) for key in ("step", "window", "mode")})
    span = view.span
    last = (span[1] - span[0]).days
    lo_hi = sent.get("range")
    if isinstance(lo_hi, list) and len(lo_hi) == 2 and \
            all(type(v) is int and 0 <= v <= last for v in lo_hi) and lo_hi[0] <= lo_hi[1]:
        values["start"], values["end"] = (span[0] + timedelta(days=v) for v in lo_hi)
    return replace(state, **values)


def playback_response(store, session_id: str | None, state_data: str | None,
                      sent: dict | None = None) -> tuple[dict, int]:
    """(JSON body, HTTP status) for the playback data of a session's current state and
    the range and settings the browser plays (``sent``, see ``playback_state``)."""
    try:
        view, state = resolve(store, session_id, state_data)
        return playback_payload(view, playback_state(view, state, sent or {})), 200
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
                                         _text(sent.get("state")), sent)
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
        State(ids.PLAY_WINDOW, "value"), State(ids.PLAY_MODE, "value"),
        State(ids.STATE, "data"), State(ids.SESSION, "data"), State(ids.PLAY_STEP, "value"),
        prevent_initial_call=True,
    )
    app.clientside_callback(
        ClientsideFunction(namespace="zonewatch", function_name="step"),
        Output(ids.DATE_RANGE, "value", allow_duplicate=True),
        Output(ids.PLAY_TIMER, "disabled", allow_duplicate=True),
        Output(ids.PLAY, "children", allow_duplicate=True),
        Input(ids.PLAY_TIMER, "n_intervals"),
        prevent_initial_call=True,
    )
