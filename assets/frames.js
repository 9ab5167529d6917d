// ZoneWatch playback order: which of the server's frames comes next.
//
// The frames themselves (the windows, in order) come from the server with the playback
// data (dashboard/analysis/frames.py is the one stepping rule, shared with the GIF); this file
// only walks through them. Pure functions, unit-tested with `node --test tests/js`.
// Frames and ranges are [first, last] slider offsets (days after the data's first day).
(function (root) {
  "use strict";

  function sameWindow(a, b) {
    return Boolean(a && b) && a.length === 2 && b.length === 2 && a[0] === b[0] &&
      a[1] === b[1];
  }

  // What a press on Play plays: the range playback paused in, from after the frame it
  // paused on, when the slider still shows that frame; else the slider's window, from
  // its start. ``paused`` is {range, frame} or null.
  function playFrom(paused, value) {
    if (paused && sameWindow(paused.frame, value)) {
      return {range: paused.range.slice(), after: paused.frame[1]};
    }
    return {range: value.slice(), after: null};
  }

  // The index of the first frame to show: the first that ends after ``after`` (the
  // frame paused on), or the first frame when there is none or nothing was paused.
  function startIndex(frames, after) {
    if (after === null || after === undefined) return 0;
    const i = frames.findIndex((f) => f[1] > after);
    return i < 0 ? 0 : i;
  }

  // The frame after ``index``, or -1 at the end.
  function nextIndex(frames, index) {
    return index + 1 < frames.length ? index + 1 : -1;
  }

  const api = {sameWindow: sameWindow, playFrom: playFrom, startIndex: startIndex,
               nextIndex: nextIndex};
  if (typeof module === "object" && module.exports) module.exports = api;
  else root.zonewatchFrames = api;
})(typeof window !== "undefined" ? window : globalThis);
