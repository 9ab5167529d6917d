"""Reading any supported file into a raw table, and reporting what stops it.

Text goes through pyarrow's CSV reader (multi-threaded, quoted newlines allowed)
with every column as text, so validation sees exactly what the file says.
"""

from __future__ import annotations

import codecs
import gzip
import io
import json
import zipfile
import zlib
from pathlib import Path

import pandas as pd

from dashboard.io import hxl, sniff
from dashboard.io.limits import UNPACKED_FIX, Limits, cells_problem
from dashboard.io.validation import ValidationReport

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


def decode(raw: bytes, report: ValidationReport, encoding: str | None = None) -> str:
    """The text of ``raw`` in ``encoding`` (default: detected); the encoding used goes in
    the report (an info line unless it is UTF-8), a wrong one is an error."""
    try:
        text, used = sniff.decode_text(raw, encoding)
    except LookupError:
        report.error(f"there is no text encoding called {encoding!r}",
                     f"use one of {', '.join(sniff.DETECTED)}, or leave it out to have it detected")
        raise Unreadable from None
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        report.error(f"the file is not {sniff.encoding_name(err.encoding)}: byte "
                     f"{raw[err.start:err.start + 1].hex(' ').upper() or 'end'} at offset "
                     f"{err.start:,} cannot be read in it",
                     "choose the encoding the file was saved in, or leave it out to have it "
                     "detected", where=f"line {line}")
        raise Unreadable from None
    report.encoding = used
    if used not in ("utf-8", "utf-8-sig"):
        how = "as asked" if encoding else "detected"
        report.info(f"not UTF-8: read as {sniff.encoding_name(used)} ({used}, {how})",
                    "if letters look wrong, name the encoding (zonewatch --encoding, or the "
                    "Encoding menu beside the upload); saving as UTF-8 avoids the question")
    return text


HEAD_BYTES = 1 << 20  # what sniffing reads of a big UTF-8 file


def _utf8_body(raw: bytes) -> bytes | None:
    """The bytes after any BOM, when ``raw`` is big and its first megabyte is UTF-8 (Arrow
    then checks the rest as it reads); None otherwise (decode it all first)."""
    if len(raw) <= HEAD_BYTES:
        return None
    body = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw
    try:
        codecs.getincrementaldecoder("utf-8")().decode(body[:HEAD_BYTES], final=False)
    except UnicodeDecodeError:
        return None
    return body


def _detected(raw: bytes, report: ValidationReport) -> str:
    """The encoding of all of ``raw``; a file that is no text at all is reported."""
    decode(raw, report, None)
    return report.encoding


