"""The data playback draws in the browser: every matching incident over the whole
span as compact arrays, and every zone version with the days it is in force."""

from __future__ import annotations

import base64
from dataclasses import replace
from datetime import date

import numpy as np
import pandas as pd
import pytest

from dashboard import palette
from dashboard.app.callbacks.playback import playback_response
from dashboard.errors import ZoneWatchError
from dashboard.figures import marker_size
from dashboard.playback import OPEN_END, playback_payload


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
    from dashboard.app.store import DataStore
    from dashboard.settings import Settings

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
    from dashboard.sessions import new_session_id

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
    from dashboard.paths import assets_dir

    script = (assets_dir() / "playback.js").read_text(encoding="utf-8")
    call = script[script.index('fetch("/zonewatch/playback"'):][:300]
    assert 'method: "POST"' in call and "session: session" in call
    assert "URLSearchParams" not in script and "playback?" not in script
