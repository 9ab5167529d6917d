"""The naive baseline of the performance issue: a plain Plotly Express Dash app.

    python benchmarks/naive_app.py SYNTHETIC-incidents.parquet [--port 8060]

It reads the whole incident file into pandas once, and on every move of the date
slider (a ``dcc.RangeSlider`` over day offsets) or change of the event-type dropdown
it filters the frame and returns a fresh ``px.scatter_map`` of every matching point,
coloured by event type: no index, no aggregation, no partial updates, no cache. It
is what a straightforward dashboard does, kept deliberately lean (no hover columns)
so its response sizes are a conservative baseline.

The map style is a MapLibre style dict without ``glyphs``, so nothing is fetched from
the internet (the same offline style trick ZoneWatch uses). Serves on 127.0.0.1 only
(Flask's threaded development server, as ZoneWatch is served in benchmarks/bench_app.py).
"""

from __future__ import annotations

import argparse
from datetime import timedelta
from pathlib import Path

import pandas as pd
import plotly.express as px
from dash import Dash, Input, Output, dcc, html

# ``sources`` holds an empty placeholder: Plotly drops an empty ``{}`` when it diffs an
# updated figure and MapLibre then rejects the style ("Map error." on the second move).
OFFLINE_STYLE = {"version": 8, "sources": {"empty": {
    "type": "geojson", "data": {"type": "FeatureCollection", "features": []}}}, "layers": [
    {"id": "bg", "type": "background", "paint": {"background-color": "#ffffff"}}]}
ALL_TYPES = "all"


def load(path: str | Path) -> pd.DataFrame:
    frame = pd.read_parquet(path)
    frame["date"] = pd.to_datetime(frame["date"], format="%Y-%m-%d")
    return frame


def figure(frame: pd.DataFrame):
    fig = px.scatter_map(frame, lat="lat", lon="lon", color="event_type", zoom=6,
                         center={"lat": 35.0, "lon": 38.0}, height=620)
    fig.update_layout(map_style=OFFLINE_STYLE, margin={"l": 0, "r": 0, "t": 0, "b": 0},
                      uirevision="keep")
    return fig


def create_app(path: str | Path) -> Dash:
    frame = load(path)
    day0 = frame["date"].min().normalize()
    span = int((frame["date"].max() - day0).days)
    types = sorted(frame["event_type"].dropna().astype(str).unique())

    app = Dash(__name__, title="Naive baseline", serve_locally=True, update_title=None)
    app.layout = html.Div([
        dcc.Graph(id="map"),  # drawn by the initial callback
        html.Div(id="date-label"),
        dcc.RangeSlider(id="range", min=0, max=span, step=1, value=[0, span],
                        updatemode="mouseup", allow_direct_input=False,
                        marks=None, tooltip=None),
        dcc.Dropdown(id="type", value=ALL_TYPES, clearable=False,
                     options=[{"label": "all types", "value": ALL_TYPES}]
                     + [{"label": t, "value": t} for t in types]),
    ])

    @app.callback(Output("map", "figure"), Output("date-label", "children"),
                  Input("range", "value"), Input("type", "value"))
    def _update(window, event_type):
        lo, hi = window or [0, span]
        first, last = day0 + timedelta(days=int(lo)), day0 + timedelta(days=int(hi))
        mask = (frame["date"] >= first) & (frame["date"] <= last)
        if event_type and event_type != ALL_TYPES:
            mask &= frame["event_type"] == event_type
        return figure(frame[mask]), f"{first:%Y-%m-%d} – {last:%Y-%m-%d}"

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("incidents", help="incident GeoParquet (e.g. SYNTHETIC-....parquet)")
    parser.add_argument("--port", type=int, default=8060)
    args = parser.parse_args()
    create_app(args.incidents).run(host="127.0.0.1", port=args.port, debug=False)


if __name__ == "__main__":
    main()
