"""The store read back equals the files read directly: same frames, dtypes, order, join."""

from __future__ import annotations

import pandas as pd

from dashboard.analysis.dataset import load_dataset
from dashboard.db.read import data_revision, load_db_dataset, load_db_terms
from dashboard.io.terms_file import BUNDLED_TERMS


def test_read_back_equals_load_dataset_on_bundled_files(bundled_store):
    want = load_dataset()
    got = load_db_dataset(bundled_store)
    pd.testing.assert_frame_equal(got.milestones, want.milestones)
    pd.testing.assert_frame_equal(pd.DataFrame(got.zones.drop(columns="geometry")),
                                  pd.DataFrame(want.zones.drop(columns="geometry")))
    assert got.zones.geometry.geom_equals_exact(want.zones.geometry, 0).all()
    assert got.zones.crs == want.zones.crs
    pd.testing.assert_frame_equal(got.incidents, want.incidents)
    assert data_revision(bundled_store) > 0


def test_terms_read_back_through_the_terms_reader(bundled_store):
    terms = load_db_terms(bundled_store)
    assert terms.source_file == BUNDLED_TERMS
    assert [a.id for a in terms.agreements] == ["southwest-2017", "eastern-ghouta-2017",
                                                "faylaq-al-rahman-2017", "north-homs-2017",
                                                "idlib-2017"]


def test_empty_store_reads_as_empty_frames(db_engine):
    got = load_db_dataset(db_engine)
    assert (len(got.zones), len(got.milestones), len(got.incidents)) == (0, 0, 0)
    assert data_revision(db_engine) == 0
    assert load_db_terms(db_engine) is None
