"""The store's promises: versions of a zone never overlap, a file with errors writes
nothing, re-imports update and mark deleted without duplicates, every write bumps the
revision (QGIS edits too), the read-only role cannot write, and an export reads back."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError

from dashboard.core.errors import IncidentFileError
from dashboard.db.engine import make_engine
from dashboard.db.export import export_files
from dashboard.db.read import data_revision, load_db_dataset, read_incidents
from dashboard.db.schema import create_roles
from dashboard.db.write import import_plan, plan_import
from tests.conftest import GOOD_ZONE, write_csv, write_zones
from tests.geometries import SQUARE

HEADER = ["incident_id", "date", "lon", "lat", "fatalities", "dataset"]


def _incidents(tmp_path, rows, name="acled.csv"):
    return write_csv(tmp_path / name, [HEADER, *[[*r, "ACLED"] for r in rows]])


def _zones(tmp_path):
    return write_zones(tmp_path / "zones.geojson", [
        (GOOD_ZONE | {"valid_to": "2017-12-31"}, SQUARE),
        (GOOD_ZONE | {"version": 2, "valid_from": "2018-01-01"}, SQUARE.buffer(0.01)),
    ])


def _kind(column: pd.Series) -> str:
    return "category" if isinstance(column.dtype, pd.CategoricalDtype) else column.dtype.kind


def _counts(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
                for t in ("zone_versions", "incidents", "import_runs")}


def test_two_versions_of_a_zone_cannot_overlap_in_time(db_engine, tmp_path):
    import_plan(db_engine, plan_import(zones=_zones(tmp_path)))
    with pytest.raises(IntegrityError, match="zone_versions_no_overlap"), \
            db_engine.begin() as conn:
        conn.execute(text("INSERT INTO zone_versions (zone_id, version, validity, geom) "
                          "SELECT zone_id, 3, daterange('2018-06-01', NULL), geom "
                          "FROM zone_versions WHERE version = 2"))


def test_a_file_with_errors_writes_nothing(db_engine, tmp_path):
    bad = _incidents(tmp_path, [["e1", "2017-08-03", "36.73", "34.84", "1"],
                                ["e2", "3rd of August", "36.73", "34.84", "1"]])
    with pytest.raises(IncidentFileError, match=r"acled.csv, row 3.*Fix: "):
        import_plan(db_engine, plan_import(zones=_zones(tmp_path), incidents=[bad]))
    assert _counts(db_engine) == {"zone_versions": 0, "incidents": 0, "import_runs": 0}
    assert data_revision(db_engine) == 0


def test_a_file_without_ids_is_refused_with_the_fix(tmp_path):
    path = write_csv(tmp_path / "noid.csv", [["date", "lon", "lat"], ["2017-08-03", "36.7", "34.8"]])
    with pytest.raises(IncidentFileError, match=r"noid.csv, header: the file has no id column"
                                                r".*Fix: add an id column"):
        plan_import(incidents=[path])


def test_reimport_updates_changed_rows_marks_missing_ones_deleted_never_duplicates(
        db_engine, tmp_path):
    first = _incidents(tmp_path, [["a", "2017-08-03", "36.73", "34.84", "1"],
                                  ["b", "2017-08-04", "36.74", "34.85", "2"],
                                  ["c", "2017-08-05", "36.75", "34.86", "3"]])
    run1 = import_plan(db_engine, plan_import(incidents=[first])).run_id
    edited = _incidents(tmp_path, [["a", "2017-08-03", "36.73", "34.84", "1"],
                                   ["b", "2017-08-04", "36.74", "34.85", "5"],
                                   ["d", "2017-08-06", "36.76", "34.87", "4"]], "acled-v2.csv")
    result = import_plan(db_engine, plan_import(incidents=[edited]))
    assert result.summary["ACLED"] == {"rows": 3, "inserted": 1, "updated": 1, "deleted": 1}
    with db_engine.connect() as conn:
        rows = {r.source_id: r for r in conn.execute(text(
            "SELECT source_id, fatalities, import_run, deleted_in_run FROM incidents"))}
        live = read_incidents(conn)
    assert sorted(rows) == ["a", "b", "c", "d"]                       # nothing removed
    assert (rows["a"].import_run, rows["b"].import_run) == (run1, result.run_id)
    assert rows["b"].fatalities == 5
    assert rows["c"].deleted_in_run == result.run_id
    assert live["incident_id"].tolist() == ["a", "b", "d"]          # in the new file's order
    again = import_plan(db_engine, plan_import(incidents=[edited]))
    assert again.summary["ACLED"] == {"rows": 3, "inserted": 0, "updated": 0, "deleted": 0}
    back = import_plan(db_engine, plan_import(incidents=[first]))  # c returns, d goes
    assert back.summary["ACLED"] == {"rows": 3, "inserted": 0, "updated": 2, "deleted": 1}
    assert _counts(db_engine)["incidents"] == 4


def test_a_direct_sql_edit_bumps_the_revision_and_notifies(db_engine, db_url, tmp_path):
    import psycopg

    import_plan(db_engine, plan_import(zones=_zones(tmp_path)))
    before = data_revision(db_engine)
    dsn = db_engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as listener:
        listener.execute("LISTEN zonewatch")
        with db_engine.begin() as conn:  # as QGIS saves a moved vertex
            conn.execute(text("UPDATE zone_versions SET geom = ST_Multi(ST_Buffer(geom, 0.001))"
                              " WHERE version = 1"))
        note = next(listener.notifies(timeout=5, stop_after=1))
    after = data_revision(db_engine)
    assert after == before + 1
    assert (note.channel, note.payload) == ("zonewatch", str(after))


def test_the_read_only_role_cannot_write(db_engine, pg_cluster, tmp_path):
    import_plan(db_engine, plan_import(zones=_zones(tmp_path)))
    create_roles(db_engine)
    database = db_engine.url.database
    reader = make_engine(pg_cluster.url(database, "zonewatch_reader"))
    writer = make_engine(pg_cluster.url(database, "zonewatch_writer"))
    assert len(load_db_dataset(reader).zones) == 2
    assert data_revision(reader) > 0
    with pytest.raises(DBAPIError, match="permission denied for table zone_versions"), \
            reader.begin() as conn:
        conn.execute(text("UPDATE zone_versions SET status = 'collapsed'"))
    with writer.begin() as conn:  # the writer may (QGIS, imports)
        conn.execute(text("UPDATE zone_versions SET status = 'collapsed'"))
    import_plan(writer, plan_import(incidents=[_incidents(tmp_path, [
        ["a", "2017-08-03", "36.73", "34.84", "1"]])]))
    reader.dispose()
    writer.dispose()


def test_export_reads_back_as_the_store_holds_it(bundled_store, tmp_path):
    from dashboard.io import load_incidents, load_milestones, load_zones
    from dashboard.io.terms_file import load_terms

    out = tmp_path / "out"
    written = export_files(bundled_store, out)
    assert sorted(p.name for p in written) == [
        "Reported-events.csv", "UCDP-GED.csv", "milestones.csv", "syria-2017-terms.json",
        "zones.geojson"]
    store = load_db_dataset(bundled_store)
    zones, _ = load_zones(out / "zones.geojson")
    pd.testing.assert_frame_equal(pd.DataFrame(zones.drop(columns="geometry")),
                                  pd.DataFrame(store.zones.drop(columns="geometry")))
    assert zones.geometry.geom_equals_exact(store.zones.geometry, 0).all()
    pd.testing.assert_frame_equal(load_milestones(out / "milestones.csv")[0], store.milestones)
    assert len(load_terms(out / "syria-2017-terms.json").agreements) == 5
    for name, file in (("UCDP GED", "UCDP-GED.csv"), ("Reported events", "Reported-events.csv")):
        read, _ = load_incidents(out / file)
        with bundled_store.connect() as conn:
            want = read_incidents(conn, [name])[read.columns]
        # Values equal; dtypes equal but for the text type under a categorical, which is
        # the reader's: UCDP's gives 'str', the generic reader of the exported CSV 'string'.
        pd.testing.assert_frame_equal(read.drop(columns="dataset"), want.drop(columns="dataset"),
                                      check_dtype=False, check_categorical=False)
        assert [_kind(read[c]) for c in read] == [_kind(want[c]) for c in want]
        assert (read["dataset"].astype(str) == name).all()
