"""One Plotly figure that briefs a reader who has no other context.

Title, a subtitle with the dates and every active filter in words, the map (zones as
of the chosen day, incidents or their hexagons, offline base layers carried inline),
the legend with a fatalities size key, a scale bar in km, optionally the weekly
histogram strip and the zone panel's before/after sentence, and a footer with the
sources, the time it was made and the link that reproduces the view.

Everything is laid out in CSS pixels of a fixed page (``Size``) and converted to paper
coordinates, so the picture is the same in PNG, SVG and PDF. No dash here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

import numpy as np
import plotly.graph_objects as go

from dashboard.analysis.viewdata import ViewData
from dashboard.analysis.viewstate import ViewState
from dashboard.core import mercator
from dashboard.export.onmap import Camera, Label, drawn, place_labels
from dashboard.export.words import (
    attribution,
    counting_words,
    day_words,
    default_title,
    filter_words,
    numbers_block,
    terms_lines,
    wrap,
)
from dashboard.views import roles
from dashboard.views.figures import FONT, esc, histogram_figure, marker_size

if TYPE_CHECKING:
    from dashboard.views.mapview import MapResult

FORMATS = ("png", "svg", "pdf")
INK, MUTED, WARN = "#1f2a33", "#5b6670", "#b2182b"
APP_VIEW_PX = (1000, 620)  # the dashboard map the camera in a link was chosen on


@dataclass(frozen=True)
class Size:
    """A page: ``width`` x ``height`` in CSS px (the layout). PNG is rendered at
    ``png_scale`` (pixels = layout x scale); SVG and PDF at ``vector_scale``, so their
    declared size is the page asked for (PDF points = CSS px x scale x 0.75)."""

    name: str
    width: int
    height: int
    png_scale: float = 2
    vector_scale: float = 2

    def scale_for(self, fmt: str) -> float:
        return self.png_scale if fmt == "png" else self.vector_scale

    def pixels(self, fmt: str = "png") -> tuple[int, int]:
        scale = self.scale_for(fmt)
        return round(self.width * scale), round(self.height * scale)


#: 16:9 slide (1920 x 1080): PNG at 2x, 3840 x 2160 px (a 960 x 540 layout at 4x), crisp
#: on a projector or a 4K screen; SVG 1920 x 1080; PDF 20 x 11.25 in.
#: A4 landscape: 297 x 210 mm (1123 x 794 CSS px at 96 dpi); PNG 2246 x 1588 px (192 dpi).
SIZES = {"16:9": Size("16:9", 960, 540, 4, 2), "a4": Size("a4", 1123, 794, 2, 1)}


def wrap_esc(text: str, width_px: float, font_px: float, max_lines: int | None = None
             ) -> list[str]:
    """``wrap`` the plain text, then escape each line once for plotly.js (escaping first
    would count "&amp;" as five letters and could cut it in two)."""
    return [esc(line) for line in wrap(text, width_px, font_px, max_lines)]


def pixels(text: str) -> tuple[int, int]:
    """'1280x720' -> (1280, 720); (0, 0) when it is not WIDTHxHEIGHT."""
    w, sep, h = text.strip().lower().partition("x")
    try:
        return (int(w), int(h)) if sep else (0, 0)
    except ValueError:
        return 0, 0


def parse_size(text: str) -> Size:
    """'16:9', 'a4' or 'WIDTHxHEIGHT' in output pixels (rendered at 2x half that layout)."""
    from dashboard.core.errors import ZoneWatchError

    key = text.strip().lower()
    if key in SIZES:
        return SIZES[key]
    width, height = pixels(key)
    if width < 640 or height < 360 or width > 8000 or height > 8000:
        raise ZoneWatchError(f"size '{text}' is not 16:9, a4 or WIDTHxHEIGHT in pixels between "
                             "640x360 and 8000x8000. Fix: use e.g. --size 1920x1080 or --size a4.")
    if (width, height) == SIZES["16:9"].pixels():
        return SIZES["16:9"]
    return Size(f"{width}x{height}", width // 2, height // 2, 2, 2)


# Geometry ------------------------------------------------------------------------------
def metres_per_px(lat: float, zoom: float) -> float:
    """Ground metres per CSS pixel of the map at this latitude."""
    return mercator.metres_per_px(lat, zoom)


def nice_km(max_km: float) -> float:
    """The largest 1, 2 or 5 x 10^k km not above ``max_km``."""
    if max_km <= 0:
        return 0.0
    exp = math.floor(math.log10(max_km))
    for step in (5, 2, 1):
        if step * 10 ** exp <= max_km:
            return step * 10 ** exp
    return 10 ** exp


def export_zoom(zoom: float, map_w: float, map_h: float) -> float:
    """The zoom that shows about what the dashboard's map showed on a smaller/larger box."""
    return zoom + math.log2(min(map_w / APP_VIEW_PX[0], map_h / APP_VIEW_PX[1]))


