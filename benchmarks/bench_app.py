"""Benchmark: the running app against a naive Plotly Express Dash app (issue 6).

    python benchmarks/bench_app.py [--sizes 10000,100000,1000000] [--repeat 5]
    python benchmarks/bench_app.py --sizes 10000 --no-browser --no-results   # smoke (~30 s)

For each size, seeded SYNTHETIC incidents (``dashboard.io.synth.synthetic_incidents(n,
seed=7)`` on the bundled zones) are written once to a GeoParquet file. Then, one server
at a time on 127.0.0.1 (Flask's threaded server in a subprocess of its own, so its
VmHWM is the server's alone), ZoneWatch (``dashboard.app.create_app``) and the naive
baseline (benchmarks/naive_app.py) are measured the same way:

* ``first_load``: from process start to the first successful page (GET / = 200) and the
  first map callback answered (ZoneWatch: the initial URL sync, then the map). ZoneWatch
  starts on an empty prepared-data cache (``Settings.cache_dir``), so this first start
  validates, joins and prepares the data; a second start on the same file then measures
  ``first_load_warm`` (the prepared data read back).
* ``slider`` and ``filter`` server time, over ``--repeat`` random windows (the same
  windows for both apps): POST /_dash-update-component with bodies built from
  /_dash-dependencies, as the browser sends them. ZoneWatch: the sync callback turns the
  slider value (or event-type filter) into the view state; then every server callback
  an input of which that changed is called, one after the other, as the browser would
  (found from /_dash-dependencies; the app's browser-side callbacks are played in Python)
  and their times summed. The map callback is also reported alone, and the sync call
  separately. The baseline has one callback (range slider + type dropdown -> figure).
  Times are client-side round trips on loopback (compute + JSON + HTTP); bytes are
  response bodies (neither app compresses).
* ``peak_mb``: VmHWM of the server process from /proc/PID/status after all measures.
* Browser (headless Chromium, software WebGL, Playwright): ``repaint``: from setting the
  range slider's value (``dash_clientside.set_props``, the prop change the slider itself
  makes) to the map's new data drawn (MapLibre ``loaded()`` and not moving, as
  /work/shared/tools/screenshot.py waits); p50 over ``--moves`` windows. A crashed tab or a
  timeout is recorded as the result. ``playback`` (ZoneWatch): click ``#play`` (step
  week) at each of the UI's speeds and count, from the first frame on screen, the frames
  drawn per second over ``--play-seconds`` (assets/playback.js counts a frame once it is
  painted on the map; in its server mode, each new map figure), and the distinct
  ``#date-label`` texts.

House rule 12 (shared/style/testing.md): one JSON line per measure on stdout (notes on
stderr), ratios ZoneWatch/baseline from the same run. Every loop is bounded in count
and time; ``--budget`` (seconds) skips the remaining browser measures when exceeded.
Results go between ``<!-- bench_app:begin -->`` and ``<!-- bench_app:end -->`` in
benchmarks/RESULTS.md (when 1,000,000 is among the sizes, or with ``--results``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import random
import socket
import statistics
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

from results_file import replace_block  # noqa: E402

TARGET_N = 1_000_000
PLAY_N = 100_000
PLAY_SPEEDS_MS = (1000, 400, 100)  # the Speed dropdown: slow, normal (default), fast
SEED = 7
FILTER_TYPE = "Shelling"            # a SYNTHETIC event type (dashboard.io.synth.EVENT_TYPES)
CALLBACK_NAMES = {"map.figure": "map", "summary-cards.children": "cards",
                  "histogram.figure": "histogram", "incident-table.rowData": "table",
                  "zone-series.figure": "zone series", "analysis-output.children": "analysis"}
TARGETS = {  # issue 6, at 1M incidents
    "slider_p50_ms": 50.0, "slider_speedup": 20.0, "bytes_fraction": 1 / 5,
    "repaint_p50_s": 1.5, "playback_fps": 5.0, "peak_mb": 1536.0, "first_load_s": 5.0,
}
BEGIN, END = "<!-- bench_app:begin -->", "<!-- bench_app:end -->"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--enable-unsafe-swiftshader",
                 "--disable-dev-shm-usage", "--disable-background-networking"]


def note(message: str) -> None:
    print(f"bench_app: {message}", file=sys.stderr, flush=True)


def emit(record: dict) -> dict:
    print(json.dumps(record), flush=True)
    return record


def pct(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (p95 of 5 samples is their maximum)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


# --- servers --------------------------------------------------------------------------------

def serve(kind: str, incidents: Path, port: int, session_dir: Path,
          cache_dir: Path | None = None) -> None:
    """Child-process entry: serve one app on 127.0.0.1:port until terminated."""
    import logging

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    if kind == "zonewatch":
        from dashboard.app import create_app
        from dashboard.core.settings import Settings

        app = create_app(Settings(incidents=incidents, session_dir=session_dir,
                                  cache_dir=cache_dir))
    else:
        import naive_app

        app = naive_app.create_app(incidents)
    app.run(host="127.0.0.1", port=port, debug=False)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def vm_hwm_mb(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


class Server:
    def __init__(self, kind: str, incidents: Path, session_dir: Path, timeout: float = 180,
                 cache_dir: Path | None = None):
        import requests

        self.kind, self.port = kind, free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.http = requests.Session()
        self.http.headers["Accept-Encoding"] = "identity"
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "--serve", kind, "--incidents", str(incidents),
             "--port", str(self.port), "--session-dir", str(session_dir),
             *(["--cache-dir", str(cache_dir)] if cache_dir else [])],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        deadline = self.started + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{kind} server exited: {self.proc.stderr.read()[-3000:]}")
            if time.perf_counter() > deadline:
                self.stop()
                raise RuntimeError(f"{kind} server did not answer within {timeout:.0f} s")
            try:
                if self.http.get(self.base + "/", timeout=10).status_code == 200:
                    break
            except requests.RequestException:
                pass
            time.sleep(0.1)
        self.page_s = time.perf_counter() - self.started
        from load_test import Callbacks  # bodies built from /_dash-dependencies

        self.cb = Callbacks(self.base)

    def post(self, dep: dict, values: dict, changed: str | None = None
             ) -> tuple[float, int, dict | None]:
        """(seconds, response bytes, decoded response) of one callback request."""
        t0 = time.perf_counter()
        r = self.http.post(f"{self.base}/_dash-update-component",
                           json=self.cb.body(dep, values, changed), timeout=300)
        seconds = time.perf_counter() - t0
        if r.status_code == 204:
            return seconds, 0, None
        if r.status_code != 200:
            raise RuntimeError(f"{self.kind} {dep['output'][:60]}: HTTP {r.status_code} "
                               f"{r.text[:300]}")
        return seconds, len(r.content), r.json()

    def peak_mb(self) -> float | None:
        return vm_hwm_mb(self.proc.pid)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=30)


# --- HTTP measures ------------------------------------------------------------------------

def random_windows(count: int, span: int, seed: int) -> list[tuple[int, int]]:
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        length = rng.choice([30, 90, 180, 365])
        start = rng.randint(0, max(0, span - length))
        out.append((start, min(span, start + length - 1)))
    return out


def layout_values(server: Server) -> dict:
    """``{"id.prop": value}`` of every component in /_dash-layout: what the browser holds
    before any callback runs (callback inputs not set here are None, as in the browser)."""
    values: dict = {}

    def walk(node) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            props = node.get("props") if "type" in node and "namespace" in node else None
            if isinstance(props, dict):
                cid = props.get("id")
                for prop, value in props.items():
                    if isinstance(cid, str) and prop != "children":
                        values[f"{cid}.{prop}"] = value
                    walk(value)
            else:
                for value in node.values():
                    walk(value)

    walk(server.http.get(server.base + "/_dash-layout", timeout=60).json())
    return values


class ZoneWatchClient:
    """Drives ZoneWatch's callbacks as the browser does: controls -> sync -> the server
    callbacks whose inputs that changed, found from /_dash-dependencies.

    Values start from the page's layout and follow every callback's response, so new
    inputs or states (a tab, a store) get the values the browser would send. The
    app's browser-side callbacks that feed server ones are played in Python
    (``browser_side``); the others (date label, histogram shading) need no server."""

    def __init__(self, server: Server):
        self.s = server
        self.sync = server.cb.find("view-state.data")
        self.server_deps = [d for d in server.cb.deps
                            if not d.get("clientside_function") and d is not self.sync]
        self.values = layout_values(server)
        self.values["url.search"] = ""

    def _post(self, dep: dict, changed: str | None = None) -> tuple[float, int, set[str]]:
        """(seconds, bytes, the "id.prop" keys the response changed)."""
        seconds, size, out = self.s.post(dep, self.values, changed=changed)
        touched = set()
        for cid, props in ((out or {}).get("response") or {}).items():
            for prop, value in props.items():
                key = f"{cid}.{prop}"
                if self.values.get(key) != value:
                    touched.add(key)
                self.values[key] = value
        return seconds, size, touched

    def browser_side(self, changed: set[str]) -> None:
        """assets/views.js ``gate``: the state reaches the table only while its tab is open."""
        if "view-state.data" in changed and self.values.get("tabs.value") == "table" and \
                self.values.get("table-state.data") != self.values["view-state.data"]:
            self.values["table-state.data"] = self.values["view-state.data"]
            changed.add("table-state.data")

    def fired(self, changed: set[str]) -> list[tuple[dict, str]]:
        """The server callbacks an input of which changed, with the first such input."""
        out = []
        for dep in self.server_deps:
            keys = [f"{i['id']}.{i['property']}" for i in dep["inputs"]]
            hit = next((k for k in keys if k in changed), None)
            if hit:
                out.append((dep, hit))
        return out

    def initial(self) -> tuple[float, int]:
        """The page load's sync (URL -> state) and map callbacks: the map's seconds, bytes."""
        self._post(self.sync, changed="url.search")
        seconds, size, _ = self._post(self.s.cb.find("map.figure"))
        return seconds, size

    def change(self, window, types, changed: str) -> dict:
        self.values["date-range.value"] = list(window)
        self.values["filter-types.value"] = list(types)
        sync_s, _, touched = self._post(self.sync, changed=changed)
        self.browser_side(touched)
        calls = {}
        for dep, hit in self.fired(touched):
            seconds, size, _ = self._post(dep, changed=hit)
            calls[callback_name(dep)] = (seconds, size)
        return {"sync_s": sync_s, "calls": calls, "state": self.values.get("view-state.data")}


def callback_name(dep: dict) -> str:
    """"map" for "..map.figure...map-note.children..": the first output's short name."""
    first = dep["output"].lstrip(".").split("...")[0]
    return CALLBACK_NAMES.get(first, first.split(".")[0])