def read_text_table(raw: bytes, report: ValidationReport, limits: Limits | None = None,
                    encoding: str | None = None) -> pd.DataFrame:
    """A delimited text as strings; encoding (unless given) and delimiter are sniffed,
    and reported."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    limits = limits or Limits.from_settings()

    utf8 = _utf8_body(raw) if encoding is None else None
    head_only = utf8 is not None
    if head_only:  # a big UTF-8 file: Arrow checks the bytes, sniffing reads the head
        report.encoding = "utf-8-sig" if len(utf8) < len(raw) else "utf-8"
        text = utf8[:HEAD_BYTES].decode("utf-8", errors="ignore")
    else:
        text = decode(raw, report, encoding)
    if not (utf8.strip() if utf8 is not None else text.strip()):
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
    # Rows counted as line ends (an upper bound): the parse costs several times the text.
    check_cells(report, raw.count(b"\n") + 1, len(names), limits)
    try:
        # UTF-8 bytes go to Arrow as they are: encoding the decoded text again would
        # copy hundreds of megabytes for nothing.
        if utf8 is None:
            utf8 = {"utf-8": raw, "utf-8-sig": raw[3:]}.get(report.encoding)
        table = pacsv.read_csv(
            pa.py_buffer(utf8 if utf8 is not None else text.encode("utf-8")),
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, block_size=1 << 24),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in names}, strings_can_be_null=True,
                quoted_strings_can_be_null=False, null_values=[""],
            ),
        )
    except pa.ArrowInvalid as err:
        if "UTF8" in str(err) and encoding is None and report.encoding in ("utf-8", "utf-8-sig"):
            # The head was UTF-8 and the rest is not: read it all the careful way.
            report.encoding = None
            return read_text_table(raw, report, limits, encoding=_detected(raw, report))
        if head_only:  # the located problems need every row
            text = utf8.decode("utf-8", errors="replace")
        fix = ("make every row have the same number of fields as the header; "
               "quote fields that contain the delimiter")
        ragged, broken = _ragged_rows(text, delimiter, len(names))
        for row, count in ragged[:25]:
            report.error(f"the text is not a regular table: this row has {count} fields, "
                         f"the header {len(names)}", fix, where=f"row {row}")
        if broken:
            report.error(*broken[1:], where=f"row {broken[0]}")
        if not ragged and not broken:
            detail = str(err).split("\n")[0]
            report.error(f"the text is not a regular table: {detail}", fix)
        raise Unreadable from None
    # Arrow-backed strings: a million cells cost bytes, not a Python object each.
    return table.to_pandas(types_mapper={pa.string(): pd.StringDtype("pyarrow")}.get)


def _ragged_rows(text: str, delimiter: str, width: int
                 ) -> tuple[list[tuple[int, int]], tuple[int, str, str] | None]:
    """(row number as a spreadsheet shows it, field count) of rows that do not fit the
    header, and (row, problem, fix) of the row where the text stops being CSV, if it does."""
    import csv
    import io

    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    ragged: list[tuple[int, int]] = []
    row = 0
    try:
        for row, fields in enumerate(reader, start=1):
            if fields and len(fields) != width:
                ragged.append((row, len(fields)))
    except csv.Error as err:
        return ragged, (row + 1, *_csv_problem(str(err)))
    return ragged, None


def _csv_problem(message: str) -> tuple[str, str]:
    """(problem, fix) for what Python's csv reader stops at."""
    if "new-line character" in message:
        return ("a field holds a line break on its own (a bare carriage return, CR) that "
                "splits the row", "remove the line break from the field, or put the field "
                "in double quotes; saving the file again as CSV usually does it")
    if "field larger than field limit" in message:
        return ("a field is longer than 131,072 characters (often a quote that is never "
                "closed)", "close the quote, or shorten the field")
    return (f"the text stops being CSV here ({message})",
            "check the quotes on this row and the one before it")


def check_cells(report: ValidationReport, rows: int, columns: int, limits: Limits,
                where: str | None = None) -> None:
    """Refuse (report, then raise Unreadable) a table over the size caps, before reading it."""
    if problem := cells_problem(rows, columns, limits):
        report.error(*problem, where=where)
        raise Unreadable


def check_unpacked(report: ValidationReport, size: int, limits: Limits, what: str,
                   at_least: bool = False) -> None:
    """Refuse data that unpacks to more than the cap (``at_least``: reading stopped there)."""
    if size > limits.unpacked_bytes:
        found = f"more than {limits.unpacked_mb:,} MB" if at_least else f"{size / 1e6:,.0f} MB"
        report.error(f"the {what} unpacks to {found}; at most {limits.unpacked_mb:,} MB "
                     "are read", UNPACKED_FIX)
        raise Unreadable


def read_gzip(path: Path, report: ValidationReport, limits: Limits) -> bytes:
    """The decompressed bytes, read through a bounded reader: a bomb stops at the cap."""
    try:
        with gzip.open(path, "rb") as fh:
            raw = fh.read(limits.unpacked_bytes + 1)
    except (OSError, EOFError, zlib.error) as err:
        report.error(f"the gzip data is damaged ({err})", "compress the file again")
        raise Unreadable from None
    check_unpacked(report, len(raw), limits, "gzip data", at_least=True)
    return raw


