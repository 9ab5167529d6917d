"""Incident files: UCDP GED, ACLED, generic CSV/XLSX and point GeoJSON/GPKG/Parquet.

Every reader produces the columns of ``model.INCIDENT_COLUMNS`` (then any extra
columns of the file, unchanged) and a report of every problem found, located.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from dashboard.core import model
from dashboard.io import sniff
from dashboard.io.columns import INCIDENT_SYNONYMS, hxl_columns, map_columns
from dashboard.io.dates import DATE_HINT, NO_DAY_FIX, impossible_days, parse_dates
from dashboard.io.limits import Limits
from dashboard.io.rowcheck import RowChecks, by_unique, numbers, text
from dashboard.io.tables import Unreadable, check_format, read_raw_table
from dashboard.io.validation import ValidationReport

INCIDENT_KINDS = ("ucdp", "acled", "generic")

UCDP_COLUMNS = {"date_start", "date_end", "where_prec", "side_a", "side_b", "best",
                "type_of_violence"}
ACLED_COLUMNS = {"event_date", "geo_precision", "actor1", "event_type", "fatalities"}

UCDP_MAPPING = {
    "incident_id": "id", "date": "date_start", "date_end": "date_end",
    "date_precision": "date_prec", "lon": "longitude", "lat": "latitude",
    "place": "where_coordinates", "admin1": "adm_1", "admin2": "adm_2",
    "loc_precision": "where_prec", "event_type": "type_of_violence", "sub_type": "dyad_name",
    "actor1": "side_a", "actor2": "side_b", "fatalities": "best", "source": "source_office",
    "notes": "source_headline",
}
ACLED_MAPPING = {
    "incident_id": "event_id_cnty", "date": "event_date", "date_precision": "time_precision",
    "lon": "longitude", "lat": "latitude", "place": "location", "admin1": "admin1",
    "admin2": "admin2", "loc_precision": "geo_precision", "event_type": "event_type",
    "sub_type": "sub_event_type", "actor1": "actor1", "actor2": "actor2",
    "fatalities": "fatalities", "source": "source", "notes": "notes",
}
#: Columns stored as categories: the same handful of values on every row.
CATEGORICAL = ("date_precision", "loc_precision", "event_type", "source", "dataset")
_DATASET = {"ucdp": "UCDP GED", "acled": "ACLED", "generic": ""}


def detect_kind(columns) -> str:
    """"ucdp", "acled" or "generic", from the header alone."""
    cols = {str(c).strip().lower() for c in columns}
    if cols >= UCDP_COLUMNS:
        return "ucdp"
    if cols >= ACLED_COLUMNS:
        return "acled"
    return "generic"


def read_incidents(
    path: str | Path,
    *,
    kind: str | None = None,
    mapping: Mapping[str, str] | None = None,
    crs: str | None = None,
    sheet: str | int | None = None,
    limits: Limits | None = None,
    encoding: str | None = None,
) -> tuple[pd.DataFrame, ValidationReport]:
    """Every row of an incident file in ZoneWatch's columns, and what is wrong with it.

    ``kind`` overrides detection; ``mapping`` ({our column: file column}) names
    columns the synonyms miss; ``crs`` says what x/y columns of a CSV are in when
    they are not lon/lat degrees; ``limits`` caps what the file may unpack to; ``encoding``
    is the text's (default: detected among UTF-8, UTF-16, cp1256 and cp1252). Rows with
    errors are listed in ``report.rejected_rows``; nothing is dropped here.
    """
    path = Path(path)
    report = ValidationReport(path, kind="incidents")
    try:
        fmt = check_format(path, report)
        raw = read_raw_table(path, fmt, report, sheet=sheet, limits=limits, encoding=encoding)
    except Unreadable:
        return empty_incidents(), report
    raw = _points_to_columns(raw, report)
    if raw is None:
        return empty_incidents(), report
    if kind is not None and kind not in INCIDENT_KINDS:
        report.error(f"unknown incident format {kind!r}",
                     f"use one of {', '.join(INCIDENT_KINDS)}")
        return empty_incidents(), report
    kind = kind or detect_kind(raw.columns)
    report.kind = f"{_DATASET[kind] or 'generic'} incidents ({_fmt_word(fmt)})"
    report.rows = len(raw)
    if raw.empty:
        report.error("the file has a header but no data rows", "add incident rows below the header")
        return empty_incidents(), report
    base = {"ucdp": UCDP_MAPPING, "acled": ACLED_MAPPING}.get(kind, {})
    columns = {k: v for k, v in base.items() if v in raw.columns}
    columns = map_columns(raw.columns, INCIDENT_SYNONYMS, {**columns, **(mapping or {})})
    if "hxl" in raw.attrs:
        columns.update(hxl_columns(raw.attrs["hxl"], columns))
    missing_mapped = [f"{ours}={theirs}" for ours, theirs in (mapping or {}).items()
                      if theirs not in raw.columns]
    if missing_mapped:
        report.error(f"the column mapping names columns the file does not have: {missing_mapped}",
                     f"use names from the header: {list(raw.columns)[:20]}")
        return empty_incidents(), report
    row_errors = len(report.errors)  # non-point features, already located and rejected
    for needed in ("date", "lon", "lat"):
        if needed not in columns:
            report.error(f"no {needed} column found",
                         f"name a column '{needed}' or map it with --map {needed}=COLUMN "
                         f"(columns seen: {', '.join(map(str, list(raw.columns)[:15]))})")
    if len(report.errors) > row_errors:
        return empty_incidents(), report
    frame = _convert(raw, columns, kind, report, crs, unit="feature"
                     if fmt in (sniff.JSON, sniff.GPKG, sniff.ZIP, sniff.PARQUET) else "row")
    return frame, report


def _fmt_word(fmt: str) -> str:
    return {"text": "CSV", "gzip": "CSV, gzip", "json": "GeoJSON", "gpkg": "GeoPackage",
            "parquet": "Parquet", "xlsx": "XLSX", "zip": "zipped Shapefile"}.get(fmt, fmt)


def empty_incidents() -> pd.DataFrame:
    """A frame with the incident columns and no rows."""
    frame = pd.DataFrame({c: pd.Series(dtype=object) for c in model.INCIDENT_COLUMNS})
    frame["date"] = pd.Series(dtype="datetime64[ns]")
    frame["date_end"] = pd.Series(dtype="datetime64[ns]")
    for col in ("lon", "lat", "fatalities", "precision_km"):
        frame[col] = pd.Series(dtype="float64")
    return frame


def _points_to_columns(raw: pd.DataFrame, report: ValidationReport) -> pd.DataFrame | None:
    """Point geometries become lon/lat columns in EPSG:4326; others are reported."""
    import geopandas as gpd

    if not isinstance(raw, gpd.GeoDataFrame) or raw.geometry.name not in raw.columns:
        return raw
    gdf = raw
    if gdf.crs is not None and not gdf.crs.equals("EPSG:4326") and not gdf.crs.equals("OGC:CRS84"):
        report.info(f"reprojected from {gdf.crs.to_string()} to EPSG:4326 (lon/lat)")
        gdf = gdf.to_crs("EPSG:4326")
    geom = gdf.geometry
    kinds = geom.geom_type.fillna("missing").to_numpy()
    checks = RowChecks(report, len(gdf), unit="feature")
    not_point = ~np.isin(kinds, ["Point", "missing"])
    checks.flag(not_point, "error", "geometry is not a point", "give incidents Point geometries "
                "(use a centroid for areas, with a location precision that says so)",
                column="geometry", values=kinds)
    out = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
    is_point = kinds == "Point"
    lon = np.full(len(gdf), np.nan)
    lat = np.full(len(gdf), np.nan)
    lon[is_point] = geom[is_point].x.to_numpy()
    lat[is_point] = geom[is_point].y.to_numpy()
    out["lon"], out["lat"] = lon, lat
    out.attrs["rejected"] = checks.rejected
    out.attrs["reasons"] = checks.reasons
    return out


def _convert(raw: pd.DataFrame, columns: dict[str, str], kind: str, report: ValidationReport,
             crs: str | None, unit: str) -> pd.DataFrame:
    n = len(raw)
    checks = RowChecks(report, n, unit=unit, first_row=raw.attrs.get("first_row", 2))
    if "rejected" in raw.attrs:
        checks.rejected |= raw.attrs["rejected"]
        checks.reasons.update({i: list(r) for i, r in raw.attrs.get("reasons", {}).items()})
    col = columns.get

    def column(ours: str) -> pd.Series | None:
        return raw[columns[ours]] if ours in columns else None

    out = pd.DataFrame(index=pd.RangeIndex(n))
    ids = text(column("incident_id"), n)
    if "incident_id" not in columns:
        first = checks.first_row
        ids = pd.Series([f"row-{i + first}" for i in range(n)], dtype=object)
        report.info(f"no id column: rows are numbered row-{first}, row-{first + 1}, ... as a "
                    "spreadsheet shows them")
    else:
        checks.flag(ids.eq("").to_numpy(), "error", "the id is empty",
                    "give every incident an id, or drop the id column", column=col("incident_id"))
        dup = _duplicated(ids) & ids.ne("").to_numpy()
        checks.flag(dup, "error", "the id is used by more than one row",
                    "make ids unique (remove duplicate rows or renumber)",
                    column=col("incident_id"), values=ids)
    out["incident_id"] = ids

    _dates(out, checks, column("date"), column("date_end"), col("date"), col("date_end"))
    out["date_precision"] = _date_precision(text(column("date_precision"), n), kind)
    _coordinates(out, checks, column("lon"), column("lat"), col("lon"), col("lat"), crs, report,
                 named=_named_places(raw, columns, n))

    for ours in ("place", "admin1", "admin2", "sub_type", "actor1", "actor2", "source", "notes"):
        out[ours] = text(column(ours), n)
    out["loc_precision"], out["precision_km"] = _location_precision(
        text(column("loc_precision"), n), kind, checks, col("loc_precision"))
    event_type = text(column("event_type"), n)
    if kind == "ucdp":
        codes = by_unique(event_type, lambda u: pd.to_numeric(u, errors="coerce"))
        event_type = codes.map(model.UCDP_VIOLENCE_TYPES).fillna(event_type).astype(object)
    out["event_type"] = event_type.where(event_type != "", "Unspecified")
    _fatalities(out, checks, column("fatalities"), col("fatalities"))
    out["dataset"] = _DATASET[kind] or report.path.name
    if kind == "generic" and "dataset" in raw.columns:  # a file that names its dataset
        named = text(raw["dataset"], n)                  # (SYNTHETIC files do) keeps it
        out["dataset"] = named.where(named != "", report.path.name)
    if kind == "ucdp":
        _ucdp_quirks(raw, checks)
    checks.finish(raw)
    extras = [c for c in raw.columns if c not in columns.values() and c not in out.columns]
    out = out[model.INCIDENT_COLUMNS]
    for col in CATEGORICAL:  # a few distinct values repeated over every row
        out[col] = out[col].astype("category")
    if extras:
        out = pd.concat([out, raw[extras].reset_index(drop=True)], axis=1)
    return out


def _duplicated(values: pd.Series) -> np.ndarray:
    """``values.duplicated(keep=False)``, known all False without hashing when the values
    are Arrow strings in strictly increasing order, as ids are often written (one
    comparison of neighbours: about 0.02 s at 1M instead of 0.3 s)."""
    if isinstance(values.dtype, pd.StringDtype) and len(values) > 1:
        import pyarrow.compute as pc

        arrow = values.array.__arrow_array__()
        if arrow.null_count == 0 and pc.all(pc.less(arrow[:-1], arrow[1:])).as_py():
            return np.zeros(len(values), dtype=bool)
    return values.duplicated(keep=False).to_numpy()


def _dates(out, checks, start, end, start_col, end_col) -> None:
    n = len(out)
    days, bad = parse_dates(start if start is not None else pd.Series([""] * n))
    raw = text(start, n)
    slash = np.zeros(n, dtype=bool)
    if bad.any():
        slash[bad] = raw[bad].str.match(r"^\d{1,2}[/.]\d{1,2}[/.]\d{2,4}$").to_numpy(dtype=bool)
    checks.flag(bad & slash, "error", "the date's day/month order is ambiguous",
                "write dates as YYYY-MM-DD (e.g. 2017-08-03)", column=start_col, values=raw)
    no_day = checks.flag_each(impossible_days(raw, bad & ~slash), "error", NO_DAY_FIX,
                              column=start_col)
    checks.flag(bad & ~slash & ~no_day, "error", "the date cannot be read", DATE_HINT,
                column=start_col, values=raw)
    checks.flag((raw == "").to_numpy(), "error", "the date is empty",
                "give every incident a date (the first day, if it spans several)", column=start_col)
    out["date"] = days
    if end is None:
        out["date_end"] = days
        return
    # Single-day events repeat the start as the end: then it is not parsed twice.
    end_days, end_bad = (days, bad) if _same_text(start, end) else parse_dates(end)

    def end_text():  # the end dates as written, for messages only
        return text(end, n)

    end_no_day = (checks.flag_each(impossible_days(end_text(), end_bad), "error", NO_DAY_FIX,
                                   column=end_col) if end_bad.any() else end_bad)
    checks.flag(end_bad & ~end_no_day, "error", "the end date cannot be read", DATE_HINT,
                column=end_col, values=end_text)
    end_days = end_days.fillna(days)
    before = (end_days < days).to_numpy()
    checks.flag(before, "error", "the end date is before the start date",
                "swap the two dates", column=end_col, values=end_text)
    out["date_end"] = end_days


def _same_text(a: pd.Series | None, b: pd.Series | None) -> bool:
    """Whether two Arrow text columns hold the same values (a comparison of buffers);
    False whenever that is not cheap to know."""
    if a is None or b is None or not all(isinstance(s.dtype, pd.StringDtype)
                                         and s.dtype.storage == "pyarrow" for s in (a, b)):
        return False
    return a.dtype == b.dtype and a.array.__arrow_array__().equals(b.array.__arrow_array__())


def _date_precision(values: pd.Series, kind: str) -> pd.Series:
    if kind == "ucdp":
        codes = by_unique(values, lambda u: pd.to_numeric(u, errors="coerce"))
        return codes.map(model.UCDP_DATE_PREC).fillna("day").astype(object)
    if kind == "acled":
        return values.map({"1": "day", "2": "week", "3": "month"}).fillna("day").astype(object)
    return values.where(values != "", "day")


def _named_places(raw: pd.DataFrame, columns: dict[str, str], n: int) -> dict[str, pd.Series]:
    """What each row says it is in: place, admin1 and (an extra column) country."""
    named = {ours: text(raw[columns[ours]], n) for ours in ("place", "admin1") if ours in columns}
    country = map_columns(raw.columns, {"country": ("country", "country_name")}).get("country")
    if country is None:
        country = next((c for c, tag in raw.attrs.get("hxl", {}).items()
                        if tag.split("+")[0] == "#country"), None)
    if country is not None:
        named["country"] = text(raw[country], n)
    return named


def _coordinates(out, checks, lon_s, lat_s, lon_col, lat_col, crs, report, named) -> None:
    n = len(out)
    lon, lon_empty, lon_bad = numbers(lon_s, n)
    lat, lat_empty, lat_bad = numbers(lat_s, n)
    # The coordinates as written, for messages only: built when a row is flagged.
    def lon_vals():
        return text(lon_s, n)

    def lat_vals():
        return text(lat_s, n)

    checks.flag(lon_empty, "error", "the longitude is missing",
                "give a longitude in decimal degrees, or geocode the place", column=lon_col)
    checks.flag(lat_empty, "error", "the latitude is missing",
                "give a latitude in decimal degrees, or geocode the place", column=lat_col)
    checks.flag(lon_bad, "error", "the longitude is not a number",
                "write decimal degrees such as 36.7309 (not 36°43′)", column=lon_col,
                values=lon_vals)
    checks.flag(lat_bad, "error", "the latitude is not a number",
                "write decimal degrees such as 34.8407 (not 34°50′)", column=lat_col,
                values=lat_vals)
    if crs:
        from pyproj import Transformer

        ok = ~np.isnan(lon) & ~np.isnan(lat)
        tr = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
        lon[ok], lat[ok] = tr.transform(lon[ok], lat[ok])
        report.info(f"coordinates reprojected from {crs} to EPSG:4326 (lon/lat)")
    projected = (np.abs(lon) > 180) & (np.abs(lat) > 90) & (np.abs(lon) > 1000)
    checks.flag(projected, "error", "the coordinates look projected (metres), and no CRS is given",
                "convert them to lon/lat degrees, or name their CRS (zonewatch --crs EPSG:32637)",
                column=f"{lon_col}/{lat_col}", values=lambda: _pairs(lon_vals(), lat_vals()))
    lat_out = (np.abs(lat) > 90) & ~projected
    lon_out = (np.abs(lon) > 180) & ~projected
    swapped_fits = (np.abs(lon) <= 90) & (np.abs(lat) <= 180)
    checks.flag(lat_out & swapped_fits, "error",
                "the latitude is out of range (-90..90); latitude and longitude look swapped",
                f"swap the values of '{lat_col}' and '{lon_col}'", column=lat_col, values=lat_vals)
    checks.flag(lat_out & ~swapped_fits, "error", "the latitude is out of range (-90..90)",
                "correct the latitude", column=lat_col, values=lat_vals)
    checks.flag(lon_out, "error", "the longitude is out of range (-180..180)",
                "correct the longitude", column=lon_col, values=lon_vals)
    skip = lat_out | lon_out | projected
    skip |= _flag_swapped_by_name(lon, lat, checks, lon_col, lat_col, named, skip,
                                  lambda: _pairs(lon_vals(), lat_vals()))
    _flag_swapped_rows(lon, lat, checks, lon_col, lat_col, lon_vals, lat_vals, skip=skip)
    out["lon"], out["lat"] = lon, lat


def _pairs(lon_vals: pd.Series, lat_vals: pd.Series) -> pd.Series:
    return lon_vals.astype(str) + ", " + lat_vals.astype(str)


def _flag_swapped_by_name(lon, lat, checks, lon_col, lat_col, named, skip, pairs) -> np.ndarray:
    """Rows far from the country, governorate or place they name that land on it once
    swapped (``places.swapped_by_name``). When they are most of the rows the columns are
    swapped, and that is said once, with an example; else each row is listed."""
    from dashboard.io.places import swapped_by_name

    found = swapped_by_name(np.where(skip, np.nan, lon), lat, named, checks.label)
    if found is None:
        return np.zeros(len(lon), dtype=bool)
    count = int(found.rows.sum())
    column = f"{lon_col}/{lat_col}"
    if count * 2 > found.checked:
        checks.reject(found.rows, f"{column}: latitude and longitude look swapped")
        checks.report.error(
            f"latitude and longitude look swapped in {count:,} of {found.checked:,} rows: "
            f"e.g. {found.example}", f"swap the '{lat_col}' and '{lon_col}' columns",
            column=column)
    else:
        checks.flag(found.rows, "error", "latitude and longitude look swapped: the point lies "
                    "far from the place, governorate or country the row names, and on it once "
                    f"swapped (e.g. {found.example})",
                    f"swap the values of '{lat_col}' and '{lon_col}'", column=column,
                    values=pairs)
    return found.rows


def _flag_swapped_rows(lon, lat, checks, lon_col, lat_col, lon_vals, lat_vals, skip) -> None:
    """Rows far from the rest of the file that land among them once swapped."""
    ok = ~np.isnan(lon) & ~np.isnan(lat) & ~skip
    if ok.sum() < 10:
        return
    mlon, mlat = np.median(lon[ok]), np.median(lat[ok])
    spread = max(np.percentile(np.abs(lon[ok] - mlon) + np.abs(lat[ok] - mlat), 90), 0.5)
    far = np.abs(lon - mlon) + np.abs(lat - mlat) > 4 * spread
    fits = np.abs(lat - mlon) + np.abs(lon - mlat) <= 2 * spread
    checks.flag(ok & far & fits, "error",
                "latitude and longitude look swapped: the point lies far from the others "
                "and among them once swapped", f"swap the values of '{lat_col}' and '{lon_col}'",
                column=f"{lon_col}/{lat_col}", values=lambda: _pairs(lon_vals(), lat_vals()))


def _location_precision(values: pd.Series, kind: str, checks: RowChecks, col
                        ) -> tuple[pd.Series, np.ndarray]:
    """(precision words, as a category; radius in km): worked out once per distinct value
    (a column repeats a few codes over every row), then spread back to the rows."""
    codes, uniques = pd.factorize(values, use_na_sentinel=False)  # missing: a value too
    words, flags = _precision_words(pd.Series(uniques, dtype=values.dtype), kind)
    problem, fix = flags
    checks.flag(problem.to_numpy(dtype=bool)[codes], "warning", *fix, column=col, values=values)
    km = words.map(model.LOCATION_PRECISION_KM).astype("float64").to_numpy()
    # Every distinct value occurs, so this is ``astype("category")`` of the rows' words.
    small = pd.Series(words.to_numpy(dtype=object), dtype=object).astype("category")
    rows = pd.Categorical.from_codes(small.cat.codes.to_numpy()[codes], dtype=small.dtype)
    return pd.Series(rows), km[codes]


def _precision_words(values: pd.Series, kind: str) -> tuple[pd.Series, tuple]:
    """Precision words for ``values``, and (which are not understood, (problem, fix))."""
    codes = by_unique(values, lambda u: pd.to_numeric(u, errors="coerce"))
    if kind in ("ucdp", "acled"):
        table = model.UCDP_WHERE_PREC if kind == "ucdp" else model.ACLED_GEO_PRECISION
        mapped = codes.map(table)
        unknown = mapped.isna() & (values != "")
        return mapped.fillna("unknown").astype(object), (unknown, (
            "the location precision code is not known",
            f"use one of {sorted(table)}; treated as unknown"))
    words = values.str.lower()
    known = words.isin(model.LOCATION_PRECISION_KM)
    numeric = codes.map(model.ACLED_GEO_PRECISION)
    result = words.where(known, numeric).fillna("unknown")
    odd = ~known & numeric.isna() & (values != "")
    return result.astype(object), (odd, (
        "the location precision is not known",
        f"use one of {', '.join(model.LOCATION_PRECISION_KM)} (or 1-3 as ACLED does)"))


def _fatalities(out, checks, series, col) -> None:
    n = len(out)
    vals, _empty, bad = numbers(series, n)

    def raw():  # the values as written, for messages only: built when a row is flagged
        return text(series, n)

    checks.flag(bad, "error", "fatalities is not a number",
                "write a whole number, or leave it empty when unknown", column=col, values=raw)
    negative = vals < 0
    checks.flag(negative, "error", "fatalities is negative",
                "write 0 or more, or leave it empty when unknown", column=col, values=raw)
    fraction = ~np.isnan(vals) & (vals != np.round(vals)) & ~negative
    checks.flag(fraction, "warning", "fatalities is not a whole number",
                "check the value; it is kept as given", column=col, values=raw)
    out["fatalities"] = vals


def _ucdp_quirks(raw: pd.DataFrame, checks: RowChecks) -> None:
    """UCDP's known quirks are warnings: the data is kept as UCDP published it."""
    n = len(raw)
    start, _ = parse_dates(raw["date_start"])
    end, _ = parse_dates(raw["date_end"])
    checks.summarise((end > start).to_numpy(), "warning",
                     "multi-day events (date_end after date_start): placed in time on their "
                     "first day, date_end kept", "nothing; filter on date_precision to exclude them",
                     column="date_end")
    prec, _, _ = numbers(raw["where_prec"], n)
    checks.summarise(prec >= 4, "warning",
                     "located at a governorate or country centroid (where_prec 4-6), not at the "
                     "event", "nothing; they are flagged ambiguous near zone edges",
                     column="where_prec")
    if {"low", "high", "best"} <= set(raw.columns):
        low, _, _ = numbers(raw["low"], n)
        best, _, _ = numbers(raw["best"], n)
        high, _, _ = numbers(raw["high"], n)
        checks.summarise(low > best, "warning", "low estimate above best (as UCDP published)",
                         "nothing; ZoneWatch uses best", column="low")
        checks.summarise(best > high, "warning", "best estimate above high (as UCDP published)",
                         "nothing; ZoneWatch uses best", column="high")
    lists = (text(raw["side_a"], n).str.contains(",") | text(raw["side_b"], n).str.contains(","))
    checks.summarise(lists.to_numpy(dtype=bool), "info",
                     "side_a/side_b name several groups; kept as written, actor search matches "
                     "each", "nothing", column="side_a")
