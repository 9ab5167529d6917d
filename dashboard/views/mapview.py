"""What the map shows for a state: points when few enough are in view, else hexagons.

The switch is decided on the server from the number of filtered incidents in the
current viewport, so zooming in or filtering down brings the points back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.analysis.aggregate import HexGrid
from dashboard.analysis.validity import in_force_mask
from dashboard.analysis.viewdata import ViewData, fit_camera
from dashboard.analysis.viewstate import ViewState
from dashboard.core import mercator
from dashboard.core.formats import day_words
from dashboard.core.memo import BoundedMemo
from dashboard.views.baselayers import load_base_layers
from dashboard.views.figures import ZoneLayers, hover_fields, location_codes, map_figure_dict
from dashboard.views.incident_keys import Mark, mark_positions

VIEW_PX = (1000, 620)   # the map's size in pixels, for viewport estimates
HEX_PX = 14             # hexagon radius on screen
ZOOM_STEP = 0.25        # hexagon grids are made for zooms rounded to this

_GRIDS: BoundedMemo[HexGrid] = BoundedMemo(12)            # (index, zoom step) -> grid
_ZONES: BoundedMemo[tuple] = BoundedMemo(64)              # (zones, versions) -> layers
_HOVER: BoundedMemo[dict] = BoundedMemo(8)                # index -> hover texts of all rows
#: Up to this many incidents the hover texts of every row are made once (escaping them
#: was half a map's time); above, each map makes its own (at most its point budget).
HOVER_ROWS_MAX = 500_000


@dataclass(frozen=True)
class MapResult:
    figure: dict         # a Plotly figure dict, ready for Dash (see plotly())
    note: str
    mode: str            # "points", "hexagons" or "empty"
    shown: int           # incidents drawn as points (0 in hexagon mode)
    total: int = 0       # incidents the filters keep, in view or not
    zoom: float = 0.0

    def plotly(self) -> go.Figure:
        """The figure as a graph object, for exports and inspection. Plotly pops each
        trace's "type" while reading it and zone layers are shared: it reads copies."""
        return go.Figure({**self.figure, "data": [dict(t) for t in self.figure["data"]]})

    def still_good_at(self, zoom: float) -> bool:
        """Whether this map needs no redraw when the camera moves to ``zoom``: every
        point is already drawn, or the hexagons were made for about this zoom."""
        if self.mode in ("empty", "points"):
            return self.mode == "empty" or self.shown == self.total
        return abs(zoom - self.zoom) < 0.75


def redraw_needed(previous: dict | None, zoom: float) -> bool:
    """``previous`` is a MapResult's summary kept in the browser (see summary())."""
    if not previous:
        return True
    return not MapResult(None, "", previous["mode"], previous["shown"], previous["total"],
                         previous["zoom"]).still_good_at(zoom)


def summary(result: MapResult) -> dict:
    return {"mode": result.mode, "shown": result.shown, "total": result.total,
            "zoom": result.zoom}


def viewport(center: tuple[float, float], zoom: float, margin: float = 0.5
             ) -> tuple[float, float, float, float]:
    """(minx, miny, maxx, maxy) seen at this camera, widened by ``margin`` each way."""
    deg_per_px = mercator.deg_per_px(zoom)
    half_w = VIEW_PX[0] / 2 * deg_per_px * (1 + margin)
    half_h = VIEW_PX[1] / 2 * deg_per_px * (1 + margin) * np.cos(np.radians(center[0]))
    return center[1] - half_w, center[0] - half_h, center[1] + half_w, center[0] + half_h


def in_sight(center: tuple[float, float], zoom: float, lon: float, lat: float) -> bool:
    """Whether (lon, lat) is surely on screen at this camera: inside the middle 60% of
    the map as VIEW_PX assumes it (the real map may be smaller)."""
    minx, miny, maxx, maxy = viewport(center, zoom, margin=-0.4)
    return minx <= lon <= maxx and miny <= lat <= maxy


def hex_size_for(zoom: float) -> float:
    return HEX_PX * mercator.deg_per_px(zoom)