def read_raw_table(path: Path, fmt: str, report: ValidationReport,
                   sheet: str | int | None = None, limits: Limits | None = None,
                   encoding: str | None = None) -> pd.DataFrame:
    """Any supported file as a (Geo)DataFrame; geometry kept where there is one.

    Every format is first checked against ``limits`` (default: the settings'), from
    what the file says it holds, so that no small file can unpack to gigabytes here.
    ``encoding`` is that of text (CSV, GeoJSON) and of a Shapefile's attributes
    (default: detected). An HXL hashtag row under the header is taken out of the data
    (``hxl.drop_tag_row``)."""
    limits = limits or Limits.from_settings()
    if fmt == sniff.TEXT:
        check_unpacked(report, path.stat().st_size, limits, "text")
        return hxl.drop_tag_row(read_text_table(path.read_bytes(), report, limits, encoding),
                                report)
    if fmt == sniff.GZIP:
        return hxl.drop_tag_row(read_text_table(read_gzip(path, report, limits), report, limits,
                                                encoding), report)
    if fmt == sniff.XLSX:
        return hxl.drop_tag_row(read_xlsx(path, report, limits, sheet), report)
    if fmt == sniff.JSON:
        text = check_json(path, report, encoding)
        if report.encoding not in ("utf-8", "utf-8-sig"):  # GDAL reads UTF-8 only: hand it that
            return read_vector(path, report, fmt, limits=limits, data=text.encode("utf-8"))
    if fmt == sniff.ZIP:
        return read_zip(path, report, limits, encoding)
    return read_vector(path, report, fmt, limits=limits)


def read_xlsx(path: Path, report: ValidationReport, limits: Limits,
              sheet: str | int | None = None) -> pd.DataFrame:
    """A worksheet as text, after its size is known to be within ``limits``."""
    try:
        with zipfile.ZipFile(path) as zf:
            unpacked = sum(i.file_size for i in zf.infolist())
    except (zipfile.BadZipFile, OSError) as err:
        report.error(f"the workbook cannot be read ({err})", "open and save it again in Excel")
        raise Unreadable from None
    check_unpacked(report, unpacked, limits, "workbook")
    try:
        _check_sheet_size(path, report, limits, sheet)
        frame = pd.read_excel(path, sheet_name=sheet or 0, dtype=str)
    except (Unreadable, MemoryError):  # out of memory is no damage: the caller says so
        raise
    except Exception as err:  # openpyxl raises many kinds on damaged workbooks
        report.error(f"the workbook cannot be read ({err})", "open and save it again in Excel")
        raise Unreadable from None
    return frame.astype(object).where(frame.notna(), None)


def _check_sheet_size(path: Path, report: ValidationReport, limits: Limits,
                      sheet: str | int | None) -> None:
    """Stream the sheet's rows (read-only: one row in memory) and stop at the first one
    wider than the cap, or once rows x widest row passes it. The declared dimension is
    ignored: it can claim any size, and reading to it would pad every row out."""
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        ws = book[sheet] if isinstance(sheet, str) else book.worksheets[sheet or 0]
        ws.reset_dimensions()
        width = rows = 0
        for rows, row in enumerate(ws.iter_rows(values_only=True), start=1):
            used = len(row)
            while used and row[used - 1] is None:
                used -= 1
            width = max(width, used)
            place = f"sheet '{ws.title}', row {rows}"
            if used > limits.columns:
                report.error(f"the row has a value in column {get_column_letter(used)} "
                             f"(column {used:,}); at most {limits.columns:,} columns are read",
                             "delete the cells far to the right (select the empty columns, "
                             "Delete), or ask the server's operator to raise "
                             "ZONEWATCH_MAX_COLUMNS", where=place)
                raise Unreadable
            check_cells(report, rows, width, limits, where=place)
    finally:
        book.close()


def check_json(path: Path, report: ValidationReport, encoding: str | None = None) -> str:
    """The JSON text, after reporting truncated or malformed JSON with the line and column."""
    text = decode(path.read_bytes(), report, encoding)
    try:
        doc = json.loads(text)
    except RecursionError:
        _report_deep_json(text, report)
        raise Unreadable from None
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
    return text


#: JSON nested deeper than this is refused (GeoJSON needs 6: collection, features,
#: feature, geometry, rings, positions; properties may nest a little more).
MAX_JSON_DEPTH = 100


