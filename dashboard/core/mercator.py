"""Web Mercator as MapLibre draws it: the one Python definition of the map's pixel maths.

MapLibre's world is ``WORLD_PX`` (512) CSS px wide at zoom 0 and doubles with each zoom
step; x and y below are world coordinates divided by its size, in [0, 1], y down from
the north edge. assets/adapter.js holds the browser's copy; both are checked against the
same table of cases (tests/js/mercator_cases.json). In core: the camera that fits the
data (analysis), the map's viewport (views) and the briefing's scale (export) all use it.
"""

from __future__ import annotations

import math

import numpy as np

WORLD_PX = 512                  # MapLibre's world width in CSS px at zoom 0
MAX_LAT = 85.0511287798066      # where the square world ends (y = 0 and y = 1)
EARTH_M = 40_075_016.686        # the equator's length in metres


def world_px(zoom: float) -> float:
    """The world's width in CSS px at ``zoom``."""
    return WORLD_PX * 2.0 ** zoom


def deg_per_px(zoom: float) -> float:
    """Degrees of longitude per CSS px at ``zoom``."""
    return 360 / world_px(zoom)


def zoom_for(span_deg: float, px: float) -> float:
    """The zoom at which ``span_deg`` degrees of longitude fill ``px`` CSS px."""
    return math.log2(px / (span_deg / deg_per_px(0)))


def metres_per_px(lat: float, zoom: float) -> float:
    """Ground metres per CSS px at this latitude and zoom."""
    return EARTH_M * math.cos(math.radians(lat)) / world_px(zoom)


def merc_x(lon):
    """World x in [0, 1] of a longitude (scalar or array)."""
    return (np.asarray(lon, float) + 180) / 360


def merc_y(lat):
    """World y in [0, 1] of a latitude (scalar or array), clamped at ``MAX_LAT``."""
    s = np.sin(np.radians(np.clip(np.asarray(lat, float), -MAX_LAT, MAX_LAT)))
    return 0.5 - np.log((1 + s) / (1 - s)) / (4 * math.pi)


def lonlat(x, y) -> tuple:
    """(lon, lat) of world coordinates: the inverse of ``merc_x``, ``merc_y``."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    return x * 360 - 180, np.degrees(np.arctan(np.sinh(math.pi * (1 - 2 * y))))
