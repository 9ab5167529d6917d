"""Pairs of points in the same bucket (a day and a kind group) within a distance: a grid join.

The linking of likely duplicates (:mod:`dashboard.analysis.dedupe`) asks, for two sets
of points, every pair that shares a bucket and lies within ``km`` of each other on the
sphere. Comparing all pairs is quadratic; here each point gets a grid cell of at least
``km`` on a side (in degrees: ``km`` of latitude, and of longitude at the highest
latitude reached), cells and buckets are packed into one sorted integer key, and each
point of one set looks up the 3 × 3 cells around it in the other by binary search. The
exact great-circle distance (through the chord between unit vectors) then drops the
corners. Pure numpy; pairs come in batches
of bounded size so memory stays flat however dense a day is.

Longitudes are not wrapped: points on both sides of the antimeridian are not paired.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

EARTH_KM = 6371.0088
BATCH = 4_000_000  # candidate pairs looked at per batch


def unit_vectors(lon, lat) -> np.ndarray:
    """Points on the unit sphere, (n, 3): a distance is then three differences."""
    lam, phi = np.radians(lon), np.radians(lat)
    cos_phi = np.cos(phi)
    return np.column_stack([cos_phi * np.cos(lam), cos_phi * np.sin(lam), np.sin(phi)])


def chord_to_km(chord2: np.ndarray) -> np.ndarray:
    """Great-circle km from the squared chord between unit vectors."""
    return 2 * EARTH_KM * np.arcsin(np.minimum(np.sqrt(chord2) / 2, 1.0))


def chord2(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Squared chords between rows of two (n, 3) unit-vector arrays."""
    d = u - v
    return np.einsum("ij,ij->i", d, d)


def great_circle_km(lon1, lat1, lon2, lat2) -> np.ndarray:
    """Great-circle distance in km (arrays of degrees, broadcast), as the index measures
    it: through the chord between unit vectors."""
    lon1, lat1, lon2, lat2 = np.broadcast_arrays(lon1, lat1, lon2, lat2)
    u = unit_vectors(lon1.ravel(), lat1.ravel())
    v = unit_vectors(lon2.ravel(), lat2.ravel())
    return chord_to_km(chord2(u, v)).reshape(lon1.shape)


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
    # Both sides' unit vectors in key order: a range of cells is then a contiguous run
    # of memory, and only the pairs kept are mapped back to the callers' positions.
    s_xyz = unit_vectors(s_lon[s_order], s_lat[s_order])
    c_xyz = unit_vectors(c_lon[order], c_lat[order])
    for dy in (-1, 0, 1):
        row = s_sorted + dy * nx  # x-1..x+1 of one grid row are consecutive keys
        lo = np.searchsorted(sorted_key, row - 1, side="left")
        hi = np.searchsorted(sorted_key, row + 1, side="right")
        for i, j, dist in _expand(lo, hi - lo, order, s_xyz, c_xyz, km):
            yield s_order[i], j, dist


def _expand(lo, counts, order, s_xyz, c_xyz, km):
    """The pairs of the ranges ``lo[i]..lo[i] + counts[i]``, in batches, within ``km``."""
    has = np.nonzero(counts)[0]
    if not len(has):
        return
    total = np.cumsum(counts[has])
    cuts = np.searchsorted(total, np.arange(BATCH, int(total[-1]) + BATCH, BATCH), side="right")
    edges = [*cuts.tolist(), len(has)]
    start = 0
    for end in edges:  # non-decreasing: a batch ends where the running total passes BATCH
        part = has[start:end]
        if not len(part):
            continue
        start = end
        n = counts[part]
        i = np.repeat(part, n)
        first = np.cumsum(n) - n
        pos = np.repeat(lo[part] - first, n) + np.arange(int(n.sum()))
        # Squared chords first (no trigonometry); the arc only for the pairs kept. The
        # test is on the arc, as the baseline's, so both keep the same pairs.
        c2 = chord2(s_xyz[i], c_xyz[pos])
        near = np.nonzero(c2 <= (2 * np.sin(min(km / EARTH_KM, np.pi) / 2)) ** 2
                          * (1 + 1e-9))[0]
        dist = chord_to_km(c2[near])
        keep = near[dist <= km]
        yield i[keep], order[pos[keep]], dist[dist <= km]
