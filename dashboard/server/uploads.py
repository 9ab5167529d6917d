"""Receiving an uploaded file: decode, check limits, validate, then keep or refuse.

A failed upload changes nothing: the file is validated in a staging folder and
only an upload without errors replaces the session's data. Validation runs in a
sandboxed child process (``upload_check``) under the size, time and memory limits
of ``dashboard.io.limits``.

A refused file whose errors are in some rows only is held in the staging folder
(``pending.*``, swept with the other staged files after an hour), with its rejected
rows and why in ``rejected.csv``: the uploader may then load its valid rows only
(``accept_valid_rows``, as ``zonewatch join --valid-only``) and download the rest.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import gzip
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

from dashboard.analysis.describe import plural, zones_phrase
from dashboard.core.errors import ZoneWatchError
from dashboard.io import ValidationReport
from dashboard.io.limits import Limits
from dashboard.io.sniff import GZIP, JSON, TEXT, decode_text, sniff_format
from dashboard.server.sessions import REPLACE_ALL, QuotaError, SessionStore
from dashboard.server.upload_check import Checked, check_upload

MAX_ZIP_MEMBERS = 50
MAX_ZIP_RATIO = 200          # uncompressed / compressed: more looks like a zip bomb
PENDING = "pending"          # staging/pending.json (what is held), staging/pending.<suffix>
REJECTED = "rejected.csv"    # staging/rejected.csv: the last refused file's rejected rows


@dataclass(frozen=True)
class UploadResult:
    ok: bool
    message: str
    report: ValidationReport | None = None
    valid_rows: int = 0  # rows "load the valid rows only" would keep (0: not offered)
    rejected: int = 0    # rows with errors, downloadable from ``rejected_csv`` (0: none)


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


def _what(role: str, rows: int, zones: int | None) -> str:
    """"2 incidents", "1 zone (2 versions)"."""
    if role == "zones" and zones is not None:
        return zones_phrase(zones, rows)
    if role == "terms":
        return plural(rows, "agreement")
    return plural(rows, role.removesuffix("s"))


def _pending_meta(store: SessionStore, session_id: str) -> dict:
    """What the session's last refused upload left: its name, role, row counts, and
    whether the file is still held for its valid rows ({} when nothing was left)."""
    try:
        return json.loads((store.staging_dir(session_id) / f"{PENDING}.json").read_text("utf-8"))
    except (OSError, ValueError, ZoneWatchError):  # nothing held, or not a session id
        return {}


def _clear_held(store: SessionStore, session_id: str) -> None:
    """Forget a file held for its valid rows, and its rejected rows (a new upload came)."""
    folder = store.staging_dir(session_id)
    for path in [*folder.glob(f"{PENDING}.*"), folder / REJECTED]:
        path.unlink(missing_ok=True)


def _hold(store: SessionStore, session_id: str, staged: Path, fmt: str, name: str,
          role: str, encoding: str | None, checked: Checked, rejected: Path,
          mode: str = REPLACE_ALL) -> int:
    """Keep a refused file's rejected rows for download and, when some rows are valid,
    the file itself for ``accept_valid_rows``; returns how many rows that would load."""
    report = checked.report
    if not checked.rejected_written:
        return 0
    folder = staged.parent
    rejected.replace(folder / REJECTED)
    valid = report.rows - len(report.rejected_rows)
    meta = {"role": role, "name": name, "rows": valid, "rejected": len(report.rejected_rows),
            "zones": checked.zones, "suffix": "".join(staged.suffixes), "held": valid > 0,
            "mode": mode}
    if valid > 0:
        if encoding:
            as_utf8(staged, fmt, encoding)
        staged.replace(folder / f"{PENDING}{meta['suffix']}")
    (folder / f"{PENDING}.json").write_text(json.dumps(meta), encoding="utf-8")
    return valid


def rejected_csv(store: SessionStore, session_id: str) -> tuple[Path, str] | None:
    """The CSV of the last refused upload's rejected rows and its download name, or None
    (no such upload, or swept after an hour)."""
    meta = _pending_meta(store, session_id)
    path = store.staging_dir(session_id) / REJECTED if meta else None
    if path is None or not path.is_file():
        return None
    return path, f"{Path(meta['name']).stem}-rejected-rows.csv"


def accept_valid_rows(store: SessionStore, session_id: str) -> UploadResult:
    """Keep the held file of the session's last refused upload, to be read for its valid
    rows only (the rejected rows stay downloadable)."""
    meta = _pending_meta(store, session_id)
    staged = store.staging_dir(session_id) / f"{PENDING}{meta['suffix']}" if meta else None
    if not meta.get("held") or staged is None or not staged.is_file():
        return UploadResult(False, "The file with errors is no longer held on the server (it "
                            "is kept for an hour). Fix: upload it again.")
    name, role = meta["name"], meta["role"]
    try:
        shown = store.commit(session_id, role, staged, name, valid_only=True,
                             mode=meta.get("mode", REPLACE_ALL))
    except QuotaError as err:
        return UploadResult(False, f"{name}: {err}")
    meta["held"] = False
    (staged.parent / f"{PENDING}.json").write_text(json.dumps(meta), encoding="utf-8")
    return UploadResult(True, f"{name}: loaded the valid rows only: "
                        f"{_what(role, meta['rows'], meta.get('zones'))}{_as_source(shown)}; "
                        f"{plural(meta['rejected'], 'row')} with errors left out.",
                        rejected=meta["rejected"])


def _as_source(shown: str) -> str:
    """" as the source 'ACLED'" for incidents added as a source, else ""."""
    return f" as the source '{shown}'" if shown else ""


def receive_upload(store: SessionStore, session_id: str, role: str, contents: str,
                   filename: str, max_mb: int, limits: Limits | None = None,
                   encoding: str | None = None, mode: str = REPLACE_ALL) -> UploadResult:
    """Validate an upload for ``role`` ("zones", "incidents" or "terms") and keep it if clean.

    The file is read in a sandboxed child (``check_file``) within ``upload_limits``, in
    ``encoding`` when the uploader names one (else it is detected); a text read in a
    named encoding is kept as UTF-8. Incidents land by ``mode`` (``SessionStore.commit``:
    instead of every incident, as a new source, or instead of one source)."""
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
    _clear_held(store, session_id)
    probe = store.staging_path(session_id, "bin")
    probe.write_bytes(raw)
    fmt = sniff_format(probe)
    staged = store.staging_path(session_id, fmt)
    probe.replace(staged)
    rejected = store.staging_path(session_id, "text")
    try:
        if fmt == "zip" and (problem := zip_problem(staged, max_mb * 1024 * 1024)):
            return UploadResult(False, f"{name}: {problem}. Fix: upload a zip holding only the "
                                "Shapefile's .shp, .shx, .dbf and .prj.")
        checked = check_upload(staged, role, upload_limits(max_mb, limits), shown_name=name,
                               encoding=encoding, rejected_path=rejected)
        report = checked.report
        if not report.ok:
            valid = _hold(store, session_id, staged, fmt, name, role, encoding, checked,
                          rejected, mode)
            return UploadResult(False, f"{name}: {plural(len(report.errors), 'error')}; "
                                "nothing was loaded and your previous data is still shown.",
                                report, valid, len(report.rejected_rows))
        if encoding:
            as_utf8(staged, fmt, encoding)
        try:
            shown = store.commit(session_id, role, staged, name, mode=mode)
        except QuotaError as err:  # another upload of the session took the room meanwhile
            return UploadResult(False, f"{name}: {err}")
        warnings = plural(len(report.warnings), "warning")
        if role == "zones" and checked.zones is not None:
            loaded = f"{_what(role, report.rows, checked.zones)}; {warnings}"
        else:
            loaded = f"{_what(role, report.rows, None)}{_as_source(shown)} ({warnings})"
        return UploadResult(True, f"{name}: loaded {loaded}.", report)
    finally:
        staged.unlink(missing_ok=True)
        rejected.unlink(missing_ok=True)
