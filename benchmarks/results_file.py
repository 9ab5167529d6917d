"""What the benchmarks share: rewriting their block of benchmarks/RESULTS.md, and
naming the code a run measured."""

from __future__ import annotations

import hashlib
import re
import subprocess
from collections.abc import Iterable
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


def code_state(files: Iterable[Path], what: str, root: Path = RESULTS.parent.parent) -> str:
    """The commit, and a digest of the measured ``files`` (others may be editing them
    uncommitted): "abc1234-dirty (<what> sha256 0123456789ab)"."""
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.read_bytes() if path.exists() else b"")
    try:
        head = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=root, text=True,
                              capture_output=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        head = "no-git"
    return f"{head} ({what} sha256 {digest.hexdigest()[:12]})"
