"""``zonewatch db import``: every file read and validated by the file readers first, then
written in one transaction, so that a file with errors writes nothing.

Zones, milestones and terms given replace those in the store (the file is the record of
them at import time). Incidents are upserted per dataset on (dataset, incident id):
changed rows are updated and stamped with this import's run id, rows missing from a
dataset's new import are marked deleted (``deleted_at``, ``deleted_in_run``), never
removed, and a row that comes back is undeleted.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from dashboard.analysis.dataset import source_name
from dashboard.core.errors import IncidentFileError, TermsFileError
from dashboard.db.frames import (
    INCIDENT_DATES,
    INCIDENT_SQL,
    ZONE_SQL,
    column_types,
    json_lines,
)
from dashboard.io import load_incidents, load_milestones, load_zones

_IMPORT_LOCK = 0x5A6E5701  # pg_advisory_xact_lock key held by a running import


@dataclass
class ImportPlan:
    """What the files hold, read and validated, ready to write."""

    zones: pd.DataFrame | None = None
    milestones: pd.DataFrame | None = None
    terms: tuple[dict, str] | None = None  # (document, file name)
    incidents: list[tuple[str, pd.DataFrame]] = field(default_factory=list)  # by dataset
    files: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class ImportResult:
    run_id: int
    summary: dict[str, Any]


def plan_import(zones: Path | None = None, incidents: list[Path] | tuple[Path, ...] = (),
                milestones: Path | None = None, terms: Path | None = None,
                encoding: str | None = None, known_zone_ids: set[str] | None = None
                ) -> ImportPlan:
    """Read and validate every file; raises the first error of the first file with
    errors (the readers' messages name the file, the row and the fix)."""
    from dashboard.io.terms_file import read_terms

    plan = ImportPlan()
    if zones is not None:
        plan.zones, _ = load_zones(zones, encoding=encoding)
        plan.files.append({"role": "zones", "path": str(zones), "rows": len(plan.zones)})
    by_dataset: dict[str, list[pd.DataFrame]] = {}
    for path in incidents:
        path = path if isinstance(path, Path) else Path(path)  # a SourcePath keeps its name
        frame, _ = load_incidents(path, encoding=encoding)
        _check_ids(frame, path)
        if (name := source_name(path)) is not None:  # NAME=FILE, as load_dataset names it
            frame = frame.assign(dataset=pd.Categorical([name] * len(frame)))
        for name, part in frame.groupby("dataset", sort=False, observed=True):
            by_dataset.setdefault(str(name), []).append(part.reset_index(drop=True))
        plan.files.append({"role": "incidents", "path": str(path), "rows": len(frame)})
    for name, parts in by_dataset.items():
        frame = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
        duplicated = frame["incident_id"].duplicated()
        if duplicated.any():
            raise IncidentFileError(Path(incidents[0]), where=f"dataset {name!r}",
                                    problem=f"incident id {frame['incident_id'][duplicated].iloc[0]!r}"
                                    " is in more than one of the files given",
                                    fix="import each export of a dataset once, or the newest alone")
        plan.incidents.append((name, frame))
    if milestones is not None:
        plan.milestones, _ = load_milestones(milestones)
        plan.files.append({"role": "milestones", "path": str(milestones),
                           "rows": len(plan.milestones)})
    if terms is not None:
        zone_ids = (set(plan.zones["zone_id"]) if plan.zones is not None else known_zone_ids)
        _, report = read_terms(terms, zone_ids)
        report.raise_for_errors(TermsFileError)
        document = json.loads(Path(terms).read_text(encoding="utf-8-sig"))
        plan.terms = (document, Path(terms).name)
        plan.files.append({"role": "terms", "path": str(terms),
                           "rows": len(document.get("agreements", []))})
    return plan


def _check_ids(frame: pd.DataFrame, path: Path) -> None:
    """The store keys incidents on their id: a file without ids cannot be re-imported
    as an update of itself."""
    ids = frame["incident_id"].astype(str)
    if len(ids) and ids.str.fullmatch(r"row-\d+").all():
        raise IncidentFileError(path, where="header", problem="the file has no id column, and "
                                "the store matches re-imported rows on their ids",
                                fix="add an id column (e.g. event_id_cnty for ACLED), or map "
                                "one with zonewatch validate --map incident_id=COLUMN")


def import_plan(engine: Engine, plan: ImportPlan) -> ImportResult:
    """Write ``plan`` in one transaction and bump the data revision (the triggers)."""
    with engine.begin() as conn:
        # One import at a time: a second waits here rather than interleave its upserts.
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _IMPORT_LOCK})
        run_id = conn.execute(text("INSERT INTO import_runs (files) VALUES (CAST(:f AS jsonb)) "
                                   "RETURNING id"), {"f": json.dumps(plan.files)}).scalar_one()
        summary: dict[str, Any] = {}
        if plan.zones is not None:
            summary["zones"] = _write_zones(conn, plan.zones, run_id)
        if plan.milestones is not None:
            summary["milestones"] = _write_milestones(conn, plan.milestones, run_id)
        if plan.terms is not None:
            _write_terms(conn, *plan.terms, run_id)
            summary["terms"] = plan.terms[1]
        for name, frame in plan.incidents:
            summary[name] = _write_incidents(conn, name, frame, run_id)
        conn.execute(text("UPDATE import_runs SET finished_at = clock_timestamp(), "
                          "summary = CAST(:s AS jsonb) WHERE id = :id"),
                     {"s": json.dumps(summary), "id": run_id})
    return ImportResult(run_id, summary)


