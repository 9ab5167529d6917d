"""What a hostile browser can send the server, and what the server answers with.

Issue 17, items 5, 8, 9, 10, 12 and 13 as attacks: forged component values and
cameras (clamped or refused with a message, never a crash), markup in zone names
(shown literally in every renderer, never run), and the headers on every response.
Everything is built in code; nothing here is slow or touches the network.
"""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date

import pytest

from dashboard.analysis.viewstate import MAX_ITEMS, MAX_TEXT, decode
from dashboard.app import parse
from dashboard.core.errors import FilterError

NAN, INF = float("nan"), float("inf")


# Item 12: bounds on what the browser sends ------------------------------------------------
@pytest.mark.parametrize(("values", "start", "end"), [
    pytest.param({"range": [NAN, 5]}, date(2017, 5, 4), date(2017, 5, 9), id="nan"),
    pytest.param({"range": [-1e12, 1e12]}, date(2017, 5, 4), date(2018, 5, 15), id="huge"),
    pytest.param({"range": [INF, -INF]}, None, None, id="inf"),
    pytest.param({"range": ["a", None]}, None, None, id="text"),
    pytest.param({"range": 5}, None, None, id="not-a-pair"),
    pytest.param({"range": [1, 2, 3]}, None, None, id="three"),
])
def test_a_forged_window_is_clamped_to_the_span(tiny_view, values, start, end):
    state = parse.state_from_controls(tiny_view, values)
    assert state.start == (start or tiny_view.default.start)
    assert state.end == (end or tiny_view.default.end)


@pytest.mark.parametrize("value", [INF, -INF, NAN, 1e300, "1e400", [1], {"a": 1}, True])
def test_forged_fatality_bounds_never_raise(tiny_view, value):
    state = parse.state_from_controls(tiny_view, {"fat_min": value, "fat_max": value})
    assert state.fat_min is None or 0 <= state.fat_min <= 10_000_000
    assert tiny_view.index.select(state) is not None


def test_filter_lists_are_bounded(tiny_view):
    many = [f"type {i}" for i in range(100_000)]
    state = parse.state_from_controls(tiny_view, {"types": many, "actors": ["x" * 10_000],
                                                  "zones": "homs-north", "sources": [None, 5]})
    assert len(state.types) == MAX_ITEMS and state.actors == ("x" * MAX_TEXT,)
    assert state.zones == ()  # a string is not a list: ignored, not split into letters
    assert state.sources == ("5",)


def test_a_link_with_many_values_or_huge_numbers_is_bounded(tiny_view):
    decoded = decode("&".join(f"type=t{i}" for i in range(500)) + "&fat=1-" + "9" * 25,
                     tiny_view.default)
    assert len(decoded.state.types) == MAX_ITEMS
    assert decoded.state.fat_min == 1 and decoded.state.fat_max == 10_000_000
    assert len(tiny_view.index.select(replace(decoded.state, types=()))) == \
        len(tiny_view.index.select(replace(tiny_view.default, fat_min=1)))


@pytest.mark.parametrize(("center", "zoom", "expected"), [
    ({"lat": NAN, "lon": 1}, 3, None),
    ({"lat": 1, "lon": INF}, 3, None),
    ({"lat": 1, "lon": 1}, "x", None),
    ("34,36", 3, None),
    ({"lat": 100, "lon": 540}, 99, {"center": [85.0511, -180.0], "zoom": 22.0}),
    ({"lat": -100, "lon": -181}, -5, {"center": [-85.0511, 179.0], "zoom": 0.0}),
    ({"lat": 34.9, "lon": 36.7}, 7.5, {"center": [34.9, 36.7], "zoom": 7.5}),
])
def test_a_forged_map_move_is_clamped_or_ignored(center, zoom, expected):
    assert parse.camera_from_relayout({"map.center": center, "map.zoom": zoom}) == expected


