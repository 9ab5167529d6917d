// assets/frames.js walks through the server's frames exactly as dashboard/analysis/frames.py
// lists them: the same table (frame_cases.json) is read by tests/test_frames.py.
// Run: node --test tests/js/   (tests/test_js.py runs it with the Python suite).
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");

const frames = require("../../assets/frames.js");
const {cases} = JSON.parse(fs.readFileSync(path.join(__dirname, "frame_cases.json"), "utf8"));
const DAY_MS = 86400000;

// The payload's form: [first, last] day offsets (here from the range's first day).
function offsets(c) {
  const origin = Date.parse(c.start + "T00:00:00Z");
  const off = (iso) => Math.round((Date.parse(iso + "T00:00:00Z") - origin) / DAY_MS);
  return {range: [0, off(c.end)], list: c.frames.map(([a, b]) => [off(a), off(b)])};
}

// What the browser shows from Play to the end: each frame, then the slider's value.
function playThrough(list, paused, value) {
  const plan = frames.playFrom(paused, value);
  const shown = [];
  let index = frames.startIndex(list, plan.after) - 1;
  while ((index = frames.nextIndex(list, index)) >= 0) shown.push(list[index]);
  return {shown: shown, slider: plan.range};
}

for (const c of cases) {
  test(`${c.id}: plays every frame of the range in order, then shows the range`, () => {
    const {range, list} = offsets(c);
    const {shown, slider} = playThrough(list, null, range);
    assert.deepEqual(shown, list);
    assert.equal(shown[0][0], 0);  // the first frame starts on the range's first day
    assert.equal(shown[shown.length - 1][1], range[1]);  // the last ends on its last day
    assert.deepEqual(slider, range);
  });

  test(`${c.id}: Play after a pause goes on from the next frame, in the same range`, () => {
    const {range, list} = offsets(c);
    list.forEach((frame, k) => {
      const {shown, slider} = playThrough(list, {range: range, frame: frame}, frame.slice());
      assert.deepEqual(slider, range);
      assert.deepEqual(shown, k + 1 < list.length ? list.slice(k + 1) : list);
    });
  });
}

test("a slider moved after a pause starts a new range from its start", () => {
  const plan = frames.playFrom({range: [0, 88], frame: [28, 57]}, [10, 40]);
  assert.deepEqual(plan, {range: [10, 40], after: null});
  assert.deepEqual(frames.playFrom(null, [3, 9]), {range: [3, 9], after: null});
});

test("new settings after a pause go on from the first frame ending later", () => {
  const weekly = [[0, 29], [3, 32], [10, 39], [17, 46]];
  assert.equal(frames.startIndex(weekly, 30), 1);  // paused on a frame ending on day 30
  assert.equal(frames.startIndex(weekly, 46), 0);  // paused on the last: from the start
  assert.equal(frames.startIndex(weekly, null), 0);
});

test("sameWindow compares two [first, last] pairs", () => {
  assert.equal(frames.sameWindow([1, 2], [1, 2]), true);
  assert.equal(frames.sameWindow([1, 2], [1, 3]), false);
  assert.equal(frames.sameWindow(null, [1, 2]), false);
  assert.equal(frames.sameWindow([1], [1]), false);
});

test("nextIndex stops at the end", () => {
  assert.equal(frames.nextIndex([[0, 1]], -1), 0);
  assert.equal(frames.nextIndex([[0, 1]], 0), -1);
  assert.equal(frames.nextIndex([], -1), -1);
});