def hex_grid(view: ViewData, zoom: float) -> HexGrid:
    """Every incident's hexagon for about this zoom, made once per dataset and zoom
    step; one grid origin per dataset, so cells stay put as the window moves."""
    step = round(zoom / ZOOM_STEP)
    return _GRIDS.get(view.index, step, lambda: HexGrid(
        view.index.lon, view.index.lat, hex_size_for(step * ZOOM_STEP), round(view.center[0])))


def _layers(view: ViewData, mask: np.ndarray) -> tuple[pd.DataFrame, ZoneLayers]:
    """The versions ``mask`` keeps and their layers, made once per distinct set."""
    zones = view.zones

    def make() -> tuple[pd.DataFrame, ZoneLayers]:
        shown = zones.loc[mask]
        return shown, ZoneLayers.of(shown)

    return _ZONES.get(zones, mask.tobytes(), make)


def zones_on(view: ViewData, day) -> tuple[pd.DataFrame, ZoneLayers]:
    """The zone versions in force on ``day`` and their map layers. Many days share
    the same versions, so the layers are made once per distinct set."""
    return _layers(view, in_force_mask(view.zones, day).to_numpy())


def chosen_zone_day(zones: pd.DataFrame, zone_id: str, start, end, day
                    ) -> tuple[int, date] | None:
    """(row, day) of a chosen zone that is not in force on ``day``: its version in force
    on the latest day from ``start`` up to ``day`` (that version's last day), else on the
    first day after ``day`` and up to ``end`` (a version's first day). None when it is
    in force on ``day`` or on none of those days."""
    d = pd.Timestamp(day).normalize()
    first = pd.Timestamp(start).normalize() if start else None
    last_day = pd.Timestamp(end).normalize() if end else d
    rows = zones.loc[zones["zone_id"] == zone_id]
    if not len(rows) or in_force_mask(rows, d).any():
        return None
    begin, end = rows["valid_from"].dt.normalize(), rows["valid_to"].dt.normalize()
    ended = (begin <= d) & end.notna() & (end >= first if first is not None else True)
    before = rows.loc[ended]
    if len(before):
        last = end.loc[before.index].idxmax()
        return zones.index.get_loc(last), end.loc[last].date()
    after = begin.loc[(begin > d) & (begin <= last_day)]
    if len(after):
        row = after.idxmin()
        return zones.index.get_loc(row), after.loc[row].date()
    return None


def zones_for(view: ViewData, state: ViewState, day) -> tuple[pd.DataFrame, ZoneLayers, list[str]]:
    """The zones in force on ``day``, plus each chosen zone that was not, as it stood on
    the day nearest ``day`` on which it was (so a chosen zone is always drawn), with a
    sentence per such zone for the map's note."""
    mask = in_force_mask(view.zones, day).to_numpy()
    notes = []
    names = view.zone_names()
    for zone_id in state.zones:
        found = chosen_zone_day(view.zones, zone_id, state.start, state.end, day)
        name = names.get(zone_id, zone_id)
        if found is None:
            if zone_id in names and not in_force_mask(view.zones.loc[view.zones["zone_id"] == zone_id],
                                                  day).any():
                notes.append(f"{name} was not in force on any day of this window.")
            continue
        row, when = found
        mask = mask.copy()
        mask[row] = True
        last = when < pd.Timestamp(day).date()
        notes.append(f"{name} as it stood on {day_words(when)}, "
                     + ("its last day in force." if last else "its first day in force."))
    shown, layers = _layers(view, mask)
    return shown, layers, notes


def stacked_words(lon: np.ndarray, lat: np.ndarray) -> str:
    """" at 18 points (a number beside a dot: how many share it)" when some incidents
    share a point, else ""."""
    _, counts = location_codes(lon, lat)
    if len(counts) == len(lon):
        return ""
    return f" at {len(counts):,} points (a number beside a dot: how many share it)"


def default_camera(view: ViewData, state: ViewState) -> tuple[tuple[float, float], float]:
    """The state's camera; else the filtered zones' extent; else the whole dataset."""
    if state.center is not None and state.zoom is not None:
        return state.center, state.zoom
    chosen = view.zones.loc[view.zones["zone_id"].isin(state.zones)] if state.zones else None
    if chosen is not None and len(chosen):
        minx, miny, maxx, maxy = chosen.total_bounds
        pad_x, pad_y = (maxx - minx) * 0.4 + 0.05, (maxy - miny) * 0.4 + 0.05
        return fit_camera((minx - pad_x, miny - pad_y, maxx + pad_x, maxy + pad_y))
    return view.center, view.zoom


