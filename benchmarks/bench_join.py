"""Benchmark: loading and the temporal spatial join against a plain-GeoPandas baseline.

    python benchmarks/bench_join.py [--n 1000000] [--repeat 3]   # the measured run
    python benchmarks/bench_join.py --n 10000                     # smoke mode (a few seconds)

House rule 12 (shared/style/testing.md): seeded SYNTHETIC data, best of N, a ratio
to a baseline timed in the same process, one JSON line per measure on stdout
(notes go to stderr).

Data: ``dashboard.io.synth.synthetic_incidents(n, seed=7)``, written once with
``dashboard.io.writers.write_incidents`` to a GeoParquet file and a CSV named
SYNTHETIC-... in a temporary folder; zones: the bundled zone file read with
``dashboard.io.load_zones`` (several zones, several versions each).

Measures (ours vs baseline):

* ``load_parquet``  ``load_incidents(parquet)``  vs ``geopandas.read_parquet``
* ``load_csv``      ``load_incidents(csv)``      vs ``geopandas.read_file`` (X/Y_POSSIBLE_NAMES
  lon/lat, so the baseline also gets points); for information
* ``validate_parquet`` ``dashboard.io.validate(parquet)`` vs ``geopandas.read_parquet``; for
  information (validation is also part of every load)
* ``join``          ``join_incidents(incidents, zones)`` (zone index built inside) vs a naive
  per-version loop: filter the points to [valid_from, valid_to], ``geopandas.sjoin(points,
  version, predicate="intersects")``, concatenate. The baseline computes no distances.
* ``join_prebuilt_index`` the same with a ``ZoneIndex`` built beforehand
* ``peak_rss_load`` / ``peak_rss_load_join``: peak resident memory of a fresh subprocess
  per stage (VmHWM from /proc/self/status, Linux). Not ``getrusage().ru_maxrss``: that
  inherits the parent's high-water mark through fork/exec and would report the parent.

Each join side gets what its own loader produced: ours the ``load_incidents`` frame,
the baseline the ``read_parquet`` frame whose ISO date strings are parsed once, untimed.

Targets (the performance issue, for n = 1,000,000): whole join <= 2 s and no slower
than the baseline; loading <= 3 s; peak memory <= 1 GB (1000 MB). With
``--n 1000000`` the table in benchmarks/RESULTS.md is rewritten (between its markers);
other sizes, or a run on a busy machine (load average high at its start or end), write it
only when ``--results`` is given.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:  # run as a script from a checkout
    sys.path.insert(0, str(ROOT))

import geopandas as gpd  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from benchmarks.results_file import replace_block  # noqa: E402

TARGET_N = 1_000_000
JOIN_TARGET_S = 2.0
LOAD_TARGET_S = 3.0
MEMORY_TARGET_MB = 1000.0
BEGIN, END = "<!-- bench_join:begin -->", "<!-- bench_join:end -->"


def note(message: str) -> None:
    print(f"bench_join: {message}", file=sys.stderr, flush=True)


def best_of(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    """The fastest of ``repeat`` runs (seconds) and the last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        result = None
        gc.collect()
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


# --- data -------------------------------------------------------------------------------

def make_incidents(n: int, seed: int) -> pd.DataFrame:
    from dashboard.io.synth import synthetic_incidents

    try:
        return synthetic_incidents(n, seed=seed)
    except ImportError as err:  # dashboard.io.gazetteer is not in every checkout yet
        from dashboard.core.paths import geodata_dir

        note(f"synthetic_incidents() default towns unavailable ({err}); passing the towns of "
             "geodata/gazetteer-syria.csv with population > 0, as the default does")
        towns = pd.read_csv(geodata_dir() / "gazetteer-syria.csv")
        towns = towns.loc[towns["population"] > 0, ["name", "lon", "lat", "population"]]
        return synthetic_incidents(n, seed=seed, towns=towns)


def write_files(frame: pd.DataFrame, folder: Path, n: int, seed: int) -> dict[str, Path]:
    from dashboard.io.writers import write_incidents

    stem = f"SYNTHETIC-incidents-n{n}-seed{seed}"
    return {fmt: write_incidents(frame, folder / f"{stem}.{fmt}") for fmt in ("parquet", "csv")}


def load_zone_frame():
    from dashboard.analysis.dataset import bundled_files
    from dashboard.io import load_zones

    zones, _ = load_zones(bundled_files()["zones"][0])
    return zones


# --- the two sides ------------------------------------------------------------------------

def ours_load(path: Path) -> pd.DataFrame:
    from dashboard.io import load_incidents

    return load_incidents(path)[0]