@pytest.mark.parametrize("camera", [{"center": [NAN, 1], "zoom": 2}, {"center": "x"},
                                    {"center": [1], "zoom": 1}, {"zoom": INF}, "camera", 5])
def test_a_forged_camera_store_is_ignored(tiny_view, camera):
    assert parse.with_camera(tiny_view.default, camera) == tiny_view.default


def test_a_camera_store_out_of_range_is_clamped(tiny_view):
    state = parse.with_camera(tiny_view.default, {"center": [91, 200], "zoom": 40})
    assert state.center == (85.0511, -160.0) and state.zoom == 22.0


@pytest.mark.parametrize(("before", "after", "ring", "expected"), [
    (None, "", None, (90, 90, 25.0)),
    ("30", 60.0, "2.5", (30, 60, 2.5)),
    (3650, 1, 500, (3650, 1, 500.0)),
])
def test_analysis_window_reads_the_panel(before, after, ring, expected):
    assert parse.analysis_window(before, after, ring) == expected


@pytest.mark.parametrize(("before", "after", "ring", "message"), [
    (3651, 90, 25, r"^Days before 3651 is not a whole number of days from 1 to 3,650\. Fix: "),
    (90, 10**9, 25, r"^Days after 1000000000 is not a whole number"),
    (0, 90, 25, r"^Days before 0 is not"),
    (-5, 90, 25, r"^Days before -5 is not"),
    (1.5, 90, 25, r"^Days before 1\.5 is not a whole number"),
    (INF, 90, 25, r"^Days before inf is not"),
    (90, 90, NAN, r"^Ring width nan is not a distance in km from 0\.1 to 500\. Fix: "),
    (90, 90, -3, r"^Ring width -3 is not"),
    (90, 90, "1e999", r"^Ring width '1e999' is not"),
    ("ninety", 90, 25, r"^Days before 'ninety' is not"),
])
def test_analysis_window_refuses_with_a_message(before, after, ring, message):
    with pytest.raises(FilterError, match=message):
        parse.analysis_window(before, after, ring)


def test_nothing_the_panel_accepts_overflows_a_date():
    before, after, _ = parse.analysis_window(3650, 3650, 500)
    assert date(2017, 1, 1).toordinal() - before > 0 and math.isfinite(after)


# Item 13: security headers on every response ---------------------------------------------
def make_app(tiny_dataset, tmp_path, **settings):
    from dashboard.app import create_app
    from dashboard.core.settings import Settings
    from dashboard.server.datastore import DataStore

    chosen = Settings(session_dir=tmp_path / "sessions", cache_dir=None, **settings)
    return create_app(chosen, DataStore.from_dataset(tiny_dataset, chosen, "test"))


@pytest.fixture(scope="module")
def app(tiny_dataset, tmp_path_factory):
    return make_app(tiny_dataset, tmp_path_factory.mktemp("headers"))


def csp(response) -> dict[str, list[str]]:
    policy = response.headers["Content-Security-Policy"]
    return {name: values for name, *values in (part.split() for part in policy.split(";"))}


def answers(app):
    client = app.server.test_client()
    return {
        "page": client.get("/"),
        "layout": client.get("/_dash-layout"),
        "dependencies": client.get("/_dash-dependencies"),
        "asset": client.get("/assets/playback.js"),
        "playback": client.post("/zonewatch/playback", json={"state": "", "session": None}),
        "base layer": client.get("/zonewatch/base/countries.geojson"),
        "missing": client.get("/zonewatch/base/nothing.geojson"),
    }


def test_every_response_carries_the_security_headers(app):
    for name, response in answers(app).items():
        assert response.status_code in (200, 404), name
        policy = csp(response)
        assert policy["frame-ancestors"] == ["'none'"], name
        assert policy["default-src"] == ["'self'"] and policy["object-src"] == ["'none'"]
        assert response.headers["X-Content-Type-Options"] == "nosniff", name
        assert response.headers["Referrer-Policy"] == "no-referrer", name


