"""Bounded load test: 50 simulated analysts against gunicorn with 4 workers, on loopback.

    python benchmarks/load_test.py [--users 50] [--seconds 120] [--workers 4]

Each analyst opens the page, then loops: pick a random window, event type, zone or
search (as the slider and filters do), and fire the view callbacks the browser
fires for that state (map and cards; the histogram and zone series too when the
filters changed; the zone panel now and then), with a think time of 0.3–1.5 s. Every
request goes to 127.0.0.1 only; the run stops by itself after ``--seconds``. Two of
the analysts upload their own incident file first, and every response they get is
checked for their data only (a leak between sessions or workers would show as a wrong
count).

Prints one JSON line and rewrites the ``load_test`` block of benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from results_file import replace_block

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# What the browser asks for when the state changes: the window's views always, the
# views of the whole span when the filters changed too (see dashboard/app/callbacks/sync.py).
WINDOW_CALLBACKS = ("map.figure", "summary-cards.children")
FILTER_CALLBACKS = ("histogram.figure", "zone-series.figure")
TYPES = ["State-based conflict", "Non-state conflict", "One-sided violence"]
ZONES = ["idlib", "homs-north", "eastern-ghouta", "southwest"]
OWN_CSV = ("incident_id,date,lat,lon,event_type,fatalities\n"
           "own1,2017-08-03,34.84,36.73,Shelling,2\nown2,2017-08-05,34.92,36.73,Shelling,0\n"
           "own3,2017-09-01,35.93,36.63,Airstrike,4\n")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, workers: int, session_dir: Path) -> subprocess.Popen:
    env = {**os.environ, "ZONEWATCH_SESSION_DIR": str(session_dir)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "dashboard.wsgi:server", "-w", str(workers),
         "-b", f"127.0.0.1:{port}", "--timeout", "60", "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/", timeout=10).status_code == 200:
                return proc
        except (requests.ConnectionError, requests.Timeout):  # workers still loading data
            time.sleep(0.5)
    proc.kill()
    raise SystemExit("gunicorn did not start: " + (proc.stderr.read() if proc.stderr else ""))


class Callbacks:
    """Request bodies for the app's callbacks, built from /_dash-dependencies."""

    def __init__(self, base: str):
        self.base = base
        self.deps = requests.get(f"{base}/_dash-dependencies", timeout=30).json()

    def find(self, output_part: str) -> dict:
        return next(d for d in self.deps if output_part in d["output"])

    def body(self, dep: dict, values: dict[str, object], changed: str | None = None) -> dict:
        def item(ref):
            key = f"{ref['id']}.{ref['property']}"
            return {"id": ref["id"], "property": ref["property"], "value": values.get(key)}

        outputs = [{"id": o.split(".")[0], "property": o.split(".")[1].split("@")[0]}
                   for o in re.findall(r"([\w-]+\.[\w@]+)", dep["output"].strip("."))]
        return {"output": dep["output"], "outputs": outputs if len(outputs) > 1 else outputs[0],
                "inputs": [item(i) for i in dep["inputs"]],
                "changedPropIds": [changed or f"{dep['inputs'][0]['id']}.{dep['inputs'][0]['property']}"],
                "state": [item(s) for s in dep["state"]]}


