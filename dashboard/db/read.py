"""Reading the store back: the frames ``load_dataset`` gives for the same files (same
columns, dtypes, row order and join), and the data revision to poll."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
from sqlalchemy import text

from dashboard.db.engine import make_engine
from dashboard.db.frames import INCIDENT_SQL, expand_json, restore

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine

    from dashboard.analysis.dataset import Dataset
    from dashboard.core.agreements import Terms


def _engine(url: str | Engine | None) -> Engine:
    return url if hasattr(url, "connect") else make_engine(url)  # type: ignore[return-value]


def data_revision(url: str | Engine | None = None) -> int:
    """The store's data revision: bumped by every statement that changes zones, versions,
    milestones, terms or incidents (imports, QGIS edits, hand-written SQL), so a reader
    holding an older number knows to reload. One row: cheap to poll. Changes are also
    announced as NOTIFY on channel 'zonewatch' with the new revision as payload."""
    with _engine(url).connect() as conn:
        return int(conn.execute(text("SELECT revision FROM data_revision")).scalar_one())


def store_identity(url: str | Engine | None = None) -> str:
    """What tells this store from another reached by the same URL: the object ids of the
    database and of its revision table, new when either is dropped and made again (a new
    store starts its revision again at 1, so the URL and the revision alone could name
    an old store's prepared data)."""
    with _engine(url).connect() as conn:
        return str(conn.execute(text(
            "SELECT (SELECT oid FROM pg_database WHERE datname = current_database())::text "
            "|| ':' || 'data_revision'::regclass::oid::text")).scalar_one())


def read_zones(conn: Connection):
    """The zone frame (a GeoDataFrame in EPSG:4326, versions in their imported order)."""
    import geopandas as gpd
    import shapely

    rows = pd.read_sql_query(text(
        "SELECT v.zone_id, v.name, v.version, lower(v.validity) AS valid_from,"
        " upper(v.validity) - 1 AS valid_to, v.status, v.boundary_precision, v.source, v.notes,"
        " v.extra, ST_AsBinary(v.geom) AS wkb FROM zone_versions v"
        " ORDER BY v.position, v.zone_id, v.version"), conn)
    geometry = shapely.from_wkb([bytes(b) for b in rows["wkb"]])
    # The store keeps MultiPolygons; a one-part one comes back as the Polygon it was drawn as.
    parts = shapely.get_num_geometries(geometry)
    geometry = [shapely.get_geometry(g, 0) if n == 1 else g
                for g, n in zip(geometry, parts, strict=True)]
    types = _frame_columns(conn, "zones")
    extra = [n for n, _ in types if n not in rows.columns]
    frame = pd.concat([rows.drop(columns=["wkb", "extra"]),
                       expand_json(rows["extra"], extra, rows.index)], axis=1)
    frame = restore(frame, types) if types else frame
    return gpd.GeoDataFrame(frame, geometry=geometry, crs="EPSG:4326")


def read_milestones(conn: Connection) -> pd.DataFrame:
    from dashboard.io.milestones import empty_milestones

    types = _frame_columns(conn, "milestones")
    rows = pd.read_sql_query(text('SELECT zone_id, "timestamp", date, kind, text, source'
                                  " FROM milestones ORDER BY position, id"), conn)
    if not types:
        return empty_milestones()
    return restore(rows, types)


def read_incidents(conn: Connection, datasets: list[str] | None = None) -> pd.DataFrame:
    """Live incidents (not marked deleted), dataset by dataset in import order, each
    cast to the dtypes its file was read with, then put together as ``load_dataset``
    puts files together."""
    from dashboard.io.incidents import empty_incidents

    known = conn.execute(text("SELECT dataset, columns FROM datasets ORDER BY position")).all()
    frames = []
    for name, types in known:
        if datasets is not None and name not in datasets:
            continue
        rows = _copy_rows(conn, name)
        if not len(rows):
            continue
        rows["dataset"] = name
        extra = [n for n, _ in types if n not in rows.columns]
        rows = pd.concat([rows.drop(columns=["extra"]), _extra_columns(rows["extra"], extra)],
                         axis=1)
        frames.append(restore(rows, types))
    if not frames:
        return empty_incidents()
    if len(frames) == 1:
        return frames[0]
    from dashboard.analysis.dataset import concat_sources

    return concat_sources(frames)  # as load_dataset puts several files together


#: Columns read as numbers straight away; the others as text, cast by ``restore``.
_FLOATS = ("lon", "lat", "precision_km", "fatalities")


def _copy_rows(conn: Connection, dataset: str) -> pd.DataFrame:
    """One dataset's live rows, as COPY ... TO STDOUT (CSV) parsed by Arrow: about ten
    times faster than fetching a million rows as Python tuples. NULL is written ``\\N``
    and empty text ``""``, so the two stay apart."""
    import io

    import pyarrow as pa
    import pyarrow.csv as pacsv
    from psycopg import sql

    names = ["incident_id", *INCIDENT_SQL, "extra"]
    query = sql.SQL(
        "COPY (SELECT source_id, {cols}, extra::text FROM incidents WHERE dataset = {d}"
        " AND deleted_at IS NULL ORDER BY ordinal, id) TO STDOUT WITH (FORMAT csv, NULL '\\N')"
    ).format(cols=sql.SQL(", ").join(sql.Identifier(c) for c in INCIDENT_SQL),
             d=sql.Literal(dataset))
    buffer = io.BytesIO()
    with conn.connection.driver_connection.cursor() as cur, cur.copy(query) as copy:
        for chunk in copy:
            buffer.write(chunk)
    types = {c: (pa.float64() if c in _FLOATS else pa.large_string()) for c in names}
    table = pacsv.read_csv(
        io.BytesIO(buffer.getvalue()),
        read_options=pacsv.ReadOptions(column_names=names, block_size=1 << 24),
        convert_options=pacsv.ConvertOptions(column_types=types, null_values=["\\N"],
                                             strings_can_be_null=True,
                                             quoted_strings_can_be_null=False))
    return table.to_pandas(types_mapper={pa.large_string(): pd.StringDtype()}.get)


def _extra_columns(texts: pd.Series, names: list[str]) -> pd.DataFrame:
    """The ``extra`` jsonb (as text) back to the columns ``names``, parsed in C."""
    import io
    import warnings

    if not names:
        return pd.DataFrame(index=texts.index)
    with warnings.catch_warnings():
        # pandas 3 deprecates convert_dates (dtype=False alone keeps text as text there);
        # pandas 2 needs it, or a column named like a date would become one.
        warnings.simplefilter("ignore", FutureWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        parsed = pd.read_json(io.StringIO("\n".join(texts.fillna("{}"))), lines=True,
                              dtype=False, convert_dates=False)
    parsed.index = texts.index
    return parsed.reindex(columns=names)


def _frame_columns(conn: Connection, frame: str) -> list[list[str]]:
    found = conn.execute(text("SELECT columns FROM frame_columns WHERE frame = :f"),
                         {"f": frame}).scalar_one_or_none()
    return found or []


def load_db_terms(url: str | Engine | None = None) -> Terms | None:
    """The agreement terms in the store (None: no terms imported), checked by the same
    reader as a terms file."""
    import json
    import tempfile
    from pathlib import Path

    from dashboard.core.errors import TermsFileError
    from dashboard.io.terms_file import read_terms

    with _engine(url).connect() as conn:
        row = conn.execute(text("SELECT document, file_name FROM terms LIMIT 1")).first()
        zone_ids = set(conn.execute(text("SELECT zone_id FROM zones")).scalars())
    if row is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / (row.file_name or "terms.json")
        path.write_text(json.dumps(row.document, ensure_ascii=False), encoding="utf-8")
        terms, report = read_terms(path, zone_ids)
    report.raise_for_errors(TermsFileError)
    return terms


def load_db_dataset(url: str | Engine | None = None, *, join: str = "memory") -> Dataset:
    """The store as a ``Dataset``: the frames ``load_dataset`` gives for the files last
    imported (same columns, dtypes and row order), joined to the zones. ``join``:
    "memory" (the in-memory join, as for files; it also gives the zone masks the views
    use) or "sql" (the join columns computed by PostgreSQL, ``dashboard.db.sqljoin``)."""
    from dashboard.analysis.dataset import Dataset, assemble_dataset, link_sources
    from dashboard.analysis.spatial import ZoneIndex

    engine = _engine(url)
    with engine.connect() as conn, conn.begin():
        # One snapshot for all three frames, so an import running meanwhile is seen whole or not.
        conn.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY"))
        zones = read_zones(conn)
        milestones = read_milestones(conn)
        incidents = read_incidents(conn)
        if join == "sql":
            from dashboard.db.sqljoin import sql_join_columns

            joined_cols = sql_join_columns(conn)
    if join == "sql":
        joined, links = link_sources(_attach(incidents, joined_cols))
        return Dataset(zones, milestones, joined, [], ZoneIndex(zones), None, links)
    # The same join (and whatever load_dataset adds after it) as for files.
    return assemble_dataset(zones, incidents, milestones, [])


def _attach(incidents: pd.DataFrame, joined: pd.DataFrame) -> pd.DataFrame:
    """The SQL join's columns put on the incident rows (matched on dataset and id)."""
    keys = pd.MultiIndex.from_arrays([incidents["dataset"].astype(str),
                                      incidents["incident_id"].astype(str)])
    cols = joined.set_index(["dataset", "incident_id"]).reindex(keys)
    cols.index = incidents.index
    return pd.concat([incidents, cols], axis=1)
