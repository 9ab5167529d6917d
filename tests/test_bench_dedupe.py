"""The dedupe benchmark runs end to end on a small size (a smoke test; figures not checked)."""

from __future__ import annotations

import json

import pytest

from tests.processes import run_benchmark


@pytest.mark.slow
def test_bench_dedupe_smoke_asserts_the_same_links_as_all_pairs():
    result = run_benchmark("bench_dedupe.py", "--n", "3000", "--sample", "800")
    records = [json.loads(line) for line in result.stdout.splitlines() if line]
    assert [r["measure"] for r in records] == ["sample", "full", "full"]
    assert records[0]["same_links"] is True and records[0]["links"] > 0
