"""Pairs of points in the same bucket (a day and a kind group) within a distance: a grid join.

The linking of likely duplicates (:mod:`dashboard.analysis.dedupe`) asks, for two sets
of points, every pair that shares a bucket and lies within ``km`` of each other on the
sphere. Comparing all pairs is quadratic; here each point gets a grid cell of at least
``km`` on a side (in degrees: ``km`` of latitude, and of longitude at the highest
latitude reached), cells and buckets are packed into one sorted integer key, and each
point of one set looks up the 3 × 3 cells around it in the other by binary search. The
exact great-circle distance then drops the corners. Pure numpy; pairs come in batches
of bounded size so memory stays flat however dense a day is.

Longitudes are not wrapped: points on both sides of the antimeridian are not paired.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

EARTH_KM = 6371.0088
BATCH = 4_000_000  # candidate pairs looked at per batch


def great_circle_km(lon1, lat1, lon2, lat2) -> np.ndarray:
    """Haversine distance in km (arrays of degrees)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    h = (np.sin((p2 - p1) / 2) ** 2
         + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def pairs_within(s_lon: np.ndarray, s_lat: np.ndarray, s_bucket: np.ndarray,
                 c_lon: np.ndarray, c_lat: np.ndarray, c_bucket: np.ndarray, km: float
                 ) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Yield ``(i, j, distance_km)`` batches: every pair of ``s[i]``, ``c[j]`` with equal
    bucket (non-negative ints) and great-circle distance ≤ ``km``, each pair once."""
    if not len(s_lon) or not len(c_lon):
        return
    reach_deg = np.degrees(max(km, 0.5) / EARTH_KM) * 1.0001
    top = min(89.0, float(max(np.abs(s_lat).max(), np.abs(c_lat).max())) + reach_deg)
    cell_lat = reach_deg
    cell_lon = min(reach_deg / np.cos(np.radians(top)), 360.0)
    lon0 = min(s_lon.min(), c_lon.min()) - cell_lon
    lat0 = min(s_lat.min(), c_lat.min()) - cell_lat

    def cells(lon, lat):
        return (np.floor((lon - lon0) / cell_lon).astype(np.int64),
                np.floor((lat - lat0) / cell_lat).astype(np.int64))

    sx, sy = cells(s_lon, s_lat)
    cx, cy = cells(c_lon, c_lat)
    nx = int(max(sx.max(), cx.max())) + 2
    ny = int(max(sy.max(), cy.max())) + 2
    if float(max(s_bucket.max(), c_bucket.max()) + 1) * nx * ny >= 2.0 ** 62:
        raise ValueError("the grid is too fine for one 64-bit key; use a larger distance")
    c_key = (c_bucket.astype(np.int64) * ny + cy) * nx + cx
    order = np.argsort(c_key)
    sorted_key = c_key[order]
    s_key = (s_bucket.astype(np.int64) * ny + sy) * nx + sx
    # Sorted queries: the binary searches then walk the keys in order (cache-friendly,
    # several times faster than random order at a million points).
    s_order = np.argsort(s_key)
    s_sorted = s_key[s_order]
    for dy in (-1, 0, 1):
        row = s_sorted + dy * nx  # x-1..x+1 of one grid row are consecutive keys
        lo = np.searchsorted(sorted_key, row - 1, side="left")
        hi = np.searchsorted(sorted_key, row + 1, side="right")
        for i, j, dist in _expand(lo, hi - lo, order, s_lon[s_order], s_lat[s_order],
                                  c_lon, c_lat, km):
            yield s_order[i], j, dist


def _expand(lo, counts, order, s_lon, s_lat, c_lon, c_lat, km):
    """The pairs of the ranges ``lo[i]..lo[i] + counts[i]``, in batches, within ``km``."""
    has = np.nonzero(counts)[0]
    if not len(has):
        return
    total = np.cumsum(counts[has])
    edges = np.searchsorted(total, np.arange(BATCH, int(total[-1]) + BATCH, BATCH),
                            side="right")
    start = 0
    for end in np.unique(np.r_[edges, len(has)]):
        part = has[start:end]
        if not len(part):
            continue
        start = end
        n = counts[part]
        i = np.repeat(part, n)
        first = np.cumsum(n) - n
        j = order[np.repeat(lo[part] - first, n) + np.arange(int(n.sum()))]
        dist = great_circle_km(s_lon[i], s_lat[i], c_lon[j], c_lat[j])
        keep = dist <= km
        yield i[keep], j[keep], dist[keep]
