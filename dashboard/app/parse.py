"""Raw component values <-> typed values. No data logic here, only translation.

Everything here comes from the browser, which anyone can script: values of the wrong
type, NaN, infinities, huge numbers and endless lists are clamped or dropped, never
allowed to raise (bounds below and in ``dashboard.analysis.viewstate``).
"""

from __future__ import annotations

import html
from dataclasses import replace
from datetime import date, timedelta

import pandas as pd

from dashboard.analysis import filterspec, windows
from dashboard.analysis.filterspec import finite_number as _number
from dashboard.analysis.viewdata import ViewData
from dashboard.analysis.viewstate import PLAY_SPEEDS, ViewState, play_values
from dashboard.core.errors import FilterError
from dashboard.views.figures import HOVER_ID

MAX_LAT = 85.0511          # MapLibre's Web Mercator limit
MAX_ZOOM = 22.0

#: The controls other than the filters' (``filter_inputs``), by their value's name.
TIME_CONTROLS = ("range", "as_of", "first_day", "last_day", "play_step", "play_window",
                 "play_mode", "play_speed")


def filter_inputs() -> list[str]:
    """The filters' control values by name, in panel order."""
    return [name for spec in filterspec.on_panel() for name in spec.inputs]


def day_to_offset(view: ViewData, day: date) -> int:
    return (day - view.span[0]).days


def offset_to_day(view: ViewData, offset: int | float) -> date:
    return view.span[0] + timedelta(days=int(offset))


def slider_limits(view: ViewData) -> tuple[int, int]:
    return 0, max(1, day_to_offset(view, view.span[1]))


def slider_marks(view: ViewData) -> dict[int, str]:
    """Quarter marks (months for short spans, years for long ones). The first mark and
    every January name the year, so a span inside one year still shows it."""
    first, last = pd.Timestamp(view.span[0]), pd.Timestamp(view.span[1])
    months = (last.year - first.year) * 12 + last.month - first.month
    freq, fmt = ("MS", "%b %Y") if months <= 8 else ("QS", "%b %Y") if months <= 48 else \
        ("YS", "%Y")
    marks = {}
    for stamp in pd.date_range(first.normalize(), last, freq=freq):
        label = stamp.strftime(fmt)
        if freq == "QS" and stamp.month != 1 and marks:
            label = stamp.strftime("%b")
        marks[day_to_offset(view, stamp.date())] = label
    return marks


def _slider_days(view: ViewData, values) -> tuple[date, date]:
    """The range slider's [lo, hi] offsets as days inside the span (the default window
    for anything unreadable)."""
    first, last = slider_limits(view)
    pair = values if isinstance(values, list | tuple) and len(values) == 2 else [None, None]
    lo, hi = (_number(v) for v in pair)
    start = view.default.start if lo is None else offset_to_day(view, min(max(lo, first), last))
    end = view.default.end if hi is None else offset_to_day(view, min(max(hi, first), last))
    return start, end


def _speed_name(value) -> str | None:
    """The link's name ("fast") for the speed control's milliseconds."""
    return next((name for name, ms in PLAY_SPEEDS.items() if ms == value), None)


def read_controls(view: ViewData, values: dict) -> tuple[ViewState, list[str]]:
    """The state the controls show, and what in them was not used as typed (each
    problem names the fix). The state is of the view's default's class."""
    start, end = _slider_days(view, values.get("range"))
    as_of = None
    if values.get("as_of"):
        try:
            as_of = date.fromisoformat(str(values["as_of"])[:10])
        except ValueError:
            as_of = None
    fields, notes = {}, []
    for spec in filterspec.FILTERS:
        read, problems = (spec.read(values, choices=_choices(view, spec)) if spec.needs_choices
                          else spec.read(values))
        fields.update(read)
        notes.extend(problems)
    play = play_values({"step": values.get("play_step"), "window": values.get("play_window"),
                        "mode": values.get("play_mode"),
                        "speed": _speed_name(values.get("play_speed"))})
    return type(view.default)(start=start, end=end, as_of=as_of, **fields, **play), notes


def _choices(view: ViewData, spec) -> list[str]:
    """The values a control that shows every choice offers (``Filter.needs_choices``)."""
    return view.index.options(spec.column)


def state_from_controls(view: ViewData, values: dict) -> ViewState:
    return read_controls(view, values)[0]


def controls_from_state(view: ViewData, state: ViewState) -> dict:
    lo, hi = slider_limits(view)
    start = state.start or view.default.start
    end = state.end or view.default.end
    shown = {}
    for spec in filterspec.on_panel():
        shown.update(spec.show(state, choices=_choices(view, spec)) if spec.needs_choices
                     else spec.show(state))
    return {
        **shown,
        "range": [min(max(day_to_offset(view, start), lo), hi),
                  min(max(day_to_offset(view, end), lo), hi)],
        "as_of": state.as_of.isoformat() if state.as_of else None,
        "first_day": start.isoformat(), "last_day": end.isoformat(),
        "play_step": state.play_step, "play_window": state.play_window,
        "play_mode": state.play_mode, "play_speed": PLAY_SPEEDS[state.play_speed],
    }


