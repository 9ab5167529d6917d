// assets/downloads.js: the saved file's name. Run: node --test tests/js/
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");

const downloads = require("../../assets/downloads.js");

test("the file name comes from Content-Disposition, UTF-8 form first", () => {
  assert.equal(downloads.filenameFrom('attachment; filename="view.csv"', "x.csv"), "view.csv");
  assert.equal(downloads.filenameFrom(
    "attachment; filename=\"Idlib May-July-rejected-rows.csv\"; " +
    "filename*=UTF-8''Idlib%20May%E2%80%93July-rejected-rows.csv", "x.csv"),
    "Idlib May–July-rejected-rows.csv");
  assert.equal(downloads.filenameFrom(null, "zonewatch.geojson"), "zonewatch.geojson");
});
