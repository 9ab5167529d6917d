"""What a file really is, and how its text is encoded and delimited.

Formats are decided by content first (magic bytes, JSON, header columns), and the
file name only breaks ties, so a renamed file still reads and a mislabelled one
is reported rather than misread.
"""

from __future__ import annotations

import codecs
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
    if (wide := utf16_variant(head)) is not None:  # Excel's "Unicode text"
        head = head[:len(head) // 2 * 2].decode(wide, errors="replace").encode("utf-8")
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped[:1] in (b"{", b"["):
        return JSON
    if b"\x00" in head:
        return BINARY
    return TEXT


def claimed_format(path: Path) -> str | None:
    """The format the file name claims, or None for an unknown suffix."""
    return _SUFFIX_FORMAT.get(path.suffix.lower())


#: Encodings ZoneWatch tells apart on its own, by what Excel and its users save.
DETECTED = ("utf-8", "utf-16", "cp1256", "cp1252")
ENCODING_NAMES = {
    "utf-8": "UTF-8", "utf-8-sig": "UTF-8 (with BOM)", "utf-16": "UTF-16",
    "utf-16-le": "UTF-16", "utf-16-be": "UTF-16", "cp1256": "Windows-1256 (Arabic)",
    "cp1252": "Windows-1252 (Western European)",
}
_BOMS = ((b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))


def utf16_variant(head: bytes) -> str | None:
    """"utf-16" (BOM), "utf-16-le" / "utf-16-be" (no BOM, but every other byte of
    mostly-ASCII text is zero), or None."""
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name
    pairs = len(head) // 2
    if pairs < 4:
        return None
    even, odd = head[0:pairs * 2:2], head[1:pairs * 2:2]
    for zeros, text, name in ((odd, even, "utf-16-le"), (even, odd, "utf-16-be")):
        if zeros.count(0) >= 0.9 * pairs and text.count(0) <= 0.02 * pairs:
            try:
                decoded = head[:pairs * 2].decode(name)
            except UnicodeDecodeError:
                return None
            if all(ch.isprintable() or ch in "\t\r\n" for ch in decoded):
                return name
    return None


def _non_ascii_lines(raw: bytes, budget: int = 1 << 20) -> bytes:
    """Up to ``budget`` bytes of the lines that hold non-ASCII bytes: only they tell one
    code page from another, and in a big export they may all come after the first MB."""
    import re

    lines = []
    total = 0
    for match in re.finditer(rb"[^\n]*[\x80-\xff][^\n]*", raw):
        lines.append(match.group())
        total += len(lines[-1]) + 1
        if total >= budget:
            break
    return b"\n".join(lines) or raw[:budget]


def detect_encoding(raw: bytes, *, complete: bool = True) -> str:
    """The encoding of a text among ``DETECTED``: a BOM says it; else text that is valid
    UTF-8 is UTF-8; else charset-normalizer chooses between Arabic (cp1256) and Western
    (cp1252) Windows code pages, which every byte decodes in but only one reads right.

    ``complete=False``: ``raw`` is the start of a file, and may end inside a character.
    """
    if raw.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if (wide := utf16_variant(raw[:4096])) is not None:
        return wide
    try:
        codecs.getincrementaldecoder("utf-8")().decode(raw, final=complete)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(_non_ascii_lines(raw), cp_isolation=["cp1256", "cp1252"]).best()
    return best.encoding if best is not None and best.encoding == "cp1256" else "cp1252"


def decode_text(raw: bytes, encoding: str | None = None, *, complete: bool = True
                ) -> tuple[str, str]:
    """Text and the encoding that decoded it: ``encoding`` if given (``LookupError`` when
    Python knows no such codec, ``UnicodeDecodeError`` when the bytes do not fit it),
    else the one ``detect_encoding`` finds.

    Spreadsheet programs on Windows still save CSV in their code page (Western or
    Arabic) or as UTF-16 ("Unicode text"); UTF-8 is taken whenever the bytes are UTF-8,
    so Arabic and other scripts survive intact.
    """
    errors = "strict" if complete else "replace"
    if encoding is not None:
        name = codecs.lookup(encoding).name
        if name == "utf-8" and raw.startswith(b"\xef\xbb\xbf"):
            name = "utf-8-sig"
        if name.startswith("utf-16") and not complete:
            raw = raw[:len(raw) // 2 * 2]
        return raw.decode(name, errors=errors), name
    found = detect_encoding(raw, complete=complete)
    if found.startswith("utf-16"):
        raw = raw[:len(raw) // 2 * 2] if not complete else raw
        return raw.decode(found, errors=errors), found
    if found == "utf-8-sig":
        return raw[3:].decode("utf-8", errors=errors), found
    return raw.decode(found, errors="strict" if found == "utf-8" and complete
                      else "replace"), found


def encoding_name(encoding: str) -> str:
    """How a person knows ``encoding`` ("Windows-1256 (Arabic)"), else its codec name."""
    return ENCODING_NAMES.get(encoding, encoding)


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
