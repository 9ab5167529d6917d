"""The temporal spatial join in SQL: the rules of ``analysis.spatial`` (read its module
docstring), run by PostgreSQL + PostGIS over the store.

* **Date**: a version is in force on the incident's day when ``validity @> date``.
* **Edge**: ``ST_Covers`` in lon/lat, so a point on the edge is inside, as in
  ``shapely.intersects_xy``.
* **Nested**: among the versions covering a point the smallest (``ST_Area`` on
  ``geography``) wins, the first in file order among equals; ``zone_count`` counts them.
* **Distance**: to the version's edges on ``geography`` (on the WGS 84 spheroid, in m),
  after cutting the edges at every 0.01° as the in-memory join does before it
  projects: an edge is a straight line in lon/lat, as drawn, not a great circle.
  Outside every zone, the nearest edge within ``max(reach_km, precision_km)``.
* **Ambiguity**: ``precision_km > |edge_km|``.

The in-memory join measures in a UTM projection (or an azimuthal equidistant one),
with edge vertices every 100 m; PostGIS on the spheroid, to the nearest point found on
the sphere. The distances differ by the projection's scale error (below 0.1 % around the
bundled zones), a few metres, and rarely by up to 0.4 % where PostGIS's sphere picks
another stretch of edge (see ``REL_TOL``); ``compare_joins`` checks every row.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import text
from sqlalchemy.engine import Connection

REACH_KM = 25.0
#: How far the two joins' edge distances may differ. The in-memory join measures in the
#: zones' UTM zone (scale 0.9996 on its central meridian, about 1.0008 three degrees off
#: it), with a vertex every 100 m and the nearest vertex searched first (at most 50 m too
#: long). PostGIS measures on the WGS 84 spheroid but picks the nearest point of the edges
#: on the sphere: where two stretches of edge in different directions are nearly as far,
#: the sphere can pick the one that is farther on the spheroid (up to 0.4 % longer; checked
#: against pyproj.Geod on a boundary densified to 0.0005°, which agreed with the in-memory
#: join to 4 m). Observed at 1M SYNTHETIC incidents: 99.9 % of rows within 0.09 %, the
#: worst 0.42 %, never more than 166 m.
REL_TOL, ABS_TOL_KM = 5e-3, 0.06
#: Edges are cut at this step (degrees) before distances, as ``ZoneIndex`` does.
SEGMENT_DEG = 0.01

JOIN_SQL = """
WITH v AS MATERIALIZED (
    SELECT zv.zone_id, zv.version, zv.geom,
           coalesce(lower(zv.validity), '-infinity') AS first_day,
           coalesce(upper(zv.validity), 'infinity') AS after_day,
           ST_Segmentize(ST_Boundary(zv.geom), :step)::geography AS edge,
           ST_Area(zv.geom::geography) AS area,
           ST_XMin(zv.geom) AS xmin, ST_XMax(zv.geom) AS xmax,
           ST_YMin(zv.geom) AS ymin, ST_YMax(zv.geom) AS ymax,
           row_number() OVER (ORDER BY zv.position, zv.zone_id, zv.version) AS pos
    FROM zone_versions zv
), live AS (
    SELECT id, dataset, source_id, date, lon, lat, geom, geom::geography AS geog,
           coalesce(precision_km, 0) AS precision_km,
           greatest(:reach, coalesce(precision_km, 0)) * 1000.0 AS reach_m
    FROM incidents WHERE deleted_at IS NULL {where}
), pairs AS (
    -- Each incident against the versions in force on its day whose box, widened by its
    -- reach, holds it (a cheap test in degrees that never drops a point within reach:
    -- a degree of latitude is at least 110.5 km, one of longitude 111.3 km x cos(lat)).
    -- Version by version (LATERAL, OFFSET 0 keeps the planner from turning it inside
    -- out), so PostGIS reuses each version's prepared polygon and edge tree over all its
    -- incidents instead of rebuilding them at every row.
    SELECT p.id, v.zone_id, v.version, v.pos, v.area, p.reach_m, p.inside, p.dist_m
    FROM v CROSS JOIN LATERAL (
        SELECT i.id, i.reach_m, ST_Covers(v.geom, i.geom) AS inside,
               ST_Distance(v.edge, i.geog) AS dist_m
        FROM live i
        WHERE i.date >= v.first_day AND i.date < v.after_day
          AND i.lat BETWEEN v.ymin - i.reach_m / 110500.0 AND v.ymax + i.reach_m / 110500.0
          AND i.lon BETWEEN v.xmin - i.reach_m / (111300.0 * cos(radians(least(89.0,
                                greatest(abs(v.ymin), abs(v.ymax)) + i.reach_m / 110500.0))))
                        AND v.xmax + i.reach_m / (111300.0 * cos(radians(least(89.0,
                                greatest(abs(v.ymin), abs(v.ymax)) + i.reach_m / 110500.0))))
        OFFSET 0
    ) p
), best_in AS (
    SELECT DISTINCT ON (id) id, zone_id, version, dist_m FROM pairs WHERE inside
    ORDER BY id, area, pos
), best_out AS (
    SELECT DISTINCT ON (id) id, zone_id, dist_m FROM pairs
    WHERE NOT inside AND dist_m <= reach_m
    ORDER BY id, dist_m, pos
), counts AS (
    SELECT id, count(*) AS zone_count FROM pairs WHERE inside GROUP BY id
)
SELECT i.dataset, i.source_id AS incident_id,
       bi.zone_id, bi.version AS zone_version,
       coalesce(bi.dist_m, -bo.dist_m) / 1000.0 AS edge_km,
       coalesce(bi.zone_id, bo.zone_id) AS nearest_zone_id,
       coalesce(i.precision_km > abs(coalesce(bi.dist_m, -bo.dist_m)) / 1000.0, false)
           AS ambiguous,
       coalesce(c.zone_count, 0) AS zone_count
