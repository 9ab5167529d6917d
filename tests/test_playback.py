"""The data playback draws in the browser: every matching incident over the whole
span as compact arrays, and every zone version with the days it is in force."""

from __future__ import annotations

import base64
import json
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dashboard.app.callbacks.playback import playback_response, playback_state
from dashboard.core.errors import ZoneWatchError
from dashboard.views import palette
from dashboard.views.figures import marker_size
from dashboard.views.playback_data import OPEN_END, frame_offsets, playback_payload


def array(payload: dict, key: str, dtype: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(payload[key]), dtype=dtype)


def test_every_matching_incident_of_the_span_in_date_order(tiny_view):
    state = replace(tiny_view.default, start=date(2018, 1, 1), end=date(2018, 1, 2))
    payload = playback_payload(tiny_view, state)
    frame = tiny_view.index.frame  # sorted by date
    assert payload["n"] == len(frame) and not payload["too_many"]  # the window is ignored
    first = pd.Timestamp(tiny_view.span[0])
    expected_days = [(d.normalize() - first).days for d in frame["date"]]
    assert array(payload, "day", "<i4").tolist() == expected_days
    assert np.allclose(array(payload, "lon", "<f4"), frame["lon"])
    assert np.allclose(array(payload, "lat", "<f4"), frame["lat"])
    types = [payload["colours"][t] for t in array(payload, "type", "<u2")]
    assert types == [palette.type_colour(t) for t in frame["event_type"]]
    assert array(payload, "size", "u1").tolist() == \
        np.rint(marker_size(frame["fatalities"].to_numpy(dtype="float64", na_value=np.nan))).tolist()
    assert payload["first"] == tiny_view.span[0].isoformat()
    assert payload["types"] == tiny_view.index.categories["event_type"]  # the legend's names


def test_filters_other_than_the_window_apply(tiny_view):
    state = replace(tiny_view.default, types=("Shelling",))
    payload = playback_payload(tiny_view, state)
    assert payload["n"] == int((tiny_view.index.frame["event_type"] == "Shelling").sum()) > 0
    assert len(array(payload, "lon", "<f4")) == payload["n"]


def test_too_many_sends_only_the_count(tiny_view):
    payload = playback_payload(tiny_view, tiny_view.default, limit=3)
    assert payload["too_many"] and payload["n"] == len(tiny_view.index) and "lon" not in payload


def test_zone_versions_carry_their_days_in_slider_offsets(tiny_view):
    payload = playback_payload(tiny_view, tiny_view.default)
    first = pd.Timestamp(tiny_view.span[0])
    features = payload["zones"]["features"]
    assert len(features) == len(tiny_view.zones)
    for feature, row in zip(features, tiny_view.zones.itertuples(), strict=True):
        props = feature["properties"]
        start = -OPEN_END if pd.isna(row.valid_from) else (row.valid_from - first).days
        end = OPEN_END if pd.isna(row.valid_to) else (row.valid_to - first).days
        assert (props["from"], props["to"]) == (start, end)
        assert feature["geometry"]["type"] in ("Polygon", "MultiPolygon")
        assert props["status"] == palette.status_label(row.status)
        assert props["colour"] == palette.status_colour(row.status)


def test_a_fixed_zones_day_is_passed_on(tiny_view):
    state = replace(tiny_view.default, as_of=tiny_view.span[0])
    assert playback_payload(tiny_view, state)["as_of"] == 0
    assert playback_payload(tiny_view, tiny_view.default)["as_of"] is None


def test_the_route_answers_with_the_sessions_data(store):
    body, status = playback_response(store, None, "type=Shelling#base")
    assert status == 200 and body["n"] > 0


def test_the_route_says_what_went_wrong(store, monkeypatch):
    def broken(session_id):
        raise ZoneWatchError("Your uploaded data could not be read any more.")

    monkeypatch.setattr(store, "view_data", broken)
    body, status = playback_response(store, "abc", "")
    assert status == 400 and "could not be read" in body["error"]


@pytest.fixture
def store(tiny_dataset, tmp_path):
    from dashboard.core.settings import Settings
    from dashboard.server.datastore import DataStore

    return DataStore.from_dataset(tiny_dataset, Settings(session_dir=tmp_path / "s"), "test")


@pytest.mark.parametrize("session", ["../../etc", "\x00", "a/b", "", None])
def test_the_route_treats_a_strange_session_or_link_as_the_servers_data(store, session):
    body, status = playback_response(store, session, "?from=someday&type=<b>x</b>&zz=1#base")
    assert status == 200 and body["n"] == 0  # no incident of type "<b>x</b>"
    body, status = playback_response(store, session, "?from=someday#base")
    assert status == 200 and body["n"] == len(store.base.index)  # the bad date is ignored


