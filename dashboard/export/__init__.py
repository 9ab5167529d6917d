"""Exports: slide-ready briefing images (``briefing``) rendered offline (``render``).

Presentation layer: plotly and kaleido, never dash. ``snapshot`` is the one entry
point the app's Export button and ``zonewatch snapshot`` share, so both give the same
image for the same view.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

from dashboard.analysis.viewdata import ViewData
from dashboard.analysis.viewstate import ViewState
from dashboard.export.briefing import FORMATS, SIZES, Size, briefing_figure, parse_size

__all__ = ["FORMATS", "SIZES", "Size", "briefing_figure", "parse_size", "snapshot"]


def made_now() -> datetime:
    """Now, or the time in ``SOURCE_DATE_EPOCH`` (reproducible images: same view, same bytes)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=UTC)
    return datetime.now().astimezone()


def snapshot(view: ViewData, state: ViewState, *, fmt: str, size: str | Size = "16:9",
             title: str | None = None, link: str | None = None, made_at: datetime | None = None,
             budget: int | None = None, include_histogram: bool = True,
             include_numbers: bool = False, renderer=None) -> bytes:
    """The briefing image of one view as PNG, SVG or PDF bytes (see ``Size`` for what
    the size means in each format). ``renderer`` replaces ``render.render`` (the app
    passes its export queue's, which renders in a separate process)."""
    from dashboard.export.render import render

    size = parse_size(size) if isinstance(size, str) else size
    fig = briefing_figure(view, state, size=size, title=title, link=link,
                          made_at=made_at or made_now(), budget=budget,
                          include_histogram=include_histogram, include_numbers=include_numbers)
    return (renderer or render)(fig, fmt, size.width, size.height, size.scale_for(fmt))