def _day(value) -> str | None:
    return None if pd.isna(value) else pd.Timestamp(value).strftime("%Y-%m-%d")


def _write_zones(conn: Connection, zones: pd.DataFrame, run_id: int) -> dict[str, int]:
    import shapely

    conn.execute(text("DELETE FROM zone_versions"))
    conn.execute(text("DELETE FROM zones"))
    ids = list(dict.fromkeys(zones["zone_id"]))
    conn.execute(text("INSERT INTO zones (zone_id, position) VALUES (:z, :p)"),
                 [{"z": z, "p": p} for p, z in enumerate(ids)])
    extra_cols = [c for c in zones.columns
                  if c not in (*ZONE_SQL, "valid_from", "valid_to", "geometry")]
    extras = json_lines(pd.DataFrame(zones[extra_cols]))
    rows = []
    for pos, (row, extra) in enumerate(zip(zones.to_dict("records"), extras, strict=True)):
        rows.append({**{c: (None if pd.isna(row[c]) else row[c]) for c in ZONE_SQL},
                     "version": int(row["version"]), "lo": _day(row["valid_from"]),
                     "hi": _day(row["valid_to"]), "extra": extra, "position": pos,
                     "wkb": shapely.to_wkb(row["geometry"], hex=True), "run": run_id})
    conn.execute(text(
        "INSERT INTO zone_versions (zone_id, version, validity, name, status, boundary_precision,"
        " source, notes, extra, position, geom, import_run) VALUES (:zone_id, :version,"
        " daterange(CAST(:lo AS date), CAST(:hi AS date), '[]'), :name, :status,"
        " :boundary_precision, :source, :notes, CAST(:extra AS jsonb), :position,"
        " ST_Multi(ST_GeomFromWKB(decode(:wkb, 'hex'), 4326)), :run)"), rows)
    _record_columns(conn, "zones", zones)
    return {"zones": len(ids), "versions": len(zones)}


def _record_columns(conn: Connection, frame_name: str, frame: pd.DataFrame) -> None:
    conn.execute(text("INSERT INTO frame_columns (frame, columns) VALUES (:f, CAST(:c AS jsonb)) "
                      "ON CONFLICT (frame) DO UPDATE SET columns = EXCLUDED.columns"),
                 {"f": frame_name, "c": json.dumps(column_types(frame))})


def _write_milestones(conn: Connection, milestones: pd.DataFrame, run_id: int) -> int:
    conn.execute(text("DELETE FROM milestones"))
    rows = [{"pos": pos, "zone_id": r["zone_id"], "ts": str(r["timestamp"]),
             "date": _day(r["date"]), "kind": r["kind"],
             "text": None if pd.isna(r["text"]) else r["text"],
             "source": None if pd.isna(r["source"]) else r["source"], "run": run_id}
            for pos, r in enumerate(milestones.to_dict("records"))]
    if rows:
        conn.execute(text('INSERT INTO milestones (position, zone_id, "timestamp", date, kind,'
                          ' text, source, import_run) VALUES (:pos, :zone_id, :ts,'
                          ' CAST(:date AS date), :kind, :text, :source, :run)'), rows)
    _record_columns(conn, "milestones", milestones)
    return len(rows)


def _write_terms(conn: Connection, document: dict, file_name: str, run_id: int) -> None:
    conn.execute(text("DELETE FROM terms"))
    conn.execute(text("INSERT INTO terms (name, document, file_name, import_run) VALUES "
                      "('terms', CAST(:d AS jsonb), :f, :run)"),
                 {"d": json.dumps(document, ensure_ascii=False), "f": file_name, "run": run_id})