# The session id never travels in a URL (issue 17, item 10) --------------------------------
@pytest.fixture
def client(store):
    from dashboard.app import create_app

    return create_app(store.settings, store).server.test_client()


def test_the_route_takes_the_session_from_the_body(client, store):
    from dashboard.server.sessions import new_session_id

    sid = new_session_id()
    staged = store.sessions.staging_path(sid, "text")
    staged.write_text("incident_id,date,lon,lat,fatalities\nu1,2017-09-10,36.73,34.84,4\n",
                      encoding="utf-8")
    store.sessions.commit(sid, "incidents", staged, "mine.csv")
    answer = client.post("/zonewatch/playback", json={"state": "#x", "session": sid})
    assert answer.status_code == 200 and answer.get_json()["n"] == 1  # the session's data
    answer = client.post("/zonewatch/playback", json={"state": "", "session": None})
    assert answer.get_json()["n"] == len(store.base.index)


def test_the_route_refuses_a_session_in_the_query_string(client):
    sid = "0" * 32
    answer = client.get(f"/zonewatch/playback?session={sid}&state=")
    assert answer.get_json(silent=True) is None  # Dash's page for unknown paths, no data


@pytest.mark.parametrize("body", ["[1, 2]", "not json", '{"session": 5, "state": ["x"]}', ""])
def test_the_route_treats_a_strange_body_as_the_servers_data(client, store, body):
    answer = client.post("/zonewatch/playback", data=body, content_type="application/json")
    assert answer.status_code == 200 and answer.get_json()["n"] == len(store.base.index)


def test_the_browser_sends_the_session_in_the_body():
    from dashboard.core.paths import assets_dir

    script = (assets_dir() / "playback.js").read_text(encoding="utf-8")
    load = script[script.index("function load("):script.index('fetch("/zonewatch/playback"')]
    call = script[script.index('fetch("/zonewatch/playback"'):][:300]
    assert 'session: session || ""' in load
    assert 'method: "POST"' in call and "body: JSON.stringify(body)" in call
    assert "URLSearchParams" not in script and "playback?" not in script


# Frames: the chosen range, by the one rule (issue 12 item 3, issue 13) ---------------------
CASES = json.loads((Path(__file__).parent / "js" / "frame_cases.json").read_text("utf-8"))


def offsets_of(view, frames: list[list[str]]) -> list[list[int]]:
    return [[(date.fromisoformat(d) - view.span[0]).days for d in frame] for frame in frames]


@pytest.mark.parametrize("case", CASES["cases"], ids=[c["id"] for c in CASES["cases"]])
def test_the_payload_carries_the_tables_frames(tiny_view, case):
    state = replace(tiny_view.default, start=date.fromisoformat(case["start"]),
                    end=date.fromisoformat(case["end"]), play_step=case["step"],
                    play_window=case["window"], play_mode=case["mode"])
    assert playback_payload(tiny_view, state)["frames"] == offsets_of(tiny_view, case["frames"])


def test_issue_12_frames_stay_in_the_chosen_range(tiny_view):
    """1 Feb-30 Apr 2018 used to play from April into July."""
    state = replace(tiny_view.default, start=date(2018, 2, 1), end=date(2018, 4, 30))
    frames = playback_payload(tiny_view, state)["frames"]
    first = tiny_view.span[0]
    assert frames[0] == [(date(2018, 2, 1) - first).days, (date(2018, 3, 2) - first).days]
    assert frames[-1] == [(date(2018, 4, 1) - first).days, (date(2018, 4, 30) - first).days]


def test_too_many_incidents_still_get_the_frames(tiny_view):
    payload = playback_payload(tiny_view, tiny_view.default, limit=3)
    assert payload["too_many"] and payload["frames"] == frame_offsets(tiny_view, tiny_view.default)


def test_years_of_day_steps_keep_at_most_the_browsers_frames(tiny_view):
    state = replace(tiny_view.default, play_step="day", play_window=1)
    frames = frame_offsets(tiny_view, state, max_frames=50)
    full = frame_offsets(tiny_view, state, max_frames=10_000)
    assert len(frames) == 50 and frames[0] == full[0] and frames[-1] == full[-1]


def day(view, offset: int) -> date:
    return view.span[0] + timedelta(days=offset)


