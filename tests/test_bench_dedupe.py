"""The dedupe benchmark runs end to end on a small size (a smoke test; figures not checked)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_bench_dedupe_smoke_asserts_the_same_links_as_all_pairs():
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_dedupe.py"),
                             "--n", "3000", "--sample", "800"], capture_output=True, text=True,
                            timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    records = [json.loads(line) for line in result.stdout.splitlines() if line]
    assert [r["measure"] for r in records] == ["sample", "full", "full"]
    assert records[0]["same_links"] is True and records[0]["links"] > 0