def test_data_routes_are_never_cached_and_code_may_be(app):
    got = answers(app)
    for name in ("page", "layout", "dependencies", "playback"):
        assert got[name].headers["Cache-Control"] == "no-store", name
    for name in ("asset", "base layer"):
        assert "no-store" not in got[name].headers.get("Cache-Control", ""), name


def test_every_inline_script_of_the_page_is_allowed_by_hash_and_nothing_else(app):
    import base64
    import hashlib
    import re

    response = app.server.test_client().get("/")
    page = re.sub(r"<!--.*?-->", "", response.get_data(as_text=True), flags=re.S)  # IE only
    inline = [body for attrs, body in re.findall(r"<script([^>]*)>(.*?)</script>", page, re.S)
              if "src=" not in attrs and "application/json" not in attrs]
    assert inline, "the page has Dash's renderer inline"
    allowed = csp(response)["script-src"]
    for body in inline:
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in allowed
    assert "'unsafe-inline'" not in allowed and "'unsafe-eval'" not in allowed
    assert all(v == "'self'" or v.startswith("'sha256-") for v in allowed)


def test_tile_hosts_are_allowed_only_where_users_may_switch_tiles_on(tiny_dataset, tmp_path):
    from dashboard.app import ids

    closed = make_app(tiny_dataset, tmp_path, allow_online_tiles=False)
    offline = csp(closed.server.test_client().get("/"))
    assert not any("openstreetmap" in v for values in offline.values() for v in values)
    layout = closed.server.test_client().get("/_dash-layout").get_data(as_text=True)
    assert '"disabled": true' in layout.replace('"disabled":true', '"disabled": true')
    default = make_app(tiny_dataset, tmp_path / "default")   # the user's switch, off at first
    policy = csp(default.server.test_client().get("/"))
    assert "https://tile.openstreetmap.org" in policy["img-src"]
    assert "https://tile.openstreetmap.org" in policy["connect-src"]
    switch = tiles_switch(default.server.test_client().get("/_dash-layout").get_json(), ids.TILES)
    assert switch["value"] == [] and not switch["options"][0].get("disabled")


def tiles_switch(node, wanted: str) -> dict | None:
    """The props of the component with id ``wanted`` in a /_dash-layout answer."""
    if isinstance(node, dict):
        props = node.get("props", {})
        if props.get("id") == wanted:
            return props
        children = [props.get("children"), *node.values()] if props else list(node.values())
        for child in children:
            found = tiles_switch(child, wanted)
            if found:
                return found
    elif isinstance(node, list):
        for child in node:
            found = tiles_switch(child, wanted)
            if found:
                return found
    return None


# Item 8: markup in names, escaped exactly once per renderer -------------------------------
HOSTILE = "A & B <img src=x onerror=alert(1)>"
ONCE = "A &amp; B &lt;img src=x onerror=alert(1)&gt;"


@pytest.fixture(scope="module")
def hostile_view():
    from dashboard.analysis.dataset import assemble_dataset
    from dashboard.analysis.viewdata import build_view_data
    from dashboard.io.milestones import empty_milestones
    from tests.conftest import INCIDENT_ROWS, ZONE_ROWS, make_incidents, make_zones

    zones = [dict(r, name=HOSTILE) if r["zone_id"] == "homs-north" else r for r in ZONE_ROWS]
    incidents = [dict(r, event_type=HOSTILE) for r in INCIDENT_ROWS]
    data = assemble_dataset(make_zones(zones), make_incidents(incidents), empty_milestones(), [])
    return build_view_data(data, "test")


@pytest.fixture(scope="module")
def hostile_state(hostile_view):
    return replace(hostile_view.default, zones=("homs-north",), start=date(2017, 8, 1),
                   end=date(2017, 9, 30))


