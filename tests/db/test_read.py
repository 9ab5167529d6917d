"""The store read back equals the files read directly: same frames, dtypes, order, join."""

from __future__ import annotations

import pandas as pd

from dashboard.analysis.dataset import bundled_files, load_dataset
from dashboard.db.read import data_revision, load_db_dataset
from dashboard.db.write import import_plan, plan_import


def test_read_back_equals_load_dataset_on_bundled_files(db_engine):
    files = bundled_files()
    ucdp = files["incidents"][:1]
    before = data_revision(db_engine)
    import_plan(db_engine, plan_import(zones=files["zones"][0], incidents=ucdp,
                                       milestones=files["milestones"][0]))
    assert data_revision(db_engine) > before
    want = load_dataset(incidents=ucdp)
    got = load_db_dataset(db_engine)
    pd.testing.assert_frame_equal(got.milestones, want.milestones)
    pd.testing.assert_frame_equal(pd.DataFrame(got.zones.drop(columns="geometry")),
                                  pd.DataFrame(want.zones.drop(columns="geometry")))
    assert got.zones.geometry.geom_equals_exact(want.zones.geometry, 0).all()
    assert got.zones.crs == want.zones.crs
    pd.testing.assert_frame_equal(got.incidents, want.incidents)


def test_empty_store_reads_as_empty_frames(db_engine):
    got = load_db_dataset(db_engine)
    assert (len(got.zones), len(got.milestones), len(got.incidents)) == (0, 0, 0)
    assert data_revision(db_engine) == 0