class NaiveClient:
    def __init__(self, server: Server):
        self.s = server
        self.dep = server.cb.find("map.figure")

    def call(self, window, event_type: str, changed: str) -> dict:
        seconds, size, _ = self.s.post(
            self.dep, {"range.value": list(window), "type.value": event_type}, changed=changed)
        return {"s": seconds, "bytes": size}


def http_zonewatch(server: Server, windows, span: int) -> dict:
    client = ZoneWatchClient(server)
    first_map_s, first_map_bytes = client.initial()
    first_load_s = time.perf_counter() - server.started
    client.change((0, min(span, 59)), (), "date-range.value")  # warm-up, not counted
    slider, filt = [], []
    # Slider moves one after another, as a person drags: views that ignore the window
    # (zone series) or only shade it (histogram) see the same filters each time.
    for window in windows:
        slider.append(client.change(window, (), "date-range.value"))
    # Filter changes alternate between two types, so every one is a real change.
    for i, window in enumerate(windows):
        types = (FILTER_TYPE,) if i % 2 == 0 else ("Airstrike",)
        filt.append(client.change(window, types, "filter-types.value"))
    return {"first_load_s": first_load_s, "first_page_s": server.page_s,
            "first_map_s": first_map_s, "first_map_bytes": first_map_bytes,
            "slider": slider, "filter": filt}


