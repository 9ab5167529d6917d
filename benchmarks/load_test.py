"""Bounded load test: 50 simulated analysts against gunicorn with 4 workers, on loopback.

    python benchmarks/load_test.py [--users 50] [--seconds 120] [--workers 4]
                                   [--proxy] [--hostile]

Each analyst opens the page, then loops: pick a random window, event type, zone or
search (as the slider and filters do), and fire the view callbacks the browser
fires for that state (map and cards; the histogram and zone series too when the
filters changed; the zone panel now and then), with a think time of 0.3–1.5 s. Every
request goes to 127.0.0.1 only; the run stops by itself after ``--seconds``. Two of
the analysts upload their own incident file first, and every response they get is
checked for their data only (a leak between sessions or workers would show as a wrong
count).

``--proxy`` runs the shipped deployment instead: nginx from deploy/nginx.conf (loopback
ports, a temp prefix) in front of gunicorn with deploy/gunicorn.conf.py (gthread).
``--hostile`` adds one hostile user beside the analysts, for the whole run: six
connections trickling request bodies a byte a second (re-opened when dropped), six
loops asking for PNG exports back to back, and a loop uploading a 64 KB file of
``,"`` (which once sent the CSV sniffer into a 19 s regex). The record then counts the
analysts' requests that failed or took more than 2 s.

Prints one JSON line and rewrites the ``load_test`` block of benchmarks/RESULTS.md
(``load_test_hostile`` with ``--hostile``).
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
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


def wait_up(url: str, proc: subprocess.Popen, what: str) -> None:
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            if requests.get(url, timeout=10).status_code == 200:
                return
        except (requests.ConnectionError, requests.Timeout):  # workers still loading data
            time.sleep(0.5)
    proc.kill()
    raise SystemExit(f"{what} did not start: " + (proc.stderr.read() if proc.stderr else ""))


def start_server(port: int, workers: int, session_dir: Path, deploy: bool = False
                 ) -> subprocess.Popen:
    """gunicorn as before (sync workers), or with deploy/gunicorn.conf.py (gthread)."""
    env = {**os.environ, "ZONEWATCH_SESSION_DIR": str(session_dir)}
    config = ["-c", str(ROOT / "deploy" / "gunicorn.conf.py")] if deploy else ["--timeout", "60"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", *config, "dashboard.wsgi:server", "-w", str(workers),
         "-b", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        start_new_session=True)
    wait_up(f"http://127.0.0.1:{port}/", proc, "gunicorn")
    return proc


def start_nginx(front: int, upstream: int, prefix: Path) -> subprocess.Popen:
    """nginx from deploy/nginx.conf, its two ports moved to loopback ones, in ``prefix``."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not os.path.exists(nginx):
        raise SystemExit("--proxy needs nginx (Debian: apt-get install nginx)")
    text = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    text = text.replace("listen 8080;", f"listen 127.0.0.1:{front};").replace(
        "server 127.0.0.1:8050;", f"server 127.0.0.1:{upstream};")
    prefix.chmod(0o755)  # nginx's unprivileged workers enter it when started as root
    for sub in ("logs", "temp"):
        (prefix / sub).mkdir(exist_ok=True)
    (prefix / "nginx.conf").write_text(text, encoding="utf-8")
    proc = subprocess.Popen([nginx, "-p", f"{prefix}/", "-c", str(prefix / "nginx.conf"),
                             "-e", "stderr", "-g", "daemon off;"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    wait_up(f"http://127.0.0.1:{front}/", proc, "nginx")
    return proc


def group_cpu_s(group: int) -> float:
    """CPU seconds used so far by the processes of session ``group`` (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:  # gone meanwhile
                continue
            if int(fields[3]) == group:  # session id
                total += (int(fields[11]) + int(fields[12])) / tick
    return total


def settle(group: int, most_s: float = 30.0) -> float:
    """Wait until the server's processes have finished starting (less than 5% of a core
    used over a second: the workers forked, their upload checkers loaded), at most
    ``most_s``; seconds waited. The run measures a server that is up, not its boot."""
    began = time.monotonic()
    last = group_cpu_s(group)
    while time.monotonic() - began < most_s:
        time.sleep(1.0)
        now = group_cpu_s(group)
        if now - last < 0.05:
            break
        last = now
    return time.monotonic() - began


def stop(proc: subprocess.Popen) -> None:
    """Stop a process group this script started, by its id."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)


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
        except requests.RequestException as err:
            response, status = None, 599
            FAILURES.append(f"{_short(dep['output'])}: {type(err).__name__}: {str(err)[:160]}")
        if response is not None and status >= 500:
            FAILURES.append(f"{_short(dep['output'])}: HTTP {status}: {response.text[:160]}")
        with self.lock:
            self.results.append((time.perf_counter() - started, status, _short(dep["output"]),
                                 time.time()))
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
                        self.results.append((0.0, "leak", "summary", time.time()))
            time.sleep(self.rng.uniform(0.3, 1.5))


class Hostile:
    """One hostile user: slow bodies, an export flood and sniffer-bomb uploads, until ``stop``."""

    SLOW = 6
    EXPORTERS = 6
    SNIFF_BOMB = ',"' * 32_768  # 64 KB

    def __init__(self, base: str, callbacks: Callbacks, stop: float):
        self.base, self.cb, self.stop = base, callbacks, stop
        self.lock = threading.Lock()
        self.counts = {"slow_bytes": 0, "slow_reconnects": 0, "exports_made": 0,
                       "exports_busy": 0, "exports_failed": 0, "bombs_sent": 0,
                       "bombs_refused": 0, "bombs_failed": 0}
        self.threads = ([threading.Thread(target=self.slow_body, daemon=True)
                         for _ in range(self.SLOW)]
                        + [threading.Thread(target=self.export_flood, args=(i,), daemon=True)
                           for i in range(self.EXPORTERS)]
                        + [threading.Thread(target=self.bomb_uploads, daemon=True)])

    def count(self, key: str, n: int = 1) -> None:
        with self.lock:
            self.counts[key] += n

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def join(self) -> None:
        for thread in self.threads:
            thread.join(timeout=120)

    def slow_body(self) -> None:
        host, port = self.base.removeprefix("http://").split(":")
        while time.time() < self.stop:
            try:
                with socket.create_connection((host, int(port)), timeout=10) as sock:
                    sock.sendall(b"POST /_dash-update-component HTTP/1.1\r\nHost: zonewatch\r\n"
                                 b"Content-Type: application/json\r\n"
                                 b"Content-Length: 100000\r\n\r\n")
                    while time.time() < self.stop:
                        sock.sendall(b" ")
                        self.count("slow_bytes")
                        time.sleep(1.0)
            except OSError:  # dropped by the server: come back, as an attacker would
                self.count("slow_reconnects")
                time.sleep(1.0)

    def export_flood(self, n: int) -> None:
        http = requests.Session()
        dep = self.cb.find("export-download.data")
        session = uuid.uuid4().hex
        while time.time() < self.stop:
            values = {"export-button.n_clicks": n + 1, "url.search": "?#x",
                      "url.href": self.base + "/", "export-format.value": "png",
                      "export-size.value": "16:9", "export-title.value": "flood",
                      "session-id.data": session}
            try:
                response = http.post(f"{self.base}/_dash-update-component",
                                     json=self.cb.body(dep, values), timeout=180)
                if "Export not started" in response.text:
                    self.count("exports_busy")
                    time.sleep(0.2)  # a tight loop, not a busy spin
                elif response.ok and "export-download" in response.text:
                    self.count("exports_made")
                else:
                    self.count("exports_failed")
            except requests.RequestException:
                self.count("exports_failed")

    def bomb_uploads(self) -> None:
        http = requests.Session()
        dep = self.cb.find("upload-report.children")
        contents = "data:text/csv;base64," + base64.b64encode(self.SNIFF_BOMB.encode()).decode()
        while time.time() < self.stop:
            values = {"upload-incidents.contents": contents,
                      "upload-incidents.filename": "bomb.csv",
                      "session-id.data": uuid.uuid4().hex}
            try:
                response = http.post(f"{self.base}/_dash-update-component",
                                     json=self.cb.body(dep, values,
                                                       changed="upload-incidents.contents"),
                                     timeout=180)
                self.count("bombs_sent")
                self.count("bombs_refused" if response.ok else "bombs_failed")
            except requests.RequestException:
                self.count("bombs_failed")
            time.sleep(0.5)


#: What the analysts' failed requests said (the first few go into the record).
FAILURES: list[str] = []


def _short(output: str) -> str:
    """A callback's first output id, e.g. "map" for "..map.figure...map-note.children..". """
    return output.strip(".").split(".")[0]


def slow_breakdown(results: list, began: float, over: float = 2.0) -> dict:
    """Requests over ``over`` seconds by callback and by the 10 s of the run they started
    in: which requests wait, and whether it is the warm-up or the whole run."""
    slow = [(name, at - t - began) for t, status, name, at in results
            if status != "leak" and t > over]
    by_name: dict[str, int] = {}
    by_time: dict[str, int] = {}
    for name, start in slow:
        by_name[name] = by_name.get(name, 0) + 1
        key = f"{int(start // 10) * 10}s"
        by_time[key] = by_time.get(key, 0) + 1
    return {"by_callback": by_name, "by_start_10s": dict(sorted(by_time.items(),
                                                                key=lambda kv: int(kv[0][:-1])))}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def write_hostile_results(record: dict) -> None:
    h = record["hostile"]
    setup = ("nginx (deploy/nginx.conf) in front of gunicorn -c deploy/gunicorn.conf.py "
             f"(gthread, -w {record['workers']})" if record["proxy"]
             else f"gunicorn -w {record['workers']} (sync workers, no proxy)")
    block = (
        "<!-- load_test_hostile:begin -->\n"
        f"## load_test --hostile — {record['users']} analysts and one hostile user, "
        f"{record['seconds']} s\n\n"
        f"Run {record['when']} with `python benchmarks/load_test.py {record['argv']}`: {setup}"
        + (", the analysts starting as soon as the server answered" if not record["settled_s"]
           else f", the analysts starting once the server was idle ({record['settled_s']} s "
           "after it first answered: its workers' upload checkers loaded)") + ".\n\n"
        "| analysts' requests | failed (5xx or no answer) | over 2 s | session leaks | p50 | p95 "
        "| max |\n|---:|---:|---:|---:|---:|---:|---:|\n"
        f"| {record['requests']:,} | {record['server_errors']} | {record['over_2s']} | "
        f"{record['leaks']} | {record['p50_ms']:.0f} ms | {record['p95_ms']:.0f} ms | "
        f"{record['max_ms']:.0f} ms |\n\n"
        "The hostile user, meanwhile: six slow-body connections "
        f"({h['slow_bytes']:,} bytes trickled, {h['slow_reconnects']} reconnects after a drop), "
        f"six back-to-back PNG export loops ({h['exports_made']} made, {h['exports_busy']} told "
        f"to try again, {h['exports_failed']} failed) and `,\"` sniffer-bomb uploads "
        f"({h['bombs_sent']} answered, {h['bombs_failed']} failed). Machine: "
        f"{os.cpu_count()} cores, loopback only.\n"
        "<!-- load_test_hostile:end -->")
    replace_block(block, "<!-- load_test_hostile:begin -->", "<!-- load_test_hostile:end -->")


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
    parser.add_argument("--proxy", action="store_true",
                        help="the shipped deployment: nginx + gunicorn gthread (deploy/)")
    parser.add_argument("--hostile", action="store_true",
                        help="add a hostile user: slow bodies, export flood, bomb uploads")
    parser.add_argument("--no-results", action="store_true", help="do not write RESULTS.md")
    parser.add_argument("--at-boot", action="store_true",
                        help="start the analysts as soon as the server answers, while its "
                             "workers may still be starting (default: once it is idle)")
    args = parser.parse_args()

    upstream = free_port()
    hostile = None
    with tempfile.TemporaryDirectory(prefix="zw-load-") as tmp, contextlib.ExitStack() as procs:
        server = start_server(upstream, args.workers, Path(tmp) / "sessions", deploy=args.proxy)
        procs.callback(stop, server)
        base = f"http://127.0.0.1:{upstream}"
        if args.proxy:
            front = free_port()
            prefix = Path(tempfile.mkdtemp(prefix="zw-load-nginx-"))
            procs.callback(shutil.rmtree, prefix, ignore_errors=True)
            procs.callback(stop, start_nginx(front, upstream, prefix))
            base = f"http://127.0.0.1:{front}"
        settled_s = 0.0 if args.at_boot else settle(server.pid)
        callbacks = Callbacks(base)
        results: list = []
        lock = threading.Lock()
        began = time.time()
        stop_at = began + args.seconds
        if args.hostile:
            hostile = Hostile(base, callbacks, stop_at)
            hostile.start()
        users = [Analyst(i, base, callbacks, stop_at, i < 2, results, lock)
                 for i in range(args.users)]
        for user in users:
            user.start()
            time.sleep(0.05)  # a ramp of 2.5 s, not a thundering herd
        for user in users:
            user.join(timeout=args.seconds + 120)
        if hostile is not None:
            hostile.join()
    times = [t for t, status, _name, _at in results if status != "leak"]
    record = {
        "bench": "load_test", "users": args.users, "workers": args.workers,
        "seconds": args.seconds, "proxy": args.proxy, "requests": len(times),
        "server_errors": sum(1 for _, s, *_ in results if isinstance(s, int) and s >= 500),
        "client_errors": sum(1 for _, s, *_ in results if isinstance(s, int) and 400 <= s < 500),
        "leaks": sum(1 for _, s, *_ in results if s == "leak"),
        "over_2s": sum(1 for t in times if t > 2.0),
        "p50_ms": statistics.median(times) * 1000 if times else float("nan"),
        "p95_ms": percentile(times, 0.95) * 1000, "max_ms": max(times, default=0) * 1000,
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "argv": " ".join(sys.argv[1:]), "settled_s": round(settled_s, 1),
        "slow": slow_breakdown(results, began),
        "failures": FAILURES[:5],
    }
    if hostile is not None:
        record["hostile"] = dict(hostile.counts)
    print(json.dumps(record))
    if not args.no_results:
        (write_hostile_results if hostile is not None else write_results)(record)


if __name__ == "__main__":
    main()