@pytest.mark.parametrize(("sent", "changes"), [
    pytest.param({}, {}, id="nothing-sent"),
    pytest.param({"range": [10, 40]}, {"start": 10, "end": 40}, id="range"),
    pytest.param({"range": [10, 10]}, {"start": 10, "end": 10}, id="one-day"),
    pytest.param({"range": [40, 10]}, {}, id="reversed"),
    pytest.param({"range": [-1, 10]}, {}, id="before-the-span"),
    pytest.param({"range": [0, 10**9]}, {}, id="after-the-span"),
    pytest.param({"range": [1.5, 10]}, {}, id="fraction"),
    pytest.param({"range": [True, 10]}, {}, id="bool"),
    pytest.param({"range": "10-40"}, {}, id="text"),
    pytest.param({"range": [1, 2, 3]}, {}, id="three"),
    pytest.param({"step": "month", "window": 45, "mode": "cumulative"},
                 {"play_step": "month", "play_window": 45, "play_mode": "cumulative"},
                 id="settings"),
    pytest.param({"window": 45.0}, {"play_window": 45}, id="number-input-float"),
    pytest.param({"step": "year", "window": -3, "mode": ["x"]}, {}, id="bad-settings"),
    pytest.param({"window": None}, {}, id="empty-window-box"),
])
def test_the_request_names_the_range_and_settings(tiny_view, sent, changes):
    state = replace(tiny_view.default, types=("Shelling",), play_step="day", play_window=7)
    if "start" in changes:
        changes = {**changes, "start": day(tiny_view, changes["start"]),
                   "end": day(tiny_view, changes["end"])}
    assert playback_state(tiny_view, state, sent) == replace(state, **changes)


def test_the_route_plays_the_range_it_is_sent(client, store):
    view = store.base
    lo, hi = (date(2018, 2, 1) - view.span[0]).days, (date(2018, 4, 30) - view.span[0]).days
    answer = client.post("/zonewatch/playback", json={
        "state": "?from=2018-04-01&to=2018-04-30", "session": "", "range": [lo, hi],
        "step": "month", "window": 30, "mode": "cumulative"})
    frames = answer.get_json()["frames"]
    assert [[day(view, a).isoformat(), day(view, b).isoformat()] for a, b in frames] == [
        ["2018-02-01", "2018-02-28"], ["2018-02-01", "2018-03-31"], ["2018-02-01", "2018-04-30"]]


# The playback controls in the link, not in the views' state ---------------------------------
def control_values(view, **changes) -> dict:
    from dashboard.app import parse

    return {**parse.controls_from_state(view, view.default), **changes}


def test_a_link_sets_the_playback_controls(tiny_view):
    from dashboard.app.callbacks.sync import sync_view

    synced = sync_view(tiny_view, None, "?step=month&window=45&mode=cumulative&speed=fast",
                       control_values(tiny_view), None, None, None, None)
    assert {k: synced.controls[k] for k in ("play_step", "play_window", "play_mode",
                                            "play_speed")} == {
        "play_step": "month", "play_window": 45, "play_mode": "cumulative", "play_speed": 100}
    assert synced.messages == [] and "step" not in synced.state and "step" not in synced.filters


def test_a_malformed_playback_link_says_so_and_keeps_the_defaults(tiny_view):
    from dashboard.app.callbacks.sync import messages_view, sync_view

    synced = sync_view(tiny_view, None, "?step=fortnight&window=0&speed=warp",
                       control_values(tiny_view), None, None, None, None)
    assert synced.messages == ["'step=fortnight' is not day, week or month; ignored",
                               "'window=0' is not a number of days from 1 to 3650; ignored",
                               "'speed=warp' is not slow, normal or fast; ignored"]
    assert (synced.controls["play_step"], synced.controls["play_window"],
            synced.controls["play_speed"]) == ("week", 30, 400)
    assert "'step=fortnight' is not day" in str(messages_view(synced.messages))


@pytest.mark.parametrize(("control", "value", "param"), [
    pytest.param("play_step", "month", "step=month", id="step"),
    pytest.param("play_window", 45, "window=45", id="window"),
    pytest.param("play_mode", "cumulative", "mode=cumulative", id="mode"),
    pytest.param("play_speed", 1000, "speed=slow", id="speed"),
])
def test_a_playback_control_goes_in_the_link_only(tiny_view, control, value, param):
    from dashboard.app import ids
    from dashboard.app.callbacks.sync import sync_view

    before = sync_view(tiny_view, ids.TYPES, "", control_values(tiny_view), None, None, None,
                       None)
    after = sync_view(tiny_view, getattr(ids, control.upper()), "",
                      control_values(tiny_view, **{control: value}), None, None, None, None)
    assert param in after.search and param not in before.search
    assert after.state == before.state and after.filters == before.filters  # nothing redraws


@pytest.mark.parametrize("value", [None, 0, -5, "x", [30], 1e9, float("nan")])
def test_an_unusable_window_box_keeps_the_default(tiny_view, value):
    from dashboard.app import parse

    state = parse.state_from_controls(tiny_view, control_values(tiny_view, play_window=value))
    assert state.play_window == 30
