"""The one place that rewrites a benchmark's block in benchmarks/RESULTS.md."""

from __future__ import annotations

import re
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def replace_block(block: str, begin: str, end: str, path: Path = RESULTS) -> None:
    """Put ``block`` (which starts with ``begin`` and ends with ``end``) in place of the
    old one, or append it; everything else in the file is kept."""
    old = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n\n"
    if begin in old and end in old:
        new = re.sub(re.escape(begin) + ".*?" + re.escape(end), lambda _: block, old, flags=re.S)
    else:
        new = old.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(new, encoding="utf-8")
