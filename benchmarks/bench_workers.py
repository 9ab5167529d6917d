"""Benchmark: memory of ``gunicorn -w N`` serving ZoneWatch, and a slider move's time (issue 16).

    python benchmarks/bench_workers.py [--n 1000000] [--workers 1,4] [--repeat 9]
    python benchmarks/bench_workers.py --n 20000 --workers 1,2 --no-results   # smoke (~40 s)
    python benchmarks/bench_workers.py --db postgresql://...   # base data from the database
    python benchmarks/bench_workers.py --db URL --workers 4 --edit   # ... and a reload

Seeded SYNTHETIC incidents (``zonewatch synth --seed 7``) are written once. For each worker
count, gunicorn starts with deploy/gunicorn.conf.py's settings (its hooks kept; a
``post_worker_init`` added that marks each worker ready) on a free loopback port, with a
prepared-data cache filled beforehand (``--cold``: empty). Then:

* ``start_s``: from gunicorn's start to every worker ready (its app built).
* warm-up: page loads and map callbacks on fresh connections (one per request, so the
  kernel spreads them over the workers) until every worker's CPU time has grown by at
  least 0.1 s after it became ready (each served some pages); bounded in rounds.
* memory: ``/proc/PID/smaps_rollup`` of the master and every worker. PSS (proportional
  set size) splits each shared page between the processes mapping it, so the sum over
  processes is what the server really holds; RSS counts a shared page in every process
  (reported too, summed and per process). Read when every worker is ready (JSON
  only), after the warm-up (the table) and again after the slider moves.
* ``after_edit`` (``--db URL --edit``): a zone renamed with SQL; seconds until the first
  page and until every page shows it (the reload), then memory again (JSON only).
* ``slider``: bench_app.py's measure (the sync callback, then every server callback
  it fires, one after the other as the browser calls them, summed), p50 / p95 over
  ``--repeat`` random windows, on one kept-alive connection (one worker).

One JSON line per run on stdout; the ratio of the total PSS at the largest worker count
to that at one worker (target: 4 workers <= 2x one). Results go between
``<!-- bench_workers:begin -->`` and ``<!-- bench_workers:end -->`` in
benchmarks/RESULTS.md unless ``--no-results``.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime as dt
import json
import os
import shutil
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

from bench_app import ZoneWatchClient, free_port, median, pct, random_windows  # noqa: E402
from results_file import code_state, replace_block  # noqa: E402

BIN = Path(sys.executable).parent
DEPLOY_CONF = ROOT / "deploy" / "gunicorn.conf.py"
SEED = 7
SPAN = 729  # 2017-01-01 .. 2018-12-31, the generator's default period
BEGIN, END = "<!-- bench_workers:begin -->", "<!-- bench_workers:end -->"
WARM_CPU_S = 0.1
CLK_TCK = os.sysconf("SC_CLK_TCK")
MEASURED = ["dashboard/server/prepared.py", "dashboard/server/datastore.py",
            "dashboard/wsgi.py", "deploy/gunicorn.conf.py"]

#: The deployment's config, plus a hook that marks each worker ready (a file named by its pid).
BENCH_CONF = """\
import os as _os
exec(compile(open({conf!r}).read(), {conf!r}, "exec"))
_deploy_post_worker_init = globals().get("post_worker_init")

def post_worker_init(worker):
    if _deploy_post_worker_init is not None:
        _deploy_post_worker_init(worker)
    open(_os.path.join(_os.environ["ZW_BENCH_READY"], str(_os.getpid())), "w").close()
