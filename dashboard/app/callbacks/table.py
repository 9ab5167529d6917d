"""The incidents table, the row highlight on the map, and the downloads.

Downloads are streamed: the buttons POST the view (and the session id, in the body,
never in a URL) to ``/zonewatch/download/<csv|geojson>``, which writes the matching
rows a chunk at a time. A 900k-row GeoJSON never sits whole in a server's memory or
in one callback answer, and its first bytes leave long before any timeout.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

import pandas as pd
from dash import Input, Output, State, dcc, no_update
from dash.exceptions import PreventUpdate

from dashboard.analysis.filterspec import CLASS_LABELS
from dashboard.analysis.sources import cluster_numbers
from dashboard.app import ids, parse
from dashboard.app.callbacks.common import register_tab_gate, resolve, selection_positions
from dashboard.app.components import CLASS_TABLE_COLUMNS, TABLE_COLUMNS
from dashboard.core.errors import ZoneWatchError
from dashboard.io.writers import inert_frame
from dashboard.views.incident_keys import Mark, checked_selection, mark_of, mark_positions
from dashboard.views.mapview import default_camera, in_sight

MAX_TABLE_ROWS = 5_000
EXPORT_COLUMNS = ["incident_id", "date", "date_end", "event_type", "sub_type", "actor1", "actor2",
                  "fatalities", "place", "admin1", "admin2", "lon", "lat", "loc_precision",
                  "precision_km", "zone_id", "zone_version", "edge_km", "ambiguous", "source",
                  "notes", "dataset", "cluster"]
DOWNLOAD_URL = "/zonewatch/download"
CHUNK_ROWS = 20_000  # rows written per streamed chunk
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "geojson": "application/geo+json"}


def table_rows(frame: pd.DataFrame) -> list[dict]:
    """Rows for the grid: text cells stay text (the grid never renders HTML). The class
    and its reason only when the data is classified under agreement terms."""
    out = frame[[c for c, _, _ in TABLE_COLUMNS
                 if c in frame or c not in CLASS_TABLE_COLUMNS]].copy()
    out["date"] = out["date"].dt.strftime("%Y-%m-%d")
    out["fatalities"] = out["fatalities"].astype("float64").where(out["fatalities"].notna(), None)
    if "classification" in out:
        out["classification"] = out["classification"].astype(object).map(
            CLASS_LABELS, na_action="ignore")
    return out.astype(object).where(out.notna(), None).to_dict("records")


def table_note(shown: int, total: int) -> str:
    if shown == total:
        return f"{total:,} incidents. Click a row to mark it on the map."
    return (f"The newest {shown:,} of {total:,} matching incidents; the downloads hold all "
            "of them. Click a row to mark it on the map.")


def table_view(store, session_id, query, selection):
    view, state = resolve(store, session_id, query)
    positions = view.index.select(state, within=selection_positions(view, selection))
    shown = positions[-MAX_TABLE_ROWS:][::-1]  # newest first
    return table_rows(view.index.frame.iloc[shown]), table_note(len(shown), len(positions))


def highlight_view(store, session_id, query, camera, rows) -> tuple[Mark | None, object]:
    """(mark of the clicked row's incident: its source and id, ``views.incident_keys``;
    camera): the camera moves to centre the incident when it is not in sight at the
    current one, keeping the zoom; else ``no_update``, so a visible incident never makes
    the map jump."""
    if not rows:
        return None, no_update
    mark = mark_of(rows[0])
    view, state = resolve(store, session_id, query)
    hit = mark_positions(view.index.frame, mark)
    if not len(hit):
        return mark, no_update
    lon, lat = float(view.index.lon[hit[0]]), float(view.index.lat[hit[0]])
    center, zoom = default_camera(view, parse.with_camera(state, camera))
    if in_sight(center, zoom, lon, lat):
        return mark, no_update
    return mark, parse.camera(lat, lon, zoom) or no_update


def export_frame(store, session_id, query, selection) -> tuple[pd.DataFrame, str]:
    view, state = resolve(store, session_id, query)
    positions = view.index.select(state, within=selection_positions(view, selection))
    frame = view.index.frame.iloc[positions]
    frame = frame[[c for c in (*EXPORT_COLUMNS, *CLASS_TABLE_COLUMNS) if c in frame.columns]]
    if view.index.clusters is not None:  # numbered over all the data, as join and dedupe
        whole = cluster_numbers(view.index.clusters, view.index.frame)
        frame = frame.assign(cluster=whole[positions])
    stem = f"zonewatch-{state.start:%Y%m%d}-{state.end:%Y%m%d}"
    if view.synthetic:
        stem += "-SYNTHETIC"
    return frame, stem


def _dated(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(date=frame["date"].dt.strftime("%Y-%m-%d"),
                        date_end=frame["date_end"].dt.strftime("%Y-%m-%d"))


def csv_chunks(frame: pd.DataFrame, rows: int | None = None) -> Iterator[str]:
    """The CSV a chunk of rows at a time: BOM and header first, every text cell made
    inert for spreadsheets (``io.writers.inert``)."""
    rows = rows or CHUNK_ROWS
    yield "\ufeff"
    for start in range(0, max(len(frame), 1), rows):
        buffer = io.StringIO()
        inert_frame(_dated(frame.iloc[start:start + rows])).to_csv(
            buffer, index=False, header=start == 0)
        yield buffer.getvalue()


def _json_value(value: object) -> object:
    return value.item() if hasattr(value, "item") else str(value)


def geojson_chunks(frame: pd.DataFrame, rows: int | None = None) -> Iterator[str]:
    """A FeatureCollection of points a chunk of rows at a time (text kept as written,
    unknowns as null)."""
    rows = rows or CHUNK_ROWS
    yield '{"type": "FeatureCollection", "features": ['
    for start in range(0, len(frame), rows):
        part = _dated(frame.iloc[start:start + rows])
        coords = part[["lon", "lat"]].to_numpy(dtype="float64").tolist()
        props = part.astype(object).where(part.notna(), None).to_dict("records")
        features = (json.dumps({"id": str(key), "type": "Feature", "properties": prop,
                                "geometry": {"type": "Point", "coordinates": xy}},
                               ensure_ascii=False, default=_json_value)
                    for key, prop, xy in zip(part.index, props, coords, strict=True))
        yield (", " if start else "") + ", ".join(features)
    yield "]}"


def csv_download(frame: pd.DataFrame, stem: str) -> dict:
    """The whole CSV in one answer (tests and small frames; the app streams)."""
    return dcc.send_string("".join(csv_chunks(frame)), f"{stem}.csv")


def geojson_download(frame: pd.DataFrame, stem: str) -> dict:
    return dcc.send_string("".join(geojson_chunks(frame)), f"{stem}.geojson")


def download_response(store, fmt: str, form):
    """The streamed download for a POSTed view (fields session, state, selection), or a
    400 with the problem in words."""
    from flask import Response

    headers = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
    try:
        selection = checked_selection(json.loads(form.get("selection") or "null"))
        frame, stem = export_frame(store, form.get("session") or None, form.get("state"),
                                   selection)
    except (ValueError, ZoneWatchError) as err:
        return Response(f"{err}", status=400, mimetype="text/plain", headers=headers)
    chunks = csv_chunks(frame) if fmt == "csv" else geojson_chunks(frame)
    headers["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    return Response((c.encode("utf-8") for c in chunks), mimetype=MEDIA_TYPES[fmt],
                    headers=headers)


# A button posts the view to the download route; the browser saves what streams back.
# The session id goes in the body, never the URL (proxies log URLs).
_DOWNLOAD_JS = """
function(csvClicks, geoClicks, query, selection, session) {
    const dc = window.dash_clientside;
    const trigger = (dc.callback_context.triggered[0] || {}).prop_id || "";
    if (!(csvClicks || geoClicks) || !trigger) { return dc.no_update; }
    const fmt = trigger.startsWith("%(geojson)s.") ? "geojson" : "csv";
    const say = (text, error) => dc.set_props("%(messages)s", {children: text ? {
        namespace: "dash_html_components", type: "P",
        props: {children: text, className: error ? "zw-message zw-error" : "zw-message"}} : null});
    const body = new URLSearchParams({state: query || "", session: session || "",
                                      selection: JSON.stringify(selection ?? null)});
    say("Preparing the " + fmt.toUpperCase() + " download…", false);
    window.zonewatchDownloads.savePosted("%(url)s/" + fmt, body, "zonewatch." + fmt)
        .then(() => say(null))
        .catch((err) => say("Download failed: " + err.message, true));
    return dc.no_update;
}
"""


def register_download_route(app, store) -> None:
    """``POST {DOWNLOAD_URL}/<csv|geojson>`` on the app's Flask server."""
    from flask import abort, request

    @app.server.route(f"{DOWNLOAD_URL}/<fmt>", methods=["POST"])
    def _download_route(fmt: str):
        if fmt not in MEDIA_TYPES:
            abort(404)
        return download_response(store, fmt, request.form)


