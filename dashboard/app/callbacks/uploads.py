"""Drag-and-drop uploads: validate, show the located report over the page, keep or
refuse; a refused file's valid rows can be loaded alone and its rejected rows
downloaded.

The rejected rows download like the table's: the button POSTs the session id in the
body (never in a URL) to ``/zonewatch/rejected``, which sends the session's CSV.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from dash import Input, Output, State, ctx, html, no_update

from dashboard.analysis.describe import plural
from dashboard.app import ids
from dashboard.app.panels import upload_report
from dashboard.server.sessions import ADD, REPLACE, REPLACE_ALL, mode_problem
from dashboard.server.uploads import UploadResult, accept_valid_rows, receive_upload, rejected_csv

log = logging.getLogger("zonewatch")
REJECTED_URL = "/zonewatch/rejected"


@dataclass(frozen=True)
class Shown:
    """What an upload's outcome puts on the page."""

    sidebar: object           # the short outcome in the upload panel
    dialog_hidden: bool       # the report over the page: shown unless all went cleanly
    dialog: object
    valid_only_label: str     # "Load the 98 valid rows only"
    valid_only_hidden: bool
    rejected_hidden: bool


def outcome_view(result: UploadResult) -> Shown:
    """The page's answer to an upload: a clean one is said in the panel; any other (errors,
    warnings, rows left out) opens the report over the page."""
    clean = result.ok and not (result.report and result.report.issues) and not result.rejected
    line = html.Div(result.message, className="zw-message " + ("zw-ok" if result.ok
                                                               else "zw-error"))
    return Shown(line, clean, upload_report(result),
                 f"Load the {plural(result.valid_rows, 'valid row')} only",
                 not result.valid_rows, not result.rejected)


def upload_view(store, session_id, role, contents, filename, encoding=None, mode=None):
    """Receive one upload (``encoding``: the menu's value, "auto" or None to detect;
    ``mode``: where incidents land, the menu's value: "add" a source, "replace:<name>"
    one, or "all" of them, the default; the menu starts at "add"). Replacing a source
    the session's data does not have is refused, and nothing loaded changes."""
    mode = mode if isinstance(mode, str) and (mode in (ADD, REPLACE_ALL) or
                                              mode.startswith(REPLACE)) else REPLACE_ALL
    if role == "incidents" and (problem := mode_problem(
            mode, store.view_data(session_id).index.options("dataset"))):
        log.info("upload %s refused: %s", filename, problem)
        return UploadResult(False, f"{Path(filename or 'upload').name[:120]}: {problem}.")
    result = receive_upload(store.sessions, session_id, role, contents, filename,
                            store.settings.upload_max_mb,
                            encoding=None if encoding in (None, "", "auto") else encoding,
                            mode=mode)
    log.info("upload %s (%s): %s", filename, role, result.message)
    return result


def rejected_response(store, form):
    """The session's rejected rows as a CSV download (session id in the POSTed form), or
    a 404 saying what to do."""
    from flask import Response, send_file

    headers = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
    found = rejected_csv(store.sessions, form.get("session") or "")
    if found is None:
        return Response("The rejected rows are no longer on the server (they are kept for an "
                        "hour). Fix: upload the file again.", status=404, mimetype="text/plain",
                        headers=headers)
    path, name = found
    response = send_file(path, mimetype="text/csv", as_attachment=True, download_name=name,
                         max_age=0)
    response.headers.update(headers)
    return response


# Like the table's downloads (callbacks/table.py): POST, session id in the body.
_REJECTED_JS = r"""
function(clicks, session) {
    const dc = window.dash_clientside;
    if (!clicks) { return dc.no_update; }
    const say = (text) => dc.set_props("%(messages)s", {children: text ? {
        namespace: "dash_html_components", type: "P",
        props: {children: text, className: "zw-message zw-error"}} : null});
    window.zonewatchDownloads.savePosted("%(url)s", new URLSearchParams({session: session || ""}),
                                         "rejected-rows.csv")
        .catch((err) => say("Download failed: " + err.message));
    return dc.no_update;
}
"""

_CLOSE_JS = "function(clicks) { return clicks ? true : window.dash_clientside.no_update; }"


def register(app, store) -> None:
    @app.callback(Output(ids.UPLOAD_REPORT, "children"), Output(ids.DATA_VERSION, "data"),
                  Output(ids.URL, "search", allow_duplicate=True),
                  Output(ids.UPLOAD_DIALOG, "hidden"), Output(ids.UPLOAD_DIALOG_BODY, "children"),
                  Output(ids.UPLOAD_VALID_ONLY, "children"),
                  Output(ids.UPLOAD_VALID_ONLY, "hidden"), Output(ids.UPLOAD_REJECTED, "hidden"),
                  Input(ids.UPLOAD_ZONES, "contents"), Input(ids.UPLOAD_INCIDENTS, "contents"),
                  Input(ids.UPLOAD_TERMS, "contents"),
                  Input(ids.UPLOAD_RESET, "n_clicks"), Input(ids.UPLOAD_VALID_ONLY, "n_clicks"),
                  State(ids.UPLOAD_ZONES, "filename"), State(ids.UPLOAD_INCIDENTS, "filename"),
                  State(ids.UPLOAD_TERMS, "filename"),
                  State(ids.SESSION, "data"), State(ids.UPLOAD_ENCODING, "value"),
                  State(ids.UPLOAD_MODE, "value"), prevent_initial_call=True)
    def _upload(zones, incidents, terms, _reset, _valid, zones_name, incidents_name,
                terms_name, session_id, encoding, mode):
        if ctx.triggered_id == ids.UPLOAD_RESET:
            store.sessions.reset(session_id)
            return (html.Div("Back to the server's data.", className="zw-message zw-ok"),
                    "reset", "", True, None, no_update, True, True)
        if ctx.triggered_id == ids.UPLOAD_VALID_ONLY:
            result = accept_valid_rows(store.sessions, session_id)
            log.info("upload valid rows only: %s", result.message)
        else:
            role, contents, name = {ids.UPLOAD_ZONES: ("zones", zones, zones_name),
                                    ids.UPLOAD_TERMS: ("terms", terms, terms_name)}.get(
                ctx.triggered_id, ("incidents", incidents, incidents_name))
            if not contents:
                return (no_update,) * 8
            result = upload_view(store, session_id, role, contents, name, encoding, mode)
        shown = outcome_view(result)
        files = store.sessions.files(session_id) if result.ok else None
        version = (files.version if files else "") if result.ok else no_update
        return (shown.sidebar, version, "" if result.ok else no_update, shown.dialog_hidden,
                shown.dialog, shown.valid_only_label, shown.valid_only_hidden,
                shown.rejected_hidden)

    app.clientside_callback(_CLOSE_JS, Output(ids.UPLOAD_DIALOG, "hidden", allow_duplicate=True),
                            Input(ids.UPLOAD_DIALOG_CLOSE, "n_clicks"), prevent_initial_call=True)

    from flask import request

    @app.server.route(REJECTED_URL, methods=["POST"])
    def _rejected_route():
        return rejected_response(store, request.form)

    app.clientside_callback(
        _REJECTED_JS % {"messages": ids.MESSAGES, "url": app.get_relative_path(REJECTED_URL)},
        Output(ids.UPLOAD_REJECTED, "title"), Input(ids.UPLOAD_REJECTED, "n_clicks"),
        State(ids.SESSION, "data"), prevent_initial_call=True)
