"""The briefing figure without a browser: its words, its sizes, its scale bar, offline."""

from __future__ import annotations

import json
import math

import pytest

from dashboard.analysis.viewstate import decode
from dashboard.core.errors import ZoneWatchError
from dashboard.export.briefing import (
    SIZES,
    briefing_figure,
    metres_per_px,
    nice_km,
    parse_size,
)
from dashboard.export.onmap import Camera
from dashboard.export.words import BASE_CREDITS
from dashboard.views import roles
from dashboard.views.baselayers import ATTRIBUTION
from tests.export.common import MADE, QUERY


def _texts(fig) -> str:
    return "\n".join(a.text or "" for a in fig.layout.annotations)


@pytest.fixture
def figure(tiny_view):
    state = decode(QUERY, tiny_view.default).state
    return briefing_figure(tiny_view, state, size="16:9", title=None, link="http://x/" + QUERY,
                           made_at=MADE, include_numbers=True)


def test_brf001_words_on_the_page(figure):
    text = _texts(figure)
    for expected in ("Shelling incidents in homs-north",          # default title
                     "1 Aug 2017 – 31 Dec 2017 (153 days)",       # date range
                     "zones as they stood on 31 Dec 2017",
                     "Event type: Shelling", "Zone: homs-north", "Fatalities: 0–50",
                     "Zone boundaries are approximate", "Natural Earth", "GeoNames",
                     "Made 15 Jan 2025 09:30 UTC", "View: http://x/?from=2017-08-01",
                     "Before and after the ceasefire"):
        assert expected in text, expected
    assert "SYNTHETIC" not in text


def test_brf002_synthetic_is_labelled(synthetic_view):
    state = decode("?from=2017-05-01&to=2018-05-15", synthetic_view.default).state
    fig = briefing_figure(synthetic_view, state, size="a4", title="Demo", link=None, made_at=MADE)
    text = _texts(fig)
    assert "SYNTHETIC DATA" in text and "not real events" in text


def test_brf003_title_given_wins_and_is_escaped(tiny_view):
    fig = briefing_figure(tiny_view, tiny_view.default, size="16:9", title="<b>Homs</b> & co",
                          link=None, made_at=MADE)
    assert "&lt;b&gt;Homs&lt;/b&gt; &amp; co" in _texts(fig)
    assert "Filters: none" in _texts(fig)