def entities_whole(text: str) -> bool:
    """Every '&' starts one of the entities html.escape makes (none cut in two)."""
    import re

    return not re.search(r"&(?!amp;|lt;|gt;)", text)


def test_the_map_names_zones_as_typed_and_escapes_hover_and_legend_once(hostile_view,
                                                                        hostile_state):
    from dashboard.views import roles
    from dashboard.views.mapview import build_map

    figure = build_map(hostile_view, hostile_state, budget=1000).figure
    traces = {t["name"]: t for t in figure["data"]}
    assert roles.first(figure["data"], roles.ZONE_LABELS)["text"][0] == HOSTILE  # plain text
    zone_fill = roles.first(figure["data"], roles.ZONES)
    assert zone_fill["customdata"][0][0] == ONCE               # plotly hover: HTML, once
    assert ONCE in traces                                       # legend: HTML, once


def test_the_briefing_escapes_once_and_never_cuts_an_entity(hostile_view, hostile_state):
    from datetime import datetime

    from dashboard.export.briefing import briefing_figure

    fig = briefing_figure(hostile_view, hostile_state, made_at=datetime(2024, 1, 1),
                          include_numbers=True, title=HOSTILE * 6)
    texts = [a.text for a in fig.layout.annotations]
    assert texts[0].startswith(f"<b>{ONCE}") and "&amp;amp;" not in " ".join(texts)
    assert any(f"Zone: {ONCE}" in t for t in texts)  # the filter line
    assert all(entities_whole(t) for t in texts)
    # The zone's name on the map is a page label now (above the markers), escaped once.
    from dashboard.views import roles

    assert roles.first(fig.data, roles.ZONE_LABELS) is None
    on_map = [t for t in texts if "&lt;img" in t and not t.startswith("<b>") and "Zone:" not in t]
    assert on_map and "&amp;amp;" not in " ".join(on_map)


def test_bar_labels_are_cut_before_they_are_escaped():
    from dashboard.views.figures import breakdown_figure

    fig = breakdown_figure([("&" * 60, 3), (HOSTILE, 1)], "Who", "#333")
    labels = list(fig.data[0].y)
    assert labels == [ONCE, "&amp;" * 48] and all(entities_whole(v) for v in labels)


def test_playback_sends_names_as_typed_for_its_canvas(hostile_view, hostile_state):
    from dashboard.views.playback_data import playback_payload

    payload = playback_payload(hostile_view, hostile_state)
    names = {f["properties"]["name"] for f in payload["zones"]["features"]}
    assert HOSTILE in names and HOSTILE in payload["types"]


# Item 5: one user cannot evict everyone ---------------------------------------------------
def test_many_sessions_of_one_uploader_never_flush_an_active_colleague(tmp_path):
    from dashboard.app.faults import error_message
    from dashboard.server.sessions import QuotaError, SessionStore, new_session_id

    store = SessionStore(tmp_path / "s", ttl_minutes=120, max_mb=1, quota_mb=0.5)
    colleague = new_session_id()
    staged = store.staging_path(colleague, "text")
    staged.write_bytes(b"c" * 300_000)
    store.commit(colleague, "incidents", staged, "mine.csv")
    refused = []
    for _ in range(6):  # the attacker's fresh sessions, 500 kB each
        attacker = new_session_id()
        staged = store.staging_path(attacker, "text")
        staged.write_bytes(b"x" * 500_000)
        try:
            store.commit(attacker, "incidents", staged, "big.csv")
        except QuotaError as err:
            refused.append(error_message(err)[0])
        staged.unlink(missing_ok=True)
    assert store.files(colleague).incidents.stat().st_size == 300_000
    assert len(refused) == 5 and refused[0].startswith("the server's space for uploaded data")
    store.sweep()
    left = [p.name for p in store.root.iterdir() if p.name[0] != "."]
    assert len(left) == 2 and colleague in left  # the refused ones left no folder behind
