"""Figures: fixed colours, an offline map that asks the network for nothing, hover text
that shows markup as text, stacked weekly bars with milestones, one panel per zone."""

from __future__ import annotations

import json
import re
from datetime import date

import numpy as np
import pandas as pd
import pytest

from dashboard.analysis.aggregate import hex_bins
from dashboard.analysis.validity import status_since, zones_as_of
from dashboard.views import palette, roles
from dashboard.views.figures import (
    STACK_LINES,
    esc,
    histogram_figure,
    location_codes,
    map_figure,
    marker_size,
    offline_style,
    stack_size,
    zone_series_figure,
)
from tests.conftest import TINY_BASE, ZONE_ROWS, make_incidents, make_zones
from tests.geometries import SQUARE

SCRIPT = "<script>alert(1)</script>"
SCRIPT_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


@pytest.fixture(scope="module")
def zones() -> pd.DataFrame:
    frame = make_zones(ZONE_ROWS)
    return frame.assign(status_since=status_since(frame))


def points(*types: str) -> pd.DataFrame:
    return make_incidents([{"incident_id": f"p{i}", "date": "2017-09-01", "lon": 36.7 + i / 100,
                            "lat": 34.9, "event_type": t, "fatalities": float(i)}
                           for i, t in enumerate(types)])


NO_ZONES = make_zones(ZONE_ROWS).iloc[:0].assign(status_since=pd.Series(dtype="datetime64[ns]"))


def draw(zones_now=NO_ZONES, incidents=None, type_order=(), **kw):
    return map_figure(zones=zones_now, incidents=incidents, type_order=list(type_order),
                      base=TINY_BASE, center=(34.9, 36.7), zoom=8.0, **kw)


def traces(fig, kind: str | None = None) -> list:
    return [t for t in fig.data if kind is None or t.type == kind]


def by_name(fig) -> dict:
    return {t.name: t for t in fig.data}


def by_role(fig, role: str):
    """The map's trace of this role (code finds traces by role, never by legend label)."""
    found = [t for t in fig.data if roles.role_of(t) == role]
    assert len(found) == 1, (role, [t.name for t in found])
    return found[0]


# Palette --------------------------------------------------------------------------------
@pytest.mark.parametrize(("event_type", "colour"), [
    ("Shelling", "#E69F00"), ("Airstrike", "#332288"), ("Armed clash", "#0072B2"),
    ("State-based conflict", "#D55E00"), ("One-sided violence", "#CC79A7"), ("Aid convoy", "#009E73"),
])
def test_known_types_have_fixed_colours(event_type, colour):
    assert palette.type_colour(event_type) == colour


@pytest.mark.parametrize("event_type", ["Mystery", "Drone sighting", "حريق", ""])
def test_other_types_take_a_stable_slot_from_their_name(event_type):
    colour = palette.type_colour(event_type)
    assert colour in palette.OKABE_ITO + palette.TOL_MUTED
    assert palette.type_colour(str(event_type)) == colour


@pytest.mark.parametrize(("status", "colour", "label"), [
    ("declared", "#88CCEE", "Declared"), ("in_effect", "#009E73", "In effect"),
    ("violated", "#E69F00", "Violated"), ("collapsed", "#AA3377", "Collapsed"),
    ("under_review", "#777777", "Under review"), ("", "#777777", ""),
])
def test_status_colours_and_labels(status, colour, label):
    assert palette.status_colour(status) == colour
    assert palette.status_label(status) == label


@pytest.mark.parametrize(("order", "present"), [
    (["Shelling", "Airstrike", "Mystery"], ["Shelling", "Airstrike", "Mystery"]),
    (["Mystery", "Airstrike", "Shelling"], ["Shelling", "Airstrike", "Mystery"]),
    (["Mystery", "Airstrike", "Shelling"], ["Mystery"]),
    (["Shelling", "Airstrike", "Mystery"], ["Airstrike", "Mystery"]),
])
def test_a_types_colour_does_not_depend_on_order_or_on_which_types_are_shown(order, present):
    fig = draw(incidents=points(*present), type_order=order)
    colours = {t.name: t.marker.color for t in traces(fig)
               if t.legendgroup == "types" and t.showlegend is not False}
    assert colours == {t: palette.type_colour(t) for t in present}
    assert list(colours) == [t for t in order if t in present]  # legend in the given order