def baseline_read_parquet(path: Path):
    return gpd.read_parquet(path)


def baseline_read_csv(path: Path):
    return gpd.read_file(path, X_POSSIBLE_NAMES="lon", Y_POSSIBLE_NAMES="lat")


def baseline_points(path: Path):
    """The baseline's join input: read_parquet, dates parsed once (not timed)."""
    points = gpd.read_parquet(path)
    points["date"] = pd.to_datetime(points["date"], format="%Y-%m-%d")
    return points


def baseline_join(points, zones) -> pd.DataFrame:
    """Naive temporal join: per zone version, the points dated in its period, sjoin'd."""
    day = points["date"]
    parts = []
    for i in range(len(zones)):
        version = zones.iloc[[i]][["zone_id", "version", "geometry"]]
        start, end = zones["valid_from"].iloc[i], zones["valid_to"].iloc[i]
        mask = np.ones(len(points), dtype=bool)
        if pd.notna(start):
            mask &= (day >= start).to_numpy()
        if pd.notna(end):
            mask &= (day <= end).to_numpy()
        parts.append(gpd.sjoin(points[mask], version, predicate="intersects"))
    return pd.concat(parts)


def ours_join(incidents, zones, index=None) -> pd.DataFrame:
    from dashboard.analysis.spatial import join_incidents

    return join_incidents(incidents, zones, index=index)


# --- memory, one subprocess per stage -----------------------------------------------------

def _vm_hwm_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def run_stage(stage: str, parquet: Path) -> None:
    """Child-process entry: run one stage and print its peak RSS as JSON."""
    zones = load_zone_frame()
    import dashboard.analysis.spatial  # noqa: F401  (imports before the "after imports" reading)
    from dashboard.io import load_incidents  # noqa: F401

    before = _vm_hwm_mb()
    if stage == "load_ours":
        ours_load(parquet)
    elif stage == "load_baseline":
        baseline_read_parquet(parquet)
    elif stage == "load_join_ours":
        ours_join(ours_load(parquet), zones)
    elif stage == "load_join_baseline":
        baseline_join(baseline_points(parquet), zones)
    else:
        raise SystemExit(f"unknown stage {stage}")
    print(json.dumps({"stage": stage, "peak_mb": round(_vm_hwm_mb(), 1),
                      "after_imports_mb": round(before, 1)}))


