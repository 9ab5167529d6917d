"""Benchmark: linking likely duplicates across two sources, against a naive all-pairs baseline.

    python benchmarks/bench_dedupe.py                       # the measured run: 1M + 1M
    python benchmarks/bench_dedupe.py --n 50000 --sample 5000   # smoke mode (seconds)

House rule 12 (shared/style/testing.md): seeded SYNTHETIC data, a ratio to a baseline
timed in the same process, one JSON line per measure on stdout (notes on stderr).

Data: source A is ``dashboard.io.synth.synthetic_incidents(n, seed=7)``; source B is a
perturbed copy of 30% of A's rows (``dedupe_eval.perturbed``: half the points moved
within their precision radius, actors under other spellings, ACLED's type words,
fatalities changed) plus ``synthetic_incidents(0.7 n, seed=8)``. Both are labelled
SYNTHETIC. Dates span ``--start``..``--end`` (the generator's 2017-2018 by default).

Measures:

* ``sample``: ``find_links`` with the grid index vs ``index="all-pairs"`` on the first
  ``--sample`` rows of each source (20k + 20k), best of ``--repeat``; the two link
  tables must be equal (asserted), so the ratio compares the same answer.
* ``full``: ``find_links`` on n + n (target: <= 30 s at 1M + 1M), one run, with the
  links found, the recall of the known copies and the CPU seconds (the machine is
  shared: CPU time says how much of the wall time was ours).

``--results`` rewrites this benchmark's block of benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:  # run as a script from a checkout
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from benchmarks.results_file import code_state, replace_block  # noqa: E402

TARGET_S = 30.0
BEGIN, END = "<!-- bench_dedupe:begin -->", "<!-- bench_dedupe:end -->"


def note(message: str) -> None:
    print(f"bench_dedupe: {message}", file=sys.stderr, flush=True)


def emit(record: dict) -> None:
    print(json.dumps(record), flush=True)


def two_sources(n: int, start: str, end: str, share: float = 0.3
                ) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray]:
    """(A, B, copied): B's first rows are perturbed copies of A's rows ``copied``."""
    from dashboard.analysis.dedupe_eval import perturbed
    from dashboard.io.synth import synthetic_incidents

    a = synthetic_incidents(n, seed=7, start=start, end=end)
    rng = np.random.default_rng(7)
    copied = np.sort(rng.choice(n, size=int(share * n), replace=False))
    copies = perturbed(a.iloc[copied].reset_index(drop=True), rng)
    others = synthetic_incidents(n - len(copied), seed=8, start=start, end=end)
    b = pd.concat([copies, others], ignore_index=True)
    b["incident_id"] = [f"b-{i:07d}" for i in range(len(b))]
    b["dataset"] = "SYNTHETIC B"
    return a, b, copied


def interleave(a: pd.DataFrame, b: pd.DataFrame, k: int) -> pd.DataFrame:
    """The first ``k`` rows of each source, as one frame."""
    return pd.concat([a.iloc[:k], b.iloc[:k]], ignore_index=True)


def timed(fn, repeat: int):
    best, cpu, result = float("inf"), 0.0, None
    for _ in range(repeat):
        result = None
        gc.collect()
        t0, c0 = time.perf_counter(), time.process_time()
        result = fn()
        wall = time.perf_counter() - t0
        if wall < best:
            best, cpu = wall, time.process_time() - c0
    return best, cpu, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="rows per source")
    parser.add_argument("--sample", type=int, default=20_000, help="rows per source, baseline")
    parser.add_argument("--repeat", type=int, default=1, help="best of N for the sample")
    parser.add_argument("--start", default="2017-01-01")
    parser.add_argument("--end", default="2018-12-31")
    parser.add_argument("--results", action="store_true", help="rewrite RESULTS.md's block")
    args = parser.parse_args()

    from dashboard.analysis.dedupe import find_links

    note(f"making 2 x {args.n:,} SYNTHETIC incidents, {args.start}..{args.end}")
    a, b, copied = two_sources(args.n, args.start, args.end)
    load = os.getloadavg()[0]

    sample = interleave(a, b, args.sample)
    note(f"sample {args.sample:,} + {args.sample:,}: all pairs, then the index")
    base_s, base_cpu, naive = timed(lambda: find_links(sample, index="all-pairs"), args.repeat)
    ours_s, ours_cpu, grid = timed(lambda: find_links(sample), args.repeat)
    pd.testing.assert_frame_equal(grid, naive)  # the same links, or the ratio means nothing
    emit({"bench": "dedupe", "measure": "sample", "n_per_source": args.sample,
          "links": len(grid), "baseline_s": round(base_s, 3), "ours_s": round(ours_s, 3),
          "ratio": round(ours_s / base_s, 4), "same_links": True})
    del sample, naive, grid

    both = pd.concat([a, b], ignore_index=True)
    note(f"full {args.n:,} + {args.n:,}")
    full_s, full_cpu, links = timed(lambda: find_links(both), 1)
    true = set(zip(copied.tolist(), (np.arange(len(copied)) + args.n).tolist(), strict=True))
    found = set(zip(links["a"].tolist(), links["b"].tolist(), strict=True))
    recall = len(found & true) / len(true) if true else 1.0
    record = {"bench": "dedupe", "measure": "full", "n_per_source": args.n,
              "links": len(links), "ours_s": round(full_s, 2), "cpu_s": round(full_cpu, 2),
              "target_s": TARGET_S, "copies_found": round(recall, 4),
              "load_before": round(load, 1), "load_after": round(os.getloadavg()[0], 1)}
    emit(record)
    if args.results:
        write_results(args, base_s, ours_s, len(found), record)


def write_results(args, base_s, ours_s, sample_links, full) -> None:
    state = code_state([ROOT / "dashboard/analysis/dedupe.py",
                        ROOT / "dashboard/analysis/linkindex.py"], "dedupe+linkindex")
    rows = [
        f"{BEGIN}",
        f"## bench_dedupe — linking two sources, {args.n:,} + {args.n:,} SYNTHETIC incidents",
        "",
        f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {platform.machine()}, "
        f"{os.cpu_count()} CPUs (shared: load {full['load_before']} before, "
        f"{full['load_after']} after), code {state}. Dates {args.start}..{args.end}.",
        "",
        "| measure | ours | all-pairs baseline | ratio | links |",
        "|---|---:|---:|---:|---:|",
        f"| {args.sample:,} + {args.sample:,} (same links, asserted) | {ours_s:.2f} s | "
        f"{base_s:.2f} s | {ours_s / base_s:.3f} | {sample_links:,} |",
        f"| {args.n:,} + {args.n:,} (target ≤ {TARGET_S:.0f} s) | {full['ours_s']:.1f} s "
        f"({full['cpu_s']:.1f} s CPU) | — | — | {full['links']:,} |",
        "",
        f"Copies of A's rows found in B at full size: {full['copies_found']:.1%}.",
        f"{END}",
    ]
    replace_block("\n".join(rows), BEGIN, END)


if __name__ == "__main__":
    main()
