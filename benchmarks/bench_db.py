"""Benchmark: the team server's store (issue 16): `zonewatch db import` throughput, and
the SQL join against the in-memory join on the same SYNTHETIC incidents.

    python benchmarks/bench_db.py [--n 1000000] [--db postgresql://...] [--no-results]
    python benchmarks/bench_db.py --n 20000 --no-results        # smoke (~1 min)

Seeded SYNTHETIC incidents (``zonewatch synth --seed 7``, CSV) and the bundled zones and
milestones. Without ``--db`` a throwaway PostgreSQL 15 + PostGIS 3 cluster is started
(tests/db/pgcluster.py; fsync off, as for tests: the figures are a lower bound for a
server that syncs). Measured:

* ``read_s``: reading and validating the CSV alone (``load_incidents``, in process): the
  part of an import every file reader pays anyway; the baseline of the ratio.
* ``import_s``: ``zonewatch db import --zones --milestones --incidents`` as a whole
  process (read, validate, COPY, upsert, one transaction), on an empty store; rows/s and
  the ratio to ``read_s``.
* ``reimport_s``: the same file again (every row matched, nothing changed or deleted).
* ``sql_join_s`` vs ``memory_join_s``: ``sqljoin.sql_join_columns`` over the store, and
  ``spatial.join_incidents`` over the frame read back; then every row compared
  (``sqljoin.compare_joins``: zone, version, nearest zone, zone count, ambiguity, edge
  distance within its tolerance); rows whose edge distance lies within that tolerance of
  their reach or location radius are counted apart ("at_threshold": a coin toss at the
  precision either join measures with).

The readers' size limits are raised for large ``--n`` (``ZONEWATCH_MAX_UNPACKED_MB``,
``ZONEWATCH_MAX_CELLS``, unless set). One JSON line on stdout; results go between
``<!-- bench_db n=N:begin -->`` and ``<!-- bench_db n=N:end -->`` in
benchmarks/RESULTS.md unless ``--no-results``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
for _p in (str(ROOT), str(HERE)):
    if _p not in sys.path:  # run as a script from a checkout
        sys.path.insert(0, _p)


def markers(n: int) -> tuple[str, str]:
    """Each size keeps its own block in RESULTS.md."""
    return f"<!-- bench_db n={n}:begin -->", f"<!-- bench_db n={n}:end -->"
ZONEWATCH = [sys.executable, "-c", "from dashboard.cli import cli; cli()"]


def _timed_run(args: list[str]) -> tuple[float, str]:
    start = time.perf_counter()
    result = subprocess.run(args, capture_output=True, text=True, check=False)
    took = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(args[:4])} ... failed:\n{result.stdout}\n{result.stderr}")
    return took, result.stdout


def run(n: int, db_url: str | None, work: Path) -> dict:
    from dashboard.analysis.dataset import bundled_files
    from dashboard.analysis.spatial import join_incidents
    from dashboard.db.engine import make_engine
    from dashboard.db.read import read_incidents, read_zones
    from dashboard.db.schema import upgrade
    from dashboard.db.sqljoin import compare_joins, sql_join_columns
    from dashboard.io import load_incidents

    files = bundled_files()
    csv = work / f"incidents-SYNTHETIC-{n}.csv"
    _timed_run([*ZONEWATCH, "synth", "--n", str(n), "--seed", "7", "-o", str(csv)])
    engine = make_engine(db_url)
    upgrade(engine)
    start = time.perf_counter()
    load_incidents(csv)
    read_s = time.perf_counter() - start
    base = [*ZONEWATCH, "db", "import", "--db", db_url, "--zones", str(files["zones"][0]),
            "--milestones", str(files["milestones"][0]), "--incidents", str(csv)]
    import_s, import_out = _timed_run(base)
    reimport_s, reimport_out = _timed_run(base)
    start = time.perf_counter()
    with engine.connect() as conn:
        sql = sql_join_columns(conn)
    sql_join_s = time.perf_counter() - start
    with engine.connect() as conn:
        zones, incidents = read_zones(conn), read_incidents(conn)
    start = time.perf_counter()
    memory = join_incidents(incidents, zones)
    memory_join_s = time.perf_counter() - start
    disagree = compare_joins(memory, sql)
    engine.dispose()
    return {
        "measure": "db_import_and_sql_join", "n": n, "synthetic": True,
        "read_s": round(read_s, 2), "import_s": round(import_s, 2),
        "import_rows_per_s": round(n / import_s),
        "import_to_read_ratio": round(import_s / read_s, 2),
        "reimport_s": round(reimport_s, 2),
        "import_summary": import_out.strip().splitlines()[-1].strip(),
        "reimport_summary": reimport_out.strip().splitlines()[-1].strip(),
        "sql_join_s": round(sql_join_s, 2), "memory_join_s": round(memory_join_s, 2),
        "sql_to_memory_ratio": round(sql_join_s / memory_join_s, 1),
        "rows_compared": len(memory), "inside": int(memory["zone_id"].notna().sum()),
        "disagreements": disagree,
        "when": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpus": os.cpu_count(), "load_1min": round(os.getloadavg()[0], 1),
    }


def block(record: dict, code: str) -> str:
    d = record["disagreements"]
    unexplained = {k: v for k, v in d.items() if v and k != "at_threshold"}
    agree = ("every row" if not unexplained else "all rows but " + ", ".join(
        f"{k}: {v}" for k, v in unexplained.items()))
    begin, end = markers(record["n"])
    return "\n".join([
        begin,
        f"## bench_db — the team server's store, n = {record['n']:,} SYNTHETIC incidents",
        "",
        f"Run {record['when']} on {record['cpus']} CPUs (1-minute load {record['load_1min']} "
        f"at the end: the machine was shared), code {code}. Throwaway PostgreSQL 15 + "
        "PostGIS 3 cluster, fsync off. `python benchmarks/bench_db.py --n "
        f"{record['n']}`.",
        "",
        "| measure | value |",
        "|---|---:|",
        f"| read + validate the CSV alone (baseline) | {record['read_s']} s |",
        f"| `zonewatch db import` (zones, milestones, incidents; whole process) | "
        f"{record['import_s']} s ({record['import_rows_per_s']:,} rows/s, "
        f"{record['import_to_read_ratio']}× the read alone) |",
        f"| the same file again (all matched, nothing changed) | {record['reimport_s']} s |",
        f"| SQL join (`sqljoin.sql_join_columns`) | {record['sql_join_s']} s |",
        f"| in-memory join (`spatial.join_incidents`) | {record['memory_join_s']} s |",
        f"| SQL / in-memory join time | {record['sql_to_memory_ratio']}× |",
        "",
        f"SQL and in-memory joins compared on {record['rows_compared']:,} rows "
        f"({record['inside']:,} inside a zone): they agree on {agree}"
        + (f" but {d['at_threshold']} rows whose edge distance lies within the distance "
           "tolerance of their reach or location radius (a coin toss at either join's "
           "precision: nearest zone or none, ambiguous or not)" if d["at_threshold"] else "")
        + ". Edge distances within 0.5 % + 60 m (the in-memory join measures in UTM, "
        "PostGIS on the spheroid to the nearest point it finds on the sphere; see "
        "`REL_TOL` in dashboard/db/sqljoin.py).",
        "",
        f"Import: `{record['import_summary']}`; re-import: `{record['reimport_summary']}`.",
        end,
    ])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="SYNTHETIC incidents.")
    parser.add_argument("--db", help="An empty database to use [default: a throwaway cluster].")
    parser.add_argument("--no-results", action="store_true", help="Do not touch RESULTS.md.")
    args = parser.parse_args()
    from results_file import code_state, replace_block
    # A multi-million-row CSV is past the readers' default limits (500 MB, 25M cells):
    # raised for this run and the commands it starts, unless set already.
    os.environ.setdefault("ZONEWATCH_MAX_UNPACKED_MB", str(max(500, args.n // 2000)))
    os.environ.setdefault("ZONEWATCH_MAX_CELLS", str(max(25_000_000, args.n * 40)))

    cluster = None
    db_url = args.db
    if db_url is None:
        from tests.db.pgcluster import Cluster, missing

        if (reason := missing()) is not None:
            raise SystemExit(reason)
        cluster = Cluster.start(("max_wal_size=4GB", "maintenance_work_mem=512MB",
                                 "work_mem=256MB"))
        cluster.psql("CREATE DATABASE bench")
        db_url = cluster.url("bench")
    try:
        with tempfile.TemporaryDirectory(prefix="zonewatch-bench-db-") as tmp:
            record = run(args.n, db_url, Path(tmp))
    finally:
        if cluster is not None:
            cluster.stop()
    print(json.dumps(record))
    if not args.no_results:
        code = code_state(sorted((ROOT / "dashboard" / "db").rglob("*.py")), "dashboard/db")
        replace_block(block(record, code), *markers(args.n))


if __name__ == "__main__":
    main()
