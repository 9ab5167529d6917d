"""The map: zones as of the chosen day, incidents or their hexagons, highlight."""

from __future__ import annotations

from dash import Input, Output, State

from dashboard.app import ids, parse
from dashboard.app.callbacks.common import resolve
from dashboard.mapview import build_map

BASE_URL = "/zonewatch/base"
BASE_FILES = ("countries", "syria-adm1", "syria-adm2")


def map_view(store, session_id, query, camera, tiles, highlight):
    view, state = resolve(store, session_id, query)
    result = build_map(view, parse.with_camera(state, camera),
                       budget=store.settings.max_map_points, online_tiles=bool(tiles),
                       highlight_id=highlight, base_url=BASE_URL)
    return result.figure, result.note


def register(app, store) -> None:
    @app.callback(Output(ids.MAP, "figure"), Output(ids.MAP_NOTE, "children"),
                  Input(ids.STATE, "data"), Input(ids.CAMERA, "data"), Input(ids.TILES, "value"),
                  Input(ids.HIGHLIGHT, "data"), Input(ids.SELECTION, "data"),
                  State(ids.SESSION, "data"))
    def _map(query, camera, tiles, highlight, _selection, session_id):
        return map_view(store, session_id, query, camera, tiles, highlight)