def http_naive(server: Server, windows, span: int) -> dict:
    client = NaiveClient(server)
    first = client.call((0, span), "all", "range.value")  # the page's initial callback
    first_load_s = time.perf_counter() - server.started
    client.call((0, min(span, 59)), "all", "range.value")  # warm-up, not counted
    slider, filt = [], []
    for window in windows:
        slider.append(client.call(window, "all", "range.value"))
        filt.append(client.call(window, FILTER_TYPE, "type.value"))
    return {"first_load_s": first_load_s, "first_page_s": server.page_s,
            "first_map_s": first["s"], "first_map_bytes": first["bytes"],
            "slider": slider, "filter": filt}


def summarise_http(kind: str, raw: dict) -> dict:
    out = {"first_load_s": raw["first_load_s"], "first_page_s": raw["first_page_s"],
           "first_map_s": raw["first_map_s"], "first_map_bytes": raw.get("first_map_bytes")}
    for measure in ("slider", "filter"):
        calls = raw[measure]
        if kind == "zonewatch":
            total = [sum(t for t, _ in c["calls"].values()) for c in calls]
            size = [sum(b for _, b in c["calls"].values()) for c in calls]
            fired = [c["sync_s"] + t for c, t in zip(calls, total, strict=True)]
            out[f"{measure}_all_fired_p50_ms"] = median(fired) * 1000
            out[f"{measure}_all_fired_p95_ms"] = pct(fired, 0.95) * 1000
            maps = [c["calls"].get("map", (0.0, 0)) for c in calls]
            out[f"{measure}_map_p50_ms"] = median([t for t, _ in maps]) * 1000
            out[f"{measure}_map_p95_ms"] = pct([t for t, _ in maps], 0.95) * 1000
            out[f"{measure}_map_bytes"] = median([b for _, b in maps])
            out[f"{measure}_sync_p50_ms"] = median([c["sync_s"] for c in calls]) * 1000
            names = list(dict.fromkeys(n for c in calls for n in c["calls"]))
            out[f"{measure}_callbacks"] = {
                name: {"fired": sum(name in c["calls"] for c in calls),
                       "p50_ms": median([c["calls"][name][0] for c in calls
                                         if name in c["calls"]]) * 1000,
                       "bytes": median([c["calls"][name][1] for c in calls
                                        if name in c["calls"]])}
                for name in names}
        else:
            total = [c["s"] for c in calls]
            size = [c["bytes"] for c in calls]
        out[f"{measure}_p50_ms"] = median(total) * 1000
        out[f"{measure}_p95_ms"] = pct(total, 0.95) * 1000
        out[f"{measure}_bytes"] = median(size)
        out[f"{measure}_bytes_max"] = max(size)
    return out


# --- browser measures -------------------------------------------------------------------------

MAP_JS = """() => {
  const el = document.getElementById('map');
  if (!el) return null;
  const gd = el.classList.contains('js-plotly-plot') ? el : el.querySelector('.js-plotly-plot');
  return gd || null;
}"""

MARK_JS = f"""() => {{ const gd = ({MAP_JS})(); window.__zwOld = gd ? gd.data : null; }}"""

# The map holds new data (a new figure arrived and Plotly applied it) and MapLibre has
# loaded it and stopped moving, as /work/shared/tools/screenshot.py waits.
REPAINTED_JS = f"""() => {{
  const gd = ({MAP_JS})();
  if (!gd || !gd._fullLayout || !gd.data || gd.data === window.__zwOld) return false;
  const sub = gd._fullLayout.map && gd._fullLayout.map._subplot;
  const m = sub && sub.map;
  if (!m || typeof m.loaded !== 'function') return false;
  return m.loaded() && !m.isMoving();
}}"""