"""


def note(message: str) -> None:
    print(f"bench_workers: {message}", file=sys.stderr, flush=True)


def memory(pid: int) -> dict[str, int]:
    """kB fields of /proc/PID/smaps_rollup (Rss, Pss, Pss_Anon, Pss_File, Shared_Clean...)."""
    out = {}
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            name, _, rest = line.partition(":")
            parts = rest.split()
            if len(parts) == 2 and parts[1] == "kB":
                out[name] = int(parts[0])
    return out


def cpu_s(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime + stime


def children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


class Gunicorn:
    """gunicorn with the deployment's settings on a free port; waits for every worker."""

    def __init__(self, workers: int, env: dict[str, str], work: Path, timeout: float = 600):
        import requests

        self.workers, self.port = workers, free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.ready_dir = Path(tempfile.mkdtemp(prefix="ready-", dir=work))
        conf = work / "bench.gunicorn.conf.py"
        conf.write_text(BENCH_CONF.format(conf=str(DEPLOY_CONF)), encoding="utf-8")
        self.log = open(work / f"gunicorn-w{workers}.log", "w")  # noqa: SIM115
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(
            [str(BIN / "gunicorn"), "-c", str(conf), "-w", str(workers),
             "-b", f"127.0.0.1:{self.port}", "dashboard.wsgi:server"],
            cwd=ROOT, env={**env, "ZW_BENCH_READY": str(self.ready_dir)},
            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = self.started + timeout
        while len(self.ready()) < workers:
            if self.proc.poll() is not None or time.perf_counter() > deadline:
                self.stop()
                tail = Path(self.log.name).read_text(encoding="utf-8")[-3000:]
                raise RuntimeError(f"gunicorn -w {workers} did not start:\n{tail}")
            time.sleep(0.05)
        self.start_s = time.perf_counter() - self.started
        self.http = requests.Session()
        self.http.headers["Accept-Encoding"] = "identity"
        self.page_s = self.start_s
        self.kind = "zonewatch"
        from load_test import Callbacks

        self.cb = Callbacks(self.base)

    def ready(self) -> list[int]:
        return [int(p.name) for p in self.ready_dir.iterdir()]

    def pids(self) -> dict[str, int]:
        workers = sorted(set(children(self.proc.pid)) & set(self.ready()))
        return {"master": self.proc.pid, **{f"worker{i + 1}": p for i, p in enumerate(workers)}}

    def post(self, dep: dict, values: dict, changed: str | None = None):
        t0 = time.perf_counter()
        r = self.http.post(f"{self.base}/_dash-update-component",
                           json=self.cb.body(dep, values, changed), timeout=300)
        seconds = time.perf_counter() - t0
        if r.status_code == 204:
            return seconds, 0, None
        r.raise_for_status()
        return seconds, len(r.content), r.json()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=30)
        self.log.close()


def one_page(base: str) -> None:
    """A page load and its first map, on connections of their own (any worker answers)."""
    import requests
    from load_test import Callbacks

    with requests.Session() as http:
        http.headers["Connection"] = "close"
        http.get(base + "/", timeout=120).raise_for_status()
        http.get(base + "/_dash-layout", timeout=120).raise_for_status()
    cb = Callbacks(base)
    body = cb.body(cb.find("map.figure"), {"url.search": ""})
    requests.post(base + "/_dash-update-component", json=body, timeout=120,
                  headers={"Connection": "close"})


def warm(server: Gunicorn, max_rounds: int = 30) -> int:
    """Rounds of concurrent page loads until every worker has served some (its CPU time
    grew by ``WARM_CPU_S`` since it was ready); the number of rounds."""
    workers = [p for name, p in server.pids().items() if name != "master"]
    before = {p: cpu_s(p) for p in workers}
    with concurrent.futures.ThreadPoolExecutor(2 * server.workers) as pool:
        for rounds in range(1, max_rounds + 1):
            list(pool.map(lambda _: one_page(server.base), range(2 * server.workers)))
            if all(cpu_s(p) - before[p] >= WARM_CPU_S for p in workers):
                return rounds
    note(f"after {max_rounds} rounds some workers had served nothing")
    return max_rounds


def measure_memory(server: Gunicorn) -> dict:
    per = {name: memory(pid) for name, pid in server.pids().items()}
    total = {k: sum(m.get(k, 0) for m in per.values()) for k in
             ("Rss", "Pss", "Pss_Anon", "Pss_File", "Shared_Clean", "Private_Dirty")}
    return {"total_mb": {k: round(v / 1024, 1) for k, v in total.items()},
            "per_process_mb": {name: {"rss": round(m["Rss"] / 1024, 1),
                                      "pss": round(m["Pss"] / 1024, 1)}
                               for name, m in per.items()}}


