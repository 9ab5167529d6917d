"""Reading and validating user files.

``read_*`` return ``(frame, report)`` and never raise for bad data; ``load_*``
raise the first error (``ZoneFileError`` / ``IncidentFileError``) unless asked to
keep only the valid rows, in which case the rejected rows go to a side file.
``validate`` works out what a file holds and reports on it.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from dashboard.core.errors import IncidentFileError, MilestoneFileError, ZoneFileError
from dashboard.io.incidents import read_incidents
from dashboard.io.limits import Limits
from dashboard.io.milestones import read_milestones
from dashboard.io.validation import Issue, ValidationReport
from dashboard.io.zones import read_zones

__all__ = [
    "Issue", "Limits", "ValidationReport", "guess_role", "load_incidents", "load_milestones", "load_zones",
    "read_incidents", "read_milestones", "read_zones", "rejected_path_for", "validate",
]


def rejected_path_for(path: Path) -> Path:
    """Where the rows left out of ``path`` are written: beside it, ``NAME.rejected.csv``."""
    return path.with_name(path.name + ".rejected.csv")


def _keep_valid(frame, report: ValidationReport, valid_only: bool, error_class,
                rejected_path: Path | None):
    if report.ok:
        return frame
    if not valid_only or not len(frame) or report.rejected_table is None:
        report.raise_for_errors(error_class)
    target = rejected_path or rejected_path_for(report.path)
    table = report.rejected_table.copy()
    if "geometry" in table.columns:
        import numpy as np
        import shapely

        table["geometry"] = shapely.to_wkt(np.asarray(table["geometry"], dtype=object))
    table.to_csv(target, index=False, encoding="utf-8")
    report.info(f"{len(report.rejected_rows)} rows with errors left out and written to {target}",
                "fix them there and load that file again")
    # Readers label rows by their position in the file (zones are then sorted by id).
    keep = frame.index.difference(report.rejected_rows, sort=False)
    return frame.loc[keep]


def load_incidents(path: str | Path, *, valid_only: bool = False,
                   rejected_path: Path | None = None, kind: str | None = None,
                   mapping: Mapping[str, str] | None = None, crs: str | None = None,
                   encoding: str | None = None):
    """Incidents ready to use; raises ``IncidentFileError`` if the file has errors,
    unless ``valid_only`` (then bad rows are written to the side file and left out)."""
    frame, report = read_incidents(path, kind=kind, mapping=mapping, crs=crs, encoding=encoding)
    frame = _keep_valid(frame, report, valid_only, IncidentFileError, rejected_path)
    return frame.reset_index(drop=True), report


def load_zones(path: str | Path, *, valid_only: bool = False,
               rejected_path: Path | None = None, mapping: Mapping[str, str] | None = None,
               encoding: str | None = None):
    """Zone versions ready to use; raises ``ZoneFileError`` on errors (see load_incidents)."""
    frame, report = read_zones(path, mapping=mapping, encoding=encoding)
    frame = _keep_valid(frame, report, valid_only, ZoneFileError, rejected_path)
    return frame.reset_index(drop=True), report


def load_milestones(path: str | Path, *, valid_only: bool = False):
    """Milestones ready to use; raises ``MilestoneFileError`` on errors."""
    frame, report = read_milestones(path)
    frame = _keep_valid(frame, report, valid_only, MilestoneFileError, None)
    return frame.reset_index(drop=True), report


def guess_role(path: str | Path, limits: Limits | None = None, encoding: str | None = None
               ) -> str:
    """"zones", "incidents" or "milestones", from the file's content (read within ``limits``)."""
    from dashboard.io import sniff
    from dashboard.io.tables import Unreadable, check_format, read_raw_table

    path = Path(path)
    scratch = ValidationReport(path)
    try:
        fmt = check_format(path, scratch)
    except Unreadable:
        return "incidents"
    if fmt in (sniff.TEXT, sniff.GZIP, sniff.XLSX):
        if fmt == sniff.TEXT:
            try:
                text, _ = sniff.decode_text(path.read_bytes()[:65536], encoding, complete=False)
            except LookupError:
                return "incidents"  # the reader says the encoding is unknown
            header = {c.lower() for c in sniff.header_columns(text, sniff.sniff_delimiter(text))}
            if {"timestamp", "kind"} <= header and not header & {"lon", "longitude", "lat"}:
                return "milestones"
        return "incidents"
    try:
        raw = read_raw_table(path, fmt, scratch, limits=limits, encoding=encoding)
    except Unreadable:
        return "zones" if fmt in (sniff.JSON, sniff.ZIP, sniff.GPKG) else "incidents"
    geom = getattr(raw, "geometry", None)
    if geom is not None and len(raw) and geom.geom_type.isin(["Polygon", "MultiPolygon"]).any():
        return "zones"
    return "incidents"


def validate(path: str | Path, role: str | None = None, **options) -> ValidationReport:
    """Every problem in the file, whatever it holds (``role`` overrides the guess)."""
    from dashboard.io.terms_file import looks_like_terms, read_terms

    role = role or ("terms" if looks_like_terms(path) else
                    guess_role(path, options.get("limits"), options.get("encoding")))
    reader = {"zones": read_zones, "incidents": read_incidents,
              "milestones": read_milestones, "terms": read_terms}[role]
    return reader(path, **options)[1]