SETTLED_JS = f"""() => {{
  if (document.querySelector('[data-dash-is-loading="true"], ._dash-loading')) return false;
  const gd = ({MAP_JS})();
  if (!gd || !gd._fullLayout || !gd.data) return false;
  const sub = gd._fullLayout.map && gd._fullLayout.map._subplot;
  const m = sub && sub.map;
  return !!m && m.loaded() && !m.isMoving();
}}"""

TWO_FRAMES_JS = """() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"""

# Playback observer: distinct #date-label texts and map data objects, with times.
OBSERVE_JS = f"""() => {{
  window.__zwLabels = []; window.__zwMaps = 0; window.__zwObserving = true;
  const label = document.getElementById('date-label');
  let last = label ? label.textContent : null;
  const obs = new MutationObserver(() => {{
    const t = label.textContent;
    if (t !== last) {{ last = t; window.__zwLabels.push([performance.now(), t]); }}
  }});
  if (label) obs.observe(label, {{childList: true, characterData: true, subtree: true}});
  let data = (({MAP_JS})() || {{}}).data;
  const tick = () => {{
    const gd = ({MAP_JS})();
    if (gd && gd.data !== data) {{ data = gd.data; window.__zwMaps += 1; }}
    if (window.__zwObserving) setTimeout(tick, 20);
  }};
  tick();
  window.__zwT0 = performance.now();
}}"""


def _browser():
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    return pw, browser


def browser_measures(kind: str, base: str, windows, *, slider_id: str, timeout_s: float,
                     playback: bool, play_seconds: float, deadline: float) -> dict:
    """Page load, slider -> repainted map, and (ZoneWatch) playback, in one fresh tab."""
    from playwright.sync_api import Error as PWError

    out: dict = {"repaint_s": [], "map_wait_s": [], "crashed": False, "timed_out": False,
                 "error": None, "page_errors": []}
    map_done: list[float] = []  # epoch seconds at which map callback responses ended
    pw, browser = _browser()
    try:
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        crashed = []
        page.on("crash", lambda *_: crashed.append(True))
        page.on("pageerror", lambda e: out["page_errors"].append(str(e)[:200]))

        def finished(request) -> None:
            if request.method == "POST" and "map.figure" in (request.post_data or "")[:200]:
                timing = request.timing
                map_done.append((timing["startTime"] + timing["responseEnd"]) / 1000)

        page.on("requestfinished", finished)
        t0 = time.perf_counter()
        try:
            page.goto(base + "/", wait_until="domcontentloaded", timeout=timeout_s * 1000)
            page.wait_for_function(SETTLED_JS, timeout=timeout_s * 1000, polling=100)
            page.evaluate(TWO_FRAMES_JS)
            out["page_load_s"] = time.perf_counter() - t0
        except PWError as err:
            return _browser_failure(out, err, crashed, "page load", time.perf_counter() - t0)
        for window in windows:
            if time.perf_counter() > deadline:
                out["error"] = "time budget exhausted; remaining moves skipped"
                break
            try:
                page.evaluate(MARK_JS)
                map_done.clear()
                t0, t0_epoch = time.perf_counter(), time.time()
                page.evaluate(f"() => window.dash_clientside.set_props('{slider_id}', "
                              f"{{value: [{window[0]}, {window[1]}]}})")
                page.wait_for_function(REPAINTED_JS, timeout=timeout_s * 1000, polling=50)
                page.evaluate(TWO_FRAMES_JS)
                out["repaint_s"].append(time.perf_counter() - t0)
                if map_done:  # the part spent waiting for the server's map (the rest: drawing)
                    out["map_wait_s"].append(max(map_done) - t0_epoch)
                page.wait_for_function(SETTLED_JS, timeout=timeout_s * 1000, polling=100)
            except PWError as err:
                return _browser_failure(out, err, crashed, f"slider move {window}",
                                        time.perf_counter() - t0)
        if playback and not out["error"]:
            page.close()
            out["playback"] = {}
            for speed_ms in PLAY_SPEEDS_MS:
                if time.perf_counter() > deadline:
                    out["error"] = "time budget exhausted; playback skipped"
                    break
                out["playback"][str(speed_ms)] = play(browser, base, speed_ms, play_seconds,
                                                      timeout_s)
    finally:
        browser.close()
        pw.stop()
    return out


def _browser_failure(out: dict, err: Exception, crashed: list, where: str, after_s: float
                     ) -> dict:
    text = str(err).splitlines()[0][:200]
    if crashed or "crash" in text.lower() or "Target closed" in text or "closed" in text:
        out["crashed"] = True
        out["error"] = f"tab crashed during {where} after {after_s:.1f} s"
    elif "Timeout" in type(err).__name__ or "Timeout" in text:
        out["timed_out"] = True
        out["error"] = f"timeout during {where} after {after_s:.1f} s"
    else:
        out["error"] = f"{where}: {text}"
    note(out["error"])
    return out


PLAYER_JS = """() => { const p = window.zonewatchPlayer || {};
  return [p.drawn || 0, performance.now(), p.mode || null, (p.frameMs || []).slice()]; }"""


