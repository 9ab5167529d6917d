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

* ``truth`` (``--truth``): precision and recall on copies of the real UCDP GED rows
  bundled in geodata/ (``dedupe_eval.second_source``: 1,000 copies and 500 decoys per
  seed, seeds 0-9), for rows without a look-alike in UCDP (``dedupe_eval.crowded``),
  rows with one, and all rows; per link and per cluster; with the kinds of errors.

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


def truth(seeds: range, n: int) -> dict:
    """Precision and recall on ACLED-like copies of real UCDP rows, by sample."""
    from dashboard.analysis.dataset import bundled_files
    from dashboard.analysis.dedupe import cluster_ids, find_links
    from dashboard.analysis.dedupe_eval import ceiling, crowded, precision_recall, second_source
    from dashboard.io import load_incidents

    real, _ = load_incidents(bundled_files()["incidents"][0])
    busy = crowded(real)
    samples = {"identifiable": np.nonzero(~busy)[0], "crowded": np.nonzero(busy)[0],
               "all": np.arange(len(real))}
    out = {"rows": len(real), "crowded_rows": int(busy.sum())}
    for name, rows in samples.items():
        scores, errors, missed = [], {}, {}
        for seed in seeds:
            second, truth_ = second_source(real, n=n, seed=seed, rows=rows)
            both = pd.concat([real, second], ignore_index=True)
            links = find_links(both)
            clusters = cluster_ids(len(both), links)
            per_link = precision_recall(links, truth_, len(real))
            per_cluster = precision_recall(links, truth_, len(real), clusters)
            scores.append([per_link["precision"], per_link["recall"],
                           per_cluster["precision"], per_cluster["recall"]])
            _tally(real, both, links, truth_, errors, missed)
            every = find_links(both, max_links_per_row=0, threshold=0.0)
            cross = every[(every["a"] < len(real)) & (every["b"] >= len(real))]
            ideal = ceiling(real, second, truth_, pd.DataFrame(
                {"real_row": cross["a"], "copy_row": cross["b"] - len(real)}))
            scores[-1].append(ideal)
        arr = np.array(scores)
        out[name] = {"link_precision": arr[:, 0].tolist(), "link_recall": arr[:, 1].tolist(),
                     "cluster_precision": arr[:, 2].tolist(),
                     "cluster_recall": arr[:, 3].tolist(), "ceiling": arr[:, 4].tolist(),
                     "errors": errors, "missed": missed}
        emit({"bench": "dedupe", "measure": f"truth_{name}", "seeds": len(seeds), "copies": n,
              "link_precision": round(arr[:, 0].mean(), 4),
              "link_recall": round(arr[:, 1].mean(), 4),
              "cluster_precision": round(arr[:, 2].mean(), 4),
              "cluster_recall": round(arr[:, 3].mean(), 4),
              "ceiling": round(arr[:, 4].mean(), 4),
              "min": arr.min(axis=0).round(4).tolist()})
    return out


def _tally(real, both, links, truth_, errors: dict, missed: dict) -> None:
    """Count wrong links by kind (a decoy linked; a copy linked to another UCDP row), and
    missed copies by the UCDP row's location and date precision."""
    n = len(real)
    partner = dict(zip((truth_["copy_row"] + n).tolist(), truth_["real_row"].tolist(),
                       strict=True))
    found = set()
    for a, b in zip(links["a"].tolist(), links["b"].tolist(), strict=True):
        found.add((a, b))
        if partner.get(b) == a:
            continue
        if b in partner:
            kind = f"copy linked to another UCDP row ({real['loc_precision'].iloc[partner[b]]})"
        else:
            kind = f"decoy linked ({str(both['incident_id'].iloc[b]).split('-')[1]})"
        errors[kind] = errors.get(kind, 0) + 1
    for b, a in partner.items():
        if (a, b) not in found:
            key = f"{real['loc_precision'].iloc[a]}, {real['date_precision'].iloc[a]}"
            missed[key] = missed.get(key, 0) + 1


