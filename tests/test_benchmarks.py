"""The join benchmark runs end to end at 10k (a smoke test; figures are not checked)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_bench_join_smoke_at_10k():
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_join.py"),
                             "--n", "10000", "--repeat", "1"], capture_output=True, text=True,
                            timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    measures = {json.loads(line)["measure"] for line in result.stdout.splitlines() if line}
    assert {"load_parquet", "join", "peak_rss_load_join"} <= measures


@pytest.mark.slow
def test_bench_join_csv_smoke_and_both_sides_join_the_same_incidents():
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_join_csv.py"),
                             "--n", "3000", "--repeat", "1", "--no-results"],
                            capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    record = json.loads(result.stdout.strip().splitlines()[-1])
    assert record["measure"] == "join_csv_whole_process" and record["ours_median_s"] > 0
    assert record["inside"]["ours"] == record["inside"]["baseline"] > 0
