"""The incidents table, the row highlight on the map, and the downloads."""

from __future__ import annotations

import io
import json

import pandas as pd
from dash import ClientsideFunction, Input, Output, State, dcc, no_update
from dash.exceptions import PreventUpdate

from dashboard.app import ids
from dashboard.app.callbacks.common import resolve, selection_positions
from dashboard.app.components import TABLE_COLUMNS
from dashboard.io.writers import inert_frame, to_geodataframe

MAX_TABLE_ROWS = 5_000
EXPORT_COLUMNS = ["incident_id", "date", "date_end", "event_type", "sub_type", "actor1", "actor2",
                  "fatalities", "place", "admin1", "admin2", "lon", "lat", "loc_precision",
                  "precision_km", "zone_id", "zone_version", "edge_km", "ambiguous", "source",
                  "notes", "dataset"]


def table_rows(frame: pd.DataFrame) -> list[dict]:
    """Rows for the grid: text cells stay text (the grid never renders HTML)."""
    out = frame[[c for c, _, _ in TABLE_COLUMNS]].copy()
    out["date"] = out["date"].dt.strftime("%Y-%m-%d")
    out["fatalities"] = out["fatalities"].astype("float64").where(out["fatalities"].notna(), None)
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


def export_frame(store, session_id, query, selection) -> tuple[pd.DataFrame, str]:
    view, state = resolve(store, session_id, query)
    positions = view.index.select(state, within=selection_positions(view, selection))
    frame = view.index.frame.iloc[positions]
    frame = frame[[c for c in EXPORT_COLUMNS if c in frame.columns]]
    stem = f"zonewatch-{state.start:%Y%m%d}-{state.end:%Y%m%d}"
    if view.synthetic:
        stem += "-SYNTHETIC"
    return frame, stem


def csv_download(frame: pd.DataFrame, stem: str) -> dict:
    text = inert_frame(frame.assign(date=frame["date"].dt.strftime("%Y-%m-%d"),
                                    date_end=frame["date_end"].dt.strftime("%Y-%m-%d")))
    buffer = io.StringIO()
    text.to_csv(buffer, index=False)
    return dcc.send_string("\ufeff" + buffer.getvalue(), f"{stem}.csv")


def geojson_download(frame: pd.DataFrame, stem: str) -> dict:
    out = frame.assign(date=frame["date"].dt.strftime("%Y-%m-%d"),
                       date_end=frame["date_end"].dt.strftime("%Y-%m-%d"))
    out = out.astype(object).where(out.notna(), None)
    doc = json.loads(to_geodataframe(out).to_json(na="null"))
    return dcc.send_string(json.dumps(doc, ensure_ascii=False), f"{stem}.geojson")


def register(app, store) -> None:
    app.clientside_callback(  # the state reaches the table only while its tab is open
        ClientsideFunction(namespace="zonewatch_views", function_name="gate"),
        Output(ids.TABLE_STATE, "data"), Input(ids.STATE, "data"), Input(ids.TABS, "value"),
        State(ids.TABLE_STATE, "data"),
    )

    @app.callback(Output(ids.TABLE, "rowData"), Output(ids.TABLE_NOTE, "children"),
                  Input(ids.TABLE_STATE, "data"), Input(ids.SELECTION, "data"),
                  State(ids.TABS, "value"), State(ids.SESSION, "data"))
    def _table(query, selection, tab, session_id):
        if tab != "table" or query is None:
            raise PreventUpdate  # built when the tab is opened, not on every slider move
        return table_view(store, session_id, query, selection)

    @app.callback(Output(ids.HIGHLIGHT, "data"), Input(ids.TABLE, "selectedRows"),
                  prevent_initial_call=True)
    def _highlight(rows):
        return str(rows[0]["incident_id"]) if rows else None

    @app.callback(Output(ids.DOWNLOAD, "data"), Input(ids.DOWNLOAD_CSV, "n_clicks"),
                  Input(ids.DOWNLOAD_GEOJSON, "n_clicks"), State(ids.STATE, "data"),
                  State(ids.SELECTION, "data"), State(ids.SESSION, "data"),
                  prevent_initial_call=True)
    def _download(csv_clicks, geo_clicks, query, selection, session_id):
        from dash import ctx

        if not (csv_clicks or geo_clicks):
            return no_update
        frame, stem = export_frame(store, session_id, query, selection)
        if ctx.triggered_id == ids.DOWNLOAD_GEOJSON:
            return geojson_download(frame, stem)
        return csv_download(frame, stem)