def compare_on_sample(sample: pd.DataFrame, args) -> tuple[float, float, int]:
    """All pairs vs the index on the sample: (baseline s, ours s, links); same links."""
    from dashboard.analysis.dedupe import find_links

    note(f"sample {args.sample:,} + {args.sample:,}: all pairs, then the index")
    base_s, base_cpu, naive = timed(lambda: find_links(sample, index="all-pairs"), args.repeat)
    ours_s, ours_cpu, grid = timed(lambda: find_links(sample), args.repeat)
    pd.testing.assert_frame_equal(grid, naive)  # the same links, or the ratio means nothing
    emit({"bench": "dedupe", "measure": "sample", "n_per_source": args.sample,
          "links": len(grid), "baseline_s": round(base_s, 3), "ours_s": round(ours_s, 3),
          "baseline_cpu_s": round(base_cpu, 3), "ours_cpu_s": round(ours_cpu, 3),
          "ratio": round(ours_s / base_s, 4), "same_links": True})
    return base_s, ours_s, len(grid)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="rows per source")
    parser.add_argument("--sample", type=int, default=20_000, help="rows per source, baseline")
    parser.add_argument("--repeat", type=int, default=1, help="best of N for the sample")
    parser.add_argument("--start", default="2017-01-01")
    parser.add_argument("--end", default="2018-12-31")
    parser.add_argument("--long-start", default="1995-01-01",
                        help="first day of the second full run (same n, sparser days)")
    parser.add_argument("--results", action="store_true", help="rewrite RESULTS.md's block")
    parser.add_argument("--truth", action="store_true", help="also measure precision/recall")
    parser.add_argument("--only-truth", action="store_true", help="precision/recall only")
    args = parser.parse_args()

    quality = None
    if args.truth or args.only_truth:
        quality = truth(range(10), 1000)
        note("truth details: " + json.dumps({k: v for k, v in quality.items()
                                             if isinstance(v, dict)}))
        if args.only_truth:
            return

    base_s = ours_s = sample_links = None
    fulls = []
    for start in (args.start, args.long_start):
        note(f"making 2 x {args.n:,} SYNTHETIC incidents, {start}..{args.end}")
        a, b, copied = two_sources(args.n, start, args.end)
        if base_s is None:
            base_s, ours_s, sample_links = compare_on_sample(interleave(a, b, args.sample), args)
        fulls.append(full_run(a, b, copied, args.n, start, args.end))
        del a, b
    if args.results:
        write_results(args, base_s, ours_s, sample_links, fulls,
                      quality if args.truth else None)


def full_run(a: pd.DataFrame, b: pd.DataFrame, copied: np.ndarray, n: int, start: str,
             end: str) -> dict:
    """``find_links`` on both sources whole: time, CPU, links, the copies found."""
    from dashboard.analysis.dedupe import find_links

    both = pd.concat([a, b], ignore_index=True)
    days = (pd.Timestamp(end) - pd.Timestamp(start)).days + 1
    note(f"full {n:,} + {n:,} over {days:,} days")
    load = os.getloadavg()[0]
    full_s, full_cpu, links = timed(lambda: find_links(both), 1)
    true = set(zip(copied.tolist(), (np.arange(len(copied)) + n).tolist(), strict=True))
    found = set(zip(links["a"].tolist(), links["b"].tolist(), strict=True))
    record = {"bench": "dedupe", "measure": "full", "n_per_source": n, "start": start,
              "end": end, "per_day_per_source": round(n / days), "links": len(links),
              "ours_s": round(full_s, 2), "cpu_s": round(full_cpu, 2), "target_s": TARGET_S,
              "copies_found": round(len(found & true) / len(true), 4) if true else 1.0,
              "load_before": round(load, 1), "load_after": round(os.getloadavg()[0], 1)}
    emit(record)
    return record


