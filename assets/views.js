// ZoneWatch views that follow the window in the browser, with no server round trip.
// The date words are pure functions, unit-tested under Node (tests/js/views.test.js).
(function (root) {
  "use strict";
  const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
                  "Nov", "Dec"];
  const DAY_MS = 86400000;

  function parse(iso) { return Date.parse(iso.slice(0, 10) + "T00:00:00Z"); }

  function dayText(ms) {
    const t = new Date(ms);
    return t.getUTCDate() + " " + MONTHS[t.getUTCMonth()] + " " + t.getUTCFullYear();
  }

  // "3 Aug 2017 – 1 Sep 2017 (30 days)" for two UTC midnights (also used by playback.js).
  function windowLabel(first, last) {
    const days = Math.round((last - first) / DAY_MS) + 1;
    return dayText(first) + " – " + dayText(last) + " (" + days.toLocaleString("en-US") +
      " days)";
  }

  // The view state for a tab's store: passed on only while that tab is open and the
  // state is new (undefined: keep what the store has).
  function gated(tab, state, openTab, current) {
    return openTab !== tab || state === current ? undefined : state;
  }

  if (typeof module !== "undefined" && module.exports) {
    module.exports = {parse: parse, dayText: dayText, windowLabel: windowLabel, DAY_MS: DAY_MS,
                      gated: gated};
    return;
  }
  const adapter = root.zonewatchAdapter;  // assets/adapter.js: ids from dashboard/app/ids.py
  window.zonewatchDates = {windowLabel: windowLabel, DAY_MS: DAY_MS};

  // "Copy link": a click on the words works as one on the clipboard icon beside them.
  document.addEventListener("click", (event) => {
    if (!event.target.closest || !event.target.closest(".zw-copy-text")) return;
    const icon = document.getElementById(adapter.ids().COPY_LINK);
    if (icon) { event.preventDefault(); icon.click(); }
  });

  function gateFor(tab) {
    return function (state, openTab, current) {
      const passed = gated(tab, state, openTab, current);
      return passed === undefined ? window.dash_clientside.no_update : passed;
    };
  }

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    zonewatch_views: {
      // "3 Aug 2017 – 1 Sep 2017 (30 days)", and the histogram's shaded window
      // (its first shape, see dashboard.views.figures.histogram_figure) moved to it.
      window: function (win, figure) {
        const noUpdate = window.dash_clientside.no_update;
        if (!win || win.length !== 2) return [noUpdate, noUpdate];
        const first = parse(win[0]), last = parse(win[1]);
        const label = windowLabel(first, last);
        const shapes = figure && figure.layout && figure.layout.shapes;
        if (!shapes || !shapes.length) return [label, noUpdate];
        const patch = new window.dash_clientside.Patch()
          .assign(["layout", "shapes", 0, "x0"], win[0].slice(0, 10))
          .assign(["layout", "shapes", 0, "x1"],
                  new Date(last + DAY_MS).toISOString().slice(0, 10));
        return [label, patch.build()];
      },

      // The state, passed on only while a tab is open (and only when new), so a slider
      // move asks the server for nothing that tab shows while it is closed.
      gate_table: gateFor("table"),
      gate_terms: gateFor("terms"),
      gate_sources: gateFor("sources"),
    },
  });
})(typeof window !== "undefined" ? window : globalThis);
