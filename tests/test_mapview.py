"""build_map: points while few enough are in view, hexagons above the budget, points
again when zoomed in, and a note that says what is shown and as of which day."""

from __future__ import annotations

import json
import re
from datetime import date

import pandas as pd
import pytest
from plotly.io.json import to_json_plotly

from dashboard.analysis.viewstate import ViewState
from dashboard.views import mapview, roles
from dashboard.views.figures import ZoneLayers, compact
from dashboard.views.mapview import build_map, hex_size_for, viewport
from tests.conftest import TINY_BASE

#: Zoomed in on (34.9 N, 36.7 E): only i04, i07 and i08 are in view.
CLOSE_UP = {"center": (34.9, 36.7), "zoom": 13.0}


@pytest.fixture(autouse=True)
def tiny_base_layers(monkeypatch):
    """The map's base layers from code, not from the bundled files."""
    monkeypatch.setattr(mapview, "load_base_layers", lambda: TINY_BASE)


def state(view, **changes) -> ViewState:
    return ViewState(**{**view.default.__dict__, **changes})


def shown_ids(result) -> list[str]:
    """Ids in the hover: lone incidents' last customdata column, and the lines of the
    points several incidents share."""
    data = result.plotly().data
    alone = [i[-1] for t in data if roles.role_of(t) == roles.INCIDENT_HOVER for i in t.customdata]
    stacked = [m for t in data if roles.role_of(t) == roles.INCIDENTS_AT_POINT for text in t.hovertext
               for m in re.findall(r"ID (\S+?)(?:<br>|$)", text)]
    return sorted(alone + stacked)


def test_points_under_the_budget(tiny_view):
    result = build_map(tiny_view, tiny_view.default, budget=12)
    assert (result.mode, result.shown) == ("points", 12)
    assert result.note == ("12 incidents shown at 6 points (a number beside a dot: how many "
                           "share it). Zones as they stood on 15 May 2018.")
    assert shown_ids(result) == [f"i{n:02d}" for n in range(1, 13)]
    assert not list(roles.with_role(result.plotly().data, roles.INCIDENTS_BINNED))


def test_hexagons_over_the_budget(tiny_view):
    result = build_map(tiny_view, tiny_view.default, budget=11)
    assert (result.mode, result.shown) == ("hexagons", 0)
    assert result.note == (
        "12 incidents, 12 in view: too many to draw one by one, so they are counted in "
        "hexagons. Zoom in or filter to see individual incidents. "
        "Zones as they stood on 15 May 2018.")
    hexes = roles.first(result.plotly().data, roles.INCIDENTS_BINNED)
    assert sum(hexes.customdata) == 12
    assert shown_ids(result) == []


def test_filtering_down_brings_the_points_back(tiny_view):
    result = build_map(tiny_view, state(tiny_view, zones=("east",)), budget=2)
    assert (result.mode, result.shown) == ("points", 1)
    assert shown_ids(result) == ["i06"]


def test_zooming_in_brings_the_points_in_view_back(tiny_view):
    result = build_map(tiny_view, state(tiny_view, **CLOSE_UP), budget=3)
    assert (result.mode, result.shown) == ("points", 3)
    assert shown_ids(result) == ["i04", "i07", "i08"]
    assert result.note == ("3 incidents in this part of the map at 2 points (a number beside a "
                           "dot: how many share it). Zones as they stood on 15 May 2018.")
    assert result.plotly().layout.map.zoom == 13.0


def test_zoomed_in_but_still_too_many_in_view_stays_hexagons(tiny_view):
    result = build_map(tiny_view, state(tiny_view, **CLOSE_UP), budget=2)
    assert result.mode == "hexagons"
    assert result.note.startswith("12 incidents, 3 in view: too many")


def test_no_match_says_so_and_draws_the_zones(tiny_view):
    result = build_map(tiny_view, state(tiny_view, types=("Riots",)), budget=100)
    assert (result.mode, result.shown) == ("empty", 0)
    assert result.note == "No incidents match these filters. Zones as they stood on 15 May 2018."
    assert [t.type for t in result.plotly().data if t.type == "choroplethmap"] == ["choroplethmap"] * 2


