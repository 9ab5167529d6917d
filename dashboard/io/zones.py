"""Zone files: GeoJSON, GeoPackage, GeoParquet or zipped Shapefile, one feature per
zone version (a file with no dates is one version per zone, in force always)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from dashboard.core import model
from dashboard.io.columns import ZONE_SYNONYMS, map_columns
from dashboard.io.dates import DATE_HINT, NO_DAY_FIX, impossible_days, parse_dates, time_label
from dashboard.io.limits import Limits
from dashboard.io.rowcheck import RowChecks, text
from dashboard.io.tables import Unreadable, check_format, read_raw_table
from dashboard.io.validation import ValidationReport

ZONE_EXTRA_COLUMNS = ["valid_from_time", "valid_to_time"]


def empty_zones():
    """A zone frame with no rows, in EPSG:4326."""
    import geopandas as gpd

    return gpd.GeoDataFrame({c: [] for c in model.ZONE_COLUMNS[:-1] + ZONE_EXTRA_COLUMNS},
                            geometry=gpd.GeoSeries([], crs="EPSG:4326"))


def read_zones(path: str | Path, *, mapping: Mapping[str, str] | None = None,
               limits: Limits | None = None, encoding: str | None = None):
    """(zones, report): one row per zone version in EPSG:4326, and every problem found.

    Rules: ``valid_to`` is the last day in force (inclusive); an empty
    ``valid_from`` means "since always" and an empty ``valid_to`` "still in force".
    Self-intersecting polygons are repaired with ``make_valid`` (and reported).
    ``limits`` caps what the file may unpack to (default: the settings'); ``encoding``
    is that of GeoJSON text or of a Shapefile's attributes (default: detected / the .cpg).
    """
    import geopandas as gpd

    path = Path(path)
    report = ValidationReport(path, kind="zones")
    try:
        fmt = check_format(path, report)
        raw = read_raw_table(path, fmt, report, limits=limits, encoding=encoding)
    except Unreadable:
        return empty_zones(), report
    if not isinstance(raw, gpd.GeoDataFrame):
        report.error("the file has no geometries", "give zones as polygons in GeoJSON, "
                     "GeoPackage, GeoParquet or a zipped Shapefile")
        return empty_zones(), report
    report.kind = f"zones ({fmt})"
    report.rows = len(raw)
    if raw.empty:
        report.error("the file has no features", "add one polygon feature per zone version")
        return empty_zones(), report
    raw = _to_wgs84(raw, report)
    if raw is None:
        return empty_zones(), report
    columns = map_columns([c for c in raw.columns if c != raw.geometry.name], ZONE_SYNONYMS,
                          mapping)
    zones = _convert(raw, columns, report)
    return zones, report


def _to_wgs84(raw, report: ValidationReport):
    if raw.crs is None or raw.crs.is_geographic:
        # GeoJSON is read as EPSG:4326 whatever it holds, so metres there mean no CRS was given.
        far = np.abs(np.nan_to_num(raw.geometry.bounds.to_numpy(dtype="float64"))).max(axis=1) > 360
        if far.any():
            first = int(np.flatnonzero(far)[0])
            x, y = raw.geometry.iloc[first].bounds[:2]
            more = f" ({int(far.sum())} features like it)" if far.sum() > 1 else ""
            report.error("the coordinates look projected (metres) but the file declares no CRS"
                         + more, "save the file with its CRS (a .prj for Shapefiles) or in EPSG:4326",
                         where=f"feature {first + 1}", column="geometry", value=f"{x:.0f}, {y:.0f}")
            return None
    if raw.crs is None:
        return raw.set_crs("EPSG:4326")
    if raw.crs.equals("EPSG:4326") or raw.crs.equals("OGC:CRS84"):
        return raw
    report.info(f"reprojected from {raw.crs.to_string()} to EPSG:4326 (lon/lat)")
    return raw.to_crs("EPSG:4326")


def _convert(raw, columns: dict[str, str], report: ValidationReport):
    import geopandas as gpd

    n = len(raw)
    checks = RowChecks(report, n, unit="feature")

    def column(ours: str) -> pd.Series | None:
        return raw[columns[ours]].reset_index(drop=True) if ours in columns else None

    out = pd.DataFrame(index=pd.RangeIndex(n))
    zone_id = text(column("zone_id"), n)
    name = text(column("name"), n)
    if "zone_id" not in columns and "name" not in columns:
        report.error("no zone id or name column", "add a 'zone_id' (or 'name') property to "
                     "every feature")
        return empty_zones()
    zone_id = zone_id.where(zone_id != "", name)
    checks.flag(zone_id.eq("").to_numpy(), "error", "the zone has no id or name",
                "give the feature a 'zone_id' property", column=columns.get("zone_id"))
    out["zone_id"] = zone_id
    out["name"] = name.where(name != "", zone_id)

    froms, bad_from = parse_dates(column("valid_from") if "valid_from" in columns
                                  else pd.Series([""] * n))
    tos, bad_to = parse_dates(column("valid_to") if "valid_to" in columns else pd.Series([""] * n))
    if "valid_from" not in columns:
        report.info("no valid_from property: every zone is taken as in force at all times")
    for name, bad in (("valid_from", bad_from), ("valid_to", bad_to)):
        written = text(column(name), n)
        no_day = checks.flag_each(impossible_days(written, bad), "error", NO_DAY_FIX,
                                  column=columns.get(name))
        checks.flag(bad & ~no_day, "error", f"{name} cannot be read", DATE_HINT,
                    column=columns.get(name), values=written)
    reversed_ = (tos < froms).to_numpy()
    checks.flag(reversed_, "error", "valid_to is before valid_from",
                "swap the dates, or leave valid_to empty while the zone is in force",
                column=columns.get("valid_to"),
                values=text(column("valid_from"), n) + " .. " + text(column("valid_to"), n))
    out["valid_from"], out["valid_to"] = froms, tos
    out["valid_from_time"] = time_label(column("valid_from")) if "valid_from" in columns else ""
    out["valid_to_time"] = time_label(column("valid_to")) if "valid_to" in columns else ""

    status = text(column("status"), n).str.lower().str.replace(" ", "_")
    out["status"] = status.where(status != "", "in_effect" if "status" not in columns
                                 else "unspecified")
    custom = sorted(set(out["status"]) - set(model.KNOWN_STATUSES) - {"unspecified"})
    if custom:
        report.info(f"status labels of your own kept as given: {', '.join(custom)}")
    precision = text(column("boundary_precision"), n).str.lower()
    odd = ~precision.isin(["", *model.BOUNDARY_PRECISIONS])
    checks.flag(odd.to_numpy(), "warning", "boundary_precision is neither exact nor approximate",
                "write 'exact' or 'approximate'; taken as approximate",
                column=columns.get("boundary_precision"), values=precision)
    if "boundary_precision" not in columns:
        report.info("no boundary_precision property: boundaries are shown as approximate")
    out["boundary_precision"] = precision.where(precision == "exact", "approximate")
    out["source"] = text(column("source"), n)
    if "source" not in columns:
        report.warning("no source property", "add a 'source' to every feature so maps and "
                       "reports can cite it")
    out["notes"] = text(column("notes"), n)

    geoms = _check_geometries(raw.geometry.reset_index(drop=True).to_numpy(), checks)
    out["version"] = _versions(out, column("version"), checks, columns.get("version"))
    _check_overlaps(out, checks)
    checks.finish(raw)
    zones = gpd.GeoDataFrame(out, geometry=gpd.GeoSeries(geoms, crs="EPSG:4326"))
    zones = zones[model.ZONE_COLUMNS[:-1] + ZONE_EXTRA_COLUMNS + ["geometry"]]
    return zones.sort_values(["zone_id", "version"], kind="stable")


def _check_geometries(geoms: np.ndarray, checks: RowChecks) -> np.ndarray:
    import shapely

    geoms = geoms.copy()
    missing = shapely.is_missing(geoms)
    checks.flag(missing, "error", "the feature has no geometry",
                "draw the zone's polygon or remove the feature", column="geometry")
    empty = ~missing & shapely.is_empty(geoms)
    checks.flag(empty, "error", "the geometry is empty", "draw the zone's polygon",
                column="geometry")
    kinds = shapely.get_type_id(geoms)
    polygonal = np.isin(kinds, [3, 6])  # Polygon, MultiPolygon
    checks.flag(~missing & ~empty & ~polygonal, "error", "the geometry is not a polygon",
                "zones must be Polygon or MultiPolygon features", column="geometry",
                values=np.array([getattr(g, "geom_type", "") for g in geoms], dtype=object))
    invalid = polygonal & ~empty & ~shapely.is_valid(geoms)
    for i in np.flatnonzero(invalid):
        reason = shapely.is_valid_reason(geoms[i])
        fixed = shapely.make_valid(geoms[i])
        polys = [g for g in shapely.get_parts(fixed) if shapely.get_type_id(g) in (3, 6)]
        geoms[i] = shapely.multipolygons(polys) if len(polys) > 1 else (polys[0] if polys else fixed)
        checks.flag(np.arange(len(geoms)) == i, "warning",
                    f"the geometry was invalid ({reason}) and has been repaired with make_valid",
                    "check the repaired outline; redraw the polygon without crossing edges",
                    column="geometry")
    inverted = polygonal & ~empty & (shapely.area(geoms) > 1e4)
    checks.flag(inverted, "error", "the polygon is larger than a hemisphere",
                "check that longitude/latitude are not swapped and that the CRS is declared",
                column="geometry")
    _check_swapped(geoms, polygonal & ~empty & ~inverted, checks)
    return geoms


def _check_swapped(geoms: np.ndarray, usable: np.ndarray, checks: RowChecks) -> None:
    """Zones far from the others that land among them with longitude and latitude
    swapped. Needs three zones or more: with two, which one is astray cannot be told."""
    import shapely

    from dashboard.io.places import country_at, explain_zone

    if usable.sum() < 3:
        return
    centre = shapely.get_coordinates(shapely.centroid(geoms[usable]))
    x = np.full(len(geoms), np.nan)
    y = np.full(len(geoms), np.nan)
    x[usable], y[usable] = centre[:, 0], centre[:, 1]
    mx, my = np.median(centre[:, 0]), np.median(centre[:, 1])
    # Robust to the stray zones themselves: the median distance, not a percentile.
    spread = max(float(np.median(np.abs(centre[:, 0] - mx) + np.abs(centre[:, 1] - my))), 0.5)
    with np.errstate(invalid="ignore"):
        far = np.abs(x - mx) + np.abs(y - my) > 4 * spread
        fits = np.abs(y - mx) + np.abs(x - my) <= 2 * spread
    swapped = usable & far & fits
    for i in np.flatnonzero(swapped):
        checks.flag(np.arange(len(geoms)) == i, "error",
                    explain_zone(x[i], y[i], country_at(mx, my)),
                    "swap the coordinates of this polygon (x and y, longitude and latitude)",
                    column="geometry")


def _versions(out: pd.DataFrame, given: pd.Series | None, checks: RowChecks, col) -> np.ndarray:
    """Version numbers as given, else 1, 2, ... in order of valid_from within each zone."""
    if given is not None:
        vals = pd.to_numeric(given, errors="coerce")
        bad = vals.isna() | (vals != vals.round())
        checks.flag(bad.to_numpy(), "error", "the version is not a whole number",
                    "number the versions of each zone 1, 2, 3, ...", column=col,
                    values=text(given, len(out)))
        dup = pd.DataFrame({"z": out["zone_id"], "v": vals}).duplicated(keep=False).to_numpy()
        checks.flag(dup & ~bad.to_numpy(), "error", "two features have the same zone id and "
                    "version", "give each version of a zone its own number", column=col,
                    values=out["zone_id"] + " v" + text(given, len(out)))
        return vals.fillna(0).astype(int).to_numpy()
    order = out.assign(_f=out["valid_from"].fillna(pd.Timestamp.min))
    return (order.groupby("zone_id")["_f"].rank(method="first").astype(int).to_numpy())


def _check_overlaps(out: pd.DataFrame, checks: RowChecks) -> None:
    """Two versions of one zone may not be in force on the same day."""
    start = out["valid_from"].fillna(pd.Timestamp.min)
    end = out["valid_to"].fillna(pd.Timestamp.max)
    frame = pd.DataFrame({"z": out["zone_id"], "s": start, "e": end}).sort_values(["z", "s"])
    prev_end = frame.groupby("z")["e"].shift()
    prev_pos = frame.index.to_series().groupby(frame["z"]).shift()
    overlap = (frame["s"] <= prev_end).reindex(out.index, fill_value=False).to_numpy()
    shown = out["valid_from"].dt.strftime("%Y-%m-%d").fillna("").to_numpy(dtype=object)
    for i in np.flatnonzero(overlap):
        j = int(prev_pos.loc[i])
        checks.flag(np.arange(len(out)) == i, "error",
                    f"this version of zone '{out['zone_id'][i]}' overlaps in time with "
                    f"{checks.label(j)} (which runs to "
                    f"{'open end' if pd.isna(out['valid_to'][j]) else out['valid_to'][j].date()})",
                    "end the earlier version the day before the next one starts",
                    column="valid_from", values=shown)
