// ZoneWatch playback: each tick of the Play timer moves the date window one step.
//
// On Play the browser fetches, once per set of filters, every matching incident as
// compact arrays (/zonewatch/playback, see dashboard/playback.py) and then draws each
// frame itself: the window's incidents and the zones in force go straight into two
// MapLibre sources of the map, in place of the map's own incident and zone layers.
// A step waits until the previous frame is on screen, so frames are never dropped
// half-drawn. When playback stops, the slider takes the last window and the server
// redraws every view for it. With too many incidents (or no answer) each step moves
// the slider instead and the server redraws the views, as for a manual move.
(function () {
  "use strict";
  const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
                  "Nov", "Dec"];
  const POINTS = "zw-play-points", ZONES = "zw-play-zones";
  const LAYERS = ["zw-play-zone-fill", "zw-play-points", "zw-play-zone-line"];
  const EMPTY = {type: "FeatureCollection", features: []};
  const TRACE_PREFIX = "plotly-trace-layer-";
  const REDRAW_WAIT_MS = 4000;  // server mode: advance anyway if no new map by then
  const FRAME_WAIT_MS = 2000;   // browser mode: the next frame anyway if MapLibre is silent

  // The map's own layers that playback replaces (incidents, hexagons, zones).
  const replaced = (t) => t.legendgroup === "types" || t.legendgroup === "zones" ||
    t.name === "Incidents (binned)" || String(t.name || "").startsWith("outline ") ||
    t.name === "zone labels" || t.name === "Selected row" || t.name === "Selected";

  const player = {
    key: null, data: null, loading: null, mode: "server", running: false, timer: null,
    window: null, params: null, speed: 400, frames: 0, drawn: 0, installed: false,
    lastMapData: null, waitSince: 0, frameMs: [], zonesKey: null,
  };
  window.zonewatchPlayer = player;  // read by the benchmark and the browser tests

  function graph() {
    const el = document.getElementById("map");
    if (!el) return null;
    return el.classList.contains("js-plotly-plot") ? el : el.querySelector(".js-plotly-plot");
  }

  function maplibre(gd) {
    const sub = gd && gd._fullLayout && gd._fullLayout.map && gd._fullLayout.map._subplot;
    return sub ? sub.map : null;
  }

  function decode(text, Type) {
    const bin = atob(text);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return new Type(bytes.buffer);
  }

  function prepare(p) {
    const lon = decode(p.lon, Float32Array), lat = decode(p.lat, Float32Array);
    const type = decode(p.type, Uint16Array), size = decode(p.size, Uint8Array);
    const features = new Array(p.n);
    for (let i = 0; i < p.n; i++) {
      features[i] = {type: "Feature", geometry: {type: "Point", coordinates: [lon[i], lat[i]]},
                     properties: {c: p.colours[type[i]], r: size[i] / 2}};
    }
    return {day: decode(p.day, Int32Array), features: features, zones: p.zones.features,
            first: Date.parse(p.first + "T00:00:00Z"), asOf: p.as_of};
  }

  // First index whose day is >= value (days are sorted).
  function bound(days, value) {
    let a = 0, b = days.length;
    while (a < b) {
      const m = (a + b) >> 1;
      if (days[m] < value) a = m + 1; else b = m;
    }
    return a;
  }

  function dayText(data, offset) {
    const t = new Date(data.first + offset * 86400000);
    return t.getUTCDate() + " " + MONTHS[t.getUTCMonth()] + " " + t.getUTCFullYear();
  }

  function label(data, lo, hi) {
    return dayText(data, lo) + " – " + dayText(data, hi) + " (" +
      (hi - lo + 1).toLocaleString("en-US") + " days)";
  }

  function load(state, session) {
    const key = (state || "") + "|" + (session || "");
    if (player.key === key && player.loading) return player.loading;
    if (player.key === key && player.data) return Promise.resolve();
    player.key = key;
    player.data = null;
    player.mode = "server";
    const url = "/zonewatch/playback?" + new URLSearchParams({state: state || "",
                                                              session: session || ""});
    player.loading = fetch(url).then((r) => r.json()).then((p) => {
      if (player.key !== key) return;
      if (p && !p.too_many && !p.error && p.day !== undefined) {
        player.data = prepare(p);
        player.mode = "client";
      }
    }).catch(() => { /* no data: the server draws each frame */ })
      .finally(() => { if (player.key === key) player.loading = null; });
    return player.loading;
  }

  function setVisibility(m, gd, visible) {
    const uids = (gd._fullData || []).filter(replaced).map((t) => TRACE_PREFIX + t.uid + "-");
    for (const layer of m.getStyle().layers) {
      if (uids.some((u) => layer.id.startsWith(u))) {
        m.setLayoutProperty(layer.id, "visibility", visible ? "visible" : "none");
      }
    }
  }

  function install(m, gd) {
    if (!m.getSource(POINTS)) m.addSource(POINTS, {type: "geojson", data: EMPTY});
    if (!m.getSource(ZONES)) {
      m.addSource(ZONES, {type: "geojson", data: EMPTY});
      player.zonesKey = null;
    }
    const towns = (gd._fullData || []).find((t) => t.name === "towns");
    const townLayer = towns && m.getStyle().layers.find(
      (l) => l.id.startsWith(TRACE_PREFIX + towns.uid + "-"));
    const below = townLayer ? townLayer.id : undefined;  // towns stay on top
    if (!m.getLayer(LAYERS[0])) {
      m.addLayer({id: LAYERS[0], type: "fill", source: ZONES,
                  paint: {"fill-color": ["get", "colour"], "fill-opacity": 0.3}}, below);
    }
    if (!m.getLayer(LAYERS[1])) {
      m.addLayer({id: LAYERS[1], type: "circle", source: POINTS,
                  paint: {"circle-color": ["get", "c"], "circle-radius": ["get", "r"],
                          "circle-opacity": 0.75}}, below);
    }
    if (!m.getLayer(LAYERS[2])) {
      m.addLayer({id: LAYERS[2], type: "line", source: ZONES,
                  paint: {"line-color": ["get", "colour"], "line-width": 2.5}}, below);
    }
    setVisibility(m, gd, false);
    if (!player.installed) {
      player.installed = true;
      // A new figure from the server (a pan, tiles switched on) brings back the map's own
      // layers, or a new style drops ours: put playback's back while it lasts.
      gd.on("plotly_afterplot", () => {
        if (!player.installed) return;
        const again = maplibre(gd);
        if (again && again.isStyleLoaded()) {
          install(again, gd);
          if (player.window) show(again, player.window[0], player.window[1]);
        }
      });
    }
  }

  function uninstall() {
    const gd = graph(), m = maplibre(gd);
    player.installed = false;
    if (!m) return;
    for (const id of LAYERS) if (m.getLayer(id)) m.removeLayer(id);
    for (const id of [POINTS, ZONES]) if (m.getSource(id)) m.removeSource(id);
    player.zonesKey = null;
    setVisibility(m, gd, true);
    unshadeHistogram();
  }

  function show(m, lo, hi) {
    const data = player.data;
    const zday = data.asOf === null || data.asOf === undefined ? hi : data.asOf;
    const from = bound(data.day, lo), to = bound(data.day, hi + 1);
    m.getSource(POINTS).setData({type: "FeatureCollection",
                                 features: data.features.slice(from, to)});
    const zones = data.zones.filter((f) => f.properties.from <= zday && zday <= f.properties.to);
    const key = zones.map((f) => data.zones.indexOf(f)).join(",");
    if (key !== player.zonesKey) {  // zones change far less often than frames
      player.zonesKey = key;
      m.getSource(ZONES).setData({type: "FeatureCollection", features: zones});
    }
    return to - from;
  }

  // The histogram's shaded window follows the frames as a plain box over the plot: a
  // Plotly relayout of its shape would cost about 100 ms a frame. The figure's own band
  // is hidden meanwhile and comes back with the server's redraw when playback stops.
  function histogram() {
    const el = document.getElementById("histogram");
    return el && (el.classList.contains("js-plotly-plot") ? el : el.querySelector(".js-plotly-plot"));
  }

  function shadeHistogram(data, lo, hi) {
    const gd = histogram();
    const xa = gd && gd._fullLayout && gd._fullLayout.xaxis;
    const ya = gd && gd._fullLayout && gd._fullLayout.yaxis;
    if (!xa || !ya) return;
    let band = document.getElementById("zw-play-band");
    if (!band) {
      band = document.createElement("div");
      band.id = "zw-play-band";
      band.className = "zw-play-band";
      gd.appendChild(band);
    }
    const shapes = gd.layout && gd.layout.shapes;  // hidden again if a redraw brought it back
    if (shapes && shapes.length && shapes[0].visible !== false && window.Plotly) {
      window.Plotly.relayout(gd, {"shapes[0].visible": false});
    }
    const x0 = xa._offset + xa.c2p(data.first + lo * 86400000);
    const x1 = xa._offset + xa.c2p(data.first + (hi + 1) * 86400000);
    band.style.left = x0 + "px";
    band.style.width = Math.max(1, x1 - x0) + "px";
    band.style.top = ya._offset + "px";
    band.style.height = ya._length + "px";
  }

  function unshadeHistogram() {
    const band = document.getElementById("zw-play-band");
    if (!band) return;
    band.remove();
    const gd = histogram();
    if (gd && window.Plotly) window.Plotly.relayout(gd, {"shapes[0].visible": true});
  }

  function nextWindow(current, min, max, unit, windowDays, mode) {
    const stepDays = unit === "day" ? 1 : unit === "month" ? 30 : 7;
    const width = Math.max(1, parseInt(windowDays || 30, 10));
    let lo = current ? current[0] : min;
    let hi = current ? current[1] : min + width - 1;
    if (hi >= max) return null;  // at the end
    hi = Math.min(max, hi + stepDays);
    lo = mode === "cumulative" ? lo : Math.max(min, hi - width + 1);
    return [lo, hi];
  }

  const setProps = (id, props) => window.dash_clientside.set_props(id, props);

  // One frame: draw the next window, then wait until MapLibre has it on screen and
  // the speed's interval has passed before the next. No frame is skipped or queued.
  function frame() {
    if (!player.running) return;
    const gd = graph(), m = maplibre(gd);
    if (!m || !m.isStyleLoaded()) { player.timer = setTimeout(frame, 50); return; }
    if (!player.installed) install(m, gd);
    const p = player.params;
    const win = nextWindow(player.window, p.min, p.max, p.unit, p.windowDays, p.mode);
    if (!win) { finish(); return; }
    player.window = win;
    const started = performance.now();
    const shown = show(m, win[0], win[1]);
    player.frames += 1;
    setProps("date-label", {children: label(player.data, win[0], win[1])});
    setProps("map-note", {children: shown.toLocaleString("en-US") + (shown === 1
      ? " incident" : " incidents") + " in this window (playing: hover, counts and the " +
      "table follow when playback stops)."});
    shadeHistogram(player.data, win[0], win[1]);
    // The frame is ready once its data is loaded in MapLibre's sources; it is on screen
    // after the render that follows (counted then). The next frame's data is handed to
    // MapLibre right away, so that same render shows this frame while the next loads:
    // one software render per frame instead of two.
    let ready = false;
    const next = () => {
      if (ready || !player.running) return;
      ready = true;
      m.once("render", () => {
        player.drawn += 1;
        player.frameMs.push(Math.round(performance.now() - started));
        if (player.frameMs.length > 200) player.frameMs.shift();
      });
      m.triggerRepaint();
      const wait = Math.max(0, player.speed - (performance.now() - started));
      player.timer = setTimeout(frame, wait);
    };
    const loaded = () => m.isSourceLoaded(POINTS) && m.isSourceLoaded(ZONES);
    const onData = (e) => {
      if ((e.sourceId === POINTS || e.sourceId === ZONES) && e.isSourceLoaded && loaded()) {
        m.off("sourcedata", onData);
        next();
      }
    };
    m.on("sourcedata", onData);
    setTimeout(() => { m.off("sourcedata", onData); next(); }, FRAME_WAIT_MS);  // never stall
  }

  function startFrames() {
    player.running = true;
    frame();
  }

  function stopFrames() {
    player.running = false;
    clearTimeout(player.timer);
    uninstall();
  }

  function finish() {  // the end: the slider takes the last window, the server redraws
    const last = player.window;
    stopFrames();
    setProps("date-range", {value: last});
    setProps("play-timer", {disabled: true});
    setProps("play", {children: "▶ Play"});
  }

  const noUpdate = () => window.dash_clientside.no_update;

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    zonewatch: {
      toggle: function (clicks, speed, disabled, value, min, max, windowDays, mode, state,
                        session, unit) {
        const ctx = window.dash_clientside.callback_context;
        const byButton = ctx.triggered.length && ctx.triggered[0].prop_id.startsWith("play.");
        const playing = byButton ? disabled : !disabled;  // a click flips the state
        player.speed = speed || 400;
        let range = noUpdate();
        if (byButton && playing && value) {  // starting: rewind if at the end, fit the window
          const width = Math.max(1, parseInt(windowDays || 30, 10));
          let [lo, hi] = value;
          if (hi >= max) { lo = min; hi = Math.min(max, min + width - 1); }
          else if (mode !== "cumulative") { lo = Math.max(min, hi - width + 1); }
          // The slider stays put: frames start from here, and the server hears of the
          // window when playback stops (or with each step in server mode).
          player.window = [lo, hi];
          player.params = {min: min, max: max, unit: unit, windowDays: windowDays, mode: mode};
          player.lastMapData = null;
          load(state, session).then(() => {
            if (player.mode === "client" && !player.running) startFrames();
          });
        } else if (byButton && !playing && player.running) {  // pausing: the server takes over
          range = player.window;
          stopFrames();
        }
        return [!playing, playing ? "❚❚ Pause" : "▶ Play", player.speed, range];
      },

      // Server mode only (too many incidents for the browser): each tick moves the
      // slider once the map has redrawn for the last move.
      step: function (n, value, min, max, unit, windowDays, mode) {
        const stay = [noUpdate(), false, "❚❚ Pause"];
        if (player.loading || player.running || player.mode === "client") return stay;
        const gd = graph();
        const mapData = gd ? gd.data : null;
        const now = Date.now();
        if (player.lastMapData !== null && mapData === player.lastMapData &&
            now - player.waitSince < REDRAW_WAIT_MS) return stay;
        const next = nextWindow(player.window || value, min, max, unit, windowDays, mode);
        if (!next) return [noUpdate(), true, "▶ Play"];
        player.lastMapData = mapData;
        player.waitSince = now;
        player.window = next;
        return [next, false, "❚❚ Pause"];
      },
    },
  });
})();
