"""The SQL join gives the in-memory join's zone, version, edge distance and ambiguity
for every incident of the bundled data."""

from __future__ import annotations

import pandas as pd

from dashboard.analysis.dataset import load_dataset
from dashboard.analysis.spatial import JOIN_COLUMNS
from dashboard.db.read import load_db_dataset
from dashboard.db.sqljoin import compare_joins, sql_join_columns


def test_sql_join_equals_memory_join_on_every_bundled_row(bundled_store):
    memory = load_dataset().incidents  # the in-memory join of the same files
    with bundled_store.connect() as conn:
        sql = sql_join_columns(conn)
    assert len(sql) == len(memory) == 8357
    assert compare_joins(memory, sql) == dict.fromkeys(
        ["unmatched", "zone_id", "zone_version", "nearest_zone_id", "ambiguous", "zone_count",
         "edge_km", "at_threshold"], 0)
    assert memory["zone_id"].notna().sum() > 1000  # the comparison covers inside and outside
    assert (memory["edge_km"] < 0).sum() > 1000


def test_dataset_with_sql_join_has_the_join_columns_and_dtypes(bundled_store):
    memory = load_db_dataset(bundled_store)
    sql = load_db_dataset(bundled_store, join="sql")
    assert list(sql.incidents.columns) == list(memory.incidents.columns)
    for col in JOIN_COLUMNS:
        assert sql.incidents[col].dtype == memory.incidents[col].dtype, col
    pd.testing.assert_series_equal(sql.incidents["zone_id"], memory.incidents["zone_id"])
