"""What a briefing image's map shows, in the page's own terms.

``Camera`` projects lon/lat to the map box's CSS pixels exactly as MapLibre does (Web
Mercator, ``dashboard.core.mercator``) and gives the box's lon/lat bounds. ``place_labels``
takes the zone and town names out of the map and returns them as page labels: MapLibre
draws symbol text without a halo, and markers drawn later can cover it; page labels lie
above every map trace, with a white halo, as vector text in SVG and PDF. ``drawn`` says
which zones, incident datasets and base layers are visible, so the footer cites only
those.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from shapely.geometry import box, shape

from dashboard.core import mercator
from dashboard.export.words import wrap
from dashboard.views import roles
from dashboard.views.figures import esc

ZONE_LABEL_PX, TOWN_LABEL_PX = 13.0, 11.0  # the map's own label sizes (figures.py)
GLYPH_EM = 0.56                             # average glyph width, for label boxes


@dataclass(frozen=True)
class Camera:
    """A map box ``w`` x ``h`` CSS px showing ``center`` (lat, lon) at ``zoom``."""

    center: tuple[float, float]
    zoom: float
    w: float
    h: float

    @property
    def _world(self) -> float:
        return mercator.world_px(self.zoom)

    def project(self, lon, lat) -> tuple[np.ndarray, np.ndarray]:
        """Pixels from the box's top-left corner."""
        clat, clon = self.center
        x = (mercator.merc_x(lon) - mercator.merc_x(clon)) * self._world + self.w / 2
        y = (mercator.merc_y(lat) - mercator.merc_y(clat)) * self._world + self.h / 2
        return x, y

    def bounds(self) -> tuple[float, float, float, float]:
        """(min lon, min lat, max lon, max lat) of what the box shows."""
        clat, clon = self.center
        cx, cy = mercator.merc_x(clon), mercator.merc_y(clat)
        half_w, half_h = self.w / 2 / self._world, self.h / 2 / self._world
        west, north = mercator.lonlat(cx - half_w, cy - half_h)
        east, south = mercator.lonlat(cx + half_w, cy + half_h)
        return float(west), float(south), float(east), float(north)

    def inside(self, lon, lat) -> np.ndarray:
        minx, miny, maxx, maxy = self.bounds()
        lon, lat = np.asarray(lon, float), np.asarray(lat, float)
        return (lon >= minx) & (lon <= maxx) & (lat >= miny) & (lat <= maxy)


@dataclass(frozen=True)
class Label:
    """A name to write on the page: ``x``, ``y`` in map px, anchored as plotly anchors."""

    x: float
    y: float
    lines: list[str]  # escaped for plotly.js
    size: float
    color: str
    anchor: str       # "left" or "center"
    valign: str       # "bottom" or "middle"
    bold: bool = False


