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


_FORMULA_PATTERN = r"^[=+\-@\t\r]"


def _arrow_column(series: pd.Series):
    """One column as Arrow, as the CSV should show it: dates as YYYY-MM-DD, booleans
    as True/False, text made inert (the same rule as ``inert``), numbers as they are."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if pd.api.types.is_datetime64_any_dtype(series):
        return pa.Array.from_pandas(series.dt.tz_localize(None) if series.dt.tz else series
                                    ).cast(pa.timestamp("ns")).cast(pa.date32())
    if pd.api.types.is_bool_dtype(series):
        return pc.if_else(pa.Array.from_pandas(series), "True", "False")
    if pd.api.types.is_numeric_dtype(series):
        return pa.Array.from_pandas(series)
    text = pa.Array.from_pandas(series.astype("string[pyarrow]")).cast(pa.large_string())
    starts = pc.fill_null(pc.match_substring_regex(text, _FORMULA_PATTERN), False)
    quote = pa.scalar("'", pa.large_string())
    return pc.if_else(starts, pc.binary_join_element_wise(quote, text, pa.scalar("", pa.large_string())),
                      text)


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Formula-safe CSV, UTF-8 with a BOM so Excel reads Arabic right, written by Arrow
    (several times faster than pandas' writer at a million rows)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    table = pa.table({str(c): _arrow_column(frame[c]) for c in frame.columns})
    with open(path, "wb") as sink:
        sink.write("\ufeff".encode())
        pacsv.write_csv(table, sink, pacsv.WriteOptions(batch_size=1 << 16))


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
    if suffix == ".csv":
        write_csv(frame, path)
        return path
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col]):
            out[col] = out[col].dt.strftime("%Y-%m-%d").where(out[col].notna(), None)
    if suffix == ".geojson":
        gdf = to_geodataframe(out.replace({np.nan: None}))
        gdf.to_file(path, driver="GeoJSON", engine="pyogrio")
    else:
        to_geodataframe(out).to_parquet(path)
    return path