# Map ------------------------------------------------------------------------------------
def test_offline_style_has_no_glyphs_sprite_or_tiles():
    style = offline_style()
    assert set(style) == {"version", "sources", "layers"}
    assert style["sources"]  # never empty: Plotly would drop {} and MapLibre reject the style
    assert [layer["type"] for layer in style["layers"]] == ["background"]


@pytest.mark.parametrize("base_url", [None, "/zonewatch/base"])
def test_offline_map_needs_nothing_from_the_network(zones, base_url):
    fig = draw(zones_as_of(zones, "2017-10-01"), points("Shelling", "Mystery"),
               ["Shelling", "Mystery"], base_url=base_url)
    text = fig.to_json()
    doc = json.loads(text)
    assert "glyphs" not in doc["layout"]["map"]["style"]
    assert "glyphs" not in text and "sprite" not in text
    assert re.findall(r"(?:https?:)?//[\w.-]+\.\w+", text) == []


def test_base_layers_are_carried_or_named_as_the_apps_own_files():
    carried = draw().layout.map.layers
    assert [layer.type for layer in carried] == ["fill", "line", "line", "line"]  # zoom 8: districts
    assert carried[0].source == TINY_BASE.countries
    served = draw(base_url="/zonewatch/base").layout.map.layers
    assert [layer.source for layer in served] == [
        "/zonewatch/base/countries.geojson", "/zonewatch/base/syria-adm2.geojson",
        "/zonewatch/base/syria-adm1.geojson", "/zonewatch/base/countries.geojson"]


def test_online_tiles_switch_the_style_and_drop_the_base_layers():
    fig = draw(online_tiles=True)
    assert fig.layout.map.style == "open-street-map"
    assert fig.layout.map.layers == ()


def test_camera_is_the_one_given():
    fig = draw()
    assert (fig.layout.map.center.lat, fig.layout.map.center.lon, fig.layout.map.zoom) == (
        34.9, 36.7, 8.0)


@pytest.mark.parametrize(("day", "expected"), [
    pytest.param("2017-05-05", {"Zone: Declared": ["homs-north"]}, id="first-version"),
    pytest.param("2017-09-01", {"Zone: In effect": ["homs-north", "buffer"]}, id="nested"),
    pytest.param("2017-10-01", {"Zone: In effect": ["homs-north", "buffer"],
                                "Zone: Declared": ["east"]}, id="mid-series-start"),
    pytest.param("2018-06-01", {"Zone: In effect": ["buffer"], "Zone: Declared": ["east"]},
                 id="after-homs-north-ends"),
])
def test_zones_are_drawn_as_they_stood_on_the_day(zones, day, expected):
    fig = draw(zones_as_of(zones, day))
    drawn = {t.name: list(t.locations) for t in traces(fig, "choroplethmap")}
    assert drawn == expected
    labels = by_role(fig, roles.ZONE_LABELS)
    assert sorted(labels.text) == sorted(z for names in expected.values() for z in names)


def test_the_shrunk_boundary_is_drawn_after_it_shrinks(zones):
    def bounds(day):
        zone = traces(draw(zones_as_of(zones, day)), "choroplethmap")[0]
        feature = next(f for f in zone.geojson["features"] if f["id"] == "homs-north")
        xs = [x for x, _ in feature["geometry"]["coordinates"][0]]
        return min(xs), max(xs)

    assert bounds("2017-12-31") == (36.6, 36.8)
    assert bounds("2018-01-01") == (36.6, 36.7)


def test_zone_hover_names_life_and_source(zones):
    fig = draw(zones_as_of(zones, "2018-02-01"))
    zone = by_name(fig)["Zone: In effect"]
    row = dict(zip(zone.locations, [list(r) for r in zone.customdata], strict=True))["homs-north"]
    assert row == ["homs-north", "In effect", "3 Aug 2017", "v3: 1 Jan 2018 – 14 May 2018",
                   "approximate", "test"]


