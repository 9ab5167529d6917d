// assets/playback.js, the parts that compute: the server's payload decoded, which
// incidents and zones a window shows, the frame's legend and the flat projection.
// Run: node --test tests/js/
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");

const playback = require("../../assets/playback.js");
const adapter = require("../../assets/adapter.js");

const b64 = (typed) => Buffer.from(typed.buffer).toString("base64");
const square = (lon, lat) => [[[lon, lat], [lon + 1, lat], [lon + 1, lat + 1], [lon, lat]]];

// As dashboard/views/playback_data.py sends it: three incidents on days 0, 5, 5.
function payload(asOf) {
  return {
    n: 3, first: "2017-08-01", as_of: asOf,
    lon: b64(new Float32Array([36.5, 36.7, 37.0])), lat: b64(new Float32Array([34.5, 34.9, 35.0])),
    day: b64(new Int32Array([0, 5, 5])), type: b64(new Uint16Array([1, 0, 1])),
    size: b64(new Uint8Array([8, 10, 12])), colours: ["#d62728", "#1f77b4"],
    types: ["Shelling", "Airstrike"], legend: [1, 0],
    zones: {type: "FeatureCollection", features: [
      {type: "Feature", geometry: {type: "Polygon", coordinates: square(36, 34)},
       properties: {from: 0, to: 3, colour: "#2ca02c", status: "In effect", name: "north",
                    label: [36.5, 34.5]}},
      {type: "Feature", geometry: {type: "MultiPolygon", coordinates: [square(37, 35), square(38, 35)]},
       properties: {from: 4, to: 10000000, colour: "#ff7f0e", status: "Violated", name: "east",
                    label: [37.5, 35.5]}},
    ]},
  };
}

test("the payload decodes to days, types, sizes and world coordinates", () => {
  const data = playback.prepare(payload(null));
  assert.deepEqual(Array.from(data.day), [0, 5, 5]);
  assert.deepEqual(Array.from(data.type), [1, 0, 1]);
  assert.deepEqual(Array.from(data.size), [8, 10, 12]);
  assert.equal(data.x[0], adapter.mercX(36.5));
  assert.equal(data.y[1], adapter.mercY(Math.fround(34.9)));
  assert.equal(data.first, Date.UTC(2017, 7, 1));
  assert.deepEqual(data.order, [1, 0]);
  assert.equal(data.zones[1].rings.length, 2);  // a ring per part of a multipolygon
  assert.deepEqual(data.zones[0].rings[0][0], [adapter.mercX(36), adapter.mercY(34)]);
});

test("a window's incidents are a slice of the sorted days, both ends included", () => {
  const days = new Int32Array([0, 5, 5, 9]);
  const slice = (lo, hi) => [playback.bound(days, lo), playback.bound(days, hi + 1)];
  assert.deepEqual(slice(0, 4), [0, 1]);
  assert.deepEqual(slice(5, 5), [1, 3]);
  assert.deepEqual(slice(6, 8), [3, 3]);
  assert.deepEqual(slice(0, 100), [0, 4]);
});

test("the zones shown are those in force on the window's last day, or on the as-of day", () => {
  const names = (data, hi) => playback.zonesInForce(data, hi).map((z) => z.name);
  assert.deepEqual(names(playback.prepare(payload(null)), 3), ["north"]);
  assert.deepEqual(names(playback.prepare(payload(null)), 5), ["east"]);
  assert.deepEqual(names(playback.prepare(payload(2)), 5), ["north"]);  // as of day 2
});

test("the frame's key: the types present, in legend order, then zone statuses (as the map's)", () => {
  const data = playback.prepare(payload(null));
  const zones = playback.zonesInForce(data, 5);
  assert.deepEqual(playback.legendRows(data, zones, 0, 3), [
    ["title", "Incidents (size: fatalities)"], ["type", "Airstrike", "#1f77b4"],
    ["type", "Shelling", "#d62728"], ["zone", "Zone: Violated", "#ff7f0e"]]);
  assert.deepEqual(playback.legendRows(data, [], 1, 2), [
    ["title", "Incidents (size: fatalities)"], ["type", "Shelling", "#d62728"]]);
  assert.deepEqual(playback.legendRows(data, [], 3, 3), []);
});

test("the key flows left to right and starts a new line only when the next entry does not fit", () => {
  const rows = [["title", "Incidents"], ["type", "Airstrike", "#1"], ["zone", "Zone: Violated", "#2"]];
  const widthOf = (text) => text.length * 6;  // Incidents 54, Airstrike 54, Zone: Violated 84
  assert.deepEqual(playback.keyLayout(rows, widthOf, 1000), {lines: 1, items: [
    ["title", "Incidents", undefined, 0, 0], ["type", "Airstrike", "#1", 68, 0],
    ["zone", "Zone: Violated", "#2", 152, 0]]});
  assert.deepEqual(playback.keyLayout(rows, widthOf, 200).items.map((i) => [i[3], i[4]]),
                   [[0, 0], [68, 0], [0, 1]]);  // 152 + 16 + 84 > 200
  assert.deepEqual(playback.keyLayout(rows, widthOf, 10).lines, 3);  // one per line, never none
  assert.deepEqual(playback.keyLayout([], widthOf, 100), {lines: 0, items: []});
});

test("the flat projection puts the centre mid-box and one world width a world apart", () => {
  const toPx = playback.flatProjector({lng: 36.3, lat: 33.5}, 6, 800, 600);
  const [cx, cy] = toPx(adapter.mercX(36.3), adapter.mercY(33.5));
  assert.ok(Math.abs(cx - 400) < 1e-6 && Math.abs(cy - 300) < 1e-6);
  const [fx] = toPx(adapter.mercX(36.3) + 1 / 512, adapter.mercY(33.5));
  assert.ok(Math.abs(fx - 400 - 64) < 1e-6);  // 1/512 of the world at zoom 6: 64 px
});

test("the playing note counts the window's incidents", () => {
  assert.match(playback.playingNote(1), /^1 incident in this window/);
  assert.match(playback.playingNote(12345), /^12,345 incidents in this window/);
});
