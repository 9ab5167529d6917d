"""DataStore.view_data: the server's data until a session uploads, then that session's
uploads over the server's data, for that session only."""

from __future__ import annotations

import base64
import json
from datetime import date

import pandas as pd

from dashboard.app import store as store_module
from dashboard.sessions import new_session_id
from dashboard.uploads import receive_upload
from tests.conftest import GOOD_ZONE, feature_collection
from tests.geometries import NEIGHBOUR, SQUARE

INCIDENTS_CSV = ("incident_id,date,lon,lat,fatalities\n"
                 "u1,2017-09-10,36.73,34.84,4\nu2,2017-09-11,36.9,34.9,0\n")


def upload(store, sid: str, role: str, raw: bytes, name: str) -> None:
    contents = "data:;base64," + base64.b64encode(raw).decode("ascii")
    result = receive_upload(store.sessions, sid, role, contents, name, 5)
    assert result.ok, result.message


def zone_file(*zones) -> bytes:
    return json.dumps(feature_collection(zones)).encode()


def test_without_uploads_every_session_sees_the_base(store):
    assert store.view_data(None) is store.base
    assert store.view_data(new_session_id()) is store.base
    assert store.view_data("not-an-id") is store.base


def test_an_incident_upload_is_seen_by_its_session_only(store):
    mine, other = new_session_id(), new_session_id()
    upload(store, mine, "incidents", INCIDENTS_CSV.encode(), "mine.csv")
    view = store.view_data(mine)
    assert view.index.frame["incident_id"].tolist() == ["u1", "u2"]
    assert view.span == (date(2017, 5, 5), date(2018, 5, 14))  # the base zones' span
    assert view.label == "your incidents: mine.csv (uploaded, this browser session only)"
    # The base zones still apply: u1 lies in homs-north on 10 Sep 2017.
    assert view.index.frame["zone_id"].tolist()[0] == "homs-north"
    assert store.view_data(other) is store.base
    assert len(store.view_data(None).index) == 12


def test_a_zone_upload_rejoins_the_base_incidents(store):
    sid = new_session_id()
    whole = {**GOOD_ZONE, "zone_id": "big", "name": "Big", "valid_from": "2017-01-01"}
    east = {**GOOD_ZONE, "zone_id": "east-2", "name": "East 2", "valid_from": "2017-01-01"}
    upload(store, sid, "zones", zone_file((whole, SQUARE), (east, NEIGHBOUR)), "mine.geojson")
    view = store.view_data(sid)
    assert sorted(view.zones["zone_id"]) == ["big", "east-2"]
    assert len(view.index) == 12  # the server's incidents ...
    joined = dict(zip(view.index.frame["incident_id"], view.index.frame["zone_id"], strict=True))
    # ... joined again, to the uploaded zones: the base's own zones are gone.
    assert (joined["i01"], joined["i05"], joined["i08"]) == ("big", "east-2", "big")
    assert pd.isna(joined["i11"])  # far from both: no zone
    assert len(view.dataset.milestones) == 0
    assert store.base.index.frame.set_index("incident_id").loc["i01", "zone_id"] != "big"


def test_both_uploads_together(store):
    sid = new_session_id()
    upload(store, sid, "incidents", INCIDENTS_CSV.encode(), "mine.csv")
    whole = {**GOOD_ZONE, "zone_id": "big", "valid_from": "2017-01-01"}
    upload(store, sid, "zones", zone_file((whole, SQUARE)), "z.geojson")
    view = store.view_data(sid)
    assert view.index.frame["zone_id"].tolist()[0] == "big"
    assert view.label == ("your zones: z.geojson · your incidents: mine.csv "
                          "(uploaded, this browser session only)")


def test_view_data_is_built_once_per_upload_version(store):
    sid = new_session_id()
    upload(store, sid, "incidents", INCIDENTS_CSV.encode(), "mine.csv")
    first = store.view_data(sid)
    assert store.view_data(sid) is first
    upload(store, sid, "incidents", INCIDENTS_CSV.replace("u1", "v1").encode(), "again.csv")
    second = store.view_data(sid)
    assert second is not first
    assert second.index.frame["incident_id"].tolist()[0] == "v1"


def test_the_cache_is_bounded(store, monkeypatch):
    monkeypatch.setattr(store_module, "SESSION_CACHE", 2)
    sids = [new_session_id() for _ in range(3)]
    for sid in sids:
        upload(store, sid, "incidents", INCIDENTS_CSV.encode(), "mine.csv")
        store.view_data(sid)
    assert [key[0] for key in store._cache] == sids[1:]


def test_reset_brings_the_base_back(store):
    sid = new_session_id()
    upload(store, sid, "incidents", INCIDENTS_CSV.encode(), "mine.csv")
    store.sessions.reset(sid)
    assert store.view_data(sid) is store.base


def test_a_session_deleted_on_the_server_is_told_why_once(store):
    """Issue 17, item 5: no silent switch to the server's data."""
    import os

    import pytest
    from dash.exceptions import PreventUpdate

    from dashboard.app.callbacks.notices import notice_view

    sid = new_session_id()
    upload(store, sid, "incidents", INCIDENTS_CSV.encode(), "mine.csv")
    stamp = store.sessions.root / sid / ".last_used"
    os.utime(stamp, (1, 1))  # idle for decades
    store.sessions.sweep()
    assert store.view_data(sid) is store.base
    shown = notice_view(store, sid)
    assert "deleted from the server after 120 minutes without use" in str(shown)
    with pytest.raises(PreventUpdate):
        notice_view(store, sid)  # once


def test_the_quota_setting_reaches_the_sessions(tiny_dataset, tmp_path):
    from dashboard.app.store import DataStore
    from dashboard.settings import Settings

    settings = Settings(session_dir=tmp_path / "s", session_quota_mb=3)
    store = DataStore.from_dataset(tiny_dataset, settings, "test")
    assert store.sessions.quota_bytes == 3 * 1024 * 1024


def test_the_page_listens_for_removal_notices(tiny_dataset, tmp_path):
    from dashboard.app import create_app, ids
    from dashboard.app.store import DataStore
    from dashboard.settings import Settings

    settings = Settings(session_dir=tmp_path / "s", cache_dir=None)
    app = create_app(settings, DataStore.from_dataset(tiny_dataset, settings, "test"))
    inputs = [[i["id"] for i in cb["inputs"]] for key, cb in app.callback_map.items()
              if key.startswith(f"{ids.MESSAGES}.children")]
    assert [ids.FILTERS] in inputs  # changes with the data, not with every slider move
