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
        try:
            with zipfile.ZipFile(path) as zf:
                names = zf.namelist()
        except zipfile.BadZipFile:
            return ZIP  # a damaged zip is still a zip; the reader reports it
        return XLSX if "[Content_Types].xml" in names and any(
            n.startswith("xl/") for n in names) else ZIP
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


def sniff_delimiter(text: str) -> str:
    """``,``, ``;`` or tab, judged on the first lines (quoted fields respected)."""
    sample = text[:65536]
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        first = sample.splitlines()[0] if sample else ""
        counts = {d: first.count(d) for d in ",;\t"}
        return max(counts, key=counts.get) if any(counts.values()) else ","


def header_columns(text: str, delimiter: str) -> list[str]:
    """The first row of a delimited text, as column names."""
    reader = csv.reader(io.StringIO(text[:65536]), delimiter=delimiter)
    return [c.strip() for c in next(reader, [])]
