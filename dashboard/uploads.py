"""Receiving an uploaded file: decode, check limits, validate, then keep or refuse.

A failed upload changes nothing: the file is validated in a staging folder and
only an upload without errors replaces the session's data. Validation runs in a
sandboxed child process (``upload_check``) under the size, time and memory limits
of ``dashboard.io.limits``.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import gzip
import zipfile
from dataclasses import dataclass
from pathlib import Path

from dashboard.io import ValidationReport
from dashboard.io.limits import Limits
from dashboard.io.sniff import GZIP, JSON, TEXT, decode_text, sniff_format
from dashboard.sessions import QuotaError, SessionStore
from dashboard.upload_check import check_file

MAX_ZIP_MEMBERS = 50
MAX_ZIP_RATIO = 200          # uncompressed / compressed: more looks like a zip bomb


@dataclass(frozen=True)
class UploadResult:
    ok: bool
    message: str
    report: ValidationReport | None = None


def decode_contents(contents: str) -> bytes:
    """The bytes of a ``data:...;base64,`` string from dcc.Upload."""
    _, _, payload = (contents or "").partition(",")
    return base64.b64decode(payload, validate=True)


def zip_problem(path: Path, max_bytes: int) -> str | None:
    """Why a zip must not be opened (unsafe member paths, too many members, a bomb)."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except zipfile.BadZipFile:
        return None  # the reader reports a damaged zip with its own message
    if len(infos) > MAX_ZIP_MEMBERS:
        return f"the zip holds {len(infos)} files; at most {MAX_ZIP_MEMBERS} are accepted"
    for info in infos:
        name = info.filename
        if name.startswith(("/", "\\")) or ".." in Path(name).parts or ":" in name:
            return f"the zip member {name[:80]!r} has an unsafe path (absolute or with '..')"
    total = sum(i.file_size for i in infos)
    packed = max(1, sum(i.compress_size for i in infos))
    if total > max_bytes * 4 or total / packed > MAX_ZIP_RATIO:
        return (f"the zip would unpack to {total / 1e6:,.0f} MB from {packed / 1e6:,.1f} MB; "
                "that looks like a decompression bomb")
    return None


def upload_limits(max_mb: int, limits: Limits | None = None) -> Limits:
    """``limits`` (default: the settings') with unpacking capped at 4x the upload limit,
    the rule zips already follow."""
    limits = limits or Limits.from_settings()
    return dataclasses.replace(limits, unpacked_mb=min(limits.unpacked_mb, max_mb * 4))


def as_utf8(path: Path, fmt: str, encoding: str) -> None:
    """Rewrite a text (CSV, GeoJSON, gzipped CSV) read in ``encoding`` as UTF-8, so that
    whoever reads the kept file later reads what was checked, without being told."""
    if fmt == GZIP:
        text, _ = decode_text(gzip.decompress(path.read_bytes()), encoding)
        path.write_bytes(gzip.compress(text.encode("utf-8")))
    elif fmt in (TEXT, JSON):
        text, _ = decode_text(path.read_bytes(), encoding)
        path.write_bytes(text.encode("utf-8"))


def receive_upload(store: SessionStore, session_id: str, role: str, contents: str,
                   filename: str, max_mb: int, limits: Limits | None = None,
                   encoding: str | None = None) -> UploadResult:
    """Validate an upload for ``role`` ("zones" or "incidents") and keep it if clean.

    The file is read in a sandboxed child (``check_file``) within ``upload_limits``, in
    ``encoding`` when the uploader names one (else it is detected); a text read in a
    named encoding is kept as UTF-8."""
    name = Path(filename or "upload").name[:120]
    try:
        raw = decode_contents(contents)
    except (binascii.Error, ValueError):
        return UploadResult(False, f"{name}: the upload arrived damaged. Fix: upload it again.")
    if len(raw) > max_mb * 1024 * 1024:
        return UploadResult(False, f"{name}: {len(raw) / 1e6:,.1f} MB is over the {max_mb} MB "
                            "upload limit. Fix: filter the file to the area and dates you need, "
                            "or ask the server's operator to raise ZONEWATCH_UPLOAD_MAX_MB.")
    if not raw:
        return UploadResult(False, f"{name}: the file is empty (0 bytes). Fix: export it again.")
    store.sweep()  # expired sessions go first
    try:
        store.check_room(session_id, role, len(raw))
    except QuotaError as err:
        return UploadResult(False, f"{name}: {err}")
    # The whole file is sniffed: a zip's member list (which tells XLSX from a zipped
    # Shapefile) sits at its end.
    probe = store.staging_path(session_id, "bin")
    probe.write_bytes(raw)
    fmt = sniff_format(probe)
    staged = store.staging_path(session_id, fmt)
    probe.replace(staged)
    try:
        if fmt == "zip" and (problem := zip_problem(staged, max_mb * 1024 * 1024)):
            return UploadResult(False, f"{name}: {problem}. Fix: upload a zip holding only the "
                                "Shapefile's .shp, .shx, .dbf and .prj.")
        report = check_file(staged, role, upload_limits(max_mb, limits), shown_name=name,
                            encoding=encoding)
        if not report.ok:
            return UploadResult(False, f"{name}: {len(report.errors)} errors; nothing was "
                                "loaded and your previous data is still shown.", report)
        if encoding:
            as_utf8(staged, fmt, encoding)
        try:
            store.commit(session_id, role, staged, name)
        except QuotaError as err:  # another upload of the session took the room meanwhile
            return UploadResult(False, f"{name}: {err}")
        return UploadResult(True, f"{name}: loaded {report.rows:,} {role} "
                            f"({len(report.warnings)} warnings).", report)
    finally:
        staged.unlink(missing_ok=True)