def test_zone_text_from_the_file_is_escaped():
    nasty = make_zones([{"zone_id": "z", "name": "<img src=x onerror=alert(1)>", "version": 1,
                         "valid_from": "2017-01-01", "valid_to": None, "status": "<b>odd</b>",
                         "source": SCRIPT, "geometry": SQUARE}])
    fig = draw(nasty.assign(status_since=status_since(nasty)))
    zone = traces(fig, "choroplethmap")[0]
    assert zone.name == "Zone: &lt;b&gt;odd&lt;/b&gt;"
    assert zone.customdata[0][0] == "&lt;img src=x onerror=alert(1)&gt;"
    assert zone.customdata[0][5] == SCRIPT_ESCAPED
    # MapLibre draws the names on the map as plain text: escaping would show "&lt;".
    assert list(by_role(fig, roles.ZONE_LABELS).text) == ["<img src=x onerror=alert(1)>"]
    html_read = fig.to_dict()["data"]
    html_read = [t for t in html_read if roles.role_of(t) != roles.ZONE_LABELS]
    assert "<img" not in str(html_read) and "<script" not in str(html_read)


def test_incident_hover_text_is_escaped():
    incidents = make_incidents([{
        "incident_id": "<b>id</b>", "date": "2017-08-03", "lon": 36.7, "lat": 34.9,
        "event_type": "<i>Shelling</i>", "actor1": SCRIPT, "actor2": "A & B",
        "place": "<a href='https://evil.example'>x</a>", "source": "=cmd %{x}", "fatalities": np.nan}])
    fig = draw(incidents=incidents, type_order=["<i>Shelling</i>"])
    assert by_name(fig)["&lt;i&gt;Shelling&lt;/i&gt;"].hoverinfo == "skip"
    hover = by_role(fig, roles.INCIDENT_HOVER)
    assert [list(r) for r in hover.customdata] == [[
        "&lt;i&gt;Shelling&lt;/i&gt;", "3 Aug 2017", SCRIPT_ESCAPED, "A &amp; B", "unknown",
        "&lt;a href='https://evil.example'&gt;x&lt;/a&gt;", "exact", "&lt;b&gt;id&lt;/b&gt;"]]
    # The one source every point shares goes once, in the template, inert for plotly.
    assert hover.hovertemplate.endswith("<br>Source: =cmd &#37;{x}<extra></extra>")
    assert "<script" not in fig.to_json() and "<b>id" not in fig.to_json()


def stack(n: int, **extra) -> pd.DataFrame:
    """``n`` incidents at one town's point (as UCDP places them), one a day from 1 Sep."""
    return make_incidents([{"incident_id": f"s{i:02d}", "date": f"2017-09-{i + 1:02d}",
                            "lon": 36.75, "lat": 34.85, "place": "Ar Rastan",
                            "event_type": "Shelling" if i % 2 else "Airstrike",
                            "actor1": "SAA", "actor2": "HTS", "fatalities": float(i), **extra}
                           for i in range(n)])


def test_incidents_at_one_point_show_their_number_and_hover_lists_them_all():
    incidents = pd.concat([stack(10), points("Shelling")], ignore_index=True)
    fig = draw(incidents=incidents, type_order=["Airstrike", "Shelling"])
    top = by_role(fig, roles.INCIDENTS_AT_POINT)
    assert list(top.text) == ["10"] and (top.lon[0], top.lat[0]) == pytest.approx((36.75, 34.85))
    text = top.hovertext[0]
    assert text.startswith("<b>10 incidents at this point</b> · Ar Rastan (location: exact)<br>")
    lines = text.split("<br>")[1:]
    assert len(lines) == 10 and lines[0].startswith("10 Sep 2017 · Shelling · SAA vs HTS")
    assert [line.rsplit("ID ", 1)[1] for line in lines] == [f"s{i:02d}" for i in range(9, -1, -1)]
    # Drawn under them: a disc that grows with the number; the lone point hovers alone.
    disc = by_role(fig, roles.INCIDENTS_STACKED)
    assert disc.marker.size[0] == pytest.approx(stack_size(np.array([10]))[0])
    assert [r[-1] for r in by_role(fig, roles.INCIDENT_HOVER).customdata] == ["p0"]
    # Every drawn incident is still in its type's trace (colour, legend, lasso).
    assert len(by_name(fig)["Airstrike"].lon) + len(by_name(fig)["Shelling"].lon) == 11


