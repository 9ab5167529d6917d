// ZoneWatch's one door to what Python names and to Plotly's and MapLibre's insides.
//
// * The page's contract: element ids (dashboard/app/ids.py) and trace roles
//   (dashboard/views/roles.py) reach the browser as JSON in the layout root's
//   data-zw-contract attribute (dashboard/app/layout.py), so no JS file types an id or a
//   legend label by hand.
// * Web Mercator as MapLibre draws it: the browser's copy of dashboard/core/mercator.py,
//   both checked against tests/js/mercator_cases.json.
// * The private parts of plotly.js and MapLibre that playback reaches (_fullData,
//   _fullLayout, the map's subplot, trace layer ids, axis internals) live here only:
//   a Plotly upgrade that moves them is mended in this file.
// Loaded first (Dash loads assets/*.js in alphabetical order); under Node it is a module
// (node --test tests/js/).
(function (root) {
  "use strict";

  // Web Mercator --------------------------------------------------------------------
  const WORLD_PX = 512;                  // MapLibre's world width in CSS px at zoom 0
  const MAX_LAT = 85.0511287798066;      // where the square world ends

  function worldPx(zoom) { return WORLD_PX * Math.pow(2, zoom); }

  // World x, y in [0, 1] (MapLibre's world coordinates divided by its size, y down).
  function mercX(lon) { return (lon + 180) / 360; }
  function mercY(lat) {
    const s = Math.sin(Math.max(-MAX_LAT, Math.min(MAX_LAT, lat)) * Math.PI / 180);
    return 0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI);
  }
  function lonLat(x, y) {
    return [x * 360 - 180, Math.atan(Math.sinh(Math.PI * (1 - 2 * y))) * 180 / Math.PI];
  }

  // The page's contract ----------------------------------------------------------------
  let contract = null;

  // Read once from the page (it is there once Dash has drawn the layout); tests set it.
  function setContract(value) { contract = value; }
  function readContract() {
    if (contract) return contract;
    const el = typeof document !== "undefined" && document.querySelector("[data-zw-contract]");
    if (!el) throw new Error("ZoneWatch: the page has no data-zw-contract (ids and roles)");
    contract = JSON.parse(el.dataset.zwContract);
    return contract;
  }
  function ids() { return readContract().ids; }
  function roles() { return readContract().roles; }
  function playbackReplaces() { return readContract().playbackReplaces; }

  // Plotly and MapLibre ----------------------------------------------------------------
  const TRACE_LAYER_PREFIX = "plotly-trace-layer-";  // + trace uid + "-": its map layers

  // The Plotly graph inside a dcc.Graph (by the dcc.Graph's id), or null.
  function graph(id) {
    const el = document.getElementById(id);
    if (!el) return null;
    return el.classList.contains("js-plotly-plot") ? el : el.querySelector(".js-plotly-plot");
  }

  // A trace's role (its meta, as the figure gave it), or null.
  function roleOf(trace) {
    const meta = ((trace && trace._input) || trace || {}).meta;
    return meta && typeof meta === "object" && !Array.isArray(meta) ? meta.role || null : null;
  }

  // The drawn traces (with their uids) whose role is one of ``wanted``.
  function tracesWithRoles(traces, wanted) {
    return (traces || []).filter((t) => wanted.includes(roleOf(t)));
  }

  // Of MapLibre's layer ids, those Plotly made for ``traces``.
  function traceLayerIds(layerIds, traces) {
    const prefixes = traces.map((t) => TRACE_LAYER_PREFIX + t.uid + "-");
    return layerIds.filter((id) => prefixes.some((p) => id.startsWith(p)));
  }

  function drawnTraces(gd) { return (gd && gd._fullData) || []; }

  // The MapLibre map of a Plotly map graph, or null before it is drawn.
  function maplibre(gd) {
    const sub = gd && gd._fullLayout && gd._fullLayout.map && gd._fullLayout.map._subplot;
    return sub ? sub.map : null;
  }

  // The map layers Plotly drew for the traces of these roles.
  function layersOfRoles(gd, m, wanted) {
    return traceLayerIds(m.getStyle().layers.map((l) => l.id),
                         tracesWithRoles(drawnTraces(gd), wanted));
  }

  // The plot area of an x/y graph in px from the graph's corner: x(value) and the
  // top and height of the y axis; null before it is drawn.
  function plotArea(gd) {
    const full = gd && gd._fullLayout;
    const xa = full && full.xaxis, ya = full && full.yaxis;
    if (!xa || !ya) return null;
    return {x: (value) => xa._offset + xa.c2p(value), top: ya._offset, height: ya._length};
  }

  // The graph's legend and colour bars (elements Plotly draws).
  function keys(gd) { return gd.querySelectorAll(".legend, .colorbar"); }

  const api = {
    WORLD_PX: WORLD_PX, MAX_LAT: MAX_LAT, worldPx: worldPx, mercX: mercX, mercY: mercY,
    lonLat: lonLat, setContract: setContract, ids: ids, roles: roles,
    playbackReplaces: playbackReplaces, graph: graph, roleOf: roleOf,
    tracesWithRoles: tracesWithRoles, traceLayerIds: traceLayerIds, maplibre: maplibre,
    layersOfRoles: layersOfRoles, plotArea: plotArea, keys: keys,
  };
  if (typeof module !== "undefined" && module.exports) module.exports = api;
  else root.zonewatchAdapter = api;
})(typeof window !== "undefined" ? window : globalThis);
