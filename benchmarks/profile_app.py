"""Profile ZoneWatch's view callbacks at 1M incidents: where the time and the bytes go.

    python benchmarks/profile_app.py [--n 1000000] [--windows 5] [--top 18]

Not a benchmark with a baseline (see benchmarks/bench_app.py for that): the *_view
functions the slider fires are called directly on a ``DataStore`` loaded from seeded
SYNTHETIC incidents, over the same random windows bench_app.py uses, then

1. each view's compute time (p50 over the windows) and its JSON encoding as Dash does
   it (``plotly.io.json.to_json_plotly``), with the bytes;
2. cProfile of the slowest view and of the map view (the one the repaint waits for),
   top functions by cumulative and by own time;
3. where the bytes go: per trace and per layout key of the map and histogram figures;
4. measured what-ifs (nothing in dashboard/ is changed): is a view's output the same
   for every window (then a window-only move can skip it); the size and cost of a
   ``dash.Patch`` that moves only the histogram's window shading; the figure cost with
   plotly's validation skipped; the store's load phases, and reading a prepared cache.

Prints a readable report on stdout and one JSON line at the end.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
for _p in (str(ROOT), str(HERE)):
    if _p not in sys.path:
        sys.path.insert(0, _p)

from bench_app import SEED, random_windows  # noqa: E402

PHASES = {  # label: (file ending, function) of the store's load, in order
    "load_incidents (read + validate)": ("io/incidents.py", "read_incidents"),
    "  of which read parquet (pyarrow)": ("pandas/io/parquet.py", "read_parquet"),
    "zone join": ("dashboard/analysis/spatial.py", "join_incidents"),
    "build_view_data": ("dashboard/analysis/viewdata.py", "build_view_data"),
    "  of which IncidentIndex (sort + arrays)": ("dashboard/analysis/index.py", "__init__"),
}


def to_json(value) -> str:
    import plotly.io.json as pj

    return pj.to_json_plotly(value)


def timed(fn, repeat: int = 1):
    """(best seconds over ``repeat`` runs, last result)."""
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def query_for(window, span0) -> str:
    import datetime as dt

    first = span0 + dt.timedelta(days=window[0])
    last = span0 + dt.timedelta(days=window[1])
    return f"?from={first:%Y-%m-%d}&to={last:%Y-%m-%d}#base"


def views(store):
    from dashboard.app.callbacks.analysis import analysis_view
    from dashboard.app.callbacks.cards import summary_view
    from dashboard.app.callbacks.histogram import timeline_view
    from dashboard.app.callbacks.map_view import map_view
    from dashboard.app.callbacks.table import table_view
    from dashboard.app.callbacks.zone_series import zone_series_view

    return {
        "map": lambda q: map_view(store, None, q, None, [], None),
        "cards": lambda q: summary_view(store, None, q, None),
        "histogram": lambda q: timeline_view(store, None, q, None),
        "zone_series": lambda q: zone_series_view(store, None, q, None),
        # Both only run when their tab is open (the callback raises PreventUpdate else);
        # here the work itself, for reference.
        "table (tab open)": lambda q: table_view(store, None, q, None),
        "analysis (tab open)": lambda q: analysis_view(store, None, q, None, None, 90, 90, 25),
    }


def profile_text(fn, queries, top: int) -> str:
    prof = cProfile.Profile()
    prof.enable()
    for q in queries:
        to_json(fn(q))
    prof.disable()
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    text = out.getvalue()
    return "\n".join(line[:160] for line in text.splitlines()
                     if line.strip() and not line.startswith("   Ordered by"))


def figure_parts(fig) -> list[tuple[str, int]]:
    """JSON bytes per trace and per layout key of a plotly figure (or its dict)."""
    d = fig if isinstance(fig, dict) else fig.to_plotly_json()
    parts = []
    for i, trace in enumerate(d.get("data", [])):
        name = trace.get("name") or ""
        parts.append((f"data[{i}] {trace.get('type')} {name}"[:60], len(to_json(trace))))
    for key, value in (d.get("layout") or {}).items():
        if key == "map" and isinstance(value, dict):
            for sub, v in value.items():
                if sub == "layers":
                    for j, layer in enumerate(v):
                        src = layer.get("source")
                        label = src if isinstance(src, str) else f"inline {layer.get('type')}"
                        parts.append((f"layout.map.layers[{j}] {label}"[:60], len(to_json(layer))))
                else:
                    parts.append((f"layout.map.{sub}", len(to_json(v))))
        else:
            parts.append((f"layout.{key}", len(to_json(value))))
    return sorted(parts, key=lambda p: -p[1])


def main(n: int, n_windows: int, top: int) -> dict:
    import numpy as np
    import plotly.graph_objects as go
    from bench_join import make_incidents
    from dash import Patch

    from dashboard.core.settings import Settings
    from dashboard.io.writers import write_incidents
    from dashboard.server.datastore import DataStore

    record: dict = {"bench": "profile_app", "n": n}
    with tempfile.TemporaryDirectory(prefix="zonewatch-profile-SYNTHETIC-") as tmp:
        path = write_incidents(make_incidents(n, SEED),
                               Path(tmp) / f"SYNTHETIC-incidents-n{n}-seed{SEED}.parquet")
        settings = Settings(incidents=path, session_dir=Path(tmp) / "sessions")

        # --- the store's load, by phase (first load target) ---------------------------------
        prof = cProfile.Profile()
        t0 = time.perf_counter()
        prof.enable()
        store = DataStore.load(settings)
        prof.disable()
        load_s = time.perf_counter() - t0
        stats = pstats.Stats(prof)
        phases = {}
        for (file, _line, func), (_cc, _nc, _tt, ct, _callers) in stats.stats.items():
            for label, (f_end, f_name) in PHASES.items():
                if file.endswith(f_end) and func == f_name:
                    phases[label] = round(ct, 2)
        phases = {label: phases[label] for label in PHASES if label in phases}
        record["load_s"] = round(load_s, 2)
        record["load_phases_s"] = phases
        print(f"## DataStore.load at n={n:,}: {load_s:.1f} s")
        for label, seconds in phases.items():
            print(f"   {label:42s} {seconds:6.2f} s")

        # What a prepared cache (sorted, joined frame + masks, written once) costs to read.
        index = store.base.index
        cache = Path(tmp) / "prepared.parquet"
        index.frame.to_parquet(cache)
        np.savez(Path(tmp) / "masks.npz", **index.zone_masks)
        import pandas as pd

        read_s, _ = timed(lambda: (pd.read_parquet(cache),
                                   dict(np.load(Path(tmp) / "masks.npz"))), 2)
        record["prepared_cache_read_s"] = round(read_s, 2)
        print(f"   what-if: read a prepared cache (sorted+joined frame as parquet, zone masks "
              f"npz, {cache.stat().st_size / 1e6:.0f} MB): {read_s:.2f} s")

        # --- every view over the windows -----------------------------------------------------
        span0 = store.base.span[0]
        queries = [query_for(w, span0) for w in random_windows(n_windows, 729, SEED + n)]
        fns = views(store)
        for fn in fns.values():  # warm caches and imports once, not timed
            to_json(fn(queries[0]))
        rows = {}
        outputs = {}
        for name, fn in fns.items():
            compute, encode, sizes, texts = [], [], [], []
            for q in queries:
                c, out = timed(lambda fn=fn, q=q: fn(q))
                e, text = timed(lambda out=out: to_json(out))
                compute.append(c)
                encode.append(e)
                sizes.append(len(text))
                texts.append(text)
            outputs[name] = (out, texts)
            rows[name] = {"compute_ms": statistics.median(compute) * 1000,
                          "json_ms": statistics.median(encode) * 1000,
                          "bytes": statistics.median(sizes),
                          "same_for_every_window": len(set(texts)) == 1}
        record["views"] = {k: {kk: (round(vv, 1) if isinstance(vv, float) else vv)
                               for kk, vv in v.items()} for k, v in rows.items()}
        print(f"\n## View functions, p50 over {len(queries)} windows (n={n:,})")
        print(f"   {'view':22s} {'compute':>9s} {'to_json':>9s} {'bytes':>10s}  same output "
              "for every window?")
        for name, r in sorted(rows.items(), key=lambda kv: -kv[1]["compute_ms"] - kv[1]["json_ms"]):
            print(f"   {name:22s} {r['compute_ms']:7.0f}ms {r['json_ms']:7.0f}ms "
                  f"{r['bytes']:10,.0f}  {'YES' if r['same_for_every_window'] else 'no'}")

        fired = [k for k in rows if "tab open" not in k]
        slowest = max(fired, key=lambda k: rows[k]["compute_ms"] + rows[k]["json_ms"])
        record["slowest"] = slowest
        for name in dict.fromkeys([slowest, "map"]):
            print(f"\n## cProfile: {name} over {len(queries)} windows (view + to_json)")
            print(profile_text(fns[name], queries, top))

        # --- bytes ------------------------------------------------------------------------------
        for name in ("map", "histogram", "zone_series"):
            out = outputs[name][0]
            fig = out[0] if isinstance(out, tuple) else out
            parts = figure_parts(fig)
            total = sum(size for _, size in parts)
            print(f"\n## Bytes of the {name} figure (last window): {total:,} in "
                  f"{len(parts)} parts; largest:")
            for label, size in parts[:8]:
                print(f"   {size:9,d}  {size / total:5.1%}  {label}")
            record[f"{name}_bytes_parts"] = parts[:8]

        # --- what-ifs --------------------------------------------------------------------------
        print("\n## Measured what-ifs")
        what_if = {}
        # 1. Views whose output does not depend on the window can skip a window-only move.
        skip = [k for k in fired if rows[k]["same_for_every_window"]]
        saved = sum(rows[k]["compute_ms"] + rows[k]["json_ms"] for k in skip)
        what_if["skip_window_independent_ms"] = round(saved, 1)
        print(f"   1. Same output for every window: {', '.join(skip) or 'none'}. Answering a "
              f"window-only move with no_update there saves {saved:.0f} ms of server time "
              "per move (and their bytes).")
        # 2. The histogram: only the window shading moves.
        hist_texts = outputs["histogram"][1]
        figs = [json.loads(t)[0] for t in hist_texts]
        diff = {k for f in figs for k in ("data", "layout")
                if json.dumps(f[k], sort_keys=True) != json.dumps(figs[0][k], sort_keys=True)}
        shapes = figs[0]["layout"].get("shapes", [])
        moved = [i for i, s in enumerate(shapes)
                 if any(json.dumps(f["layout"]["shapes"][i]) != json.dumps(s) for f in figs)]
        what_if["histogram_differs_in"] = sorted(diff)
        what_if["histogram_moving_shapes"] = moved
        if diff == {"layout"} and moved:
            def patch():
                p = Patch()
                for i in moved:
                    p["layout"]["shapes"][i]["x0"] = "2017-03-01"
                    p["layout"]["shapes"][i]["x1"] = "2017-06-30"
                return to_json(p)

            patch_s, patch_text = timed(patch, 20)
            what_if["histogram_patch_ms"] = round(patch_s * 1000, 2)
            what_if["histogram_patch_bytes"] = len(patch_text)
            full = rows["histogram"]["compute_ms"] + rows["histogram"]["json_ms"]
            print(f"   2. Histogram: across windows only layout.shapes{moved} change (the "
                  f"window shading). A dash.Patch of x0/x1 is {len(patch_text)} bytes and "
                  f"{patch_s * 1000:.2f} ms vs {full:.0f} ms and "
                  f"{rows['histogram']['bytes']:,.0f} bytes for the full figure.")
        else:
            print(f"   2. Histogram: differs between windows in {sorted(diff)} "
                  f"(moving shapes {moved}); no shape-only patch.")
        # 3. Plotly's validation: rebuild the same figures from their dicts (validated once).
        for name in ("zone_series", "histogram", "map"):
            out = outputs[name][0]
            fig = out[0] if isinstance(out, tuple) else out
            d = fig.to_plotly_json()
            validated, _ = timed(lambda d=d: go.Figure(d), 3)
            as_dict, _ = timed(lambda d=d: to_json(d), 3)
            what_if[f"{name}_figure_from_dict_ms"] = round(validated * 1000, 1)
            print(f"   3. {name}: the view takes {rows[name]['compute_ms']:.0f} ms, making "
                  f"{_count_calls(fns[name], queries[0])}; the same figure from its dict "
                  f"(go.Figure(dict), validated once) takes {validated * 1000:.0f} ms, and "
                  f"encoding the plain dict {as_dict * 1000:.0f} ms.")
        # 4. The zone series built with its shapes set in one call instead of one by one.
        out = outputs["zone_series"][0]
        d = out.to_plotly_json()
        n_rows = sum(1 for k in d["layout"] if k.startswith("yaxis"))

        def batched():
            from plotly.subplots import make_subplots

            fig = make_subplots(rows=max(1, n_rows), cols=1, shared_xaxes=True,
                                vertical_spacing=0.04,
                                subplot_titles=[a["text"] for a in d["layout"]["annotations"]])
            fig.add_traces(d["data"])
            fig.update_layout(shapes=d["layout"]["shapes"])
            return fig

        batch_s, fig_b = timed(batched, 3)
        same = len(fig_b.layout.shapes) == len(d["layout"]["shapes"])
        what_if["zone_series_batched_shapes_ms"] = round(batch_s * 1000, 1)
        print(f"   4. zone_series rebuilt with make_subplots + add_traces(all) + "
              f"update_layout(shapes=all {len(d['layout']['shapes'])}): {batch_s * 1000:.0f} ms "
              f"vs {rows['zone_series']['compute_ms']:.0f} ms (same shapes: {same}).")
        # 5. The map: its data work (select + hexagon bins) against building the figure.
        from dashboard.analysis.aggregate import hex_bins, hex_cells
        from dashboard.app.callbacks.common import resolve
        from dashboard.views.mapview import hex_size_for

        view = store.base

        size, lat0 = hex_size_for(view.zoom), round(view.center[0])
        selected = {q: view.index.select(resolve(store, None, q)[1]) for q in queries}

        def data_work(q):
            _, state = resolve(store, None, q)
            pos = view.index.select(state)
            return hex_bins(view.index.lon[pos], view.index.lat[pos], size, lat0=lat0)

        work = statistics.median(timed(lambda q=q: data_work(q), 3)[0] for q in queries)
        d = outputs["map"][0][0].to_plotly_json()
        enc_s, _ = timed(lambda: to_json(d), 5)
        what_if["map_data_work_ms"] = round(work * 1000, 1)
        what_if["map_plain_dict_encode_ms"] = round(enc_s * 1000, 1)
        print(f"   5. map: the data work (decode state, select, hex_bins) is {work * 1000:.0f} ms "
              f"(p50 over the windows) and encoding the finished figure as a plain dict "
              f"{enc_s * 1000:.1f} ms; the rest of the "
              f"{rows['map']['compute_ms'] + rows['map']['json_ms']:.0f} ms is building and "
              "validating plotly objects (go.Figure deep-copies its inputs).")
        # 6. Hexagon cells precomputed per incident (for the default camera's grid) at load:
        #    a window is then a bincount over cell codes instead of hex_bins.
        def cell_codes():
            cells = hex_bins(view.index.lon, view.index.lat, size, lat0=lat0)  # all cells
            rx, rz = hex_cells(view.index.lon, view.index.lat, size, lat0)
            key = rx * 1_000_003 + rz
            uniq, codes = np.unique(key, return_inverse=True)
            return codes.astype(np.int32), len(uniq), cells

        pre_s, (codes, n_cells, _) = timed(cell_codes, 1)

        def by_codes(pos):
            counts = np.bincount(codes[pos], minlength=n_cells)
            return np.flatnonzero(counts), counts

        per = []
        agree = True
        for pos in selected.values():
            per.append(timed(lambda pos=pos: by_codes(pos), 5)[0])
            ref = hex_bins(view.index.lon[pos], view.index.lat[pos], size, lat0=lat0)
            nz, counts = by_codes(pos)
            agree &= len(nz) == len(ref) and int(counts.sum()) == int(ref["count"].sum())
        hex_only = statistics.median(
            timed(lambda pos=pos: hex_bins(view.index.lon[pos], view.index.lat[pos], size,
                                           lat0=lat0), 3)[0] for pos in selected.values())
        what_if["hex_precomputed_once_ms"] = round(pre_s * 1000, 1)
        what_if["hex_bincount_ms"] = round(statistics.median(per) * 1000, 2)
        what_if["hex_bins_ms"] = round(hex_only * 1000, 2)
        print(f"   6. map: hexagon cell codes computed once for all {len(view.index):,} "
              f"incidents ({pre_s * 1000:.0f} ms at load, {n_cells:,} cells at the default "
              f"zoom) make a window's bins a bincount: {statistics.median(per) * 1000:.1f} ms "
              f"vs hex_bins {hex_only * 1000:.1f} ms (p50; same cells and counts: {agree}). "
              "Other zooms need their own codes (e.g. per whole zoom level, cached).")
        record["what_if"] = what_if
    print()
    print(json.dumps(record, default=str))
    return record


def _count_calls(fn, query) -> str:
    """How many add_trace / add_vrect / add_vline / add_shape calls a view makes
    (add_vrect and add_vline each call add_shape once more)."""
    import plotly.graph_objects as go

    counts = {"add_trace": 0, "add_vrect": 0, "add_vline": 0, "add_shape": 0,
              "update_layout": 0}
    originals = {name: getattr(go.Figure, name) for name in counts}

    def counting(name):
        def wrapper(self, *a, **k):
            counts[name] += 1
            return originals[name](self, *a, **k)
        return wrapper

    for name in counts:
        setattr(go.Figure, name, counting(name))
    try:
        fn(query)
    finally:
        for name, original in originals.items():
            setattr(go.Figure, name, original)
    return ", ".join(f"{v} {k}" for k, v in counts.items() if v)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--windows", type=int, default=5)
    parser.add_argument("--top", type=int, default=18)
    args = parser.parse_args()
    main(args.n, args.windows, args.top)