def test_a_large_stack_lists_the_newest_then_says_how_many_more():
    fig = draw(incidents=stack(30), type_order=["Airstrike", "Shelling"])
    lines = by_role(fig, roles.INCIDENTS_AT_POINT).hovertext[0].split("<br>")
    assert len(lines) == 1 + STACK_LINES + 1 and lines[-1] == "and 18 more"
    assert lines[1].startswith("30 Sep 2017")


def test_stack_hover_names_each_source_when_they_differ():
    incidents = stack(2).assign(source=["UCDP <GED>", "ACLED"])
    fig = draw(incidents=incidents, type_order=["Airstrike", "Shelling"])
    text = by_role(fig, roles.INCIDENTS_AT_POINT).hovertext[0]
    assert "ACLED" in text and "UCDP &lt;GED&gt;" in text
    assert "Source:" not in by_role(fig, roles.INCIDENTS_AT_POINT).hovertemplate


def test_location_codes_group_equal_points_as_drawn():
    codes, counts = location_codes(np.array([36.7, 36.7, 36.70000001, 36.8]),
                                   np.array([34.9, 34.9, 34.9, 34.9]))
    assert codes.tolist() == [0, 0, 0, 1] and counts.tolist() == [3, 1]


@pytest.mark.parametrize(("value", "expected"), [
    (SCRIPT, SCRIPT_ESCAPED), ("A & B", "A &amp; B"), ('say "hi"', 'say "hi"'), (None, ""),
    (float("nan"), ""), (3, "3"), ("حمص", "حمص"),
])
def test_esc(value, expected):
    assert esc(value) == expected


@pytest.mark.parametrize(("fatalities", "size"), [(0, 5), (np.nan, 5), (1, 7.2), (100, 27), (10_000, 28)])
def test_marker_size_grows_with_the_square_root_and_is_capped(fatalities, size):
    assert marker_size(np.array([fatalities]))[0] == pytest.approx(size)


def test_hexagon_mode_draws_counted_cells_and_no_points():
    rng = np.random.default_rng(3)
    lon, lat = 36.7 + rng.normal(0, 0.2, 300), 34.9 + rng.normal(0, 0.2, 300)
    cells = hex_bins(lon, lat, 0.1)
    fig = draw(hexes=cells, hex_size=0.1)
    hexes = by_role(fig, roles.INCIDENTS_BINNED)
    assert len(hexes.locations) == len(hexes.geojson["features"]) == len(cells)
    assert list(hexes.customdata) == cells["count"].tolist()
    assert list(hexes.z) == pytest.approx(np.log10(cells["count"] + 1).tolist())
    # Cell ids cannot be taken for zone ids such as "3" when a cell is clicked.
    assert list(hexes.locations) == [f"hex-{i}" for i in range(len(cells))]
    assert [f["id"] for f in hexes.geojson["features"]] == list(hexes.locations)
    ring = hexes.geojson["features"][0]["geometry"]["coordinates"][0]
    assert len(ring) == 7 and ring[0] == ring[-1]
    assert not list(roles.with_role(fig.data, *roles.INCIDENT_ROLES))


def test_highlight_marks_the_selected_row():
    fig = draw(incidents=points("Shelling"), type_order=["Shelling"],
               highlight=pd.DataFrame({"lon": [36.7], "lat": [34.9]}))
    assert list(by_role(fig, roles.SELECTED).lon) == [36.7]


def test_note_is_an_annotation():
    fig = draw(note="12 incidents shown.")
    assert [a.text for a in fig.layout.annotations] == ["12 incidents shown."]


# Histogram ------------------------------------------------------------------------------
WEEKS = pd.DatetimeIndex(["2017-07-31", "2017-08-07", "2017-08-14"], name="week")
MILESTONES = pd.DataFrame({  # as read_milestones makes them: object columns, None for no zone
    "zone_id": pd.Series(["homs-north", None, "east"], dtype=object),
    "timestamp": ["2017-08-03T12:00+03:00", "2017-08-03", "2017-08-10"],
    "date": pd.to_datetime(["2017-08-03", "2017-08-03", "2017-08-10"]),
    "kind": ["in_effect", "signed", "aid_entry"],
    "text": ["Truce in force", SCRIPT, "Convoy enters"],
    "source": ["Syria Direct", "Reuters", "UN OCHA"],
})


