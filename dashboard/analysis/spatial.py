"""The temporal spatial join: each incident against the zone versions in force on its day.

Rules (tested in tests/test_spatial.py):

* **Date.** An incident belongs to the version in force on its (first) ``date``;
  a version's last day ``valid_to`` is included. Multi-day events are placed on
  their first day.
* **Edge.** A point exactly on a zone's edge is inside (distance 0); so two
  zones sharing an edge both contain a point on it.
* **Nested zones.** When several zones contain an incident (a buffer zone inside
  a larger one), ``zone_id`` is the smallest of them, the most specific, and
  ``zone_count`` says how many contain it. ``zone_membership`` answers "is it in
  zone Z" for one zone whatever else contains it.
* **Distance.** ``edge_km`` is the signed distance to the zone's nearest edge in
  km, positive inside, negative outside (then to the nearest zone in force, when
  within ``reach_km`` or the incident's own precision radius), measured in a
  metric projection fitted to the zones (UTM, or azimuthal equidistant for wide
  extents), never in degrees.
* **Ambiguity.** ``ambiguous`` is true when the incident's location-precision
  radius is larger than ``|edge_km|``: it may really lie on the other side.

The work is vectorised: incidents are sorted by day once, each zone version
takes its slice by ``searchsorted``, containment is ``shapely.intersects_xy``
against the prepared polygon and distances come from an STRtree of edge segments.
"""

from __future__ import annotations

import importlib
import sys
import threading
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer

from dashboard.core.errors import CRSMismatchError
from dashboard.io.dates import day_order, to_day_numbers

JOIN_COLUMNS = ["zone_id", "zone_version", "edge_km", "nearest_zone_id", "ambiguous",
                "zone_count"]
_OPEN_START, _OPEN_END = np.iinfo(np.int32).min + 1, np.iinfo(np.int32).max


def import_in_background() -> None:
    """Start importing the KD-tree's library (scipy.spatial: 0.3-0.5 s) on a thread, so
    a caller about to read files before a join overlaps the two. A join that comes
    first simply waits for that import to finish (Python's import lock)."""
    if "scipy.spatial" not in sys.modules:
        threading.Thread(target=importlib.import_module, args=("scipy.spatial",), daemon=True,
                         name="zonewatch-import").start()


def metric_crs(zones: pd.DataFrame) -> CRS:
    """A metric CRS suited to the zones: their UTM zone, or an azimuthal equidistant
    projection centred on them when they span more than one UTM zone's width."""
    minx, miny, maxx, maxy = zones.total_bounds
    lon0, lat0 = (minx + maxx) / 2, (miny + maxy) / 2
    if maxx - minx <= 6:
        code = _utm_code(float(lon0), float(lat0))
        if code is not None:
            return CRS.from_epsg(code)
    return CRS.from_proj4(f"+proj=aeqd +lat_0={lat0:.4f} +lon_0={lon0:.4f} +datum=WGS84 +units=m")


@lru_cache(maxsize=64)
def _utm_code(lon0: float, lat0: float) -> int | None:
    """The EPSG code of the WGS 84 UTM zone at a point. Kept per centre: asking PROJ's
    database costs about 0.07 s, and every upload of the same zones asks again."""
    from pyproj.aoi import AreaOfInterest
    from pyproj.database import query_utm_crs_info

    infos = query_utm_crs_info(datum_name="WGS 84",
                               area_of_interest=AreaOfInterest(lon0, lat0, lon0, lat0))
    return int(infos[0].code) if infos else None


@dataclass(frozen=True)
class _Hits:
    """Incident positions near one zone version, and where they lie relative to it."""

    idx: np.ndarray      # positions in the incident frame
    signed_km: np.ndarray
    zone: int            # position of the zone id in the zone list
    version: int
    area: float