FROM live i
LEFT JOIN best_in bi USING (id)
LEFT JOIN best_out bo USING (id)
LEFT JOIN counts c USING (id)
ORDER BY i.id
"""


def sql_join_columns(conn: Connection, *, reach_km: float = REACH_KM,
                     dataset: str | None = None) -> pd.DataFrame:
    """dataset, incident_id and the join columns (``spatial.JOIN_COLUMNS``, same
    dtypes) of every live incident, computed in the database."""
    where = "AND dataset = :dataset" if dataset is not None else ""
    params = {"step": SEGMENT_DEG, "reach": reach_km}
    if dataset is not None:
        params["dataset"] = dataset
    frame = pd.read_sql_query(text(JOIN_SQL.format(where=where)), conn, params=params)
    frame["zone_id"] = frame["zone_id"].astype(object).where(frame["zone_id"].notna(), None)
    frame["nearest_zone_id"] = frame["nearest_zone_id"].astype(object).where(
        frame["nearest_zone_id"].notna(), None)
    frame["zone_version"] = frame["zone_version"].astype("Int32")
    frame["edge_km"] = frame["edge_km"].astype("float64")
    frame["ambiguous"] = frame["ambiguous"].astype(bool)
    frame["zone_count"] = frame["zone_count"].astype("int16")
    return frame


def compare_joins(memory: pd.DataFrame, sql: pd.DataFrame, reach_km: float = REACH_KM
                  ) -> dict[str, int]:
    """How many rows the in-memory join (``memory``: incidents with the join columns) and
    ``sql_join_columns`` disagree on, per column, matched on dataset and id (distances
    within ``REL_TOL``/``ABS_TOL_KM``); "unmatched": rows only one side has.

    A row whose edge distance lies within that tolerance of a threshold, its reach
    (``max(reach_km, precision_km)``: nearest zone or none) or its location radius
    (ambiguous or not), may fall on either side of it at the precision either join
    measures with, and so may a row outside every zone whose two nearest zones are as
    far within that tolerance (a tie): such rows are counted under "at_threshold", not
    per column."""
    from dashboard.analysis.spatial import JOIN_COLUMNS

    keys = ["dataset", "incident_id"]
    left = memory[[*keys, *JOIN_COLUMNS, "precision_km"]].astype(
        {"dataset": str, "incident_id": str})
    both = left.merge(sql.astype({"dataset": str, "incident_id": str}), on=keys,
                      suffixes=("_m", "_s"), how="outer", indicator=True)
    a, b = both["edge_km_m"].to_numpy(float), both["edge_km_s"].to_numpy(float)
    edge = np.abs(np.where(np.isnan(b), a, b))
    tol = ABS_TOL_KM + REL_TOL * edge
    radius = np.nan_to_num(both["precision_km"].to_numpy(float))
    at_threshold = ((np.abs(edge - np.maximum(reach_km, radius)) <= tol)
                    | (np.abs(edge - radius) <= tol))
    differs = {}
    for col in ("zone_id", "zone_version", "nearest_zone_id", "ambiguous", "zone_count"):
        x, y = both[f"{col}_m"], both[f"{col}_s"]
        differs[col] = (~((x == y).fillna(False) | (x.isna() & y.isna()))).to_numpy(bool)
    differs["edge_km"] = ~(np.isclose(a, b, rtol=REL_TOL, atol=ABS_TOL_KM)
                           | (np.isnan(a) & np.isnan(b)))
    tie = (differs["nearest_zone_id"] & ~differs["edge_km"] & both["zone_id_m"].isna().to_numpy()
           & both["zone_id_s"].isna().to_numpy())
    at_threshold |= tie
    out = {"unmatched": int((both["_merge"] != "both").sum())}
    out |= {col: int((mask & ~at_threshold).sum()) for col, mask in differs.items()}
    out["at_threshold"] = int((np.logical_or.reduce(list(differs.values())) & at_threshold).sum())
    return out