def slider(server: Gunicorn, repeat: int) -> dict:
    client = ZoneWatchClient(server)
    client.initial()
    client.change((0, 59), (), "date-range.value")  # warm-up, not counted
    times = []
    for window in random_windows(repeat, SPAN, SEED):
        c = client.change(window, (), "date-range.value")
        times.append(c["sync_s"] + sum(t for t, _ in c["calls"].values()))
    return {"p50_ms": round(median(times) * 1000, 1),
            "p95_ms": round(pct(times, 0.95) * 1000, 1)}


def edit_and_wait(server: Gunicorn, url: str, timeout: float = 300) -> dict:
    """Rename a zone (all its versions) in the database (its revision moves), then time until
    pages show it (8 fresh connections at a time, three rounds in a row all showing
    it); warm every worker again and read memory."""
    import requests
    from sqlalchemy import text

    from dashboard.db.engine import make_engine

    name = f"Edited for bench_workers {time.time():.0f}"
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE zone_versions SET name = :n WHERE zone_id = "
                          "(SELECT min(zone_id) FROM zone_versions)"), {"n": name})
    engine.dispose()
    started, first, streak = time.perf_counter(), None, 0

    def shows(_) -> bool:
        return name in requests.get(server.base + "/_dash-layout", timeout=300,
                                    headers={"Connection": "close"}).text

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        while streak < 3 and time.perf_counter() - started < timeout:
            seen = list(pool.map(shows, range(8)))
            if any(seen) and first is None:
                first = time.perf_counter() - started
            streak = streak + 1 if all(seen) else 0
    every = time.perf_counter() - started if streak >= 3 else None
    warm(server)
    return {"first_page_s": first and round(first, 1), "all_pages_s": every and round(every, 1),
            "memory": measure_memory(server)}


def run(workers: int, env: dict[str, str], work: Path, repeat: int,
        edit_url: str | None = None) -> dict:
    server = Gunicorn(workers, env, work)
    try:
        note(f"-w {workers}: every worker ready after {server.start_s:.1f} s")
        ready = measure_memory(server)
        rounds = warm(server)
        after_warm = measure_memory(server)
        moves = slider(server, repeat)
        after_moves = measure_memory(server)
        edited = edit_and_wait(server, edit_url) if edit_url else None
    finally:
        server.stop()
    return {"bench": "bench_workers", "workers": workers, "start_s": round(server.start_s, 2),
            "warm_rounds": rounds, "memory_ready": ready, "memory": after_warm,
            "memory_after_moves": after_moves, "slider": moves, "after_edit": edited}