@pytest.mark.parametrize(("changes", "day", "zones"), [
    pytest.param({}, "15 May 2018", ["buffer", "east"], id="end-of-data"),
    pytest.param({"end": date(2017, 9, 1)}, "1 Sep 2017", ["buffer", "homs-north"], id="window-end"),
    pytest.param({"end": date(2017, 12, 31), "as_of": date(2017, 8, 2)}, "2 Aug 2017",
                 ["homs-north"], id="as-of-wins"),
])
def test_note_names_the_day_the_zones_are_drawn_for(tiny_view, changes, day, zones):
    result = build_map(tiny_view, state(tiny_view, **changes), budget=100)
    assert result.note.endswith(f"Zones as they stood on {day}.")
    drawn = sorted(z for t in result.plotly().data if t.type == "choroplethmap" for z in t.locations)
    assert drawn == zones


def test_the_camera_defaults_to_the_data_and_follows_the_state(tiny_view):
    fig = build_map(tiny_view, tiny_view.default, budget=100).plotly()
    assert (fig.layout.map.center.lat, fig.layout.map.center.lon) == pytest.approx(tiny_view.center)
    assert fig.layout.map.zoom == tiny_view.zoom
    fig = build_map(tiny_view, state(tiny_view, **CLOSE_UP), budget=100).plotly()
    assert (fig.layout.map.center.lat, fig.layout.map.center.lon, fig.layout.map.zoom) == (
        34.9, 36.7, 13.0)


def test_highlight_marks_the_incident_by_id(tiny_view):
    fig = build_map(tiny_view, tiny_view.default, budget=100, mark="i06").plotly()
    marked = roles.first(fig.data, roles.SELECTED)
    assert (list(marked.lon), list(marked.lat)) == ([36.9], [34.9])
    fig = build_map(tiny_view, tiny_view.default, budget=100, mark="nope").plotly()
    assert not list(roles.with_role(fig.data, roles.SELECTED))


def test_online_tiles_and_base_url_pass_through(tiny_view):
    fig = build_map(tiny_view, tiny_view.default, budget=100, online_tiles=True).plotly()
    assert fig.layout.map.style == "open-street-map"
    fig = build_map(tiny_view, tiny_view.default, budget=100, base_url="/b").plotly()
    assert fig.layout.map.layers[0].source == "/b/countries.geojson"


def test_viewport_widens_with_the_margin_and_shrinks_with_zoom():
    assert viewport((0.0, 0.0), 0.0, margin=0.0) == pytest.approx(
        (-1000 / 2 * 360 / 512, -620 / 2 * 360 / 512, 1000 / 2 * 360 / 512, 620 / 2 * 360 / 512))
    wide, close = viewport((34.9, 36.7), 7.0), viewport((34.9, 36.7), 8.0)
    assert close[2] - close[0] == pytest.approx((wide[2] - wide[0]) / 2)
    assert hex_size_for(8.0) == pytest.approx(hex_size_for(7.0) / 2)


def test_note_says_when_no_zone_was_in_force(tiny_view):
    from dataclasses import replace

    early = replace(tiny_view.default, start=date(2000, 1, 1), end=date(2000, 1, 2))
    result = build_map(tiny_view, early, budget=100)
    assert "No zone was in force on 2 Jan 2000." in result.note


def test_zone_layers_are_those_of_the_day_and_reused_across_days(tiny_view):
    from dashboard.analysis.validity import zones_as_of

    for day in sorted({*tiny_view.zones["valid_from"].dropna(), *tiny_view.zones["valid_to"].dropna(),
                       pd.Timestamp("2000-01-01"), pd.Timestamp("2030-01-01")}):
        for d in (day - pd.Timedelta(days=1), day, day + pd.Timedelta(days=1)):
            shown, layers = mapview.zones_on(tiny_view, d)
            pd.testing.assert_frame_equal(shown, zones_as_of(tiny_view.zones, d))
            assert layers == ZoneLayers.of(shown)
    first = mapview.zones_on(tiny_view, tiny_view.span[1])[1]
    assert mapview.zones_on(tiny_view, tiny_view.span[1])[1] is first  # made once


def test_hexagons_come_from_one_grid_per_zoom_step(tiny_view):
    grid = mapview.hex_grid(tiny_view, 7.3)
    assert mapview.hex_grid(tiny_view, 7.31) is grid
    assert mapview.hex_grid(tiny_view, 8.0) is not grid
    assert grid.size_deg == pytest.approx(hex_size_for(7.25))