class ZoneIndex:
    """Zone versions projected and indexed once, to be joined against many incident sets."""

    def __init__(self, zones: pd.DataFrame):
        if zones.crs is not None and not zones.crs.equals("EPSG:4326"):
            raise CRSMismatchError(f"zones are in {zones.crs.to_string()}; reproject them to "
                                   "EPSG:4326 (the readers do this)")
        self.crs = metric_crs(zones) if len(zones) else CRS.from_epsg(3857)
        self.to_metric = Transformer.from_crs("EPSG:4326", self.crs, always_xy=True)
        # Edges are straight in lon/lat, as drawn; densify them (0.01° is about 1 km) before
        # projecting, so a long edge is measured where it lies and not along its chord.
        projected = (zones.set_geometry(zones.geometry.segmentize(0.01)).to_crs(self.crs)
                     if len(zones) else zones)
        self.zone_ids = list(dict.fromkeys(zones["zone_id"]))
        self.versions = []
        for row, geom in zip(zones.itertuples(index=False), projected.geometry, strict=True):
            lonlat = row.geometry
            shapely.prepare(lonlat)
            edges = _EdgeIndex(geom)
            self.versions.append({
                "zone": self.zone_ids.index(row.zone_id), "version": int(row.version),
                "start": _OPEN_START if pd.isna(row.valid_from)
                else to_day_numbers(np.array([row.valid_from]))[0],
                "end": _OPEN_END if pd.isna(row.valid_to)
                else to_day_numbers(np.array([row.valid_to]))[0],
                "lonlat": lonlat, "lonlat_bounds": shapely.bounds(lonlat),
                "bounds": shapely.bounds(geom), "area": float(geom.area),
                "edges": edges,
            })

    def project(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return self.to_metric.transform(np.asarray(lon, "float64"), np.asarray(lat, "float64"))

    def hits(self, incidents: pd.DataFrame, reach_km: float) -> list[_Hits]:
        """For each version: the incidents dated in its period and within reach of it."""
        return self._scan(incidents, reach_km)[0]

    def _scan(self, incidents: pd.DataFrame, reach_km: float
              ) -> tuple[list[_Hits], dict[str, np.ndarray]]:
        """``hits``, and the zone masks of ``membership_masks`` from the same
        containment test (a point inside a zone in lon/lat is nearly always within
        reach; the rare one that is not is tested on its own)."""
        days = to_day_numbers(incidents["date"].to_numpy())
        order = day_order(days)
        sorted_days = days[order]
        # Everything in date order once, so each version reads contiguous slices.
        lon = incidents["lon"].to_numpy(dtype="float64")[order]
        lat = incidents["lat"].to_numpy(dtype="float64")[order]
        x, y = self.project(lon, lat)
        radius_m = np.maximum(reach_km, np.nan_to_num(
            incidents["precision_km"].to_numpy(dtype="float64")[order], nan=0.0)) * 1000.0
        masks = {z: np.zeros(len(incidents), dtype=bool) for z in self.zone_ids}
        found = []
        for v in self.versions:
            lo = np.searchsorted(sorted_days, v["start"], side="left")
            hi = np.searchsorted(sorted_days, v["end"], side="right")
            minx, miny, maxx, maxy = v["bounds"]
            r, xi, yi = radius_m[lo:hi], x[lo:hi], y[lo:hi]
            near = (xi >= minx - r) & (xi <= maxx + r) & (yi >= miny - r) & (yi <= maxy + r)
            # Containment in lon/lat, as the zone was drawn (an edge point stays on the
            # edge); distance in metres.
            lminx, lminy, lmaxx, lmaxy = v["lonlat_bounds"]
            li, la = lon[lo:hi], lat[lo:hi]
            tested = np.flatnonzero(near | ((li >= lminx) & (li <= lmaxx) & (la >= lminy)
                                            & (la <= lmaxy)))
            inside = np.zeros(hi - lo, dtype=bool)
            inside[tested] = shapely.intersects_xy(v["lonlat"], li[tested], la[tested])
            idx = order[lo:hi]
            masks[self.zone_ids[v["zone"]]][idx[inside]] = True
            idx, xi, yi, r, inside = idx[near], xi[near], yi[near], r[near], inside[near]
            if not len(idx):
                continue
            dist = v["edges"].distance(xi, yi)
            signed = np.where(inside, dist, -dist) / 1000.0
            keep = inside | (dist <= r)
            found.append(_Hits(idx[keep], signed[keep], v["zone"], v["version"], v["area"]))
        return found, masks


class _EdgeIndex:
    """Distance from many points to a polygon's edges, fast.

    The edges are cut into pieces of at most ``STEP_M`` metres and their vertices put
    in a KD-tree. For each point the nearest vertex is found, then the exact
    distance to the pieces on either side of it is taken: exact wherever the nearest
    piece touches the nearest vertex, and never more than ``STEP_M / 2`` too long.
    """

    STEP_M = 100.0
    #: Vertices per KD-tree leaf. Most points lie far inside a zone, where a search visits
    #: many leaves: bigger leaves make fewer, and queries about 1.6 times faster than
    #: scipy's default of 16 (the same nearest vertices on the bundled zones at 1M).
    LEAF_SIZE = 64

    def __init__(self, geom):
        from scipy.spatial import cKDTree

        rings = []
        for part in shapely.get_parts(shapely.segmentize(geom, self.STEP_M)):
            rings.extend(shapely.get_rings(part))
        starts, nexts, prevs, offset = [], [], [], 0
        for ring in rings:
            coords = shapely.get_coordinates(ring)[:-1]  # drop the closing repeat
            k = len(coords)
            starts.append(coords)
            local = np.arange(k)
            nexts.append(offset + (local + 1) % k)
            prevs.append(offset + (local - 1) % k)
            offset += k
        self.vertices = np.concatenate(starts)
        self.next = np.concatenate(nexts)
        self.prev = np.concatenate(prevs)
        self.tree = cKDTree(self.vertices, leafsize=self.LEAF_SIZE)

    def distance(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        points = np.column_stack([x, y])
        nearest_d, j = self.tree.query(points, k=1, workers=-1)
        a = self.vertices[j]
        best = nearest_d
        for other in (self.next[j], self.prev[j]):
            b = self.vertices[other]
            ab = b - a
            length2 = np.einsum("ij,ij->i", ab, ab)
            t = np.clip(np.einsum("ij,ij->i", points - a, ab) / np.where(length2 > 0, length2, 1),
                        0, 1)
            foot = a + ab * t[:, None]
            best = np.minimum(best, np.hypot(*(points - foot).T))
        return best


def join_incidents(incidents: pd.DataFrame, zones: pd.DataFrame, *, reach_km: float = 25.0,
                   index: ZoneIndex | None = None) -> pd.DataFrame:
    """``incidents`` with the join columns added (a new frame; the input is untouched).

    See the module docstring for the rules. ``index`` lets callers reuse a
    projected zone index across joins.
    """
    return join_with_masks(incidents, zones, reach_km=reach_km, index=index)[0]


def join_with_masks(incidents: pd.DataFrame, zones: pd.DataFrame, *, reach_km: float = 25.0,
                    index: ZoneIndex | None = None
                    ) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """``join_incidents`` and ``membership_masks`` in one pass over the incidents: a
    view needs both, and they share the date slices and the containment test."""
    index = index or ZoneIndex(zones)
    n = len(incidents)
    zone_pos = np.full(n, -1, dtype=np.int32)
    version = np.zeros(n, dtype=np.int32)
    edge_km = np.full(n, np.nan)
    nearest = np.full(n, -1, dtype=np.int32)
    count = np.zeros(n, dtype=np.int16)
    hits, masks = (index._scan(incidents, reach_km) if n
                   else ([], {z: np.zeros(0, dtype=bool) for z in index.zone_ids}))
    if hits:
        inside = [h.signed_km >= 0 for h in hits]
        count[:] = np.bincount(np.concatenate([h.idx[i] for h, i in zip(hits, inside,
                                                                       strict=True)]),
                               minlength=n)
        # Inside: the smallest containing zone wins (the first listed among equals). A
        # version's hits name each incident once, so writing them largest area first,
        # and equals last listed first, leaves the winner's values.
        for k in sorted(range(len(hits)), key=lambda k: (-hits[k].area, -k)):
            h, sel = hits[k], inside[k]
            rows = h.idx[sel]
            zone_pos[rows] = h.zone
            version[rows] = h.version
            edge_km[rows] = h.signed_km[sel]
            nearest[rows] = h.zone
        # Outside every zone: the nearest zone edge in reach.
        idx = np.concatenate([h.idx[~i] for h, i in zip(hits, inside, strict=True)])
        signed = np.concatenate([h.signed_km[~i] for h, i in zip(hits, inside, strict=True)])
        zone = np.concatenate([np.full(int((~i).sum()), h.zone, np.int32)
                               for h, i in zip(hits, inside, strict=True)])
        out = np.flatnonzero(zone_pos[idx] < 0)
        out = out[np.lexsort((-signed[out], idx[out]))]
        first = out[np.r_[True, idx[out][1:] != idx[out][:-1]]] if len(out) else out
        edge_km[idx[first]] = signed[first]
        nearest[idx[first]] = zone[first]
    ids = np.array([*index.zone_ids, None], dtype=object)
    prec = incidents["precision_km"].to_numpy(dtype="float64") if n else np.array([])
    columns = {
        "zone_id": pd.Series(ids[zone_pos], index=incidents.index, dtype=object, copy=False),
        "zone_version": pd.Series(pd.arrays.IntegerArray(version, zone_pos < 0),
                                  index=incidents.index),
        "edge_km": pd.Series(edge_km, index=incidents.index, copy=False),
        "nearest_zone_id": pd.Series(ids[nearest], index=incidents.index, dtype=object,
                                     copy=False),
        "ambiguous": pd.Series(~np.isnan(edge_km) & (np.nan_to_num(prec) > np.abs(edge_km)),
                               index=incidents.index, copy=False),
        "zone_count": pd.Series(count, index=incidents.index, copy=False),
    }  # fresh arrays, owned by these columns alone: no copies
    # A shallow copy: the input's columns are shared, never changed (copy-on-write).
    kept = incidents.drop(columns=[c for c in columns if c in incidents.columns])
    return pd.concat([kept, pd.DataFrame(columns)], axis=1), masks


def zone_membership(incidents: pd.DataFrame, zones: pd.DataFrame, zone_id: str, *,
                    reach_km: float = 50.0, index: ZoneIndex | None = None) -> pd.DataFrame:
    """For one zone: per incident, the version in force that day (0: none), whether
    the incident lies inside it, and the signed distance to its edge (NaN beyond reach).

    Other zones, nested or overlapping, do not matter here.
    """
    one = zones.loc[zones["zone_id"] == zone_id]
    index = index if index is not None else ZoneIndex(one)
    n = len(incidents)
    version = np.zeros(n, dtype=np.int32)
    signed = np.full(n, np.nan)
    if len(one) and n:
        pos = index.zone_ids.index(zone_id)
        for h in index.hits(incidents, reach_km):
            if h.zone == pos:
                version[h.idx] = h.version
                signed[h.idx] = h.signed_km
    return pd.DataFrame({"version": version, "inside": ~np.isnan(signed) & (signed >= 0),
                         "edge_km": signed}, index=incidents.index)


def membership_masks(incidents: pd.DataFrame, index: ZoneIndex) -> dict[str, np.ndarray]:
    """Zone id -> which incidents lie inside that zone as it stood on their day.

    Unlike ``zone_id`` from the join, nested zones each see their incidents.
    """
    masks = {z: np.zeros(len(incidents), dtype=bool) for z in index.zone_ids}
    if not len(incidents):
        return masks
    # Containment only (no distances): the same date slices and lon/lat test as hits().
    days = to_day_numbers(incidents["date"].to_numpy())
    order = day_order(days)
    sorted_days = days[order]
    lon = incidents["lon"].to_numpy(dtype="float64")
    lat = incidents["lat"].to_numpy(dtype="float64")
    for v in index.versions:
        lo = np.searchsorted(sorted_days, v["start"], side="left")
        hi = np.searchsorted(sorted_days, v["end"], side="right")
        idx = order[lo:hi]
        minx, miny, maxx, maxy = v["lonlat_bounds"]
        near = (lon[idx] >= minx) & (lon[idx] <= maxx) & (lat[idx] >= miny) & (lat[idx] <= maxy)
        idx = idx[near]
        inside = shapely.intersects_xy(v["lonlat"], lon[idx], lat[idx])
        masks[index.zone_ids[v["zone"]]][idx[inside]] = True
    return masks
