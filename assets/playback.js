// ZoneWatch playback: the date window moves through the chosen range, one frame a tick.
//
// On Play the browser fetches, once per set of filters and range, every matching
// incident as compact arrays and the list of frames (/zonewatch/playback, see
// dashboard/views/playback_data.py; the frames follow dashboard/analysis/frames.py, the rule the GIF uses
// too, and assets/frames.js only walks through them). It then draws each
// frame itself, on a canvas laid over the map in place of the map's own incident and
// zone layers: the window's incidents (coloured by type, sized by fatalities, as on the
// map) and the zones in force. The map underneath is not redrawn for a frame, which
// keeps playback fluid even where WebGL is software-rendered. A step waits until the
// previous frame is on screen. On Pause the slider takes the frame shown and the server
// redraws every view for it (Play again goes on from there); at the end the slider
// goes back to the chosen range. With too many incidents each step moves the slider
// instead and the server redraws the views, as for a manual move.
//
// The pure parts (decoding the payload, which incidents and zones a window shows, the
// legend's rows, the flat projection) come first and are unit-tested under Node
// (tests/js/playback.test.js); element ids, trace roles, Web Mercator and Plotly's and
// MapLibre's insides come from assets/adapter.js.
(function (root) {
  "use strict";
  const inNode = typeof module !== "undefined" && module.exports;
  const adapter = inNode ? require("./adapter.js") : root.zonewatchAdapter;
  const {mercX, mercY} = adapter;

  function decode(text, Type) {
    const bin = atob(text);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return new Type(bytes.buffer);
  }

  // The server's payload as arrays in world coordinates (see playback_data.py).
  function prepare(p) {
    const lon = decode(p.lon, Float32Array), lat = decode(p.lat, Float32Array);
    const x = new Float64Array(p.n), y = new Float64Array(p.n);
    for (let i = 0; i < p.n; i++) { x[i] = mercX(lon[i]); y[i] = mercY(lat[i]); }
    const zones = p.zones.features.map((f) => {
      const polygons = f.geometry.type === "Polygon" ? [f.geometry.coordinates]
        : f.geometry.coordinates;
      const rings = [];
      for (const polygon of polygons) {
        for (const ring of polygon) rings.push(ring.map(([a, b]) => [mercX(a), mercY(b)]));
      }
      const [lx, ly] = f.properties.label || [0, 0];
      return {from: f.properties.from, to: f.properties.to, colour: f.properties.colour,
              status: f.properties.status, name: f.properties.name, rings: rings,
              x: mercX(lx), y: mercY(ly)};
    });
    return {day: decode(p.day, Int32Array), x: x, y: y, lon: lon, lat: lat,
            type: decode(p.type, Uint16Array), size: decode(p.size, Uint8Array),
            colours: p.colours, names: p.types, order: p.legend || p.types.map((_, i) => i),
            zones: zones, first: Date.parse(p.first + "T00:00:00Z"),
            asOf: p.as_of};
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

  // The zones a window [lo, hi] shows: those in force on its last day, or on the
  // payload's "as of" day when the controls fix one.
  function zonesInForce(data, hi) {
    const day = data.asOf === null || data.asOf === undefined ? hi : data.asOf;
    return data.zones.filter((z) => z.from <= day && day <= z.to);
  }

  // The frame's key, entry by entry, as the map's key reads (one row under the map,
  // figures.MAP_LEGEND): the event types among the incidents ``from`` .. ``to`` - 1 in
  // the map's legend order under their title, then the statuses of the zones in force.
  function legendRows(data, zones, from, to) {
    const statuses = new Map(zones.map((z) => [z.status, z.colour]));
    const present = new Set();
    for (let i = from; i < to; i++) present.add(data.type[i]);
    const rows = [];
    if (present.size) rows.push(["title", "Incidents (size: fatalities)"]);
    for (const c of data.order) {
      if (present.has(c)) rows.push(["type", data.names[c], data.colours[c]]);
    }
    for (const [status, colour] of statuses) rows.push(["zone", "Zone: " + status, colour]);
    return rows;
  }

  // Where each key entry goes in a strip ``maxWidth`` px wide: left to right, a new line
  // when the next entry would not fit. ``widthOf(text)`` measures text. Returns
  // {lines, items: [[kind, text, colour, x, line]]}.
  const KEY_SYMBOL = 16, KEY_GAP = 14;
  function keyLayout(rows, widthOf, maxWidth) {
    const items = [];
    let x = 0, line = 0;
    for (const [kind, text, colour] of rows) {
      const width = (kind === "title" ? 0 : KEY_SYMBOL) + widthOf(text) + KEY_GAP;
      if (x > 0 && x + width - KEY_GAP > maxWidth) { x = 0; line += 1; }
      items.push([kind, text, colour, x, line]);
      x += width;
    }
    return {lines: items.length ? line + 1 : 0, items: items};
  }

  // World coordinates to px of a w x h map, north up and flat, centred on (lon, lat).
  function flatProjector(centre, zoom, w, h) {
    const scale = adapter.worldPx(zoom), cx = mercX(centre.lng), cy = mercY(centre.lat);
    return (x, y) => [(x - cx) * scale + w / 2, (y - cy) * scale + h / 2];
  }

  // The map note while playing.
  function playingNote(shown) {
    return shown.toLocaleString("en-US") + (shown === 1 ? " incident" : " incidents") +
      " in this window (playing: hover, counts and the table follow when playback stops).";
  }

  if (inNode) {
    module.exports = {decode: decode, prepare: prepare, bound: bound,
                      zonesInForce: zonesInForce, legendRows: legendRows, keyLayout: keyLayout,
                      flatProjector: flatProjector, playingNote: playingNote};
    return;
  }

  // The browser: the player ----------------------------------------------------------
  const REDRAW_WAIT_MS = 4000;  // server mode: advance anyway if no new map by then
  const ID = adapter.ids;       // ID().MAP is dashboard/app/ids.py's MAP
  const BAND_ID = "zw-play-band";  // the histogram's moving window: an element made here

  // ``list`` holds the server's frames ([first, last] slider offsets, in order),
  // ``index`` the one shown, ``range`` the chosen range they cover, ``paused`` where
  // a pause left them ({range, frame}), so Play goes on from there.
  const player = {
    key: null, data: null, loading: null, mode: "server", running: false, timer: null,
    window: null, speed: 400, frames: 0, drawn: 0, installed: false, playing: false,
    list: null, index: -1, range: null, after: null, paused: null, error: null, before: null,
    lastMapData: null, waitSince: 0, frameMs: [], canvas: null, shown: 0,
  };
  const order = () => window.zonewatchFrames;  // assets/frames.js
  window.zonewatchPlayer = player;  // read by the benchmark and the browser tests
  const hooked = new WeakSet();     // maps and graphs whose events playback listens to

  const graph = () => adapter.graph(ID().MAP);
  const maplibre = adapter.maplibre;

  function label(data, lo, hi) {  // as the server's date label (assets/views.js)
    const day = window.zonewatchDates.DAY_MS;
    return window.zonewatchDates.windowLabel(data.first + lo * day, data.first + hi * day);
  }

  // The data and frames for the filters (``state``), the range and the step, window
  // and mode of the controls (the server reads them as it reads a link).
  function load(state, session, range, settings) {
    const body = {state: state || "", session: session || "", range: range,
                  step: settings.step, window: settings.window, mode: settings.mode};
    const key = JSON.stringify(body);
    if (player.key === key && player.loading) return player.loading;
    if (player.key === key && player.list) return Promise.resolve();
    player.key = key;
    player.data = null;
    player.list = null;
    player.error = null;
    player.mode = "server";
    // The session id goes in the body, never in the URL (proxies log URLs).
    player.loading = fetch("/zonewatch/playback", {
      method: "POST", headers: {"Content-Type": "application/json"}, cache: "no-store",
      body: JSON.stringify(body),
    }).then((r) => r.json()).then((p) => {
      if (player.key !== key) return;
      if (p && Array.isArray(p.frames) && p.frames.length) player.list = p.frames;
      else player.error = (p && p.error) || "no frames for this range";
      if (player.list && !p.too_many && p.day !== undefined) {
        player.data = prepare(p);
        player.mode = "client";
      }
    }).catch(() => { player.error = "the server did not answer"; })
      .finally(() => { if (player.key === key) player.loading = null; });
    return player.loading;
  }

  // The map's own layers that playback replaces are hidden meanwhile. Only layers that
  // were showing are hidden, and only those are shown again: Plotly keeps some of a
  // trace's layers hidden for good (the circles of a text-only trace, say).
  const hiddenLayers = new Set();

  function hideLayers(m, gd) {
    for (const id of adapter.layersOfRoles(gd, m, adapter.playbackReplaces())) {
      if (m.getLayoutProperty(id, "visibility") !== "none") {
        m.setLayoutProperty(id, "visibility", "none");
        hiddenLayers.add(id);
      }
    }
  }

  function showLayers(m) {
    for (const id of hiddenLayers) {
      if (m.getLayer(id)) m.setLayoutProperty(id, "visibility", "visible");
    }
    hiddenLayers.clear();
  }

  function install(m, gd) {
    if (!player.canvas || !player.canvas.isConnected) {
      const canvas = document.createElement("canvas");
      canvas.className = "zw-play-canvas";
      m.getCanvasContainer().appendChild(canvas);
      player.canvas = canvas;
    }
    hideLayers(m, gd);
    showPlotlyKeys(gd, false);
    document.body.classList.add("zw-is-playing");  // the cards and slider say so (CSS)
    player.installed = true;
    // A new figure from the server (a pan, tiles switched on) brings back the map's own
    // layers: hide them again while playback lasts. A pan or zoom redraws the frame.
    if (!hooked.has(gd)) {
      hooked.add(gd);
      gd.on("plotly_afterplot", () => {
        const again = maplibre(gd);
        if (player.installed && again) { install(again, gd); draw(again); }
      });
    }
    if (!hooked.has(m)) {
      hooked.add(m);
      m.on("move", () => { if (player.installed) draw(m); });
    }
  }

  function uninstall() {
    const gd = graph(), m = maplibre(gd);
    player.installed = false;
    if (player.canvas) player.canvas.remove();
    player.canvas = null;
    if (m) showLayers(m);
    if (gd) showPlotlyKeys(gd, true);
    document.body.classList.remove("zw-is-playing");
    unshadeHistogram();
  }

  // The current window's zones and incidents on the overlay canvas, projected as MapLibre
  // projects them (north up, no tilt: the map's own projection is used otherwise).
  function draw(m) {
    const data = player.data, canvas = player.canvas;
    if (!data || !canvas || !player.window) return 0;
    const [lo, hi] = player.window;
    const gl = m.getCanvas();
    const w = gl.clientWidth, h = gl.clientHeight, ratio = window.devicePixelRatio || 1;
    if (canvas.width !== Math.round(w * ratio) || canvas.height !== Math.round(h * ratio)) {
      canvas.width = Math.round(w * ratio);
      canvas.height = Math.round(h * ratio);
      canvas.style.width = w + "px";
      canvas.style.height = h + "px";
    }
    const ctx = canvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, w, h);
    const flat = !m.getBearing() && !m.getPitch();
    const toPx = flat ? flatProjector(m.getCenter(), m.getZoom(), w, h)
      : (x, y) => { const p = m.project(adapter.lonLat(x, y)); return [p.x, p.y]; };
    const zones = zonesInForce(data, hi);
    const outline = (z) => {
      ctx.beginPath();
      for (const ring of z.rings) {
        ring.forEach(([x, y], i) => {
          const [px, py] = toPx(x, y);
          if (i) ctx.lineTo(px, py); else ctx.moveTo(px, py);
        });
        ctx.closePath();
      }
    };
    ctx.globalAlpha = 0.3;
    for (const z of zones) { outline(z); ctx.fillStyle = z.colour; ctx.fill("evenodd"); }
    const from = bound(data.day, lo), to = bound(data.day, hi + 1);
    ctx.globalAlpha = 0.75;  // one path per colour: few fills for thousands of circles
    for (let c = 0; c < data.colours.length; c++) {
      ctx.beginPath();
      let any = false;
      for (let i = from; i < to; i++) {
        if (data.type[i] !== c) continue;
        const [px, py] = toPx(data.x[i], data.y[i]);
        if (px < -30 || py < -30 || px > w + 30 || py > h + 30) continue;
        const r = data.size[i] / 2;
        ctx.moveTo(px + r, py);
        ctx.arc(px, py, r, 0, 2 * Math.PI);
        any = true;
      }
      if (any) { ctx.fillStyle = data.colours[c]; ctx.fill(); }
    }
    ctx.globalAlpha = 1;
    ctx.lineWidth = 2.5;
    for (const z of zones) { outline(z); ctx.strokeStyle = z.colour; ctx.stroke(); }
    ctx.font = "13px Inter, 'Segoe UI', 'Helvetica Neue', Arial, sans-serif";
    ctx.textAlign = "center";
    ctx.lineWidth = 3;
    ctx.strokeStyle = "rgba(255,255,255,0.85)";
    ctx.fillStyle = "#10202c";
    for (const z of zones) {  // the zone names, as the map writes them
      const [px, py] = toPx(z.x, z.y);
      ctx.strokeText(z.name, px, py + 4);
      ctx.fillText(z.name, px, py + 4);
    }
    ctx.textAlign = "start";
    legend(ctx, data, zones, from, to, w, h);
    player.shown = to - from;
    return to - from;
  }

  // What the frame shows, in place of the map's key (hidden while playing): the event
  // types in the window and the statuses of the zones in force, in a strip along the
  // bottom of the map, as few lines high as the map's width allows.
  const KEY_LINE = 17, KEY_PAD = 6;
  function legend(ctx, data, zones, from, to, w, h) {
    const rows = legendRows(data, zones, from, to);
    if (!rows.length) return;
    ctx.font = "11px Inter, 'Segoe UI', 'Helvetica Neue', Arial, sans-serif";
    const layout = keyLayout(rows, (text) => ctx.measureText(text).width, w - 2 * KEY_PAD);
    const top = h - layout.lines * KEY_LINE - KEY_PAD;
    ctx.fillStyle = "rgba(255,255,255,0.9)";
    ctx.fillRect(0, top, w, h - top);
    for (const [kind, text, colour, x0, line] of layout.items) {
      const x = KEY_PAD + x0, y = top + 3 + line * KEY_LINE + 12;
      ctx.fillStyle = "#2a3f5f";
      ctx.fillText(text, kind === "title" ? x : x + KEY_SYMBOL, y);
      if (kind === "zone") {
        ctx.globalAlpha = 0.6;
        ctx.fillStyle = colour;
        ctx.fillRect(x + 1, y - 9, 10, 10);
        ctx.globalAlpha = 1;
      } else if (kind === "type") {
        ctx.fillStyle = colour;
        ctx.beginPath();
        ctx.arc(x + 6, y - 4, 4, 0, 2 * Math.PI);
        ctx.fill();
      }
    }
  }

  // The map's own legend and colour bar describe its last figure, not the frame.
  // (Its hover labels too: they would describe the hidden points.)
  function showPlotlyKeys(gd, visible) {
    for (const el of adapter.keys(gd)) {
      el.style.display = visible ? "" : "none";
    }
    gd.classList.toggle("zw-playing", !visible);
  }

  // The histogram's shaded window follows the frames as a plain box over the plot: a
  // Plotly relayout of its shape would cost about 100 ms a frame. The figure's own band
  // is hidden meanwhile and comes back with the server's redraw when playback stops.
  const histogram = () => adapter.graph(ID().HISTOGRAM);

  function shadeHistogram(data, lo, hi) {
    const gd = histogram();
    const area = adapter.plotArea(gd);
    if (!area) return;
    let band = document.getElementById(BAND_ID);
    if (!band) {
      band = document.createElement("div");
      band.id = BAND_ID;
      band.className = "zw-play-band";
      gd.appendChild(band);
    }
    const shapes = gd.layout && gd.layout.shapes;  // hidden again if a redraw brought it back
    if (shapes && shapes.length && shapes[0].visible !== false && window.Plotly) {
      window.Plotly.relayout(gd, {"shapes[0].visible": false});
    }
    const x0 = area.x(data.first + lo * 86400000);
    const x1 = area.x(data.first + (hi + 1) * 86400000);
    band.style.left = x0 + "px";
    band.style.width = Math.max(1, x1 - x0) + "px";
    band.style.top = area.top + "px";
    band.style.height = area.height + "px";
  }

  function unshadeHistogram() {
    const band = document.getElementById(BAND_ID);
    if (!band) return;
    band.remove();
    const gd = histogram();
    if (gd && window.Plotly) window.Plotly.relayout(gd, {"shapes[0].visible": true});
  }

  const setProps = (id, props) => window.dash_clientside.set_props(id, props);

  // One frame: draw the next window, then wait until MapLibre has it on screen and
  // the speed's interval has passed before the next. No frame is skipped or queued.
  function frame() {
    if (!player.running) return;
    const gd = graph(), m = maplibre(gd);
    if (!m || !m.isStyleLoaded()) { player.timer = setTimeout(frame, 50); return; }
    if (!player.installed) install(m, gd);
    const next = order().nextIndex(player.list, player.index);
    if (next < 0) { finish(); return; }
    player.index = next;
    const win = player.window = player.list[next];
    const started = performance.now();
    const shown = draw(m);
    player.frames += 1;
    setProps(ID().DATE_LABEL, {children: label(player.data, win[0], win[1])});
    setProps(ID().MAP_NOTE, {children: playingNote(shown)});
    shadeHistogram(player.data, win[0], win[1]);
    requestAnimationFrame(() => {  // on screen with this frame's paint
      if (!player.running) return;
      player.drawn += 1;
      player.frameMs.push(Math.round(performance.now() - started));
      if (player.frameMs.length > 200) player.frameMs.shift();
      player.timer = setTimeout(frame, Math.max(0, player.speed - (performance.now() - started)));
    });
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

  // What the slider and the texts showed when Play was pressed (``before``): a window
  // handed back to the slider unchanged makes no server redraw, so the texts playback
  // wrote over are put back here.
  function remember(value) {
    const text = (id) => { const el = document.getElementById(id); return el ? el.textContent : ""; };
    player.before = {value: value.slice(), label: text(ID().DATE_LABEL),
                     note: text(ID().MAP_NOTE)};
  }

  function handBack(win) {
    const before = player.before;
    if (before && order().sameWindow(before.value, win)) {
      setProps(ID().DATE_LABEL, {children: before.label});
      setProps(ID().MAP_NOTE, {children: before.note});
    }
    return win;
  }

  function finish() {  // the end: the slider goes back to the range, the server redraws
    player.playing = false;
    player.paused = null;
    stopFrames();
    setProps(ID().DATE_RANGE, {value: handBack(player.range)});
    setProps(ID().PLAY_TIMER, {disabled: true});
    setProps(ID().PLAY, {children: "▶ Play"});
  }

  const noUpdate = () => window.dash_clientside.no_update;

  // No frames to play (the server refused or did not answer): stop and say why.
  function cannotPlay() {
    player.playing = false;
    setProps(ID().PLAY_TIMER, {disabled: true});
    setProps(ID().PLAY, {children: "▶ Play"});
    setProps(ID().MAP_NOTE, {children: "Playback could not start: " + player.error + "."});
  }

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    zonewatch: {
      toggle: function (clicks, speed, disabled, value, windowDays, mode, state, session,
                        unit) {
        const ctx = window.dash_clientside.callback_context;
        const byButton = ctx.triggered.length && ctx.triggered[0].prop_id.startsWith(ID().PLAY + ".");
        const playing = byButton ? disabled : !disabled;  // a click flips the state
        player.speed = speed || 400;
        let range = noUpdate();
        if (byButton && playing && value) {
          // The slider's window is the range to play, unless it still shows the frame a
          // pause left: then playback goes on in the range it paused in. The slider stays
          // put: the server hears of a frame when playback pauses (or with each step in
          // server mode) and of the range again at the end.
          const plan = order().playFrom(player.paused, value);
          player.range = plan.range;
          player.after = plan.after;
          player.paused = null;
          player.index = -1;
          player.window = null;
          player.lastMapData = null;
          player.playing = true;
          remember(value);
          const settings = {step: unit, window: windowDays, mode: mode};
          load(state, session, plan.range, settings).then(() => {
            if (!player.playing) return;  // paused while the data was on its way
            if (!player.list) { cannotPlay(); return; }
            player.index = order().startIndex(player.list, player.after) - 1;
            if (player.mode === "client" && !player.running) startFrames();
          });
        } else if (byButton && !playing) {
          player.playing = false;
          if (player.list && player.index >= 0) {
            player.paused = {range: player.range, frame: player.list[player.index]};
          }
          if (player.running) {  // pausing: the slider takes the frame, the server redraws
            range = handBack(player.window);
            stopFrames();
          }
        }
        return [!playing, playing ? "❚❚ Pause" : "▶ Play", player.speed, range];
      },

      // Server mode only (too many incidents for the browser): each tick moves the
      // slider once the map has redrawn for the last move.
      step: function () {
        // Only the slider moves here: Play/Pause and the timer belong to toggle, so a tick
        // that lands just after a click on Pause cannot undo it.
        const stay = [noUpdate(), noUpdate(), noUpdate()];
        if (player.loading || player.running || player.mode === "client" || !player.list ||
            !player.playing) return stay;
        const gd = graph();
        const mapData = gd ? gd.data : null;
        const now = Date.now();
        if (player.lastMapData !== null && mapData === player.lastMapData &&
            now - player.waitSince < REDRAW_WAIT_MS) return stay;
        const next = order().nextIndex(player.list, player.index);
        if (next < 0) {  // the end: back to the range
          player.playing = false;
          player.paused = null;
          return [player.range, true, "▶ Play"];
        }
        player.lastMapData = mapData;
        player.waitSince = now;
        player.index = next;
        player.window = player.list[next];
        return [player.window, noUpdate(), noUpdate()];
      },
    },
  });
})(typeof window !== "undefined" ? window : globalThis);