def map_colouring(view: ViewData, asked: str | None) -> str:
    """The colouring a map can have: "class" with terms loaded, "source" with several
    sources, else (and by default) "type"."""
    if asked == "class" and view.classified:
        return "class"
    if asked == "source" and len(view.index.options("dataset")) > 1:
        return "source"
    return "type"


def marked_incident(view: ViewData, mark: Mark | None) -> tuple[pd.DataFrame | None, str]:
    """(lon/lat of the incident ``mark`` names, or None; the map note's words for it).
    The source is named when several are loaded: ids repeat across sources."""
    hit = mark_positions(view.index.frame, mark)
    if not len(hit):
        return None, ""
    frame = view.index.frame.iloc[hit]
    first = frame.iloc[0]
    source = f"{first['dataset']}, " if len(view.index.options("dataset")) > 1 else ""
    return frame[["lon", "lat"]], (f"Marked: incident {first['incident_id']} ({source}"
                                   f"{day_words(first['date'])}, {first['event_type']}). ")


def build_map(view: ViewData, state: ViewState, *, budget: int, online_tiles: bool = False,
              mark: Mark | None = None, base_url: str | None = None,
              colour_by: str = "type") -> MapResult:
    """The map of ``state``: points (coloured by event type, with ``colour_by="class"``
    by class under the view's terms, with ``"source"`` by source), or hexagons above
    ``budget`` points in view; ``mark`` (``views.incident_keys``) ringed."""
    index = view.index
    positions = index.select(state)
    center, zoom = default_camera(view, state)
    day = state.zones_day or view.span[1]
    zones, layers, chosen_notes = zones_for(view, state, day)
    minx, miny, maxx, maxy = viewport(center, zoom)
    lon, lat = index.lon[positions], index.lat[positions]
    in_view = (lon >= minx) & (lon <= maxx) & (lat >= miny) & (lat <= maxy)
    n_view = int(in_view.sum())
    highlight, marked = marked_incident(view, mark)
    common = {"zones": zones, "zone_layers": layers, "type_order": view.type_order,
              "base": load_base_layers(), "center": center, "zoom": zoom, "online_tiles": online_tiles,
              "highlight": highlight, "base_url": base_url,
              "colour_by": map_colouring(view, colour_by),
              "source_order": index.options("dataset")}
    zones_line = marked + " ".join([f"Zones as they stood on {day_words(day)}." if len(zones)
                           else f"No zone was in force on {day_words(day)}.", *chosen_notes])
    if not len(positions):
        note = f"No incidents match these filters. {zones_line}"
        return MapResult(map_figure_dict(incidents=None, **common), note, "empty", 0, 0, zoom)
    if n_view <= budget:
        rows = positions[in_view] if len(positions) > budget else positions
        frame = index.frame.iloc[rows]
        hover = None
        if len(index) <= HOVER_ROWS_MAX:
            every = _HOVER.get(index, "hover", lambda: hover_fields(index.frame))
            hover = {k: v[rows] for k, v in every.items() if v is not None}
            hover |= {k: None for k, v in every.items() if v is None}
        what = "1 incident" if len(rows) == 1 else f"{len(rows):,} incidents"
        stacked = stacked_words(index.lon[rows], index.lat[rows])
        note = (f"{what} shown{stacked}. {zones_line}" if len(rows) == len(positions)
                else f"{what} in this part of the map{stacked}. {zones_line}")
        return MapResult(map_figure_dict(incidents=frame, hover=hover, **common), note,
                         "points", len(rows), len(positions), zoom)
    grid = hex_grid(view, zoom)
    cells = grid.bins(positions)
    note = (f"{len(positions):,} incidents, {n_view:,} in view: too many to draw one by one, so "
            f"they are counted in hexagons. Zoom in or filter to see individual incidents. "
            f"{zones_line}")
    fig = map_figure_dict(incidents=None, hexes=cells, hex_size=grid.size_deg, **common)
    return MapResult(fig, note, "hexagons", 0, len(positions), zoom)