def test_histogram_stacks_weekly_bars_by_type_and_marks_milestones():
    weekly = pd.DataFrame({"Airstrike": [1, 0, 4], "Shelling": [2, 1, 0]}, index=WEEKS)
    fig = histogram_figure(weekly, MILESTONES, (date(2017, 8, 1), date(2017, 8, 9)),
                           (date(2017, 7, 31), date(2017, 8, 20)))
    bars = traces(fig, "bar")
    assert fig.layout.barmode == "stack"
    assert [b.name for b in bars] == ["Airstrike", "Shelling"]
    assert [list(b.y) for b in bars] == [[1, 0, 4], [2, 1, 0]]
    assert [b.marker.color for b in bars] == ["#332288", "#E69F00"]
    marks = traces(fig, "scatter")[0]
    assert marks.marker.symbol == "triangle-down"
    assert list(marks.y) == pytest.approx([4 * 1.08] * 3)   # just above the tallest week (4)
    assert [row[0] for row in marks.customdata.tolist()] == ["Truce in force", SCRIPT_ESCAPED,
                                                            "Convoy enters"]
    assert [row[2:] for row in marks.customdata.tolist()] == [
        ["in effect", "homs-north"], ["signed", "all zones"], ["aid entry", "east"]]
    lines = [s for s in fig.layout.shapes if s.type == "line"]
    assert len(lines) == 2  # one line per milestone day
    window = [s for s in fig.layout.shapes if s.type == "rect"]
    assert [(pd.Timestamp(s.x0), pd.Timestamp(s.x1)) for s in window] == [
        (pd.Timestamp("2017-08-01"), pd.Timestamp("2017-08-10"))]  # the end day included
    assert list(fig.layout.xaxis.range) == [pd.Timestamp("2017-07-31"), pd.Timestamp("2017-08-21")]
    assert fig.layout.yaxis.range == pytest.approx((0, 4 * 1.18))


def test_histogram_of_nothing_keeps_a_usable_axis():
    weekly = pd.DataFrame(index=WEEKS)
    fig = histogram_figure(weekly, MILESTONES, None, None)
    assert traces(fig, "bar") == []
    assert fig.layout.yaxis.range == pytest.approx((0, 1.18))
    assert list(traces(fig, "scatter")[0].y) == pytest.approx([1.08] * 3)
    assert not [s for s in fig.layout.shapes if s.type == "rect"]


def test_histogram_without_milestones():
    weekly = pd.DataFrame({"Shelling": [2, 1, 0]}, index=WEEKS)
    fig = histogram_figure(weekly, MILESTONES.iloc[:0], None, None)
    assert [t.type for t in fig.data] == ["bar"]
    assert fig.layout.shapes == ()


# Zone series ----------------------------------------------------------------------------
def test_zone_series_has_one_panel_per_zone_in_the_given_order(zones):
    series = {z: pd.Series([i, 0, 2], index=WEEKS) for i, z in enumerate(["east", "homs-north",
                                                                          "buffer"])}
    names = {"homs-north": "Northern Homs", "east": "East", "buffer": "<b>Buffer</b>"}
    fig = zone_series_figure(series, zones, MILESTONES, names)
    assert [a.text for a in fig.layout.annotations] == ["East", "Northern Homs",
                                                       "&lt;b&gt;Buffer&lt;/b&gt;"]
    bars = [t for t in traces(fig, "bar") if t.showlegend is False]
    assert [(b.xaxis, b.yaxis, list(b.y)) for b in bars] == [
        ("x", "y", [0, 0, 2]), ("x2", "y2", [1, 0, 2]), ("x3", "y3", [2, 0, 2])]
    assert fig.layout.height == 110 * 3 + 80
    legend = [t.name for t in traces(fig, "bar") if t.showlegend]
    assert legend == ["Declared", "In effect"]  # each status once, in file order
    # Status periods: homs-north has 3 versions, east and buffer one each.
    assert len([s for s in fig.layout.shapes if s.type == "rect"]) == 5
    # Milestones of a zone go on its own panel: east (row 1), homs-north (row 2).
    assert sorted(s.xref for s in fig.layout.shapes if s.type == "line") == ["x", "x2"]