def prepare(env: dict[str, str]) -> float:
    """Fill the prepared-data cache (or read the database once) in a process of its own."""
    t0 = time.perf_counter()
    code = ("from dashboard.core.settings import Settings\n"
            "from dashboard.server.datastore import load_base_view\n"
            "load_base_view(Settings.from_env())\n")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True)
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="SYNTHETIC incidents")
    parser.add_argument("--workers", default="1,4", help="worker counts, comma-separated")
    parser.add_argument("--repeat", type=int, default=9, help="slider moves per run")
    parser.add_argument("--incidents", type=Path, help="incident file (default: synthesised)")
    parser.add_argument("--db", help="serve from this database URL instead of files")
    parser.add_argument("--env", action="append", default=[],
                        help="NAME=VALUE for the server's environment (repeatable)")
    parser.add_argument("--edit", action="store_true",
                        help="with --db (a role that may write): rename a zone at the end "
                             "of each run and measure until pages show it, and memory after")
    parser.add_argument("--cold", action="store_true",
                        help="start every run on an empty prepared cache")
    parser.add_argument("--label", default="", help="what this run measures (RESULTS.md)")
    parser.add_argument("--no-results", action="store_true", help="do not write RESULTS.md")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="zw-bench-workers-"))
    try:
        env = {**os.environ, "ZONEWATCH_CACHE_DIR": str(work / "cache"),
               "ZONEWATCH_SESSION_DIR": str(work / "sessions"), "PYTHONUNBUFFERED": "1"}
        env.pop("ZONEWATCH_GUNICORN_WORKERS", None)
        for item in args.env:
            name, _, value = item.partition("=")
            env[name] = value
        if args.db:
            env["ZONEWATCH_DATABASE_URL"] = args.db
        else:
            incidents = args.incidents
            if incidents is None:
                incidents = work / f"SYNTHETIC-{args.n}.parquet"
                subprocess.run([str(BIN / "zonewatch"), "synth", "--n", str(args.n), "--seed",
                                str(SEED), "-o", str(incidents)], check=True,
                               stdout=subprocess.DEVNULL)
            env["ZONEWATCH_INCIDENTS"] = str(incidents)
        prepare_s = None if args.cold else prepare(env)
        records = []
        for workers in (int(w) for w in args.workers.split(",")):
            if args.cold:  # every start reads the files (or the database) itself
                shutil.rmtree(work / "cache", ignore_errors=True)
            record = run(workers, env, work, args.repeat, args.db if args.edit else None)
            record.update(n=args.n, db=bool(args.db), prepare_s=prepare_s, label=args.label,
                          env=args.env, cold=args.cold)
            print(json.dumps(record), flush=True)
            records.append(record)
        one = next((r for r in records if r["workers"] == 1), None)
        most = max(records, key=lambda r: r["workers"])
        if one is not None and most is not one:
            ratio = most["memory"]["total_mb"]["Pss"] / one["memory"]["total_mb"]["Pss"]
            print(json.dumps({"bench": "bench_workers", "n": args.n, "ratio_pss":
                              round(ratio, 2), "workers": most["workers"]}), flush=True)
        if not args.no_results:
            write_results(records, args)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def write_results(records: list[dict], args) -> None:
    """Add this run's table to the bench_workers block of RESULTS.md (earlier runs kept)."""
    from results_file import RESULTS

    text = RESULTS.read_text(encoding="utf-8")
    old = text.split(BEGIN, 1)[1].split(END, 1)[0].strip("\n") if BEGIN in text else \
        "## bench_workers — memory of gunicorn -w N, and a slider move (issue 16)"
    one = next((r for r in records if r["workers"] == 1), None)
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    source = ("the database" if args.db else "a GeoParquet file") + (
        ", empty prepared cache at each start" if args.cold else ", prepared cache filled")
    lines = [f"\n### {args.label or 'run'}: n = {args.n:,}, from {source}",
             f"\nRun {when} on {code_state([ROOT / f for f in MEASURED], 'server')}: "
             f"`python benchmarks/bench_workers.py --n {args.n} --workers {args.workers}"
             + " --db URL" * bool(args.db) + " --cold" * args.cold
             + "".join(f" --env {e}" for e in args.env) + "`. Load average at the end "
             f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores.\n",
             "| workers | start | total PSS | total RSS | per worker PSS / RSS | master PSS "
             "| PSS vs 1 worker | PSS after moves | slider p50 / p95 |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in records:
        mem, per = r["memory"], r["memory"]["per_process_mb"]
        workers = [v for k, v in per.items() if k != "master"]
        ratio = f"{mem['total_mb']['Pss'] / one['memory']['total_mb']['Pss']:.2f}×" if one else "—"
        lines.append(
            f"| {r['workers']} | {r['start_s']:.1f} s | {mem['total_mb']['Pss']:,.0f} MB "
            f"| {mem['total_mb']['Rss']:,.0f} MB "
            f"| {median([w['pss'] for w in workers]):,.0f} / {median([w['rss'] for w in workers]):,.0f} MB "
            f"| {per['master']['pss']:,.0f} MB | {ratio} "
            f"| {r['memory_after_moves']['total_mb']['Pss']:,.0f} MB "
            f"| {r['slider']['p50_ms']:.0f} / {r['slider']['p95_ms']:.0f} ms |")
    block = "\n".join([BEGIN, old, *lines, END])
    replace_block(block, BEGIN, END)


if __name__ == "__main__":
    main()