def measure_stage(stage: str, parquet: Path) -> dict:
    out = subprocess.run([sys.executable, __file__, "--stage", stage, "--parquet", str(parquet)],
                         capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"stage {stage} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


# --- machine and report ----------------------------------------------------------------------

def machine() -> dict:
    cpu = platform.processor() or "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    ram_gb = float("nan")
    try:
        with open("/proc/meminfo") as f:
            kb = next(int(line.split()[1]) for line in f if line.startswith("MemTotal"))
        ram_gb = round(kb / 1024**2, 1)
    except (OSError, StopIteration):
        pass
    import pyarrow
    import pyproj
    import shapely

    return {"nproc": os.cpu_count(), "cpu": cpu, "ram_gb": ram_gb, "loadavg_1m": _loadavg(),
            "code": measured_code(),
            "python": platform.python_version(), "geopandas": gpd.__version__,
            "shapely": shapely.__version__, "geos": shapely.geos_version_string,
            "pandas": pd.__version__, "pyarrow": pyarrow.__version__, "pyproj": pyproj.__version__,
            "numpy": np.__version__}


def _loadavg() -> float | None:
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None


def busy(info: dict) -> bool:
    """Other work on the machine during the run (this benchmark itself adds about 1 to the end
    reading; its KD-tree queries use every CPU for a moment)."""
    cpus = info.get("nproc") or 1
    start, end = info.get("loadavg_1m"), info.get("loadavg_1m_end")
    return bool((start is not None and start > 0.5 * cpus) or (end is not None and end > cpus + 0.5))


def measured_code() -> str:
    """The commit, and a digest of the measured modules."""
    from results_file import code_state

    return code_state([ROOT / rel for rel in (
        "dashboard/analysis/spatial.py", "dashboard/io/incidents.py", "dashboard/io/tables.py",
        "dashboard/io/dates.py", "dashboard/io/rowcheck.py", "dashboard/io/__init__.py")],
        "measured modules")


def emit(record: dict) -> dict:
    print(json.dumps(record), flush=True)
    return record


def timing(measure: str, n: int, repeat: int, ours: float, base: float, target: str,
           met: bool | None, **extra) -> dict:
    return emit({"bench": "bench_join", "measure": measure, "n": n, "repeat": repeat,
                 "ours_s": round(ours, 4), "baseline_s": round(base, 4),
                 "ratio": round(ours / base, 2) if base else None, "target": target,
                 "met": met, **extra})


def write_results(path: Path, rows: list[dict], info: dict, n: int, repeat: int,
                  started: str, wall_s: float) -> None:
    def fmt(r, key):
        v = r.get(key)
        if v is None:
            return "—"
        return f"{v:.0f} MB" if r["measure"].startswith("peak_rss") else f"{v:.3f} s"

    lines = [
        BEGIN,
        f"## bench_join — n = {n:,} SYNTHETIC incidents, best of {repeat}",
        "",
        f"Run {started} (wall time {wall_s:.0f} s) with `python benchmarks/bench_join.py "
        f"--n {n} --repeat {repeat}`.",
        "",
        "| measure | ZoneWatch | baseline | ratio | target | met? |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        met = {True: "met", False: "**not met**", None: "info"}[r["met"]]
        ratio = "—" if r.get("ratio") is None else f"{r['ratio']:.2f}"
        ours_key = "ours_mb" if r["measure"].startswith("peak_rss") else "ours_s"
        base_key = "baseline_mb" if r["measure"].startswith("peak_rss") else "baseline_s"
        lines.append(f"| {r['measure']} | {fmt(r, ours_key)} | {fmt(r, base_key)} | {ratio} | "
                     f"{r['target']} | {met} |")
    lines += [
        "",
        "Baselines: `load_*`/`validate_*` — `geopandas.read_parquet` / `geopandas.read_file` "
        "(CSV with X/Y_POSSIBLE_NAMES=lon/lat) of the same file; `join*` — per zone version, "
        "filter by date to [valid_from, valid_to] and `geopandas.sjoin(points, version, "
        "predicate=\"intersects\")`, concatenated (no distances). Peak memory: VmHWM of a fresh "
        "subprocess per stage (load = read the GeoParquet file; load_join = read it and join).",
        "",
        *(["**The machine was busy during this run (see loadavg below): seconds and ratios are "
            "unreliable; run again when it is idle.**", ""] if info.get("busy") else []),
        "Machine: " + ", ".join(f"{k} {v}" for k, v in info.items()),
        END,
    ]
    block = "\n".join(lines)
    replace_block(block, BEGIN, END, path)
    note(f"wrote {path}")


# --- main ------------------------------------------------------------------------------------

def main(n: int, repeat: int, seed: int, results: Path | None, memory: bool,
         profile: Path | None, explicit_results: bool = False) -> list[dict]:
    from dashboard.analysis.spatial import ZoneIndex
    from dashboard.io import validate

    started = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    wall = time.perf_counter()
    info = machine()
    rows = []
    with tempfile.TemporaryDirectory(prefix="zonewatch-bench-SYNTHETIC-") as tmp:
        t0 = time.perf_counter()
        frame = make_incidents(n, seed)
        files = write_files(frame, Path(tmp), n, seed)
        del frame
        note(f"made and wrote {n:,} SYNTHETIC incidents in {time.perf_counter() - t0:.1f} s: "
             + ", ".join(f"{p.name} {p.stat().st_size / 1e6:.0f} MB" for p in files.values()))
        zones = load_zone_frame()
        pq, csv = files["parquet"], files["csv"]

        # Loading.
        base, _ = best_of(lambda: baseline_read_parquet(pq), repeat)
        ours, incidents = best_of(lambda: ours_load(pq), repeat)
        rows.append(timing("load_parquet", n, repeat, ours, base, f"≤ {LOAD_TARGET_S:g} s",
                           ours <= LOAD_TARGET_S if n == TARGET_N else None))
        base_csv, _ = best_of(lambda: baseline_read_csv(csv), repeat)
        ours_csv, _ = best_of(lambda: ours_load(csv), repeat)
        rows.append(timing("load_csv", n, repeat, ours_csv, base_csv, "info", None))
        ours_val, report = best_of(lambda: validate(pq), repeat)
        rows.append(timing("validate_parquet", n, repeat, ours_val, base, "info", None,
                           report_ok=bool(report.ok)))

        # The join.
        points = baseline_points(pq)
        base_join, pairs = best_of(partial(baseline_join, points, zones), repeat)
        del points
        ours_join_s, joined = best_of(partial(ours_join, incidents, zones), repeat)
        target = f"≤ {JOIN_TARGET_S:g} s and ratio ≤ 1"
        ok = (ours_join_s <= JOIN_TARGET_S and ours_join_s <= base_join) if n == TARGET_N else None
        rows.append(timing("join", n, repeat, ours_join_s, base_join, target, ok,
                           containment_pairs_ours=int(joined["zone_count"].sum()),
                           containment_pairs_baseline=len(pairs),
                           incidents_in_a_zone=int(joined["zone_id"].notna().sum())))
        index_s, index = best_of(lambda: ZoneIndex(zones), repeat)
        ours_idx, _ = best_of(partial(ours_join, incidents, zones, index), repeat)
        ok = (ours_idx <= JOIN_TARGET_S and ours_idx <= base_join) if n == TARGET_N else None
        rows.append(timing("join_prebuilt_index", n, repeat, ours_idx, base_join, target, ok,
                           zone_index_build_s=round(index_s, 4)))
        del joined, pairs

        if profile is not None:
            profile_stages(profile, pq, incidents, zones)
        del incidents

        # Peak memory, each stage in a fresh process.
        if memory:
            for what in ("load", "load_join"):
                ours_m = measure_stage(f"{what}_ours", pq)
                base_m = measure_stage(f"{what}_baseline", pq)
                ok = ours_m["peak_mb"] <= MEMORY_TARGET_MB if n == TARGET_N else None
                rows.append(emit({
                    "bench": "bench_join", "measure": f"peak_rss_{what}", "n": n,
                    "ours_mb": ours_m["peak_mb"], "baseline_mb": base_m["peak_mb"],
                    "ratio": round(ours_m["peak_mb"] / base_m["peak_mb"], 2),
                    "after_imports_mb": ours_m["after_imports_mb"],
                    "target": f"≤ {MEMORY_TARGET_MB:g} MB", "met": ok,
                    "method": "VmHWM of a fresh subprocess"}))
    wall_s = time.perf_counter() - wall
    info["loadavg_1m_end"] = _loadavg()
    info["busy"] = busy(info)
    if info["busy"]:
        note(f"the machine was busy (1-min load average {info['loadavg_1m']} at the start, "
             f"{info['loadavg_1m_end']} at the end, on {info['nproc']} CPUs): seconds and ratios "
             "are unreliable, run again when it is idle")
    emit({"bench": "bench_join", "measure": "machine", "n": n, "wall_s": round(wall_s, 1),
          **info})
    if results is not None and info["busy"] and not explicit_results:
        note(f"not rewriting {results.name} from a busy run (pass --results to write it anyway)")
    elif results is not None:
        write_results(results, rows, info, n, repeat, started, wall_s)
    return rows


def profile_stages(folder: Path, parquet: Path, incidents, zones) -> None:
    """cProfile of one load and one join: .prof files and a top-25 text summary."""
    import cProfile
    import io
    import pstats

    folder.mkdir(parents=True, exist_ok=True)
    for name, fn in (("load_parquet", lambda: ours_load(parquet)),
                     ("join", lambda: ours_join(incidents, zones))):
        prof = cProfile.Profile()
        prof.runcall(fn)
        prof.dump_stats(folder / f"{name}.prof")
        text = io.StringIO()
        pstats.Stats(prof, stream=text).sort_stats("cumulative").print_stats(25)
        (folder / f"{name}.txt").write_text(text.getvalue(), encoding="utf-8")
    note(f"profiles written to {folder}")


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--n", type=int, default=TARGET_N, help="number of SYNTHETIC incidents")
    p.add_argument("--repeat", type=int, default=3, help="best of this many runs")
    p.add_argument("--seed", type=int, default=7, help="synthetic data seed")
    p.add_argument("--results", default=None,
                   help="Markdown file to update ('-' for none); default: benchmarks/RESULTS.md "
                        f"when --n is {TARGET_N} and the machine was not busy, none otherwise")
    p.add_argument("--no-memory", action="store_true", help="skip the peak-memory subprocesses")
    p.add_argument("--profile", type=Path, default=None,
                   help="also write cProfile output of one load and one join to this folder")
    p.add_argument("--stage", help=argparse.SUPPRESS)
    p.add_argument("--parquet", type=Path, help=argparse.SUPPRESS)
    return p.parse_args(argv)


if __name__ == "__main__":
    args = parse_args()
    if args.stage:
        run_stage(args.stage, args.parquet)
        sys.exit(0)
    if args.results == "-":
        results = None
    elif args.results:
        results = Path(args.results)
    else:
        results = HERE / "RESULTS.md" if args.n == TARGET_N else None
    main(args.n, args.repeat, args.seed, results, not args.no_memory, args.profile,
         explicit_results=bool(args.results))