class _Page:
    """CSS-pixel layout helpers (y from the top) over Plotly paper coordinates."""

    def __init__(self, fig: go.Figure, width: int, height: int):
        self.fig, self.w, self.h = fig, width, height

    def px(self, x: float) -> float:
        return x / self.w

    def py(self, y: float) -> float:
        return 1 - y / self.h

    def text(self, x: float, y: float, lines: list[str] | str, size: float, *, color=INK,
             anchor="left", valign="top", bold=False, halo=False, **extra) -> None:
        body = "<br>".join(lines) if isinstance(lines, list) else lines
        if bold:
            body = f"<b>{body}</b>"
        font = {"size": size, "color": color, "family": FONT} | ({"shadow": HALO} if halo else {})
        self.fig.add_annotation(text=body, x=self.px(x), y=self.py(y), xref="paper", yref="paper",
                                xanchor=anchor, yanchor=valign, align=anchor, showarrow=False,
                                font=font, **extra)

    def rect(self, x0, y0, x1, y1, **style) -> None:
        self.fig.add_shape(type="rect", xref="paper", yref="paper", x0=self.px(x0),
                           x1=self.px(x1), y0=self.py(y1), y1=self.py(y0), **style)

    def line(self, x0, y0, x1, y1, color=INK, width=2.0) -> None:
        self.fig.add_shape(type="line", xref="paper", yref="paper", x0=self.px(x0),
                           x1=self.px(x1), y0=self.py(y0), y1=self.py(y1),
                           line={"color": color, "width": width})


# The figure ----------------------------------------------------------------------------
CREDIT_LINES = 4  # at most this many lines of sources in the footer
HALO = ("-1px -1px 1px #fff, 1px -1px 1px #fff, -1px 1px 1px #fff, 1px 1px 1px #fff, "
        "0 0 3px #fff")


@dataclass(frozen=True)
class _Map:
    """The map drawn in its box: the figure, the camera, its labels and what it shows."""

    result: MapResult
    figure: dict      # the map's figure dict, names taken out (``place_labels``)
    cam: Camera
    x0: float
    y0: float
    labels: list[Label]
    credit: list[str]


def _draw_map(view: ViewData, state: ViewState, page: _Page, box: tuple[float, float, float, float],
              *, day, budget: int, k: float, f_size: float, credit_w: float) -> _Map:
    """Build the map for ``box`` (x0, y0, x1, y1 in CSS px): the camera of the link (or
    the chosen zones) scaled to the box, names as page labels, the sources it needs."""
    from dashboard.views.mapview import build_map, default_camera

    x0, y0, x1, y1 = box
    center, app_zoom = default_camera(view, state)  # the link's camera, else the zones'
    cam = Camera(center, export_zoom(app_zoom, x1 - x0, y1 - y0), x1 - x0, y1 - y0)
    result = build_map(view, replace(state, center=center, zoom=cam.zoom), budget=budget)
    figure, labels, towns_named = place_labels(result.figure, cam, k)
    shown = drawn(view, state, figure, cam, day, towns_named)
    credit = wrap_esc(attribution(view, shown.zones, shown.datasets, shown.base),
                      credit_w, f_size, max_lines=CREDIT_LINES)
    return _Map(result, figure, cam, x0, y0, labels, credit)