def play(browser, base: str, speed_ms: int, seconds: float, timeout_s: float) -> dict:
    """In a fresh tab: pick a speed in the UI's Speed dropdown, click Play (step week,
    30-day sliding window from the start) and, from the first frame on screen, count
    the frames drawn (assets/playback.js counts a frame once it is painted on the map;
    in server mode, each new map figure) and the distinct #date-label texts per
    second over ``seconds``."""
    from playwright.sync_api import Error as PWError

    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    try:
        page.goto(base + "/", wait_until="domcontentloaded", timeout=timeout_s * 1000)
        page.wait_for_function(SETTLED_JS, timeout=timeout_s * 1000, polling=100)
        page.evaluate(f"() => window.dash_clientside.set_props('play-speed', "
                      f"{{value: {speed_ms}}})")
        page.wait_for_timeout(300)
        page.evaluate(OBSERVE_JS)
        clicked = time.perf_counter()
        page.locator("#play").click()
        page.wait_for_function("() => (window.zonewatchPlayer || {}).drawn >= 1 || "
                               "window.__zwMaps >= 1", timeout=timeout_s * 1000, polling=20)
        first_frame_s = time.perf_counter() - clicked
        d0, p0, _, _ = page.evaluate(PLAYER_JS)
        page.wait_for_timeout(seconds * 1000)
        d1, p1, mode, frame_ms = page.evaluate(PLAYER_JS)
        labels, maps, t0, now = page.evaluate(
            "() => { window.__zwObserving = false; return [window.__zwLabels, window.__zwMaps, "
            "window.__zwT0, performance.now()]; }")
    except PWError as err:
        return {"speed_ms": speed_ms, "error": str(err).splitlines()[0][:200]}
    finally:
        page.close()
    ended = bool(labels) and labels[-1][1].rstrip(")").endswith("2018")
    span_s = max(((labels[-1][0] if ended else now) - t0) / 1000, 1e-3)
    drawn = (d1 - d0) if mode == "client" else maps
    drawn_s = (p1 - p0) / 1000 if mode == "client" else span_s
    return {"speed_ms": speed_ms, "mode": mode, "seconds": round(drawn_s, 2),
            "first_frame_s": round(first_frame_s, 2), "frames_drawn": drawn,
            "drawn_fps": drawn / max(drawn_s, 1e-3),
            "frame_p50_ms": median(frame_ms[1:]) if len(frame_ms) > 1 else None,
            "labels": len(labels), "label_fps": len(labels) / span_s,
            "map_updates": maps, "map_fps": maps / span_s, "reached_end": ended}


# --- one size -------------------------------------------------------------------------------

def run_size(n: int, folder: Path, args, deadline: float) -> dict:
    from bench_join import make_incidents

    from dashboard.io.writers import write_incidents

    t0 = time.perf_counter()
    path = write_incidents(make_incidents(n, SEED), folder / f"SYNTHETIC-incidents-n{n}-seed{SEED}.parquet")
    note(f"n={n:,}: wrote {path.name} ({path.stat().st_size / 1e6:.0f} MB) in "
         f"{time.perf_counter() - t0:.1f} s")
    span = 729  # 2017-01-01 .. 2018-12-31, the generator's default period
    windows = random_windows(args.repeat, span, SEED + n)
    browser_windows = random_windows(args.moves, span, SEED + n + 1)
    result: dict = {"n": n, "windows": windows, "browser_windows": browser_windows}
    cache = folder / f"cache-{n}"  # empty: ZoneWatch's first start prepares the data
    for kind in ("zonewatch", "naive"):
        sessions = Path(tempfile.mkdtemp(prefix="sessions-", dir=folder))
        t0 = time.perf_counter()
        server = Server(kind, path, sessions, cache_dir=cache if kind == "zonewatch" else None)
        try:
            raw = (http_zonewatch if kind == "zonewatch" else http_naive)(server, windows, span)
            record = summarise_http(kind, raw)
            record["peak_mb_http"] = server.peak_mb()
            note(f"n={n:,} {kind}: HTTP done in {time.perf_counter() - t0:.0f} s "
                 f"(slider p50 {record['slider_p50_ms']:.0f} ms)")
            browser = None
            skip = None
            if args.no_browser:
                skip = "--no-browser"
            elif kind == "naive" and n >= args.naive_browser_max:
                skip = f"baseline browser measures skipped at n ≥ {args.naive_browser_max:,}"
            elif time.perf_counter() > deadline:
                skip = "time budget exhausted"
            if skip is None:
                browser = browser_measures(
                    kind, server.base, browser_windows,
                    slider_id="date-range" if kind == "zonewatch" else "range",
                    timeout_s=args.browser_timeout if kind == "naive" else 60,
                    playback=(kind == "zonewatch" and n == PLAY_N),
                    play_seconds=args.play_seconds, deadline=deadline)
                note(f"n={n:,} {kind}: browser done "
                     f"({browser.get('error') or 'ok'}; repaints {browser['repaint_s']})")
            record["browser"] = browser
            record["browser_skipped"] = skip
            record["peak_mb"] = server.peak_mb()
        finally:
            server.stop()
        if kind == "zonewatch":  # a second start on the same file reads the prepared data
            record["first_load_warm_s"] = warm_first_load(path, sessions, cache)
            note(f"n={n:,} zonewatch: first load cold {record['first_load_s']:.1f} s, "
                 f"warm {record['first_load_warm_s']:.1f} s")
        result[kind] = record
        emit({"bench": "bench_app", "n": n, "app": kind,
              **{k: v for k, v in record.items() if k != "browser"},
              "browser": _browser_summary(browser)})
    path.unlink()
    return result


def warm_first_load(path: Path, sessions: Path, cache: Path) -> float:
    """Start → page + first map for a server whose prepared data is already on disk."""
    server = Server("zonewatch", path, sessions, cache_dir=cache)
    try:
        ZoneWatchClient(server).initial()
        return time.perf_counter() - server.started
    finally:
        server.stop()


