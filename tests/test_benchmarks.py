"""The join benchmark runs end to end at 10k (a smoke test; figures are not checked)."""

from __future__ import annotations

import json

import pytest

from tests.processes import run_benchmark


@pytest.mark.slow
def test_bench_join_smoke_at_10k():
    result = run_benchmark("bench_join.py", "--n", "10000", "--repeat", "1")
    measures = {json.loads(line)["measure"] for line in result.stdout.splitlines() if line}
    assert {"load_parquet", "join", "peak_rss_load_join"} <= measures


@pytest.mark.slow
def test_bench_join_csv_smoke_and_both_sides_join_the_same_incidents():
    result = run_benchmark("bench_join_csv.py", "--n", "3000", "--repeat", "1", "--no-results")
    record = json.loads(result.stdout.strip().splitlines()[-1])
    assert record["measure"] == "join_csv_whole_process" and record["ours_median_s"] > 0
    assert record["inside"]["ours"] == record["inside"]["baseline"] > 0