def _report_deep_json(text: str, report: ValidationReport) -> None:
    """Report where JSON nests too deep for any parser: the line, column and feature."""
    pos, feature = _too_deep_at(text)
    line = text.count("\n", 0, pos) + 1
    column = pos - (text.rfind("\n", 0, pos) + 1) + 1
    place = f"feature {feature}, " if feature else ""
    report.error(f"the JSON nests brackets more than {MAX_JSON_DEPTH} levels deep",
                 "GeoJSON needs about six levels; remove the nested brackets there, "
                 "or export the file again", where=f"{place}line {line}, column {column}")


def _too_deep_at(text: str) -> tuple[int, int]:
    """(offset of the first bracket past MAX_JSON_DEPTH, features begun before it): one
    pass that skips strings; a feature is an object opened inside the top-level array."""
    depth = feature = 0
    in_string = escaped = False
    for pos, char in enumerate(text):
        if in_string:
            escaped, in_string = (False, True) if escaped else (char == "\\", char != '"')
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            feature += depth == 3 and char == "{"  # {"features": [ {feature}, ... ]}
            if depth > MAX_JSON_DEPTH:
                return pos, feature
        elif char in "]}":
            depth -= 1
    return len(text), feature


def read_zip(path: Path, report: ValidationReport, limits: Limits,
             encoding: str | None = None) -> pd.DataFrame:
    """A zipped Shapefile (or a zip holding one GeoJSON/GeoPackage)."""
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
            check_unpacked(report, sum(i.file_size for i in zf.infolist()), limits, "zip")
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
    return read_vector(path, report, sniff.ZIP, vsi=f"/vsizip/{path}/{member}", limits=limits,
                       encoding=encoding if shp else None)


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


def _check_vector_size(path: Path, report: ValidationReport, fmt: str, vsi: str | None,
                       limits: Limits) -> None:
    """Rows and columns from the file's metadata (Parquet footer, GeoPackage or Shapefile
    header), before any row is read. GeoJSON has no such count (GDAL would parse it
    all to give one); its size is bounded by the upload and unpacked limits instead."""
    if fmt == sniff.PARQUET:
        import pyarrow.parquet as pq

        meta = pq.ParquetFile(path).metadata
        check_cells(report, meta.num_rows, meta.num_columns, limits)
    elif fmt == sniff.GPKG or (vsi or "").lower().endswith((".shp", ".gpkg")):
        import pyogrio

        info = pyogrio.read_info(vsi or path)
        check_cells(report, max(int(info["features"]), 0), len(info["fields"]) + 1, limits)


def read_vector(path: Path, report: ValidationReport, fmt: str, vsi: str | None = None,
                limits: Limits | None = None, encoding: str | None = None,
                data: bytes | None = None):
    """GeoJSON, GeoPackage, GeoParquet or a zip member through pyogrio / pyarrow
    (``encoding``: a Shapefile's attributes, when its .cpg is missing or wrong; ``data``:
    the file's content re-encoded, read instead of the file)."""
    import geopandas as gpd

    try:
        _check_vector_size(path, report, fmt, vsi, limits or Limits.from_settings())
        if fmt == sniff.PARQUET:
            if (points := _parquet_lonlat(path)) is not None:
                return points
            try:
                return gpd.read_parquet(path)
            except ValueError:  # plain Parquet with no geo metadata: lon/lat columns
                return pd.read_parquet(path)
        # Dates as written: GDAL would otherwise move times with offsets to UTC.
        extra = {"encoding": encoding} if encoding else {}
        source = io.BytesIO(data) if data is not None else vsi or path
        return gpd.read_file(source, engine="pyogrio", datetime_as_string=True, **extra)
    except (Unreadable, MemoryError):  # out of memory is no damage: the caller says so
        raise
    except Exception as err:  # pyogrio/GDAL errors are many and untyped
        report.error(f"the {_FORMAT_WORDS.get(fmt, fmt)} cannot be read ({err})",
                     "open it in QGIS and export it again")
        raise Unreadable from None