def _browser_summary(b: dict | None) -> dict | None:
    if b is None:
        return None
    out = {"page_load_s": b.get("page_load_s"), "repaint_p50_s": median(b["repaint_s"]),
           "repaint_s": [round(x, 3) for x in b["repaint_s"]],
           "map_wait_s": [round(x, 3) for x in b.get("map_wait_s", [])],
           "crashed": b["crashed"],
           "timed_out": b["timed_out"], "error": b["error"],
           "page_errors": sorted(set(b.get("page_errors", [])))[:5]}
    if b.get("playback"):
        out["playback"] = b["playback"]
    return out


# --- report ----------------------------------------------------------------------------------

def machine() -> dict:
    from bench_join import _loadavg
    from bench_join import machine as join_machine

    info = join_machine()
    keep = ("nproc", "cpu", "ram_gb", "python", "pandas", "numpy", "pyarrow")
    out = {k: info[k] for k in keep if k in info}
    import dash
    import plotly

    out.update({"dash": dash.__version__, "plotly": plotly.__version__,
                "chromium": _chromium_version(), "loadavg_1m": _loadavg(),
                "code": _code_state()})
    return out


def _chromium_version() -> str:
    try:
        return subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True,
                              timeout=20).stdout.strip() or "unknown"
    except (OSError, subprocess.TimeoutExpired):
        return "unavailable"


def _code_state() -> str:
    from results_file import code_state

    files = sorted((ROOT / "dashboard").rglob("*.py")) + sorted((ROOT / "assets").glob("*.js"))
    return code_state(files, "dashboard/ + assets/")


def _ms(v) -> str:
    return "—" if v is None else f"{v:,.0f} ms"


def _bytes(v) -> str:
    if v is None:
        return "—"
    return f"{v / 1e6:,.2f} MB" if v >= 1e5 else f"{v / 1e3:,.1f} kB"


def _p50_p95(zw: dict, nv: dict, name: str, zw_key: str, nv_key: str
             ) -> tuple[str, str, str, str]:
    """A results row of p50 / p95 times: ZoneWatch's ``zw_key``, the baseline's ``nv_key``."""
    return (name, f"{_ms(zw[f'{zw_key}_p50_ms'])} / {_ms(zw[f'{zw_key}_p95_ms'])}",
            f"{_ms(nv[f'{nv_key}_p50_ms'])} / {_ms(nv[f'{nv_key}_p95_ms'])}",
            _ratio(zw[f"{zw_key}_p50_ms"], nv[f"{nv_key}_p50_ms"]))


def _fired(callbacks: dict, moves: int) -> str:
    return "; ".join(f"{name} ({rec['fired']}/{moves}): {rec['p50_ms']:.0f} ms, "
                     f"{_bytes(rec['bytes'])}" for name, rec in callbacks.items()) or "none"


def _ratio(a, b) -> str:
    return "—" if a is None or not b else f"{a / b:.2f}"


def _repaint(b: dict | None, skipped: str | None) -> tuple[str, float | None]:
    if b is None:
        return f"not measured ({skipped})", None
    p50 = median(b["repaint_s"])
    text = "—" if p50 is None else f"{p50:.2f} s (n={len(b['repaint_s'])})"
    if b["crashed"] or b["timed_out"] or b["error"]:
        text = (text + "; " if p50 is not None else "") + (b["error"] or "")
    return text, p50


def targets(result: dict) -> list[tuple[str, str, str, bool | None]]:
    """(target, ZoneWatch figure, baseline/ratio figure, met) at 1M and playback at 100k."""
    rows = []
    big = result.get(TARGET_N)
    if big:
        zw, nv = big["zonewatch"], big["naive"]
        p50 = zw["slider_p50_ms"]
        speed = nv["slider_p50_ms"] / p50
        rows.append(("slider server time p50 ≤ 50 ms (the view callbacks it fires, summed)",
                     _ms(p50),
                     f"baseline {_ms(nv['slider_p50_ms'])}", p50 <= TARGETS["slider_p50_ms"]))
        rows.append(("slider ≥ 20× faster than baseline (summed)", f"{speed:.2f}× faster",
                     f"ratio ZW/baseline {p50 / nv['slider_p50_ms']:.2f}",
                     speed >= TARGETS["slider_speedup"]))
        mp50 = zw["slider_map_p50_ms"]
        rows.append(("(info) map callback alone: p50 ≤ 50 ms, ≥ 20×", _ms(mp50),
                     f"{nv['slider_p50_ms'] / mp50:.2f}× faster", None))
        frac = zw["slider_bytes"] / nv["slider_bytes"]
        rows.append(("slider response ≤ 1/5 of baseline bytes (the callbacks it fires)",
                     _bytes(zw["slider_bytes"]), f"baseline {_bytes(nv['slider_bytes'])}, "
                     f"ratio {frac:.3f}", frac <= TARGETS["bytes_fraction"]))
        text, rp = _repaint(zw.get("browser"), zw.get("browser_skipped"))
        ntext, _ = _repaint(nv.get("browser"), nv.get("browser_skipped"))
        rows.append(("slider → repainted map p50 ≤ 1.5 s (software WebGL)", text,
                     f"baseline {ntext}", None if rp is None else rp <= TARGETS["repaint_p50_s"]))
        rows.append(("server memory ≤ 1.5 GB (VmHWM)", f"{zw['peak_mb']:,.0f} MB",
                     f"baseline {nv['peak_mb']:,.0f} MB", zw["peak_mb"] <= TARGETS["peak_mb"]))
        warm = zw.get("first_load_warm_s")
        if warm is not None:
            rows.append(("first load ≤ 5 s (start → page + first map), data prepared before",
                         f"{warm:.1f} s", f"baseline {nv['first_load_s']:.1f} s",
                         warm <= TARGETS["first_load_s"]))
        rows.append(("first load ≤ 5 s, first start on a new file (validate, join, prepare)",
                     f"{zw['first_load_s']:.1f} s", f"baseline {nv['first_load_s']:.1f} s",
                     zw["first_load_s"] <= TARGETS["first_load_s"]))
    mid = result.get(PLAY_N)
    if mid:
        b = mid["zonewatch"].get("browser") or {}
        pb = b.get("playback") or {}
        good = [r for r in pb.values() if "drawn_fps" in r]
        if good:
            best = max(good, key=lambda r: r["drawn_fps"])
            rows.append(("playback ≥ 5 frames/s at 100k (best of the UI's speeds)",
                         f"{best['drawn_fps']:.2f} frames drawn/s at the {best['speed_ms']} ms "
                         f"speed ({best['mode']} mode; frame p50 {best['frame_p50_ms']} ms)",
                         "baseline has no playback", best["drawn_fps"] >= TARGETS["playback_fps"]))
        elif pb:
            rows.append(("playback ≥ 5 frames/s at 100k", "failed: " + "; ".join(
                str(r.get("error")) for r in pb.values()), "—", False))
    return rows