def test_the_map_figure_sends_numbers_as_typed_arrays(tiny_view):
    figure = compact(build_map(tiny_view, tiny_view.default, budget=100).figure)
    points = list(roles.with_role(figure["data"], roles.INCIDENTS))
    assert points and all(set(t["lon"]) == {"dtype", "bdata"} for t in points)
    assert all(set(t["marker"]["size"]) == {"dtype", "bdata"} for t in points)
    json.loads(to_json_plotly(figure))  # and Dash can send it


def zone_versions(result) -> list[str]:
    """"zone_id vN" of every zone fill drawn."""
    return sorted(f"{z} {c[3].split(':')[0]}" for t in result.plotly().data
                  if t.type == "choroplethmap" and t.name.startswith("Zone")
                  for z, c in zip(t.locations, t.customdata, strict=True))


CHOSEN_ZONES = [
    pytest.param({"zones": ("homs-north",), "start": date(2018, 3, 1)}, ["homs-north v3"],
                 "homs-north as it stood on 14 May 2018, its last day in force.", id="ended"),
    pytest.param({"zones": ("homs-north",), "start": date(2018, 5, 15)}, [],
                 "homs-north was not in force on any day of this window.", id="never-in-window"),
    pytest.param({"zones": ("east",), "start": date(2017, 9, 1), "end": date(2017, 12, 1),
                  "as_of": date(2017, 9, 15)}, ["east v1"],
                 "east as it stood on 1 Oct 2017, its first day in force.", id="not-yet"),
    pytest.param({"zones": ("homs-north",), "start": date(2017, 9, 1), "end": date(2017, 10, 1)},
                 ["homs-north v2"], "", id="in-force"),
]


@pytest.mark.parametrize(("changes", "versions", "said"), CHOSEN_ZONES)
def test_a_chosen_zone_is_drawn_as_of_a_day_it_was_in_force(tiny_view, changes, versions, said):
    result = build_map(tiny_view, state(tiny_view, **changes), budget=100)
    assert [v for v in zone_versions(result) if v.split()[0] in changes["zones"]] == versions
    assert result.note.endswith(said)
    assert result.note.count("as it stood") + result.note.count("not in force") == bool(said)


def test_the_key_is_one_row_under_the_map_incidents_first(tiny_view):
    """A key in the map's corner hid a quarter of the default view: it sits under the
    map (top edge at or below the map's bottom), in rows, with only the first group's
    title shown by Plotly, so the incidents' title comes first and the zones after."""
    fig = build_map(tiny_view, tiny_view.default, budget=100).plotly()
    legend = fig.layout.legend
    assert (legend.orientation, legend.yanchor, legend.traceorder) == ("h", "top", "normal")
    assert legend.y <= 0 and fig.layout.map.domain.y in (None, (0, 1))
    shown = [t for t in fig.data if t.showlegend is not False]
    ranks = [(roles.role_of(t), t.legendrank or 1000) for t in shown]
    first_zone = min(r for role, r in ranks if role == roles.ZONES)
    assert all(r < first_zone for role, r in ranks if role in roles.INCIDENT_ROLES)
    in_key = sorted(shown, key=lambda t: t.legendrank or 1000)  # Plotly's order: stable by rank
    assert in_key[0].legendgrouptitle.text == "Incidents (size: fatalities)"
    assert all(t.name.startswith("Zone: ") for t in roles.with_role(fig.data, roles.ZONES))


@pytest.mark.parametrize("changes", [{}, {"zones": ("east",)}, CLOSE_UP])
def test_hover_texts_made_once_for_all_rows_draw_the_same_map(tiny_view, monkeypatch, changes):
    """The map takes its rows' hover texts from those made once for the whole data; the
    figure is the one made from the rows alone, text for text."""
    view_state = state(tiny_view, **changes)
    once = build_map(tiny_view, view_state, budget=100).figure
    monkeypatch.setattr(mapview, "HOVER_ROWS_MAX", 0)
    alone = build_map(tiny_view, view_state, budget=100).figure
    assert to_json_plotly(once) == to_json_plotly(alone)
    assert "hovertext" in to_json_plotly(once) or "customdata" in to_json_plotly(once)
