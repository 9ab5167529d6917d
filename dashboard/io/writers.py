"""Writing incident frames: CSV made safe for spreadsheets, GeoJSON, GeoParquet."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from dashboard.core.errors import ZoneWatchError

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


def _csv_column(column):
    """One Arrow column as the CSV should show it: dates as YYYY-MM-DD, booleans as
    True/False, text made inert (the rule of ``inert``; for dictionary-encoded text only
    the distinct values are looked at), numbers as they are."""
    import pyarrow as pa
    import pyarrow.compute as pc

    kind = column.type
    if pa.types.is_timestamp(kind):
        return column.cast(pa.timestamp(kind.unit)).cast(pa.date32())
    if pa.types.is_boolean(kind):
        return pc.if_else(column, "True", "False")
    if pa.types.is_dictionary(kind):
        column = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
        values = _inert_text(column.dictionary.cast(pa.large_string()))
        return values.take(column.indices)
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return _inert_text(column.cast(pa.large_string()))
    return column


def _inert_text(text):
    import pyarrow as pa
    import pyarrow.compute as pc

    starts = pc.fill_null(pc.match_substring_regex(text, _FORMULA_PATTERN), False)
    if not pc.any(starts).as_py():
        return text
    quoted = pc.binary_join_element_wise(pa.scalar("'", pa.large_string()), text,
                                         pa.scalar("", pa.large_string()))
    return pc.if_else(starts, quoted, text)


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Formula-safe CSV, UTF-8 with a BOM so Excel reads Arabic right, written by Arrow
    (several times faster than pandas' writer at a million rows)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    plain = frame.copy(deep=False)
    for col in plain.columns:  # Arrow keeps a timezone; a CSV day is the local day
        if isinstance(plain[col].dtype, pd.DatetimeTZDtype):
            plain[col] = plain[col].dt.tz_localize(None)
        elif plain[col].dtype == object:  # Python objects (text, None): as text
            plain[col] = plain[col].astype("string[pyarrow]")
    table = pa.Table.from_pandas(plain, preserve_index=False)
    table = pa.table({name: _csv_column(table[name]) for name in table.column_names})
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