def write_results(args, base_s, ours_s, sample_links, fulls, quality) -> None:
    state = code_state([ROOT / "dashboard/analysis/dedupe.py",
                        ROOT / "dashboard/analysis/linkindex.py"], "dedupe+linkindex")
    rows = [
        f"{BEGIN}",
        f"## bench_dedupe — likely duplicates across two sources ({args.n:,} + {args.n:,} "
        "SYNTHETIC incidents) and their truth on real UCDP rows",
        "",
        f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {platform.machine()}, "
        f"{os.cpu_count()} CPUs shared with other jobs (load average given per run), code "
        f"{state}. `python benchmarks/bench_dedupe.py --truth --results`.",
        "",
        "| measure | ours | all-pairs baseline | ratio | links |",
        "|---|---:|---:|---:|---:|",
        f"| {args.sample:,} + {args.sample:,}, {args.start}..{args.end} (the same links, "
        f"asserted) | {ours_s:.2f} s | {base_s:.2f} s | {ours_s / base_s:.3f} | "
        f"{sample_links:,} |",
    ]
    for full in fulls:
        rows.append(
            f"| {args.n:,} + {args.n:,}, {full['start']}..{full['end']} "
            f"(~{full['per_day_per_source']:,} a day per source; target ≤ {TARGET_S:.0f} s; "
            f"load {full['load_before']} → {full['load_after']}) | {full['ours_s']:.1f} s "
            f"({full['cpu_s']:.1f} s CPU) | — | — | {full['links']:,} |")
    rows += ["", "Copies of source A's rows found in B (30% of B are perturbed copies): "
             + "; ".join(f"{f['start'][:4]}..{f['end'][:4]}: {f['copies_found']:.1%}"
                         for f in fulls) + "."]
    rows += [
        "",
        "The time is the wall clock of one run on a machine other jobs share; the CPU "
        "seconds (all threads) say how much of it was ours. What costs is the number of "
        "candidate pairs, which grows with the square of the incidents per day and place: "
        "the generator's default two years put ~1,370 incidents a day per source in Syria "
        "(the bundled UCDP GED has ~11 a day), giving ~28 million candidate pairs (counted "
        "in development); over 24 years (~114 a day) far fewer. At the dense size the "
        f"copies are often out-scored by look-alikes ({fulls[0]['copies_found']:.1%} "
        "found): a million SYNTHETIC "
        "events on a few hundred towns in two years are not separable by these rules.",
    ]
    if quality:
        rows += _quality_rows(quality)
        rows += [
            "",
            "*Identifiable* rows are the UCDP rows no other UCDP row could be taken for "
            "(`dedupe_eval.crowded`: an exact copy of the row links to no other row); "
            "*crowded* rows have such a look-alike — UCDP often records several events of "
            "one dyad at one village on one day, and a copy moved within 25 km with its "
            "fatalities changed fits several of them about equally (UCDP's own repeated "
            "rows even exactly). *Ideal rule's recall* (`dedupe_eval.ceiling`) is what no "
            "rule linking a row to one row of another source can beat: each copy assigned "
            "to a UCDP row by the generator's own likelihood (knowing exactly how copies "
            "were moved, dated and their fatalities changed; decoys left out) with an "
            "optimal one-to-one assignment. On crowded rows it is "
            f"{np.mean(quality['crowded']['ceiling']):.2f} (at most "
            f"{np.max(quality['crowded']['ceiling']):.2f}), so no such rule can meet the "
            "≥ 0.95 target there, and on all rows "
            f"{np.mean(quality['all']['ceiling']):.2f} (at most "
            f"{np.max(quality['all']['ceiling']):.2f}): the target is met on the "
            "identifiable rows (every seed), and not on the whole set. "
            "Where it fails: (1) crowded rows, a copy linked to the wrong look-alike "
            "(which also loses the right link: recall); (2) UCDP rows placed at a "
            "governorate or country centroid over a month or more: the place and date "
            "parts say little, so their copies score under 0.7 (missed); (3) decoys a "
            "week or more later, or beyond the radii, that land on another real UCDP "
            "event of the same dyad there (wrong links; arguably real look-alikes); "
            "(4) fatalities halved or doubled at the edge of the tolerance.",
        ]
    rows.append(f"{END}")
    replace_block("\n".join(rows), BEGIN, END)


def _quality_rows(quality: dict) -> list[str]:
    rows = ["", f"Precision and recall on ACLED-like copies of real UCDP GED rows "
            f"({quality['rows']:,} rows; {quality['crowded_rows']:,} have a look-alike): "
            "10 seeds × 1,000 copies + 500 decoys, default settings; mean (lowest seed).", "",
            "| sample | link precision | link recall | cluster precision | cluster recall "
            "| ideal rule's recall |",
            "|---|---:|---:|---:|---:|---:|"]
    for name in ("identifiable", "crowded", "all"):
        q = quality[name]
        cells = [f"{np.mean(q[k]):.3f} ({np.min(q[k]):.3f})" for k in
                 ("link_precision", "link_recall", "cluster_precision", "cluster_recall")]
        cells.append(f"{np.mean(q['ceiling']):.3f} (highest {np.max(q['ceiling']):.3f})")
        rows.append(f"| {name} | " + " | ".join(cells) + " |")
    rows.append("")
    for name in ("identifiable", "crowded"):
        errors = sorted(quality[name]["errors"].items(), key=lambda kv: -kv[1])[:4]
        missed = sorted(quality[name]["missed"].items(), key=lambda kv: -kv[1])[:4]
        rows.append(f"- {name}, wrong links (all seeds): "
                    + "; ".join(f"{k} {v}" for k, v in errors) + ". Missed copies by the "
                    "UCDP row's location and date precision: "
                    + "; ".join(f"{k} {v}" for k, v in missed) + ".")
    return rows


if __name__ == "__main__":
    main()