def day_text(day: date) -> str:
    """"3 Aug 2017", as the date boxes show it."""
    return f"{day.day} {day:%b} {day.year:04d}"


def _iso_day(value) -> date | None:
    """A day from a date picker ("2018-02-01", maybe with a time), or None."""
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def typed_window(view: ViewData, state: ViewState, first, last) -> tuple[ViewState, list[str]]:
    """``state`` with the window's first and last day as typed in the date boxes.

    A day the boxes cannot give (empty, unreadable) keeps the state's; a day outside
    the data's span is moved to its edge (where the slider can show it) and named in
    the returned problems, with the fix."""
    start, end = _iso_day(first) or state.start, _iso_day(last) or state.end
    problems = []
    lo, hi = view.span
    span = f"{day_text(lo)} to {day_text(hi)}"
    for name, day in (("first", start), ("last", end)):
        if day is not None and not lo <= day <= hi:
            side, edge = ("before", lo) if day < lo else ("after", hi)
            verb = "starts" if name == "first" else "ends"
            problems.append(f"The {name} day {day_text(day)} is {side} the data ({span}), so "
                            f"the window {verb} on {day_text(edge)}. Fix: type a day from "
                            f"{span}.")
    start = None if start is None else min(max(start, lo), hi)
    end = None if end is None else min(max(end, lo), hi)
    return replace(state, start=start, end=end), problems


def camera(lat, lon, zoom) -> dict | None:
    """A camera the map can show: latitude clamped to Web Mercator's, longitude wrapped
    to -180..180, zoom clamped to 0..22; None when any is not a finite number."""
    lat, lon, zoom = _number(lat), _number(lon), _number(zoom)
    if lat is None or lon is None or zoom is None:
        return None
    lon = (lon + 180.0) % 360.0 - 180.0
    return {"center": [round(min(max(lat, -MAX_LAT), MAX_LAT), 4), round(lon, 4)],
            "zoom": round(min(max(zoom, 0.0), MAX_ZOOM), 2)}


def camera_from_relayout(relayout: dict | None) -> dict | None:
    """The map's centre and zoom after the user moved it, or None."""
    if not isinstance(relayout, dict) or "map.center" not in relayout or \
            "map.zoom" not in relayout:
        return None
    center = relayout["map.center"]
    if not isinstance(center, dict):
        return None
    return camera(center.get("lat"), center.get("lon"), relayout["map.zoom"])


def clean_camera(value) -> dict | None:
    """A camera kept in the browser (``ids.CAMERA``), checked again: it can be forged."""
    if not isinstance(value, dict) or not isinstance(value.get("center"), list | tuple) \
            or len(value["center"]) != 2:
        return None
    return camera(value["center"][0], value["center"][1], value.get("zoom"))


def with_camera(state: ViewState, camera: dict | None) -> ViewState:
    camera = clean_camera(camera)
    if not camera:
        return state
    return replace(state, center=tuple(camera["center"]), zoom=camera["zoom"])


def analysis_window(before, after, ring) -> tuple[int, int, float]:
    """(before_days, after_days, ring_km) for the zone panel, as the CLI bounds them:
    days 1..3,650 (empty: 90), ring 0.1..500 km (empty: 25). Raises ``FilterError``
    naming the box and the range for anything else (text, NaN, infinities, negatives)."""
    def read(value, default, low, high, what, whole):
        if value is None or value == "":
            return default
        number = _number(value)
        if number is None or not low <= number <= high or (whole and number != int(number)):
            shown = repr(value[:20]) if isinstance(value, str) else str(value)[:20]
            kind = "a whole number of days" if whole else "a distance in km"
            raise FilterError(f"{what} {shown} is not {kind} from {low:,g} to {high:,g}. "
                              f"Fix: type {kind} in that range.")
        return int(number) if whole else number

    return (read(before, windows.DEFAULT_BEFORE, *windows.WINDOW_DAYS, "Days before", True),
            read(after, windows.DEFAULT_AFTER, *windows.WINDOW_DAYS, "Days after", True),
            read(ring, windows.DEFAULT_RING_KM, *windows.RING_KM, "Ring width", False))


def clicked_zone(click: dict | None, zone_ids: set[str]) -> str | None:
    """The zone id of a click on a zone polygon, else None (a click on a point)."""
    for point in (click or {}).get("points", []):
        location = point.get("location")
        if location in zone_ids:
            return location
    return None


def brushed_range(selected: dict | None) -> tuple[date, date] | None:
    """The dates of a horizontal brush on the histogram."""
    try:
        x0, x1 = (selected or {})["range"]["x"]
        return pd.Timestamp(x0).date(), pd.Timestamp(x1).date()
    except (KeyError, TypeError, ValueError):
        return None


def selected_ids(selected: dict | None) -> list[str] | None:
    """Incident ids inside a lasso/box selection on the map (None: no selection)."""
    if not selected or not selected.get("points"):
        return None
    out = []
    for point in selected["points"]:
        custom = point.get("customdata")
        if isinstance(custom, list) and len(custom) == HOVER_ID + 1:  # an incident's
            out.append(html.unescape(str(custom[HOVER_ID])))  # the hover shows it escaped
    return out