def _strings(node, path=""):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _strings(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _strings(value, f"{path}[{i}]")
    elif isinstance(node, str):
        yield path, node


def test_brf004_nothing_reaches_the_network(figure):
    spec = json.loads(figure.to_json())
    style = spec["layout"]["map"]["style"]
    assert isinstance(style, dict) and not {"glyphs", "sprite"} & set(style)
    assert all(isinstance(layer["source"], dict) for layer in spec["layout"]["map"]["layers"])
    urls = [(p, s) for p, s in _strings(spec) if "http://" in s or "https://" in s]
    # The only address is the link printed in the footer, as text.
    assert [p for p, _ in urls] and all(p.startswith(".layout.annotations") for p, _ in urls)
    assert all("View: http://x/" in s for _, s in urls)


def test_brf005_page_sizes():
    """Issue 12: the 16:9 PNG is really 2x a 1920 x 1080 slide."""
    assert SIZES["16:9"].pixels("png") == (3840, 2160)
    assert SIZES["16:9"].pixels("svg") == (1920, 1080)
    a4 = SIZES["a4"]
    pt = [v * a4.vector_scale * 0.75 for v in (a4.width, a4.height)]
    assert abs(pt[0] - 841.89) < 1 and abs(pt[1] - 595.28) < 1      # 297 x 210 mm
    assert a4.pixels("png") == (2246, 1588)


@pytest.mark.parametrize(("text", "expected", "png"), [
    ("16:9", (960, 540), (3840, 2160)), ("3840x2160", (960, 540), (3840, 2160)),
    ("1920x1080", (960, 540), (1920, 1080)), ("A4", (1123, 794), (2246, 1588)),
    ("2560x1440", (1280, 720), (2560, 1440)),
])
def test_brf006_parse_size(text, expected, png):
    size = parse_size(text)
    assert (size.width, size.height) == expected
    assert size.pixels("png") == png  # WIDTHxHEIGHT is what the PNG gets


@pytest.mark.parametrize("text", ["big", "100x100", "1920x", "x1080", "99999x1080"])
def test_brf007_parse_size_refuses(text):
    with pytest.raises(ZoneWatchError, match=r"Fix: use e\.g\. --size 1920x1080"):
        parse_size(text)


@pytest.mark.parametrize(("km", "nice"), [(0.7, 0.5), (1, 1), (3.9, 2), (7, 5), (140, 100), (260, 200)])
def test_brf008_nice_km(km, nice):
    assert nice_km(km) == nice


def test_brf009_scale_bar_matches_the_camera(figure):
    """The bar's length in CSS px times metres per px is the km on its label."""
    layout = figure.layout
    label = next(a for a in layout.annotations if (a.text or "").endswith(" km"))
    km = float(label.text.split()[0])
    bar = next(s for s in layout.shapes if s.type == "line" and s.y0 == s.y1
               and s.x1 - s.x0 < 0.5)
    length_px = (bar.x1 - bar.x0) * layout.width
    m_px = metres_per_px(layout.map.center.lat, layout.map.zoom)
    assert math.isclose(length_px * m_px / 1000, km, rel_tol=1e-6)
    assert 0 < length_px < layout.width * 0.3


def test_brf010_zones_as_of_the_chosen_day(tiny_view):
    """homs-north shrank on 2018-01-01: the legend says the day, the map draws that version."""
    state = decode("?from=2017-08-01&to=2017-12-31&asof=2018-02-01", tiny_view.default).state
    fig = briefing_figure(tiny_view, state, size="16:9", title=None, link=None, made_at=MADE)
    titles = {t.legendgrouptitle.text for t in roles.with_role(fig.data, roles.ZONES)}
    assert titles == {"Zones as of 1 Feb 2018"}
    assert "zones as they stood on 1 Feb 2018" in _texts(fig)


# Issue 12: shapes in their panel, names above the markers, sources of what is drawn ------
def _histogram_shapes(fig):
    return [s for s in fig.layout.shapes if s.xref == "x"]


def test_brf011_histogram_shapes_stay_in_the_histogram_panel(milestone_view):
    """yref="paper" spans the whole page when the page holds a map, a legend and a
    footer: the band and the milestone lines must use the histogram's own y domain."""
    state = decode(QUERY, milestone_view.default).state
    fig = briefing_figure(milestone_view, state, size="16:9", title=None, link=None, made_at=MADE)
    shapes = _histogram_shapes(fig)
    assert sorted(s.type for s in shapes) == ["line", "line", "rect"]  # 2 milestones, 1 band
    assert {(s.yref, s.y0, s.y1) for s in shapes} == {("y domain", 0, 1)}
    # Every other shape is placed on the page by hand, inside it.
    for shape in fig.layout.shapes:
        if shape.xref == "paper" and shape.ysizemode != "pixel":  # size key: px around a point
            assert shape.yref == "paper"
            assert all(0 <= v <= 1 for v in (shape.y0, shape.y1) if isinstance(v, float))


def test_brf012_names_are_labels_above_the_map_with_a_halo(tiny_view):
    """Zone and town names leave the map (where markers could cover them) for page
    annotations above every map trace, each with a white halo, all inside the map box."""
    state = decode("?from=2017-08-01&to=2017-12-31&map=34.9,36.75,9", tiny_view.default).state
    fig = briefing_figure(tiny_view, state, size="16:9", title=None, link=None, made_at=MADE)
    assert not [t for t in fig.data if roles.role_of(t) in (roles.ZONE_LABELS, roles.TOWNS)
                and t.mode and "text" in t.mode]
    halo = [a for a in fig.layout.annotations if a.font.shadow]
    names = {a.text for a in halo}
    assert {"<b>homs-north</b>", "<b>buffer</b>", "<b>east</b>"} <= names, names
    assert "Homs" in names  # a bundled town in view
    x0, x1 = fig.layout.map.domain.x
    y0, y1 = fig.layout.map.domain.y
    assert all(x0 <= a.x <= x1 and y0 <= a.y <= y1 for a in halo)
    towns = roles.first(fig.data, roles.TOWNS)
    assert len(towns.lon) == len([n for n in names if "<b>" not in n])  # a dot per name


def _footer(fig) -> str:
    text = next(a.text for a in fig.layout.annotations if "Made 15 Jan 2025" in (a.text or ""))
    return text.replace("<br>", " ")


def test_brf013_sources_are_those_of_what_is_drawn(near_far_view):
    """Only the zone and dataset in the map's box are cited, not the one 250 km away."""
    state = decode("?from=2017-08-01&to=2017-12-31&zone=near", near_far_view.default).state
    footer = _footer(briefing_figure(near_far_view, state, size="16:9", title=None, link=None,
                                     made_at=MADE))
    assert "Source NEAR" in footer and "Near data" in footer
    assert "Source FAR" not in footer and "Far data" not in footer
    everything = decode("?from=2017-08-01&to=2017-12-31&map=33.8,36.4,5", near_far_view.default)
    footer = _footer(briefing_figure(near_far_view, everything.state, size="16:9", title=None,
                                     link=None, made_at=MADE))
    assert all(w in footer for w in ("Source NEAR", "Source FAR", "Near data", "Far data"))


def test_brf014_base_layers_cited_only_when_drawn(near_far_view):
    """Districts are drawn from zoom 7 on, places only when a town is named."""
    wide = decode("?from=2017-08-01&to=2017-12-31&map=33.8,36.4,5", near_far_view.default)
    close = decode("?from=2017-08-01&to=2017-12-31&map=34.9,36.7,9", near_far_view.default)
    wide_footer, close_footer = (_footer(briefing_figure(near_far_view, d.state, size="16:9",
                                                         title=None, link=None, made_at=MADE))
                                 for d in (wide, close))
    assert "Natural Earth" in wide_footer and "geoBoundaries" in wide_footer
    assert "OCHA COD-AB" not in wide_footer
    assert "OCHA COD-AB" in close_footer and "GeoNames" in close_footer


def test_brf015_base_credits_are_the_app_attribution():
    assert " ".join(BASE_CREDITS.values()) == ATTRIBUTION


def test_brf016_camera_bounds_are_the_box_corners():
    cam = Camera((34.9, 36.7), 8.3, 640, 400)
    minx, miny, maxx, maxy = cam.bounds()
    x, y = cam.project([minx, maxx], [maxy, miny])
    assert x == pytest.approx([0, 640], abs=1e-6) and y == pytest.approx([0, 400], abs=1e-6)
    assert cam.inside([36.7, 30.0], [34.9, 34.9]).tolist() == [True, False]


def test_brf020_the_key_stays_a_column_beside_the_map(figure):
    """The dashboard's key is a row under its map; the briefing's is a column in its
    side panel, to the right of the map, grouped with its titles."""
    legend = figure.layout.legend
    assert (legend.orientation, legend.traceorder, legend.yanchor) == ("v", "grouped", "top")
    assert legend.x >= figure.layout.map.domain.x[1]


class _Recorder:
    """Stands in for the page: where each text block starts and how many lines it has."""

    def __init__(self):
        self.blocks: list[tuple[float, int, float]] = []

    def text(self, x, y, lines, size, **kwargs):
        self.blocks.append((y, len(lines) if isinstance(lines, list) else 1, size))


@pytest.mark.parametrize("bottom", [40.0, 80.0, 120.0, 400.0])
def test_side_column_numbers_never_pass_the_footer(monkeypatch, bottom):
    """A crowded side column overlapped the footer (four lines of numbers were forced):
    now the numbers take whole lines (a ratio never without its interval), the terms
    what is left, and nothing passes ``bottom``."""
    from dashboard.export import briefing

    monkeypatch.setattr(briefing, "numbers_block", lambda view, state: (
        ["Zone, 90 days either side of 3 Aug 2017", "Inside: 38 → 61, ×1.60 (0.96–2.68)",
         "Ring: 20 → 44, ×2.20 (1.26–3.87)"], "A paragraph."))
    monkeypatch.setattr(briefing, "terms_lines", lambda view, state: [
        "Violations: 153 of 198 incidents shown", "North Homs ceasefire, 3 Aug 2017"])
    monkeypatch.setattr(briefing, "wrap_esc", lambda line, width, size: [line])
    page = _Recorder()
    briefing._numbers(page, None, None, 0.0, 0.0, 300.0, bottom, 1.0)
    for y, lines, size in page.blocks:
        assert y + lines * size * 1.3 <= bottom + 1e-9 or (lines == 1 and y + size <= bottom)
    texts = len(page.blocks)
    if bottom >= 400:  # room for all: terms (heading, lines), numbers (heading, lines, note)
        assert texts == 6


def test_whole_lines_keep_each_line_whole():
    from dashboard.export.briefing import _whole_lines

    assert _whole_lines([["a", "b"], ["c"]], 2) == ["a", "b"]
    assert _whole_lines([["a", "b"], ["c"]], 1) == []
    assert _whole_lines([["a"], ["b", "c"], ["d"]], 2) == ["a"]
