// assets/adapter.js: Web Mercator against the table dashboard/core/mercator.py is checked
// against too (mercator_cases.json, read by tests/test_mercator.py), and the trace and
// layer look-ups by role. Run: node --test tests/js/
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");

const adapter = require("../../assets/adapter.js");
const cases = JSON.parse(fs.readFileSync(path.join(__dirname, "mercator_cases.json"), "utf8"));
const near = (got, want, tol, what) =>
  assert.ok(Math.abs(got - want) <= tol, `${what}: ${got} is not ${want} (within ${tol})`);

for (const c of cases.points) {
  test(`mercator: ${c.id} in world coordinates`, () => {
    near(adapter.mercX(c.lon), c.x, cases.tolerance, "x");
    near(adapter.mercY(c.lat), c.y, cases.tolerance, "y");
  });
  if (Math.abs(c.lat) < 85) {
    test(`mercator: ${c.id} back from world coordinates`, () => {
      const [lon, lat] = adapter.lonLat(c.x, c.y);
      near(lon, c.lon, 1e-7, "lon");
      near(lat, c.lat, 1e-7, "lat");
    });
  }
}

for (const c of cases.zooms) {
  test(`mercator: the world's width at zoom ${c.zoom}`, () => {
    near(adapter.worldPx(c.zoom), c.world_px, c.world_px * cases.tolerance, "px");
    near(360 / adapter.worldPx(c.zoom), c.deg_per_px, c.deg_per_px * cases.tolerance, "deg");
  });
}

// Two traces as plotly.js keeps them drawn: _input is the figure's own trace.
const drawn = [
  {uid: "a1", _input: {name: "Zone: In effect", meta: {role: "zones"}}},
  {uid: "b2", _input: {name: "anything at all", meta: {role: "zone-labels"}}},
  {uid: "c3", _input: {name: "towns", meta: {role: "towns"}}},
  {uid: "d4", _input: {name: "zone labels"}},  // a label alone is no role
];

test("a trace's role is its meta's, never its legend label", () => {
  assert.deepEqual(drawn.map(adapter.roleOf), ["zones", "zone-labels", "towns", null]);
  assert.equal(adapter.roleOf({meta: {role: "towns"}}), "towns");  // a figure's own trace
  assert.equal(adapter.roleOf({meta: ["not", "a", "role"]}), null);
  assert.equal(adapter.roleOf(undefined), null);
});

test("the map layers of the traces of some roles", () => {
  const traces = adapter.tracesWithRoles(drawn, ["zones", "zone-labels"]);
  assert.deepEqual(traces.map((t) => t.uid), ["a1", "b2"]);
  const layers = ["water", "plotly-trace-layer-a1-fill", "plotly-trace-layer-a1-line",
                  "plotly-trace-layer-b2-symbol", "plotly-trace-layer-c3-circle",
                  "plotly-trace-layer-a10-fill"];
  assert.deepEqual(adapter.traceLayerIds(layers, traces),
                   ["plotly-trace-layer-a1-fill", "plotly-trace-layer-a1-line",
                    "plotly-trace-layer-b2-symbol"]);
});

test("ids and roles come from the page's contract", () => {
  adapter.setContract({ids: {MAP: "map"}, roles: {TOWNS: "towns"}, playbackReplaces: ["zones"]});
  assert.equal(adapter.ids().MAP, "map");
  assert.equal(adapter.roles().TOWNS, "towns");
  assert.deepEqual(adapter.playbackReplaces(), ["zones"]);
  adapter.setContract(null);
  assert.throws(() => adapter.ids(), /data-zw-contract/);
});
