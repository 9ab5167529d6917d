"""Benchmark: CSV in, CSV out, as whole processes: `zonewatch join` against a plain
pandas + GeoPandas script doing the same join.

    python benchmarks/bench_join_csv.py [--n 1000000] [--repeat 3]

Both commands read the same SYNTHETIC CSV (``zonewatch synth``, seed 7) and the bundled
zones, join each incident to the zone version in force on its date that contains it,
and write a CSV. The baseline (``baseline_join``, below, run as ``--baseline``) is what
an analyst would write: ``pandas.read_csv``, ``geopandas.points_from_xy``, one
``geopandas.sjoin`` per zone version on the points dated in its period, and
``DataFrame.to_csv``; it validates nothing and computes no edge distances, so it is a
generous baseline. Runs alternate (ours, baseline, ours, ...) so load on the machine
hits both alike; the figure is the ratio of the medians. Target (issue: "CSV in, CSV
out"): ours at most half the baseline at 1M rows. The result block in
benchmarks/RESULTS.md is rewritten.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BEGIN, END = "<!-- bench_join_csv:begin -->", "<!-- bench_join_csv:end -->"


def baseline_join(incidents_csv: Path, zones_file: Path, out: Path) -> None:
    """The plain script: read, sjoin per version within its dates, write."""
    import geopandas as gpd
    import pandas as pd

    frame = pd.read_csv(incidents_csv, encoding="utf-8-sig", low_memory=False)
    frame["date"] = pd.to_datetime(frame["date"], format="%Y-%m-%d")
    points = gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(frame["lon"], frame["lat"]),
                              crs="EPSG:4326")
    zones = gpd.read_file(zones_file)
    for col in ("valid_from", "valid_to"):
        zones[col] = pd.to_datetime(zones[col]).dt.tz_localize(None).dt.normalize()
    parts = []
    for i in range(len(zones)):
        start, end = zones["valid_from"].iloc[i], zones["valid_to"].iloc[i]
        mask = (points["date"] >= start) if pd.notna(start) else pd.Series(True, points.index)
        if pd.notna(end):
            mask &= points["date"] <= end
        version = zones.iloc[[i]][["zone_id", "version", "geometry"]]
        parts.append(gpd.sjoin(points[mask], version, predicate="intersects")[
            ["zone_id", "version"]])
    hits = pd.concat(parts)
    hits = hits[~hits.index.duplicated()]
    joined = frame.join(hits)
    joined.to_csv(out, index=False, encoding="utf-8-sig")


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    return time.perf_counter() - start


def main(n: int, repeat: int) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="zw-bench-csv-"))
    incidents = folder / f"SYNTHETIC-{n}.csv"
    zonewatch = [sys.executable, "-c", "from dashboard.cli import cli; cli()"]
    subprocess.run([*zonewatch, "synth", "--n", str(n), "--seed", "7", "-o", str(incidents)],
                   check=True, capture_output=True, cwd=ROOT)
    zones = ROOT / "geodata" / "syria-2017-zones.geojson"
    ours_cmd = [*zonewatch, "join", "--incidents", str(incidents), "-o", str(folder / "ours.csv")]
    base_cmd = [sys.executable, __file__, "--baseline", str(incidents), str(zones),
                str(folder / "baseline.csv")]
    env_note = f"load average at start {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    ours, base = [], []
    for _ in range(repeat):
        ours.append(timed(ours_cmd))
        base.append(timed(base_cmd))
    result = {"measure": "join_csv_whole_process", "n": n, "repeat": repeat,
              "ours_median_s": round(statistics.median(ours), 2),
              "baseline_median_s": round(statistics.median(base), 2),
              "ours_s": [round(t, 2) for t in ours], "baseline_s": [round(t, 2) for t in base],
              "ratio": round(statistics.median(ours) / statistics.median(base), 2),
              "target": "<= 0.5", "machine": env_note}
    result["met"] = result["ratio"] <= 0.5
    # Same answer: the incidents inside some zone (nested zones may name a different one).
    import pandas as pd

    result["inside"] = {side: int(pd.read_csv(folder / f"{side}.csv", usecols=["zone_id"],
                                              encoding="utf-8-sig")["zone_id"].notna().sum())
                        for side in ("ours", "baseline")}
    print(json.dumps(result), flush=True)
    return result


def write_results(r: dict) -> None:
    sys.path.insert(0, str(HERE))
    from results_file import replace_block

    block = "\n".join([
        BEGIN,
        "## CSV in, CSV out (`zonewatch join -o out.csv` vs a plain pandas + GeoPandas script)",
        "",
        f"{r['n']:,} SYNTHETIC incidents, whole processes, {r['repeat']} alternating runs each "
        f"({r['machine']}).",
        "",
        "| | median | runs |",
        "|---|---:|---|",
        f"| `zonewatch join` (validates, joins with edge distances, Arrow CSV) | "
        f"{r['ours_median_s']} s | {', '.join(map(str, r['ours_s']))} |",
        f"| baseline script (read_csv, sjoin per version, to_csv) | {r['baseline_median_s']} s "
        f"| {', '.join(map(str, r['baseline_s']))} |",
        f"| **ratio** | **{r['ratio']}** (target ≤ 0.5: {'met' if r['met'] else 'NOT met'}) | |",
        END,
    ])
    replace_block(block, BEGIN, END)


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--baseline":
        baseline_join(Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4]))
        sys.exit(0)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-results", action="store_true", help="do not touch RESULTS.md")
    args = parser.parse_args()
    outcome = main(args.n, args.repeat)
    if not args.no_results:
        write_results(outcome)