def briefing_figure(
    view: ViewData,
    state: ViewState,
    *,
    size: str | Size = "16:9",
    title: str | None = None,
    link: str | None = None,
    made_at: datetime,
    include_histogram: bool = True,
    include_numbers: bool = False,
    budget: int | None = None,
    date_stamp: bool = False,
) -> go.Figure:
    """The briefing page for ``state`` on ``view`` (see the module docstring)."""
    from dashboard.core.settings import Settings

    page_size = parse_size(size) if isinstance(size, str) else size
    W, H = page_size.width, page_size.height
    k = max(1.0, min(W / 960, H / 540, 1.35))   # type scale: A4 reads a little larger
    start, end = state.start or view.default.start, state.end or view.default.end
    state = replace(state, start=start, end=end)
    day = state.zones_day or view.span[1]
    pad, gap = 14 * k, 10 * k
    fig = go.Figure()
    page = _Page(fig, W, H)

    # Header: title, subtitle (dates, zones day, filters), SYNTHETIC badge.
    synthetic = view.synthetic
    title_text = title.strip() if title and title.strip() else default_title(view, state)
    badge_w = 250 * k if synthetic else 0
    t_size, s_size = 22 * k, 12.5 * k
    title_lines = wrap_esc(title_text, W - 2 * pad - badge_w, t_size, max_lines=2)
    days = (end - start).days + 1
    when = (f"{day_words(start)} – {day_words(end)} ({days:,} days) · zones as they stood on "
            f"{day_words(day)}")
    filters = filter_words(view, state)
    filter_text = ("Filters: " + " · ".join(filters)) if filters \
        else "Filters: none (every incident in these dates)"
    if once := counting_words(view, state):
        filter_text += f" · {once[0].upper()}{once[1:]}"
    sub_lines = [when, *wrap_esc(filter_text, W - 2 * pad - badge_w, s_size, max_lines=2)]
    y = pad * 0.8
    page.text(pad, y, title_lines, t_size, bold=True)
    y += len(title_lines) * t_size * 1.25 + 4 * k
    page.text(pad, y, sub_lines, s_size, color=MUTED)
    y += len(sub_lines) * s_size * 1.3 + gap * 0.6
    header_bottom = y
    if synthetic:
        page.text(W - pad, pad * 0.8, "SYNTHETIC DATA<br>not real events", 14 * k, color="#ffffff",
                  anchor="right", bold=True, bgcolor=WARN, borderpad=6 * k)

    # Footer: the sources of what the map shows, then made/link. The sources depend on
    # what the map box shows and the box on the footer's height: start from the most
    # lines the sources may take, and give the map any lines they do not need.
    f_size = 9.5 * k
    made = made_at.strftime("%-d %b %Y %H:%M") + (f" {made_at:%Z}".rstrip() if made_at.tzinfo
                                                   else "")
    link_line = f"Made {made} with ZoneWatch" + (f" · View: {link}" if link else "")
    link_lines = wrap_esc(link_line, W - 2 * pad, f_size, max_lines=2)
    col_w = 255 * k
    map_x0, map_x1 = pad, W - pad - col_w - gap
    hist_h = (92 * k) if include_histogram else 0
    budget = budget if budget is not None else Settings().max_map_points

    def footer_top(credit_lines: int) -> float:
        return H - pad * 0.7 - (credit_lines + len(link_lines)) * f_size * 1.3

    def map_bottom(credit_lines: int) -> float:
        return footer_top(credit_lines) - gap - (hist_h + gap if include_histogram else 0)

    reserve, fitted = CREDIT_LINES, None
    for _ in range(3):
        attempt = _draw_map(view, state, page, (map_x0, header_bottom, map_x1, map_bottom(reserve)),
                            day=day, budget=budget, k=k, f_size=f_size, credit_w=W - 2 * pad)
        if len(attempt.credit) > reserve:
            break  # the larger map shows more to cite: keep the last map that fitted
        fitted = attempt, reserve
        if len(attempt.credit) == reserve:
            break
        reserve = len(attempt.credit)
    assert fitted is not None  # the first attempt reserves the most lines there can be
    drawn_map, reserve = fitted
    f_top = footer_top(reserve)
    page.text(pad, f_top, [*drawn_map.credit, *link_lines], f_size, color=MUTED)
    page.line(pad, f_top - 5 * k, W - pad, f_top - 5 * k, color="#d9dee3", width=1)

    body_top, body_bottom = header_bottom, f_top - gap
    map_y0, map_y1 = body_top, map_bottom(reserve)
    map_w = map_x1 - map_x0
    # Plotly pops each trace dict's "type" while it reads it: the map's zone layers are
    # shared between requests (memo), so it reads copies, or a concurrent export sees a
    # trace without its type.
    shared = drawn_map.figure
    map_fig = go.Figure({**shared, "data": [dict(t) for t in shared["data"]]})
    result, cam = drawn_map.result, drawn_map.cam
    for trace in map_fig.data:
        role = roles.role_of(trace)
        if role == roles.ZONES:
            trace.legendgrouptitle = {"text": f"Zones as of {day_words(day)}"}
            trace.name = trace.name.removeprefix("Zone: ")
        if role in roles.INCIDENT_ROLES:
            trace.legendgrouptitle = {"text": "Incidents, by type"}
        if role == roles.INCIDENTS_BINNED and trace.colorbar:
            trace.colorbar.update(x=page.px(map_x1 - 8 * k), xanchor="right",
                                  y=page.py(map_y0 + 8 * k), yanchor="top", len=0.3,
                                  thickness=12 * k, bgcolor="rgba(255,255,255,0.85)",
                                  title={"text": "Incidents per hexagon", "side": "right"})
    for trace in map_fig.data:
        fig.add_trace(trace)
    fig.update_layout(map_fig.layout)
    fig.update_layout(
        # No automatic margins: the histogram's tick labels would shrink the whole page
        # inwards, and every hand-placed position (labels on the map) with it.
        width=W, height=H, margin={"l": 0, "r": 0, "t": 0, "b": 0, "pad": 0, "autoexpand": False},
        title=None,
        paper_bgcolor="white", plot_bgcolor="white", font={"family": FONT, "color": INK},
        uirevision=None, dragmode=False, showlegend=True,
        legend={"orientation": "v", "x": page.px(map_x1 + gap + 4 * k), "y": page.py(body_top),
                "xanchor": "left",
                "yanchor": "top", "bgcolor": "rgba(0,0,0,0)", "borderwidth": 0,
                "font": {"size": 11.5 * k}, "grouptitlefont": {"size": 12 * k, "color": INK},
                "tracegroupgap": 8 * k, "itemsizing": "constant", "traceorder": "grouped",
                "groupclick": "toggleitem"},
        annotations=list(fig.layout.annotations), shapes=list(fig.layout.shapes),
    )
    fig.update_layout(map={"domain": {"x": [page.px(map_x0), page.px(map_x1)],
                                      "y": [page.py(map_y1), page.py(map_y0)]}})
    # Zone and town names above every map trace (markers never cover them), with a halo.
    for label in drawn_map.labels:
        page.text(map_x0 + label.x, map_y0 + label.y, label.lines, label.size,
                  color=label.color, anchor=label.anchor, valign=label.valign,
                  bold=label.bold, halo=True)
    page.rect(map_x0, map_y0, map_x1, map_y1, line={"color": "#9aa5ae", "width": 1},
              fillcolor="rgba(0,0,0,0)", layer="above")

    # Map note (hexagons, empty), SYNTHETIC watermark, scale bar.
    if result.mode != "points":
        page.text((map_x0 + map_x1) / 2, map_y1 - 42 * k,
                  wrap_esc(result.note, map_w * 0.8, 11 * k, max_lines=3), 11 * k,
                  anchor="center", valign="bottom", bgcolor="rgba(255,255,255,0.92)",
                  bordercolor="#b35806", borderwidth=1, borderpad=4)
    if synthetic:
        page.text((map_x0 + map_x1) / 2, (map_y0 + map_y1) / 2, "SYNTHETIC", 64 * k,
                  color="rgba(178,24,43,0.22)", anchor="center", valign="middle", bold=True)
    if date_stamp:  # animation frames: the window, large, in the map's top right corner
        page.text(map_x1 - 10 * k, map_y0 + 10 * k, f"{day_words(start)} – {day_words(end)}", 20 * k,
                  anchor="right", bold=True, bgcolor="rgba(255,255,255,0.88)", borderpad=5 * k)
    _scale_bar(page, cam.center[0], cam.zoom, map_x0 + 10 * k, map_y1 - 12 * k, map_w, k)

    # Side column: legend (Plotly), fatalities size key and the numbers under it.
    col_x = map_x1 + gap + 6 * k
    shown = [t for t in fig.data if t.showlegend is not False]
    n_groups = len({t.legendgroup for t in shown})
    y = body_top + 4 * k + len(shown) * 19.5 * k + n_groups * 30 * k
    if result.mode == "points" and result.shown:
        y = _size_key(page, col_x, y, k)
    if include_numbers:
        _numbers(page, view, state, col_x, y, col_w - 10 * k, body_bottom, k)

    if include_histogram:
        _histogram(fig, page, view, state, map_x0, map_x1, map_y1 + gap, body_bottom, k)
    return fig


