"""Raw component values <-> typed values. No data logic here, only translation."""

from __future__ import annotations

import html
from dataclasses import replace
from datetime import date, timedelta

import pandas as pd

from dashboard.figures import HOVER_ID
from dashboard.state import ViewState
from dashboard.viewdata import ViewData

CONTROLS = ("types", "sub_types", "actors", "zones", "inside", "precisions", "fat_min",
            "fat_max", "sources", "text", "range", "as_of")


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


def _tuple(values) -> tuple[str, ...]:
    return tuple(str(v) for v in (values or []) if v not in (None, ""))


def _int(value) -> int | None:
    try:
        return None if value in (None, "") else max(0, int(value))
    except (TypeError, ValueError):
        return None


def state_from_controls(view: ViewData, values: dict) -> ViewState:
    lo, hi = values.get("range") or [None, None]
    start = offset_to_day(view, lo) if lo is not None else view.default.start
    end = offset_to_day(view, hi) if hi is not None else view.default.end
    as_of = None
    if values.get("as_of"):
        try:
            as_of = date.fromisoformat(str(values["as_of"])[:10])
        except ValueError:
            as_of = None
    return ViewState(
        start=start, end=end, as_of=as_of, types=_tuple(values.get("types")),
        sub_types=_tuple(values.get("sub_types")), actors=_tuple(values.get("actors")),
        zones=_tuple(values.get("zones")), inside_only=bool(values.get("inside")),
        precisions=_tuple(values.get("precisions")), fat_min=_int(values.get("fat_min")),
        fat_max=_int(values.get("fat_max")), sources=_tuple(values.get("sources")),
        text=str(values.get("text") or "").strip()[:200],
    )


def controls_from_state(view: ViewData, state: ViewState) -> dict:
    lo, hi = slider_limits(view)
    start = state.start or view.default.start
    end = state.end or view.default.end
    return {
        "types": list(state.types), "sub_types": list(state.sub_types),
        "actors": list(state.actors), "zones": list(state.zones),
        "inside": ["inside"] if state.inside_only else [],
        "precisions": list(state.precisions), "fat_min": state.fat_min,
        "fat_max": state.fat_max, "sources": list(state.sources), "text": state.text,
        "range": [min(max(day_to_offset(view, start), lo), hi),
                  min(max(day_to_offset(view, end), lo), hi)],
        "as_of": state.as_of.isoformat() if state.as_of else None,
    }


def camera_from_relayout(relayout: dict | None) -> dict | None:
    """The map's centre and zoom after the user moved it, or None."""
    if not relayout or "map.center" not in relayout or "map.zoom" not in relayout:
        return None
    center = relayout["map.center"]
    try:
        return {"center": [round(float(center["lat"]), 4), round(float(center["lon"]), 4)],
                "zoom": round(float(relayout["map.zoom"]), 2)}
    except (KeyError, TypeError, ValueError):
        return None


def with_camera(state: ViewState, camera: dict | None) -> ViewState:
    if not camera:
        return state
    return replace(state, center=tuple(camera["center"]), zoom=camera["zoom"])


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
