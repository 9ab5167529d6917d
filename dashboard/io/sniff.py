"""What a file really is, and how its text is encoded and delimited.

Formats are decided by content first (magic bytes, JSON, header columns), and the
file name only breaks ties, so a renamed file still reads and a mislabelled one
is reported rather than misread.
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

#: Formats by content.
ZIP, GPKG, PARQUET, XLSX, JSON, TEXT, GZIP, EMPTY, BINARY = (
    "zip", "gpkg", "parquet", "xlsx", "json", "text", "gzip", "empty", "binary",
)

_SUFFIX_FORMAT = {
    ".csv": TEXT, ".tsv": TEXT, ".txt": TEXT, ".geojson": JSON, ".json": JSON,
    ".gpkg": GPKG, ".parquet": PARQUET, ".geoparquet": PARQUET, ".xlsx": XLSX,
    ".zip": ZIP, ".gz": GZIP,
}


def sniff_format(path: Path) -> str:
    """The format the file's bytes say it is."""
    with open(path, "rb") as fh:
        head = fh.read(4096)
    if not head:
        return EMPTY
    if head.startswith(b"SQLite format 3\x00"):
        return GPKG
    if head.startswith(b"PAR1"):
        return PARQUET
    if head.startswith(b"\x1f\x8b"):
        return GZIP
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return XLSX if is_xlsx(path) else ZIP
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped[:1] in (b"{", b"["):
        return JSON
    if b"\x00" in head:
        return BINARY
    return TEXT


def claimed_format(path: Path) -> str | None:
    """The format the file name claims, or None for an unknown suffix."""
    return _SUFFIX_FORMAT.get(path.suffix.lower())


def decode_text(raw: bytes) -> tuple[str, str]:
    """Text and the encoding that decoded it: UTF-8 (BOM or not), else cp1252.

    Spreadsheet programs on Windows still save CSV as cp1252; anything that is
    valid UTF-8 is taken as UTF-8, so Arabic and other scripts survive intact.
    """
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8"), "utf-8-sig"
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace"), "cp1252"


def is_xlsx(path: Path) -> bool:
    """Whether a zip container is an Excel workbook: Office Open XML's content-type list and
    the workbook part are both members (the whole file is needed: a zip's directory is
    at its end)."""
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, OSError):
        return False  # a damaged zip is still a zip; the reader reports it
    return "[Content_Types].xml" in names and "xl/workbook.xml" in names


#: Text looked at to find the delimiter and the header: enough for any header row, and
#: small, so that no file can make the looking slow.
SAMPLE_CHARS = 65536
_SAMPLE_ROWS = 20


def sniff_delimiter(text: str) -> str:
    """``,``, ``;``, tab or ``|``: the one that splits the first rows into the same number
    (above one) of fields, quoted fields respected; ties go to the widest, then to that order.

    One pass of the C csv reader per candidate over a bounded prefix: linear time
    (``csv.Sniffer``'s regular expressions take seconds on a line of ``,"`` repeated).
    """
    best, best_score = ",", (0.0, 0)
    for delimiter in ",;\t|":
        widths = [len(row) for row in _first_rows(text, delimiter) if row]
        if not widths or widths[0] < 2:
            continue
        score = (sum(w == widths[0] for w in widths) / len(widths), widths[0])
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _first_rows(text: str, delimiter: str) -> list[list[str]]:
    """Up to 20 whole rows of the sample; rows past one the reader cannot parse (a bare CR,
    an overlong field) are left to the table reader, which locates the problem."""
    sample = text[:SAMPLE_CHARS]
    cut = len(text) > SAMPLE_CHARS
    reader = csv.reader(io.StringIO(sample), delimiter=delimiter)
    rows: list[list[str]] = []
    try:
        for row in reader:
            rows.append(row)
            if len(rows) > _SAMPLE_ROWS:
                break
    except csv.Error:
        cut = True
    return rows[:-1] if cut and len(rows) > 1 else rows


def header_columns(text: str, delimiter: str) -> list[str]:
    """The first row of a delimited text, as column names."""
    rows = _first_rows(text, delimiter)
    if not rows:  # a header row longer than the sample, or not parseable: split it plainly
        rows = [text[:SAMPLE_CHARS].split("\n", 1)[0].rstrip("\r").split(delimiter)]
    return [c.strip() for c in rows[0]]