def test_zone_series_of_no_zones_still_draws_one_empty_panel(zones):
    fig = zone_series_figure({}, zones.iloc[:0], MILESTONES.iloc[:0], {})
    assert fig.layout.height == 190
    assert traces(fig, "bar") == []


def test_hexagons_go_from_light_for_few_to_dark_red_for_many():
    from dashboard.analysis.aggregate import hex_bins
    from dashboard.views.figures import hex_trace

    scale = hex_trace(hex_bins(np.array([36.7, 36.7]), np.array([34.9, 34.9]), 0.1), 0.1)[
        "colorscale"]
    assert scale[0] == [0.0, "rgb(255,255,204)"] and scale[-1] == [1.0, "rgb(128,0,38)"]


def test_every_map_trace_carries_a_role_and_labels_are_free_to_change(zones):
    """Code finds a trace by its ``meta`` role (dashboard/views/roles.py), never by its
    legend label: every trace of every kind of map has a known one."""
    stacked = pd.concat([points("Shelling", "Airstrike"), points("Shelling")], ignore_index=True)
    fig = draw(zones_as_of(zones, pd.Timestamp("2017-09-01")), incidents=stacked,
               type_order=["Shelling", "Airstrike"],
               highlight=pd.DataFrame({"lon": [36.7], "lat": [34.9]}))
    rng = np.random.default_rng(3)
    hexes = draw(hexes=hex_bins(36.7 + rng.normal(0, 0.2, 50), 34.9 + rng.normal(0, 0.2, 50), 0.1))
    found = {roles.role_of(t) for t in [*fig.data, *hexes.data]}
    assert found == set(roles.ROLES.values())
    assert [t.name for t in roles.with_role(fig.data, roles.INCIDENTS)] == ["Shelling", "Airstrike"]


def test_an_unknown_role_is_refused():
    with pytest.raises(ValueError, match=r"unknown trace role 'zone labels'.*roles\.py"):
        roles.meta("zone labels")


def test_histogram_and_zone_series_are_sent_as_plain_data_that_plotly_accepts(zones):
    """The callbacks send plain dicts (no go.Figure validation on every filter change):
    each is a figure plotly validates, with the default template (the same look)."""
    import plotly.graph_objects as go

    from dashboard.views.figures import histogram_figure_dict, zone_series_figure_dict

    weekly = pd.DataFrame({"Airstrike": [1, 2, 0]}, index=WEEKS)
    series = {"east": pd.Series([1, 0, 2], index=WEEKS), "homs-north": pd.Series([0, 0, 1], index=WEEKS)}
    for figure in (histogram_figure_dict(weekly, MILESTONES, (date(2017, 8, 1), date(2017, 8, 9)),
                                         None),
                   zone_series_figure_dict(series, zones, MILESTONES, {}, window=(WEEKS[0], WEEKS[-1]))):
        assert isinstance(figure, dict)
        validated = go.Figure(figure)  # raises on a property plotly does not know
        assert validated.layout.template == go.Figure().layout.template
    xaxes = {k: v for k, v in figure["layout"].items() if k.startswith("xaxis")}
    assert len(xaxes) == 2 and all(v["range"] == [WEEKS[0], WEEKS[-1]] for v in xaxes.values())


def test_the_zone_panels_figures_are_plain_data_plotly_accepts():
    """The trend and who/where charts go to the zone panel as plain dicts (built on a
    busy server); plotly validates them, with the default template."""
    import plotly.graph_objects as go

    from dashboard.views.figures import breakdown_figure_dict

    figure = breakdown_figure_dict([("Government of Syria", 3), ("2 others", 1)], "Who", "#333", 4)
    assert isinstance(figure, dict)
    validated = go.Figure(figure)
    assert list(validated.data[0].y) == ["2 others", "Government of Syria"]
    assert list(validated.data[0].marker.color) == ["#b8c0c7", "#333"]
    assert validated.layout.template == go.Figure().layout.template


def test_no_source_takes_a_zone_status_colour():
    """A source drawn in the zones' "In effect" green hid their outlines."""
    from dashboard.views import palette

    sources = palette.source_colours([f"source {i}" for i in range(len(palette.SOURCE_COLOURS))])
    assert not set(sources.values()) & set(palette.STATUS_COLOURS.values())
    assert len(set(sources.values())) == len(sources)
