"""The playback as an animated GIF: one briefing image per frame, the date on each.

The frames are the browser's (``dashboard.analysis.frames``: one rule for both), so a link's
playback and its GIF show the same windows.

Frames are PNGs from the same renderer as ``snapshot`` (one kaleido browser for all
of them), joined with Pillow.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from dashboard.analysis.frames import frame_windows, thin
from dashboard.analysis.viewdata import ViewData
from dashboard.analysis.viewstate import ViewState
from dashboard.core.errors import ZoneWatchError
from dashboard.export.briefing import SIZES, Size, briefing_figure, pixels
from dashboard.export.render import render


def frame_size(text: str) -> Size:
    """'1280x720' (pixels), '16:9' or 'a4'. Small frames keep the slide's 960 px layout
    and render it at a lower scale, so text stays legible."""
    key = text.strip().lower()
    if key in SIZES:
        return SIZES[key]
    width, height = pixels(key)
    if not (320 <= width <= 4000 and 180 <= height <= 4000):
        raise ZoneWatchError(f"frame size '{text}' is not WIDTHxHEIGHT between 320x180 and "
                             "4000x4000. Fix: use e.g. --size 1280x720.")
    scale = min(2.0, width / 960)
    return Size(f"{width}x{height}", round(width / scale), round(height / scale), scale, scale)


def frame_states(view: ViewData, state: ViewState, *, step: str | None = None,
                 window_days: int | None = None, cumulative: bool | None = None,
                 max_frames: int = 60) -> list[ViewState]:
    """One state per frame, the browser's frames for the state's range
    (``dashboard.analysis.frames.frame_windows``). Step, window and mode default to the state's
    (its link's ``step``, ``window``, ``mode``). More than ``max_frames`` keeps that many,
    evenly spaced, first and last included. Zones are drawn as of each frame's last day
    unless the state fixes the day, as in the browser."""
    mode = state.play_mode if cumulative is None else ("cumulative" if cumulative else "sliding")
    windows = frame_windows(state.start or view.default.start, state.end or view.default.end,
                            step=step or state.play_step,
                            window_days=window_days or state.play_window, mode=mode)
    return [replace(state, start=first, end=last) for first, last in thin(windows, max_frames)]


def animate_gif(view: ViewData, states: list[ViewState], *, size: Size, title: str | None = None,
                link: str | None = None, delay_ms: int = 700, include_histogram: bool = True,
                include_numbers: bool = False, made_at: datetime | None = None,
                progress: Callable[[int], object] | None = None) -> bytes:
    """The frames as one looping GIF (the last frame held three times as long)."""
    from PIL import Image

    from dashboard.export import made_now

    made_at = made_at or made_now()
    frames = []
    for frame_state in states:
        fig = briefing_figure(view, frame_state, size=size, title=title, link=link,
                              made_at=made_at, include_histogram=include_histogram,
                              include_numbers=include_numbers, date_stamp=True)
        png = render(fig, "png", size.width, size.height, size.png_scale)
        frames.append(Image.open(io.BytesIO(png)).convert("RGB").quantize(
            colors=255, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE))
        if progress:
            progress(1)
    if not frames:
        raise ZoneWatchError("no frames to animate. Fix: choose dates with at least one step.")
    out = io.BytesIO()
    durations = [delay_ms] * (len(frames) - 1) + [delay_ms * 3]
    frames[0].save(out, format="GIF", save_all=True, append_images=frames[1:],
                   duration=durations, loop=0, optimize=False, disposal=1)
    return out.getvalue()