def _numbers(page: _Page, view: ViewData, state: ViewState, x: float, y: float, width: float,
             bottom: float, k: float) -> None:
    """The zone's agreement terms (when loaded), then the zone panel's numbers in the side
    column: short lines (those that fit), then the paragraph if it fits whole (it is
    never cut mid-sentence)."""
    size = 10 * k
    block = numbers_block(view, state)
    groups = [wrap_esc(line, width, size) for line in block[0]] if block else []
    # The numbers keep room for their heading, first two lines (the zone and window, the
    # inside ratio) and the CI note; the terms get the rest, the numbers what is left.
    numbers_px = ((18 * k + (sum(map(len, groups[:2])) + 1) * size * 1.3 + 6 * k)
                  if block else 0.0)
    y = _terms_block(page, view, state, x, y, width, size, k, bottom - numbers_px)
    if block is None:
        return
    sentence = block[1]
    short = _whole_lines(groups, int((bottom - y - 18 * k) // (size * 1.3)) - 1)
    if not short:  # no room for one whole line of numbers
        return
    page.text(x, y, "Before and after the ceasefire", 12 * k)
    y += 18 * k
    short.append("× rate ratio after/before (95% CI)")
    page.text(x, y, short[:-1], size)
    page.text(x, y + (len(short) - 1) * size * 1.3, short[-1], size * 0.9, color=MUTED)
    y += len(short) * size * 1.3 + 6 * k
    para = wrap_esc(sentence, width, size * 0.95) if sentence else []
    if para and y + len(para) * size * 0.95 * 1.3 <= bottom:
        page.text(x, y, para, size * 0.95, color=MUTED)


def _terms_block(page: _Page, view: ViewData, state: ViewState, x: float, y: float,
                 width: float, size: float, k: float, bottom: float) -> float:
    """The terms summary (``words.terms_lines``) at ``y``: the whole lines that fit above
    ``bottom`` (none: no block); the y below it."""
    terms = terms_lines(view, state)
    if not terms:
        return y
    wrapped = _whole_lines([wrap_esc(line, width, size) for line in terms],
                           int((bottom - y - 18 * k - 8 * k) // (size * 1.3)))
    if not wrapped:  # not one whole line fits: the numbers below come first
        return y
    page.text(x, y, "Agreement terms", 12 * k)
    y += 18 * k
    page.text(x, y, wrapped, size)
    return y + len(wrapped) * size * 1.3 + 8 * k


def _whole_lines(groups: list[list[str]], room: int) -> list[str]:
    """The wrapped parts of the first lines that fit in ``room`` lines, each line whole
    (a ratio is never shown without its interval)."""
    out: list[str] = []
    for parts in groups:
        if len(out) + len(parts) > room:
            break
        out += parts
    return out


def _scale_bar(page: _Page, lat: float, zoom: float, x: float, y: float, map_w: float,
               k: float) -> None:
    """A 1/2/5 x 10^k km bar (true at the map's centre latitude) at (x, y), bottom left."""
    m_px = metres_per_px(lat, zoom)
    km = nice_km(min(map_w * 0.22, 160 * k) * m_px / 1000)
    if km <= 0:
        return
    length = km * 1000 / m_px
    label = f"{km:g} km"
    page.rect(x - 4 * k, y - 24 * k, x + length + 8 * k, y + 6 * k,
              fillcolor="rgba(255,255,255,0.85)", line={"width": 0}, layer="above")
    page.line(x, y, x + length, y, width=2.5 * k)
    for tick in (x, x + length):
        page.line(tick, y - 6 * k, tick, y + 1 * k, width=2 * k)
    page.text(x + length / 2, y - 6 * k, label, 11 * k, anchor="center", valign="bottom")


def _size_key(page: _Page, x: float, y: float, k: float) -> float:
    """One row of circles for 0, 10, 50 and 200 fatalities at the map's marker sizes,
    each labelled to its right; returns the y below it."""
    page.text(x, y, "Marker size: fatalities", 12 * k)
    cy, cx = y + 32 * k, x + 8 * k
    for n in (0, 10, 50, 200):
        d = float(marker_size(np.array([float(n)]))[0])
        page.fig.add_shape(type="circle", xref="paper", yref="paper", xsizemode="pixel",
                           ysizemode="pixel", xanchor=page.px(cx + d / 2), yanchor=page.py(cy),
                           x0=-d / 2, x1=d / 2, y0=-d / 2, y1=d / 2,
                           fillcolor="rgba(120,120,120,0.55)", line={"color": "#555", "width": 1})
        page.text(cx + d + 3 * k, cy, f"{n}", 10.5 * k, valign="middle")
        cx += d + 14 * k + len(str(n)) * 6 * k
    return cy + 24 * k


def _histogram(fig: go.Figure, page: _Page, view: ViewData, state: ViewState, x0: float,
               x1: float, y0: float, y1: float, k: float) -> None:
    """The weekly counts strip under the map (the whole span, the window shaded)."""
    from dashboard.analysis.aggregate import weekly_counts

    positions = view.index.select(state, ignore_window=True)
    weekly = weekly_counts(view.index, positions, span=view.span)
    strip = histogram_figure(weekly, view.dataset.milestones, (state.start, state.end), view.span)
    for trace in strip.data:
        fig.add_trace(trace)
    for shape in strip.layout.shapes:
        fig.add_shape(shape)
    left = 44 * k
    fig.update_layout(
        xaxis={**strip.layout.xaxis.to_plotly_json(),
               "domain": [page.px(x0 + left), page.px(x1)], "anchor": "y",
               "tickfont": {"size": 10 * k}, "ticks": "outside", "ticklen": 3,
               # A date label at the axis' end would spill into the side column.
               "ticklabeloverflow": "hide past domain"},
        yaxis={**strip.layout.yaxis.to_plotly_json(), "domain": [page.py(y1 - 16 * k),
                                                                 page.py(y0 + 15 * k)],
               "anchor": "x", "tickfont": {"size": 9.5 * k}, "nticks": 4,
               "title": {"text": "per week", "font": {"size": 10 * k}, "standoff": 2}},
        barmode="stack", bargap=0.05)
    page.text(x0 + left, y0, "Weekly incidents (these filters, all dates); the shaded "
              "band is the period shown on the map; ▼ milestones", 9.5 * k, color=MUTED)