class Analyst(threading.Thread):
    def __init__(self, n: int, base: str, callbacks: Callbacks, stop: float, own: bool,
                 results: list, lock: threading.Lock):
        super().__init__(daemon=True)
        self.rng = random.Random(n)
        self.base, self.cb, self.stop, self.own = base, callbacks, stop, own
        self.results, self.lock = results, lock
        self.session = uuid.uuid4().hex
        self.http = requests.Session()

    def post(self, dep: dict, values: dict, changed: str | None = None
             ) -> requests.Response | None:
        started = time.perf_counter()
        try:
            response = self.http.post(f"{self.base}/_dash-update-component",
                                      json=self.cb.body(dep, values, changed), timeout=60)
            status = response.status_code
        except requests.RequestException:
            response, status = None, 599
        with self.lock:
            self.results.append((time.perf_counter() - started, status))
        return response

    def upload(self) -> None:
        contents = "data:text/csv;base64," + base64.b64encode(OWN_CSV.encode()).decode()
        dep = self.cb.find("upload-report.children")
        self.post(dep, {"upload-incidents.contents": contents, "upload-incidents.filename":
                        f"own-{self.session[:6]}.csv", "session-id.data": self.session},
                  changed="upload-incidents.contents")

    def state(self) -> str:
        start = self.rng.randint(0, 600)
        length = self.rng.choice([30, 90, 180, 365])
        first = time.strftime("%Y-%m-%d", time.gmtime(1483228800 + start * 86400))
        last = time.strftime("%Y-%m-%d", time.gmtime(1483228800 + (start + length) * 86400))
        query = f"?from={first}&to={last}"
        pick = self.rng.random()
        if pick < 0.3:
            query += "&type=" + self.rng.choice(TYPES).replace(" ", "+")
        elif pick < 0.5:
            query += "&zone=" + self.rng.choice(ZONES)
        elif pick < 0.6:
            query += "&q=" + self.rng.choice(["town", "Idlib", "Daraa"])
        return query + "#load"

    def run(self) -> None:
        self.http.get(self.base + "/", timeout=30)
        self.http.get(self.base + "/_dash-layout", timeout=30)
        if self.own:
            self.upload()
        window_deps = [self.cb.find(name) for name in WINDOW_CALLBACKS]
        filter_deps = [self.cb.find(name) for name in FILTER_CALLBACKS]
        panel = self.cb.find("analysis-output.children")
        summary = self.cb.find("summary-cards.children")
        filters = None
        while time.time() < self.stop:
            state = self.state()
            query, _, key = state.partition("#")
            kept = "&".join(p for p in query.lstrip("?").split("&")
                            if p.split("=")[0] not in ("from", "to"))
            new_filters = f"?{kept}#{key}" if kept else f"#{key}"
            values = {"view-state.data": state, "view-filters.data": new_filters,
                      "session-id.data": self.session,
                      "online-tiles.value": [], "tabs.value": "analysis",
                      "analysis-before.value": 90, "analysis-after.value": 90,
                      "analysis-ring.value": 25}
            for dep in window_deps + (filter_deps if new_filters != filters else []):
                self.post(dep, values)
            filters = new_filters
            if self.rng.random() < 0.1:
                self.post(panel, values)
            if self.own:  # this analyst must only ever see their own 3 incidents
                response = self.post(summary, {**values, "view-state.data": "?#own"})
                if response is not None and response.ok and "of 3 incidents" not in response.text:
                    with self.lock:
                        self.results.append((0.0, "leak"))
            time.sleep(self.rng.uniform(0.3, 1.5))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def write_results(record: dict) -> None:
    block = (
        "<!-- load_test:begin -->\n"
        f"## load_test — {record['users']} simulated analysts, gunicorn -w {record['workers']}, "
        f"{record['seconds']} s\n\n"
        f"Run {record['when']} with `python benchmarks/load_test.py`.\n\n"
        "| requests | server errors (5xx or no answer) | session leaks | p50 | p95 | max |\n"
        "|---:|---:|---:|---:|---:|---:|\n"
        f"| {record['requests']:,} | {record['server_errors']} | {record['leaks']} | "
        f"{record['p50_ms']:.0f} ms | {record['p95_ms']:.0f} ms | {record['max_ms']:.0f} ms |\n\n"
        "Each analyst fires the view callbacks the browser fires for a random window and "
        "filter (map and cards; histogram and zone series when the filters changed), opens the "
        "zone panel one time in ten, and waits 0.3–1.5 s; two analysts upload their own file "
        "and check every summary they get is of their 3 incidents. Machine: "
        f"{os.cpu_count()} cores, loopback only.\n"
        "<!-- load_test:end -->")
    replace_block(block, "<!-- load_test:begin -->", "<!-- load_test:end -->")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50, help="simulated analysts")
    parser.add_argument("--seconds", type=int, default=120, help="how long to run (bounded)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--no-results", action="store_true", help="do not write RESULTS.md")
    args = parser.parse_args()
    import tempfile

    port = free_port()
    with tempfile.TemporaryDirectory(prefix="zw-load-") as tmp:
        server = start_server(port, args.workers, Path(tmp))
        base = f"http://127.0.0.1:{port}"
        try:
            callbacks = Callbacks(base)
            results: list = []
            lock = threading.Lock()
            stop = time.time() + args.seconds
            users = [Analyst(i, base, callbacks, stop, i < 2, results, lock)
                     for i in range(args.users)]
            for user in users:
                user.start()
                time.sleep(0.05)  # a ramp of 2.5 s, not a thundering herd
            for user in users:
                user.join(timeout=args.seconds + 120)
        finally:
            server.terminate()
            server.wait(timeout=30)
    times = [t for t, status in results if status != "leak"]
    record = {
        "bench": "load_test", "users": args.users, "workers": args.workers,
        "seconds": args.seconds, "requests": len(times),
        "server_errors": sum(1 for _, s in results if isinstance(s, int) and s >= 500),
        "client_errors": sum(1 for _, s in results if isinstance(s, int) and 400 <= s < 500),
        "leaks": sum(1 for _, s in results if s == "leak"),
        "p50_ms": statistics.median(times) * 1000 if times else float("nan"),
        "p95_ms": percentile(times, 0.95) * 1000, "max_ms": max(times, default=0) * 1000,
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }
    print(json.dumps(record))
    if not args.no_results:
        write_results(record)


if __name__ == "__main__":
    main()
