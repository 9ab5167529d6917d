"""Drag-and-drop uploads: validate, show the located report, keep or refuse."""

from __future__ import annotations

import logging

from dash import Input, Output, State, ctx, html, no_update

from dashboard.app import ids
from dashboard.io.report import ValidationReport
from dashboard.uploads import UploadResult, receive_upload

log = logging.getLogger("zonewatch")
SHOWN_ISSUES = 30


def report_view(result: UploadResult) -> html.Div:
    """The outcome and the located problems, errors first; all text stays text."""
    kind = "zw-message zw-ok" if result.ok else "zw-message zw-error"
    children = [html.Div(result.message, className=kind)]
    report: ValidationReport | None = result.report
    if report is not None and report.issues:
        issues = sorted(report.issues, key=lambda i: {"error": 0, "warning": 1}.get(i.severity, 2))
        items = [html.Li([html.B(i.severity.upper() + " "), i.message(report.path.name)],
                         className=f"zw-issue zw-{i.severity}") for i in issues[:SHOWN_ISSUES]]
        if len(issues) > SHOWN_ISSUES:
            items.append(html.Li(f"… and {len(issues) - SHOWN_ISSUES} more; run "
                                 f"'zonewatch validate {report.path.name}' for all of them."))
        children.append(html.Ul(items, className="zw-issues"))
    return html.Div(children)


def upload_view(store, session_id, role, contents, filename, encoding=None):
    """Receive one upload (``encoding``: the menu's value, "auto" or None to detect)."""
    result = receive_upload(store.sessions, session_id, role, contents, filename,
                            store.settings.upload_max_mb,
                            encoding=None if encoding in (None, "", "auto") else encoding)
    log.info("upload %s (%s): %s", filename, role, result.message)
    return result


def register(app, store) -> None:
    @app.callback(Output(ids.UPLOAD_REPORT, "children"), Output(ids.DATA_VERSION, "data"),
                  Output(ids.URL, "search", allow_duplicate=True),
                  Input(ids.UPLOAD_ZONES, "contents"), Input(ids.UPLOAD_INCIDENTS, "contents"),
                  Input(ids.UPLOAD_RESET, "n_clicks"),
                  State(ids.UPLOAD_ZONES, "filename"), State(ids.UPLOAD_INCIDENTS, "filename"),
                  State(ids.SESSION, "data"), State(ids.UPLOAD_ENCODING, "value"),
                  prevent_initial_call=True)
    def _upload(zones, incidents, _reset, zones_name, incidents_name, session_id, encoding):
        if ctx.triggered_id == ids.UPLOAD_RESET:
            store.sessions.reset(session_id)
            return (html.Div("Back to the server's data.", className="zw-message zw-ok"),
                    "reset", "")
        role, contents, name = (("zones", zones, zones_name) if ctx.triggered_id == ids.UPLOAD_ZONES
                                else ("incidents", incidents, incidents_name))
        if not contents:
            return no_update, no_update, no_update
        result = upload_view(store, session_id, role, contents, name, encoding)
        if not result.ok:
            return report_view(result), no_update, no_update
        files = store.sessions.files(session_id)
        return report_view(result), files.version if files else "", ""
