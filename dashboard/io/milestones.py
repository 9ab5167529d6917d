"""Milestone files: CSV (or XLSX) of dated agreement events with their sources."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from dashboard.core import model
from dashboard.io.columns import MILESTONE_SYNONYMS, map_columns
from dashboard.io.dates import DATE_HINT, parse_dates
from dashboard.io.limits import Limits
from dashboard.io.rowcheck import RowChecks, text
from dashboard.io.tables import Unreadable, check_format, read_raw_table
from dashboard.io.validation import ValidationReport


def empty_milestones() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype=object) for c in model.MILESTONE_COLUMNS})
    frame["date"] = pd.Series(dtype="datetime64[ns]")
    return frame


def _zone_ids(values: pd.Series) -> pd.Series:
    """Zone ids, None (not "") for framework-wide milestones."""
    values = values.astype(object)
    return values.where(values != "", None)


def read_milestones(path: str | Path, *, limits: Limits | None = None,
                    encoding: str | None = None) -> tuple[pd.DataFrame, ValidationReport]:
    """(milestones, report). ``timestamp`` keeps the time and offset as written;
    ``date`` is its calendar date, for placing it on a daily axis."""
    path = Path(path)
    report = ValidationReport(path, kind="milestones")
    try:
        raw = read_raw_table(path, check_format(path, report), report, limits=limits,
                             encoding=encoding)
    except Unreadable:
        return empty_milestones(), report
    report.rows = len(raw)
    if raw.empty:
        report.error("the file has a header but no data rows", "add one milestone per row")
        return empty_milestones(), report
    columns = map_columns(raw.columns, MILESTONE_SYNONYMS)
    if "timestamp" not in columns:
        report.error("no timestamp (or date) column", "add a 'timestamp' column")
        return empty_milestones(), report
    n = len(raw)
    checks = RowChecks(report, n, first_row=raw.attrs.get("first_row", 2))
    stamp = text(raw[columns["timestamp"]], n)
    days, bad = parse_dates(stamp)
    checks.flag(bad | (stamp == "").to_numpy(), "error", "the timestamp cannot be read",
                DATE_HINT, column=columns["timestamp"], values=stamp)
    out = pd.DataFrame({
        "zone_id": _zone_ids(text(raw.get(columns.get("zone_id")), n)),
        "timestamp": stamp, "date": days,
        "kind": text(raw.get(columns.get("kind")), n).str.lower().replace("", "other"),
        "text": text(raw.get(columns.get("text")), n),
        "source": text(raw.get(columns.get("source")), n),
    })
    no_source = (out["source"] == "").to_numpy()
    checks.flag(no_source, "warning", "the milestone has no source", "cite where it was reported",
                column=columns.get("source"))
    checks.finish(raw)
    return out[model.MILESTONE_COLUMNS], report
