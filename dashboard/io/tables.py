"""Reading any supported file into a raw table, and reporting what stops it.

Text goes through pyarrow's CSV reader (multi-threaded, quoted newlines allowed)
with every column as text, so validation sees exactly what the file says.
"""

from __future__ import annotations

import gzip
import json
import zipfile
from pathlib import Path

import pandas as pd

from dashboard.io import sniff
from dashboard.io.report import ValidationReport

_FORMAT_WORDS = {
    sniff.TEXT: "delimited text (CSV)", sniff.JSON: "JSON/GeoJSON", sniff.GPKG: "GeoPackage",
    sniff.PARQUET: "(Geo)Parquet", sniff.XLSX: "Excel workbook", sniff.ZIP: "zip archive",
    sniff.GZIP: "gzip-compressed data", sniff.BINARY: "binary data", sniff.EMPTY: "nothing",
}


class Unreadable(Exception):
    """Raised inside this module once the report holds the reason."""


def check_format(path: Path, report: ValidationReport) -> str:
    """The content format, after reporting a missing, empty or mislabelled file."""
    if not path.exists():
        report.error("file not found", "check the path and the file name")
        raise Unreadable
    if path.is_dir():
        report.error("is a folder, not a file", "give the path of a file inside it")
        raise Unreadable
    fmt = sniff.sniff_format(path)
    if fmt == sniff.EMPTY:
        report.error("the file is empty (0 bytes)", "export the data again; the file has no content")
        raise Unreadable
    claimed = sniff.claimed_format(path)
    compatible = {(sniff.TEXT, sniff.TEXT), (sniff.JSON, sniff.JSON)}
    if claimed and claimed != fmt and (claimed, fmt) not in compatible:
        report.error(
            f"the name says {_FORMAT_WORDS.get(claimed, claimed)} ({path.suffix}) "
            f"but the content is {_FORMAT_WORDS.get(fmt, fmt)}",
            "rename the file to match its content or export it again in the format its name says",
        )
        raise Unreadable
    if fmt == sniff.BINARY:
        report.error("the file is binary data ZoneWatch cannot read",
                     "save it as CSV, XLSX, GeoJSON, GeoPackage, GeoParquet or a zipped Shapefile")
        raise Unreadable
    return fmt