_STAGE_COLUMNS = ["source_id", "ordinal", *INCIDENT_SQL, "extra"]
_DATA = [*INCIDENT_SQL, "extra"]  # what "changed" compares (the row order is not data)


def _stage_csv(name: str, frame: pd.DataFrame) -> str:
    """The rows as CSV for COPY (NULL written as \\N, so empty text stays empty text)."""
    extra_cols = [c for c in frame.columns if c not in (*INCIDENT_SQL, "incident_id", "dataset")]
    out = pd.DataFrame({"source_id": frame["incident_id"].astype(str),
                        "ordinal": range(len(frame))})
    for col in INCIDENT_SQL:
        values = frame[col]
        if col in INCIDENT_DATES:
            values = values.dt.strftime("%Y-%m-%d")
        elif isinstance(values.dtype, pd.CategoricalDtype):
            values = values.astype(object)
        out[col] = values.to_numpy()
    out["extra"] = json_lines(frame[extra_cols])
    buffer = io.StringIO()
    out.to_csv(buffer, index=False, header=False, na_rep="\\N", quoting=csv.QUOTE_MINIMAL,
               float_format="%.17g")
    return buffer.getvalue()


def _write_incidents(conn: Connection, name: str, frame: pd.DataFrame, run_id: int
                     ) -> dict[str, int]:
    conn.execute(text(
        "INSERT INTO datasets (dataset, position, columns) VALUES (:d,"
        " (SELECT coalesce(max(position) + 1, 0) FROM datasets), CAST(:c AS jsonb))"
        " ON CONFLICT (dataset) DO UPDATE SET columns = EXCLUDED.columns"),
        {"d": name, "c": json.dumps(column_types(frame))})
    columns = ", ".join(_STAGE_COLUMNS)
    conn.execute(text("DROP TABLE IF EXISTS incident_stage"))
    conn.execute(text(f"CREATE TEMP TABLE incident_stage ON COMMIT DROP AS SELECT {columns}"
                      " FROM incidents WITH NO DATA"))
    raw = conn.connection.driver_connection
    with raw.cursor() as cur, cur.copy(
            f"COPY incident_stage ({columns}) FROM STDIN WITH (FORMAT csv, NULL '\\N')") as copy:
        copy.write(_stage_csv(name, frame))
    # An index and statistics: the "gone from this import" anti-join below otherwise runs
    # as a nested loop over an unindexed stage (18 s at 20k rows, hours at a million).
    conn.execute(text("CREATE INDEX ON incident_stage (source_id)"))
    conn.execute(text("ANALYZE incident_stage"))
    sets = ", ".join(f"{c} = EXCLUDED.{c}" for c in (*_DATA, "ordinal"))
    old = ", ".join(f"i.{c}" for c in _DATA)
    new = ", ".join(f"EXCLUDED.{c}" for c in _DATA)
    counts = conn.execute(text(f"""
        WITH up AS (
            INSERT INTO incidents AS i (dataset, {columns}, import_run)
            SELECT :d, {columns}, :run FROM incident_stage
            ON CONFLICT (dataset, source_id) DO UPDATE SET {sets},
                import_run = CASE WHEN ({old}) IS DISTINCT FROM ({new}) OR i.deleted_at IS NOT NULL
                                  THEN EXCLUDED.import_run ELSE i.import_run END,
                deleted_at = NULL, deleted_in_run = NULL
            WHERE (i.ordinal, {old}) IS DISTINCT FROM (EXCLUDED.ordinal, {new})
               OR i.deleted_at IS NOT NULL
            RETURNING (xmax = 0) AS inserted, import_run = :run AS changed
        )
        SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE changed AND NOT inserted)
        FROM up"""), {"d": name, "run": run_id}).one()
    deleted = conn.execute(text("""
        UPDATE incidents i SET deleted_at = now(), deleted_in_run = :run
        WHERE i.dataset = :d AND i.deleted_at IS NULL
          AND NOT EXISTS (SELECT 1 FROM incident_stage s WHERE s.source_id = i.source_id)"""),
        {"d": name, "run": run_id}).rowcount
    conn.execute(text("DROP TABLE incident_stage"))
    return {"rows": len(frame), "inserted": counts[0], "updated": counts[1], "deleted": deleted}


def known_zone_ids(engine: Engine) -> set[str]:
    """The zone ids in the store (terms imported alone are checked against them)."""
    with engine.connect() as conn:
        return set(conn.execute(text("SELECT zone_id FROM zones")).scalars())