def write_results(path: Path, results: dict, info: dict, args, started: str, wall_s: float
                  ) -> None:
    lines = [BEGIN, f"## bench_app — ZoneWatch vs a naive Plotly Express Dash app, "
             f"{args.repeat} random windows per measure", "",
             f"Run {started} (wall time {wall_s:.0f} s) with `python benchmarks/bench_app.py "
             f"--sizes {','.join(str(n) for n in results)} --repeat {args.repeat}`. "
             "Server times are p50 / p95 client round trips on loopback; ZoneWatch sums the "
             "view callbacks a move fires (those an input of which changed, as the browser "
             "calls them), run one after the other. Ratio = ZoneWatch / baseline (< 1: ZoneWatch "
             "is faster or smaller).", "",
             "| n | measure | ZoneWatch | baseline | ratio |", "|---:|---|---:|---:|---:|"]
    for n, r in results.items():
        zw, nv = r["zonewatch"], r["naive"]
        rows = [
            _p50_p95(zw, nv, "slider server p50 / p95", "slider", "slider"),
            _p50_p95(zw, nv, "… map callback alone p50 / p95", "slider_map", "slider"),
            ("… the callbacks it fires (times fired of the moves): p50 time, bytes",
             _fired(zw["slider_callbacks"], args.repeat)
             + f"; sync {zw['slider_sync_p50_ms']:.0f} ms", "—", "—"),
            _p50_p95(zw, nv, "… all a slider move asks of the server (sync + those) p50 / p95",
                    "slider_all_fired", "slider"),
            _p50_p95(zw, nv, "filter change server p50 / p95", "filter", "filter"),
            ("… map callback alone p50", _ms(zw["filter_map_p50_ms"]),
             _ms(nv["filter_p50_ms"]), _ratio(zw["filter_map_p50_ms"], nv["filter_p50_ms"])),
            ("slider response bytes (p50; max)",
             f"{_bytes(zw['slider_bytes'])}; {_bytes(zw['slider_bytes_max'])}",
             f"{_bytes(nv['slider_bytes'])}; {_bytes(nv['slider_bytes_max'])}",
             _ratio(zw["slider_bytes"], nv["slider_bytes"])),
            ("… a filter change fires (times fired of the changes): p50 time, bytes",
             _fired(zw["filter_callbacks"], args.repeat), "—", "—"),
            ("filter response bytes (p50)", _bytes(zw["filter_bytes"]),
             _bytes(nv["filter_bytes"]), _ratio(zw["filter_bytes"], nv["filter_bytes"])),
            ("first load, first start on the file (start → page + first map)",
             f"{zw['first_load_s']:.1f} s", f"{nv['first_load_s']:.1f} s",
             _ratio(zw["first_load_s"], nv["first_load_s"])),
            ("first load, data prepared by an earlier start",
             "—" if zw.get("first_load_warm_s") is None else f"{zw['first_load_warm_s']:.1f} s",
             f"{nv['first_load_s']:.1f} s",
             _ratio(zw.get("first_load_warm_s"), nv["first_load_s"])),
            ("… first map callback (initial view; baseline: all points)",
             f"{zw['first_map_s'] * 1000:,.0f} ms, {_bytes(zw.get('first_map_bytes'))}",
             f"{nv['first_map_s'] * 1000:,.0f} ms, {_bytes(nv.get('first_map_bytes'))}", "—"),
            ("peak server memory (VmHWM)", f"{zw['peak_mb']:,.0f} MB",
             f"{nv['peak_mb']:,.0f} MB", _ratio(zw["peak_mb"], nv["peak_mb"])),
        ]
        zt, zp = _repaint(zw.get("browser"), zw.get("browser_skipped"))
        nt, np_ = _repaint(nv.get("browser"), nv.get("browser_skipped"))
        rows.append(("browser: slider → map repainted p50", zt, nt, _ratio(zp, np_)))

        def wait(rec):
            w = median((rec.get("browser") or {}).get("map_wait_s") or [])
            return None if w is None else w

        zw_wait, nv_wait = wait(zw), wait(nv)
        rows.append(("… of which until the map response arrived (p50; the rest is drawing)",
                     "—" if zw_wait is None else f"{zw_wait:.2f} s",
                     "—" if nv_wait is None else f"{nv_wait:.2f} s", "—"))
        zl = (zw.get("browser") or {}).get("page_load_s")
        nl = (nv.get("browser") or {}).get("page_load_s")
        rows.append(("browser: page open → map drawn", "—" if zl is None else f"{zl:.1f} s",
                     "—" if nl is None else f"{nl:.1f} s", _ratio(zl, nl)))
        pb = ((zw.get("browser") or {}).get("playback") or {})
        for rec in pb.values():
            text = (f"error: {rec['error']}" if "error" in rec else
                    f"{rec['drawn_fps']:.2f} frames drawn/s ({rec['mode']} mode, frame p50 "
                    f"{rec['frame_p50_ms']} ms; date label {rec['label_fps']:.2f}/s) over "
                    f"{rec['seconds']:.0f} s")
            rows.append((f"browser: playback at the {rec['speed_ms']} ms speed, step week",
                         text, "no playback", "—"))
        for name, a, b, ratio in rows:
            lines.append(f"| {n:,} | {name} | {a} | {b} | {ratio} |")
    tr = targets(results)
    if tr:
        lines += ["", "### Targets (issue 6: at 1,000,000 incidents; playback at 100,000)", "",
                  "| target | ZoneWatch | baseline / ratio | met? |", "|---|---|---|---|"]
        for name, a, b, met in tr:
            lines.append(f"| {name} | {a} | {b} | "
                         f"{ {True: 'met', False: '**not met**', None: 'info'}[met] } |")
    lines += ["", "Baseline: benchmarks/naive_app.py (`pd.read_parquet` of the same file, "
              "filter by date and type on every move, a fresh `px.scatter_map` of every "
              "matching point coloured by type, no hover columns). Browser: Playwright + "
              f"{info.get('chromium')} headless, `{' '.join(CHROMIUM_ARGS[:3])}` (software "
              "WebGL), 1600×1000; slider moves set the range slider's value through "
              "`dash_clientside.set_props` and wait for the map's new data to be loaded by "
              "MapLibre and not moving. Browser timeouts: 60 s ZoneWatch, "
              f"{args.browser_timeout:.0f} s baseline.", "",
              "Machine: " + ", ".join(f"{k} {v}" for k, v in info.items()), END]
    block = "\n".join(lines)
    replace_block(block, BEGIN, END, path)
    note(f"wrote {path}")


