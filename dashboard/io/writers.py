"""Writing incident frames: CSV made safe for spreadsheets, GeoJSON, GeoParquet."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from dashboard.errors import ZoneWatchError

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
WRITABLE = (".csv", ".geojson", ".parquet")


def inert(value: object) -> object:
    """A cell a spreadsheet will not run as a formula: text starting with = + - @
    (or tab/CR) gets a leading apostrophe. Numbers are left alone."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def inert_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with every text cell made inert (vectorised per column)."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            s = out[col]
            starts = s.astype("string").str.match(r"^[=+\-@\t\r]").fillna(False).to_numpy(bool)
            if starts.any():
                s = s.astype(object).copy()
                s[starts] = "'" + s[starts].astype(str)
                out[col] = s
    return out


def to_geodataframe(frame: pd.DataFrame):
    """Incidents as points in EPSG:4326."""
    import geopandas as gpd

    return gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(frame["lon"], frame["lat"]),
                            crs="EPSG:4326")


def write_incidents(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write by suffix: .csv (formula-safe, UTF-8 with BOM for Excel), .geojson, .parquet."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in WRITABLE:
        raise ZoneWatchError(f"{path.name}: cannot write '{suffix}' files. Fix: use one of "
                             f"{', '.join(WRITABLE)}.")
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col]):
            out[col] = out[col].dt.strftime("%Y-%m-%d").where(out[col].notna(), None)
    if suffix == ".csv":
        inert_frame(out).to_csv(path, index=False, encoding="utf-8-sig")
    elif suffix == ".geojson":
        gdf = to_geodataframe(out.replace({np.nan: None}))
        gdf.to_file(path, driver="GeoJSON", engine="pyogrio")
    else:
        to_geodataframe(out).to_parquet(path)
    return path
