"""What the browser needs to play a time window forward without asking the server.

Playback shows one frame per step of the window. Asking the server for each frame
costs a round trip, a new figure and a full Plotly redraw (about 1.5 frames/s at
100k incidents). Instead the browser gets, once per set of filters, every matching
incident as compact arrays (day, lon, lat, type, marker size) and every zone
version with its days, and draws each frame itself (assets/playback.js).

The frames themselves (which windows, in which order) come from the server too:
``dashboard.analysis.frames`` is the one stepping rule, shared with the GIF, so the browser
never computes a window itself.

Above ``PLAYBACK_MAX_POINTS`` matching incidents the arrays would be too big to
send and to draw, and the browser falls back to one server redraw per frame.
"""

from __future__ import annotations

import base64

import numpy as np
import pandas as pd

from dashboard.analysis.frames import frame_windows, thin
from dashboard.analysis.viewdata import ViewData
from dashboard.analysis.viewstate import ViewState
from dashboard.views import palette
from dashboard.views.figures import marker_size

PLAYBACK_MAX_POINTS = 250_000   # about 3 MB to send; more falls back to server frames
OPEN_END = 10**7                # day offset standing for "no end" (and minus: "no start")
MAX_BROWSER_FRAMES = 2000       # more (day steps over years) keeps that many, evenly spaced


def _b64(values: np.ndarray, dtype: str) -> str:
    return base64.b64encode(np.ascontiguousarray(values, dtype=dtype).tobytes()).decode("ascii")


def _offsets(days: pd.Series, first: pd.Timestamp, missing: int) -> list[int]:
    """Days after ``first`` (the slider's 0); ``missing`` where there is no date."""
    normal = days.dt.normalize()
    return [missing if pd.isna(d) else int((d - first).days) for d in normal]


def zone_features(view: ViewData) -> dict:
    """Every zone version as a GeoJSON feature with the days it is in force (slider
    offsets, both ends included), its status and colour. Texts are drawn on a canvas
    (never read as HTML), so they are sent as they are."""
    zones = view.zones
    if not len(zones):
        return {"type": "FeatureCollection", "features": []}
    first = pd.Timestamp(view.span[0])
    starts = _offsets(zones["valid_from"], first, -OPEN_END)
    ends = _offsets(zones["valid_to"], first, OPEN_END)
    labels = zones.geometry.representative_point()  # where the map writes the names
    features = [
        {"type": "Feature", "geometry": row.geometry.__geo_interface__,
         "properties": {"from": start, "to": end, "colour": palette.status_colour(row.status),
                        "status": palette.status_label(row.status), "name": row.name,
                        "label": [round(point.x, 5), round(point.y, 5)]}}
        for row, start, end, point in zip(zones.itertuples(index=False), starts, ends, labels,
                                          strict=True)]
    return {"type": "FeatureCollection", "features": features}


def frame_offsets(view: ViewData, state: ViewState,
                  max_frames: int = MAX_BROWSER_FRAMES) -> list[list[int]]:
    """The frames of the state's range and playback settings (``dashboard.analysis.frames``) as
    [first, last] day offsets from the span's first day (the slider's 0)."""
    first = view.span[0]
    windows = frame_windows(state.start or view.default.start, state.end or view.default.end,
                            step=state.play_step, window_days=state.play_window,
                            mode=state.play_mode)
    return [[(lo - first).days, (hi - first).days] for lo, hi in thin(windows, max_frames)]


def playback_payload(view: ViewData, state: ViewState,
                     limit: int = PLAYBACK_MAX_POINTS) -> dict:
    """The incidents the state's filters keep over the whole span (the window is what
    playback moves), sorted by day, as base64 little-endian arrays:

    ``day`` int32 slider offsets, ``lon``/``lat`` float32, ``type`` uint16 index into
    ``colours``, ``size`` uint8 marker diameter in px (as on the server's map). With
    more than ``limit`` incidents only ``too_many``, the count and the frames are sent.

    ``frames`` lists every frame's [first, last] offsets, in order: the browser shows
    exactly these (see ``frame_offsets``)."""
    index = view.index
    positions = index.select(state, ignore_window=True)
    n = len(positions)
    payload: dict = {"n": n, "limit": limit, "too_many": n > limit,
                     "first": view.span[0].isoformat(),
                     "as_of": (state.as_of - view.span[0]).days if state.as_of else None,
                     "frames": frame_offsets(view, state)}
    if n > limit:
        return payload
    first = np.datetime64(pd.Timestamp(view.span[0]), "D").astype("int64")
    types = index.categories["event_type"]
    payload.update({
        "day": _b64(index.days[positions].astype("int64") - first, "<i4"),
        "lon": _b64(index.lon[positions], "<f4"),
        "lat": _b64(index.lat[positions], "<f4"),
        "type": _b64(index.codes["event_type"][positions], "<u2"),
        "size": _b64(np.rint(marker_size(index.fatalities[positions])), "u1"),
        "colours": [palette.type_colour(t) for t in types],
        "types": types,  # drawn as canvas text (never HTML), so not escaped
        "legend": [types.index(t) for t in view.type_order if t in types],  # as the map's
        "zones": zone_features(view),
    })
    return payload