# --- main ------------------------------------------------------------------------------------

def main(args) -> dict:
    started = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    wall = time.perf_counter()
    deadline = wall + args.budget
    info = machine()
    results: dict = {}
    with tempfile.TemporaryDirectory(prefix="zonewatch-bench-app-SYNTHETIC-") as tmp:
        for n in args.sizes:
            results[n] = run_size(n, Path(tmp), args, deadline)
    info["loadavg_1m_end"] = os.getloadavg()[0]
    wall_s = time.perf_counter() - wall
    for name, a, b, met in targets(results):
        emit({"bench": "bench_app", "target": name, "zonewatch": a, "baseline": b, "met": met})
    note(f"done in {wall_s:.0f} s")
    if args.results:
        write_results(Path(args.results), results, info, args, started, wall_s)
    return results


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="10000,100000,1000000",
                   type=lambda s: [int(x) for x in s.split(",") if x.strip()])
    p.add_argument("--repeat", type=int, default=5, help="random windows per server measure")
    p.add_argument("--moves", type=int, default=3, help="slider moves in the browser")
    p.add_argument("--play-seconds", type=float, default=10.0)
    p.add_argument("--browser-timeout", type=float, default=90.0,
                   help="seconds before a baseline page load or repaint counts as timed out")
    p.add_argument("--naive-browser-max", type=int, default=10**9,
                   help="skip the baseline's browser measures from this size up")
    p.add_argument("--budget", type=float, default=540.0,
                   help="seconds; past it, remaining browser measures are skipped")
    p.add_argument("--no-browser", action="store_true")
    p.add_argument("--results", default=None, help="RESULTS.md to update")
    p.add_argument("--no-results", action="store_true")
    # child-process server mode
    p.add_argument("--serve", choices=["zonewatch", "naive"])
    p.add_argument("--incidents", type=Path)
    p.add_argument("--port", type=int)
    p.add_argument("--session-dir", type=Path)
    p.add_argument("--cache-dir", type=Path)
    args = p.parse_args(argv)
    if args.no_results:
        args.results = None
    elif args.results is None and TARGET_N in args.sizes:
        args.results = str(HERE / "RESULTS.md")
    return args


if __name__ == "__main__":
    ARGS = parse_args()
    if ARGS.serve:
        serve(ARGS.serve, ARGS.incidents, ARGS.port, ARGS.session_dir, ARGS.cache_dir)
    else:
        main(ARGS)