def _overlaps(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _free_row(x: float, y: float, half_w: float, half_h: float, boxes: list[tuple],
              height: float) -> float:
    """``y``, or the nearest height below or above it (a label's height at a time) where
    a label centred on ``x`` touches no other, inside the box; else ``y`` as it is."""
    for step in range(8):
        for candidate in (y + step * 2 * half_h, y - step * 2 * half_h):
            box_ = (x - half_w, candidate - half_h, x + half_w, candidate + half_h)
            if half_h <= candidate <= height - half_h and \
                    not any(_overlaps(box_, other) for other in boxes):
                return candidate
    return y


def _zone_labels(trace: dict | None, cam: Camera, k: float) -> tuple[list[Label], list[tuple]]:
    """Zone names centred on their point, moved inside the box if they would cross it."""
    labels: list[Label] = []
    boxes: list[tuple] = []
    if trace is None or not len(trace.get("lon", ())):
        return labels, boxes
    size = ZONE_LABEL_PX * k
    xs, ys = cam.project(trace["lon"], trace["lat"])
    for x, y, name in zip(xs, ys, trace["text"], strict=True):
        if not (0 <= x <= cam.w and 0 <= y <= cam.h):
            continue
        lines = wrap(str(name), 10 * size, size)  # MapLibre's text-max-width: 10 em
        half_w = max(len(line) for line in lines) * GLYPH_EM * size / 2 + 3
        half_h = len(lines) * size * 1.25 / 2 + 2
        if 2 * half_w > cam.w or 2 * half_h > cam.h:
            continue
        x = min(max(x, half_w), cam.w - half_w)
        y = _free_row(x, min(max(y, half_h), cam.h - half_h), half_w, half_h, boxes, cam.h)
        boxes.append((x - half_w, y - half_h, x + half_w, y + half_h))
        labels.append(Label(x, y, [esc(line) for line in lines], size, "#10202c", "center",
                            "middle", bold=True))
    return labels, boxes


def place_labels(figure: dict, cam: Camera, k: float) -> tuple[dict, list[Label], bool]:
    """The map figure dict without its zone and town names, and those names as labels.
    A town is kept, dot and name, only where its name fits in the box without touching
    a zone name or another town. Returns (figure, labels, whether any town is named);
    ``figure`` and its traces are not changed (the map's zone layers are shared)."""
    zone_trace = roles.first(figure["data"], roles.ZONE_LABELS)
    towns = roles.first(figure["data"], roles.TOWNS)
    labels, boxes = _zone_labels(zone_trace, cam, k)
    data = [t for t in figure["data"] if t is not zone_trace and t is not towns]
    if towns is None or not len(towns.get("lon", ())):
        return {**figure, "data": data}, labels, False
    size = TOWN_LABEL_PX * k
    keep = []
    xs, ys = cam.project(towns["lon"], towns["lat"])
    for i, (x, y, name) in enumerate(zip(xs, ys, towns["text"], strict=True)):
        label_box = (x - 3, y - size * 1.6, x + 6 + len(str(name)) * GLYPH_EM * size, y + 3)
        if not (label_box[0] >= 0 and label_box[1] >= 0 and label_box[2] <= cam.w
                and label_box[3] <= cam.h):
            continue
        if any(_overlaps(label_box, other) for other in boxes):
            continue
        boxes.append(label_box)
        keep.append(i)
        labels.append(Label(x + 4, y - 1, [esc(name)], size, "#3a3a3a", "left", "bottom"))
    dots = {key: value for key, value in towns.items() if key not in ("text", "textfont",
                                                                       "textposition")}
    dots.update(lon=[towns["lon"][i] for i in keep], lat=[towns["lat"][i] for i in keep],
                mode="markers")
    at = figure["data"].index(towns)  # the dots keep their place among the traces
    data.insert(min(at, len(data)), dots)
    return {**figure, "data": data}, labels, bool(keep)


@dataclass(frozen=True)
class Drawn:
    """What the map shows, for the footer's sources."""

    zones: pd.DataFrame       # zone versions drawn and in view (or chosen)
    datasets: list[str]       # incident datasets with an incident in view
    base: list[str]           # base layers drawn: countries, admin1, admin2, towns


def _zone_rows(view, figure: dict, day, end) -> pd.DataFrame:
    """The zone versions the map draws, matched to ``view.zones`` by id and geometry.
    Versions often share a boundary: among those, the one in force on ``day``, else
    the latest begun by ``end`` (the window's last day)."""
    zones = view.zones
    if not len(zones):
        return zones
    day, end = pd.Timestamp(day), pd.Timestamp(end)

    def rank(i) -> tuple:
        start, stop = zones.at[i, "valid_from"], zones.at[i, "valid_to"]
        begun = pd.isna(start) or start <= day
        in_force = begun and (pd.isna(stop) or day <= stop)
        by_end = pd.isna(start) or start <= end
        return in_force, by_end, start if pd.notna(start) else pd.Timestamp.min

    rows: list = []
    for trace in figure["data"]:
        if roles.role_of(trace) != roles.ZONES:
            continue
        for feature in (trace.get("geojson") or {}).get("features", []):
            same_id = zones.index[zones["zone_id"].astype(str) == str(feature.get("id"))]
            if not len(same_id):
                continue
            geom = shape(feature["geometry"])
            match = [i for i in same_id if zones.at[i, "geometry"].equals_exact(geom, 1e-9)]
            rows.append(max(match or list(same_id), key=rank))
    return zones.loc[list(dict.fromkeys(rows))]


def _base_drawn(figure: dict, towns_named: bool) -> list[str]:
    from dashboard.views.baselayers import load_base_layers

    base = load_base_layers()
    known = {"countries": base.countries, "admin1": base.admin1, "admin2": base.admin2}
    sources = [layer.get("source") for layer in figure["layout"]["map"].get("layers") or ()]
    drawn = [name for name, data in known.items()
             if any(src is data or src == data for src in sources)]
    return [*drawn, "towns"] if towns_named else drawn


def drawn(view, state, figure: dict, cam: Camera, day, towns_named: bool) -> Drawn:
    """The zones drawn that lie in the box (or are the ones chosen), the datasets of the
    filtered incidents in the box, and the base layers on the map. ``state`` has dates."""
    zones = _zone_rows(view, figure, day, state.end or day)
    if len(zones):
        seen = box(*cam.bounds())
        keep = zones.geometry.intersects(seen).to_numpy() | \
            zones["zone_id"].isin(state.zones).to_numpy()
        zones = zones.loc[keep]
    index = view.index
    positions = index.select(state)
    datasets: list[str] = []
    if len(positions) and "dataset" in index.frame:
        seen_rows = positions[cam.inside(index.lon[positions], index.lat[positions])]
        datasets = list(dict.fromkeys(index.frame["dataset"].iloc[seen_rows].astype(str)))
    return Drawn(zones, datasets, _base_drawn(figure, towns_named))
