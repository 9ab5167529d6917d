// assets/views.js: the window's words, as the server writes them. Run: node --test tests/js/
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");

const views = require("../../assets/views.js");

test("a window in words counts both of its days", () => {
  const label = views.windowLabel(views.parse("2017-08-03"), views.parse("2017-09-01"));
  assert.equal(label, "3 Aug 2017 – 1 Sep 2017 (30 days)");
  assert.equal(views.windowLabel(views.parse("2020-02-28"), views.parse("2020-03-01")),
               "28 Feb 2020 – 1 Mar 2020 (3 days)");
});

test("long windows group their thousands; a timestamp reads as its day", () => {
  assert.equal(views.windowLabel(views.parse("2011-01-01T00:00:00"), views.parse("2020-12-31")),
               "1 Jan 2011 – 31 Dec 2020 (3,653 days)");
});

test("a tab's store gets the view state only while that tab is open and the state is new", () => {
  assert.equal(views.gated("terms", "?a", "terms", "?b"), "?a");
  assert.equal(views.gated("terms", "?a", "table", "?b"), undefined);
  assert.equal(views.gated("terms", "?a", "terms", "?a"), undefined);
});
