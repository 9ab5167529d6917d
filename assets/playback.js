// ZoneWatch playback: advances the date window in the browser, one step per tick.
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  zonewatch: {
    toggle: function (clicks, speed, disabled, value, min, max, windowDays, mode) {
      const ctx = window.dash_clientside.callback_context;
      const byButton = ctx.triggered.length && ctx.triggered[0].prop_id.startsWith("play.");
      const playing = byButton ? disabled : !disabled;  // a click flips the state
      let range = window.dash_clientside.no_update;
      if (byButton && playing && value) {  // starting: rewind if at the end, fit the window
        const width = Math.max(1, parseInt(windowDays || 30, 10));
        let [lo, hi] = value;
        if (hi >= max) { lo = min; hi = Math.min(max, min + width - 1); }
        else if (mode !== "cumulative") { lo = Math.max(min, hi - width + 1); }
        range = [lo, hi];
      }
      return [!playing, playing ? "❚❚ Pause" : "▶ Play", speed || 1000, range];
    },
    step: function (n, value, min, max, unit, windowDays, mode) {
      const stepDays = unit === "day" ? 1 : unit === "month" ? 30 : 7;
      const width = Math.max(1, parseInt(windowDays || 30, 10));
      let lo = value ? value[0] : min;
      let hi = value ? value[1] : min + width - 1;
      if (hi >= max) {  // at the end: stop
        return [window.dash_clientside.no_update, true, "▶ Play"];
      }
      hi = Math.min(max, hi + stepDays);
      lo = mode === "cumulative" ? lo : Math.max(min, hi - width + 1);
      return [[lo, hi], false, "❚❚ Pause"];
    },
  },
});