def read_text_table(raw: bytes, report: ValidationReport) -> pd.DataFrame:
    """A delimited text as strings; encoding and delimiter are sniffed and reported."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    text, encoding = sniff.decode_text(raw)
    if encoding == "cp1252":
        report.info("not UTF-8: read as Windows-1252 (cp1252)", "save as UTF-8 to be sure of accents")
    if not text.strip():
        report.error("the file holds only blank space", "export the data again")
        raise Unreadable
    delimiter = sniff.sniff_delimiter(text)
    names = sniff.header_columns(text, delimiter)
    if any(not n for n in names):
        report.warning("a column has no name in the header row", "name every column",
                       where="row 1")
    names = [n or f"column_{i + 1}" for i, n in enumerate(names)]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        report.error(f"the header repeats column names {dupes}", "give every column its own name",
                     where="row 1")
        raise Unreadable
    try:
        table = pacsv.read_csv(
            pa.py_buffer(text.encode("utf-8")),
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, block_size=1 << 24),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in names}, strings_can_be_null=True,
                quoted_strings_can_be_null=False, null_values=[""],
            ),
        )
    except pa.ArrowInvalid as err:
        fix = ("make every row have the same number of fields as the header; "
               "quote fields that contain the delimiter")
        ragged = _ragged_rows(text, delimiter, len(names))
        for row, count in ragged[:25]:
            report.error(f"the text is not a regular table: this row has {count} fields, "
                         f"the header {len(names)}", fix, where=f"row {row}")
        if not ragged:
            detail = str(err).split("\n")[0]
            report.error(f"the text is not a regular table: {detail}", fix)
        raise Unreadable from None
    # Arrow-backed strings: a million cells cost bytes, not a Python object each.
    return table.to_pandas(types_mapper={pa.string(): pd.StringDtype("pyarrow")}.get)


def _ragged_rows(text: str, delimiter: str, width: int) -> list[tuple[int, int]]:
    """(row number as a spreadsheet shows it, field count) of rows that do not fit the header."""
    import csv
    import io

    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    return [(i + 1, len(fields)) for i, fields in enumerate(reader)
            if fields and len(fields) != width]


def read_raw_table(path: Path, fmt: str, report: ValidationReport,
                   sheet: str | int | None = None) -> pd.DataFrame:
    """Any supported file as a (Geo)DataFrame; geometry kept where there is one."""
    if fmt == sniff.TEXT:
        return read_text_table(path.read_bytes(), report)
    if fmt == sniff.GZIP:
        try:
            raw = gzip.decompress(path.read_bytes())
        except (OSError, EOFError) as err:
            report.error(f"the gzip data is damaged ({err})", "compress the file again")
            raise Unreadable from None
        return read_text_table(raw, report)
    if fmt == sniff.XLSX:
        try:
            frame = pd.read_excel(path, sheet_name=sheet or 0, dtype=str)
        except Exception as err:  # openpyxl raises many kinds on damaged workbooks
            report.error(f"the workbook cannot be read ({err})", "open and save it again in Excel")
            raise Unreadable from None
        return frame.astype(object).where(frame.notna(), None)
    if fmt == sniff.JSON:
        check_json(path, report)
    if fmt == sniff.ZIP:
        return read_zip(path, report)
    return read_vector(path, report, fmt)


def check_json(path: Path, report: ValidationReport) -> None:
    """Report truncated or malformed JSON with the line and column."""
    text, _ = sniff.decode_text(path.read_bytes())
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as err:
        truncated = err.pos >= len(text.rstrip()) - 1
        problem = ("the JSON ends early (truncated)" if truncated
                   else f"the JSON is malformed: {err.msg}")
        report.error(problem, "download or export the file again; it is incomplete" if truncated
                     else "fix the JSON syntax there (a validator such as geojsonlint.com helps)",
                     where=f"line {err.lineno}, column {err.colno}")
        raise Unreadable from None
    if not isinstance(doc, dict) or doc.get("type") not in ("FeatureCollection", "Feature"):
        report.error("the JSON is not GeoJSON (no FeatureCollection)",
                     "export it as GeoJSON, or as CSV with lon/lat columns")
        raise Unreadable


def read_zip(path: Path, report: ValidationReport) -> pd.DataFrame:
    """A zipped Shapefile (or a zip holding one GeoJSON/GeoPackage)."""
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
            bad = zf.testzip()
    except (zipfile.BadZipFile, OSError) as err:
        report.error(f"the zip archive cannot be opened ({err})", "zip the files again")
        raise Unreadable from None
    if bad is not None:
        report.error(f"the zip member {bad!r} is damaged", "zip the files again")
        raise Unreadable
    shp = [n for n in names if n.lower().endswith(".shp")]
    other = [n for n in names if n.lower().endswith((".geojson", ".gpkg", ".json"))]
    if not shp and not other:
        report.error("the zip holds no .shp, .geojson or .gpkg file",
                     "zip the Shapefile's .shp, .shx, .dbf and .prj together")
        raise Unreadable
    member = (shp or other)[0]
    if shp:
        stem = member[:-4]
        missing = [ext for ext in (".shx", ".dbf") if not any(n.lower() == (stem + ext).lower()
                                                               for n in names)]
        if missing:
            report.error(f"the Shapefile {member!r} comes without its {', '.join(missing)}",
                         "zip the .shp together with its .shx, .dbf and .prj")
            raise Unreadable
    return read_vector(path, report, sniff.ZIP, vsi=f"/vsizip/{path}/{member}")


def _parquet_lonlat(path: Path) -> pd.DataFrame | None:
    """A point GeoParquet that also carries lon/lat columns, read without decoding its
    geometries (the columns say the same, and decoding a million points is slow)."""
    import json

    import pyarrow.parquet as pq

    schema = pq.read_schema(path)
    names = set(schema.names)
    geo = json.loads((schema.metadata or {}).get(b"geo", b"{}") or b"{}")
    column = geo.get("primary_column")
    types = geo.get("columns", {}).get(column, {}).get("geometry_types", [])
    crs = geo.get("columns", {}).get(column, {}).get("crs")
    if not column or types != ["Point"] or not {"lon", "lat"} <= names:
        return None
    if crs is not None and (crs.get("id") or {}).get("code") not in (4326, None):
        return None
    return pd.read_parquet(path, columns=[n for n in schema.names if n != column])


def read_vector(path: Path, report: ValidationReport, fmt: str, vsi: str | None = None):
    """GeoJSON, GeoPackage, GeoParquet or a zip member through pyogrio / pyarrow."""
    import geopandas as gpd

    try:
        if fmt == sniff.PARQUET:
            if (points := _parquet_lonlat(path)) is not None:
                return points
            try:
                return gpd.read_parquet(path)
            except ValueError:  # plain Parquet with no geo metadata: lon/lat columns
                return pd.read_parquet(path)
        # Dates as written: GDAL would otherwise move times with offsets to UTC.
        return gpd.read_file(vsi or path, engine="pyogrio", datetime_as_string=True)
    except Exception as err:  # pyogrio/GDAL errors are many and untyped
        report.error(f"the {_FORMAT_WORDS.get(fmt, fmt)} cannot be read ({err})",
                     "open it in QGIS and export it again")
        raise Unreadable from None
