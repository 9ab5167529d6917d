"""``zonewatch db export``: the store as files that the file readers read back as the
store holds them (zones as GeoJSON, milestones and incidents as CSV, terms as JSON)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
from sqlalchemy import text
from sqlalchemy.engine import Engine

from dashboard.db.read import read_incidents, read_milestones, read_zones


def _day_and_time(days: pd.Series, times: pd.Series | None) -> list[str | None]:
    """valid_from/valid_to as the zone file writes them: the day, with its time of day
    (``valid_*_time``) when the file gave one."""
    times = times if times is not None else pd.Series([""] * len(days), index=days.index)
    out = []
    for day, time in zip(days, times.fillna(""), strict=True):
        out.append(None if pd.isna(day) else f"{day:%Y-%m-%d}" + (f"T{time}" if time else ""))
    return out


def write_zones_geojson(zones, path: Path) -> Path:
    """A zone frame as a GeoJSON FeatureCollection in EPSG:4326 (one feature a version)."""
    import shapely

    starts = _day_and_time(zones["valid_from"], zones.get("valid_from_time"))
    ends = _day_and_time(zones["valid_to"], zones.get("valid_to_time"))
    features = []
    for row, start, end in zip(zones.itertuples(index=False), starts, ends, strict=True):
        props = {"zone_id": row.zone_id, "name": row.name, "version": int(row.version),
                 "valid_from": start, "valid_to": end, "status": row.status,
                 "boundary_precision": row.boundary_precision, "source": row.source,
                 "notes": row.notes}
        props = {k: None if isinstance(v, float) and pd.isna(v) else v for k, v in props.items()}
        features.append({"type": "Feature", "properties": props,
                         "geometry": json.loads(shapely.to_geojson(row.geometry))})
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features},
                               ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def _file_name(dataset: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", dataset).strip("-.") or "incidents"
    return stem if stem.lower().endswith(".csv") else f"{stem}.csv"


def export_files(engine: Engine, folder: str | Path) -> list[Path]:
    """Write every part of the store into ``folder``; returns the files written."""
    from dashboard.io.writers import write_csv

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    with engine.connect() as conn, conn.begin():
        conn.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY"))
        zones = read_zones(conn)
        if len(zones):
            written.append(write_zones_geojson(zones, folder / "zones.geojson"))
        milestones = read_milestones(conn)
        if len(milestones):
            path = folder / "milestones.csv"
            out = milestones[["zone_id", "timestamp", "kind", "text", "source"]]
            out.to_csv(path, index=False, encoding="utf-8")
            written.append(path)
        terms = conn.execute(text("SELECT document, file_name FROM terms")).first()
        if terms is not None:
            path = folder / (terms.file_name or "terms.json")
            path.write_text(json.dumps(terms.document, ensure_ascii=False, indent=2),
                            encoding="utf-8")
            written.append(path)
        names = conn.execute(text("SELECT dataset FROM datasets ORDER BY position")).scalars()
        for name in list(names):
            frame = read_incidents(conn, [name])
            if len(frame):
                path = folder / _file_name(name)
                write_csv(frame, path)
                written.append(path)
    return written