def register(app, store) -> None:
    register_tab_gate(app, "table", ids.TABLE_STATE)

    @app.callback(Output(ids.TABLE, "rowData"), Output(ids.TABLE_NOTE, "children"),
                  Input(ids.TABLE_STATE, "data"), Input(ids.SELECTION, "data"),
                  State(ids.TABS, "value"), State(ids.SESSION, "data"))
    def _table(query, selection, tab, session_id):
        if tab != "table" or query is None:
            raise PreventUpdate  # built when the tab is opened, not on every slider move
        return table_view(store, session_id, query, selection)

    @app.callback(Output(ids.HIGHLIGHT, "data"), Output(ids.CAMERA, "data", allow_duplicate=True),
                  Input(ids.TABLE, "selectedRows"), State(ids.STATE, "data"),
                  State(ids.CAMERA, "data"), State(ids.SESSION, "data"),
                  prevent_initial_call=True)
    def _highlight(rows, query, camera, session_id):
        return highlight_view(store, session_id, query, camera, rows)

    register_download_route(app, store)
    app.clientside_callback(
        _DOWNLOAD_JS % {"geojson": ids.DOWNLOAD_GEOJSON, "messages": ids.MESSAGES,
                        "url": app.get_relative_path(DOWNLOAD_URL)},
        Output(ids.DOWNLOAD, "data"), Input(ids.DOWNLOAD_CSV, "n_clicks"),
        Input(ids.DOWNLOAD_GEOJSON, "n_clicks"), State(ids.STATE, "data"),
        State(ids.SELECTION, "data"), State(ids.SESSION, "data"), prevent_initial_call=True)
