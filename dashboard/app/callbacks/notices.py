"""Telling a person, once, that their uploaded data was deleted on the server.

Sessions idle past the TTL, or idle and in the way of someone else's upload, are
deleted (dashboard.server.sessions); the views then quietly fall back to the server's data.
The filters store names the data it was made for (``…#base`` once the uploads are
gone), so it changes then, and this callback shows why, after the sync callback has
written its own messages. It listens to the filters, not the whole state, so a slider
move costs no extra request.
"""

from __future__ import annotations

from dash import Input, Output, State, html
from dash.exceptions import PreventUpdate

from dashboard.app import ids


def notice_view(store, session_id: str | None) -> list:
    """The removal notice for the session (consumed: shown once), else PreventUpdate."""
    text = store.sessions.notice(session_id)
    if text is None:
        raise PreventUpdate
    return [html.Div(text, className="zw-message zw-warning")]


def register(app, store) -> None:
    @app.callback(Output(ids.MESSAGES, "children", allow_duplicate=True),
                  Input(ids.FILTERS, "data"), State(ids.SESSION, "data"),
                  prevent_initial_call=True)
    def _notice(_filters, session_id):
        return notice_view(store, session_id)
