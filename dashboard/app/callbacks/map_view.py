"""The map: zones as of the chosen day, incidents or their hexagons, highlight."""

from __future__ import annotations

from dash import Input, Output, State, ctx
from dash.exceptions import PreventUpdate

from dashboard.app import ids, parse
from dashboard.app.callbacks.common import resolve
from dashboard.views.figures import compact
from dashboard.views.mapview import build_map, redraw_needed, summary

BASE_URL = "/zonewatch/base"
BASE_FILES = ("countries", "syria-adm1", "syria-adm2")


def map_view(store, session_id, query, camera, tiles, highlight, previous=None,
             camera_only=False, colour_by=None):
    """The map, or PreventUpdate when only the camera moved and what is drawn still
    holds (all points already there, or hexagons made for about this zoom)."""
    if camera_only and camera and not redraw_needed(previous, camera["zoom"]):
        raise PreventUpdate
    view, state = resolve(store, session_id, query)
    result = build_map(view, parse.with_camera(state, camera),
                       budget=store.settings.max_map_points, online_tiles=bool(tiles),
                       mark=highlight, base_url=BASE_URL,
                       colour_by=colour_by if colour_by in ("class", "source") else "type")
    return compact(result.figure), result.note, summary(result)


def register(app, store) -> None:
    @app.callback(Output(ids.MAP, "figure"), Output(ids.MAP_NOTE, "children"),
                  Output(ids.MAP_DRAWN, "data"),
                  Input(ids.STATE, "data"), Input(ids.CAMERA, "data"), Input(ids.TILES, "value"),
                  Input(ids.HIGHLIGHT, "data"), Input(ids.SELECTION, "data"),
                  Input(ids.MAP_COLOUR, "value"),
                  State(ids.SESSION, "data"), State(ids.MAP_DRAWN, "data"))
    def _map(query, camera, tiles, highlight, _selection, colour_by, session_id, previous):
        camera_only = [t["prop_id"] for t in ctx.triggered] == [f"{ids.CAMERA}.data"]
        return map_view(store, session_id, query, camera, tiles, highlight, previous,
                        camera_only, colour_by)
