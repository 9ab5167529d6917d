"""DataStore.view_data: the server's data until a session uploads, then that session's
uploads over the server's data, for that session only."""

from __future__ import annotations

import base64
import json
from datetime import date
from pathlib import Path

import pandas as pd

from dashboard.server import datastore as store_module
from dashboard.server.sessions import new_session_id
from dashboard.server.uploads import receive_upload
from tests.app.test_views import text
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
    assert view.span == (date(2017, 9, 10), date(2017, 9, 11))  # the upload's own days
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
    from dashboard.core.settings import Settings
    from dashboard.server.datastore import DataStore

    settings = Settings(session_dir=tmp_path / "s", session_quota_mb=3)
    store = DataStore.from_dataset(tiny_dataset, settings, "test")
    assert store.sessions.quota_bytes == 3 * 1024 * 1024


def test_the_page_listens_for_removal_notices(tiny_dataset, tmp_path):
    from dashboard.app import create_app, ids
    from dashboard.core.settings import Settings
    from dashboard.server.datastore import DataStore

    settings = Settings(session_dir=tmp_path / "s", cache_dir=None)
    app = create_app(settings, DataStore.from_dataset(tiny_dataset, settings, "test"))
    inputs = [[i["id"] for i in cb["inputs"]] for key, cb in app.callback_map.items()
              if key.startswith(f"{ids.MESSAGES}.children")]
    assert [ids.FILTERS] in inputs  # changes with the data, not with every slider move


# Issue 12, item 13: time and map fit what is loaded, milestones only of zones shown, and
# uploads are named as their uploader named them.
def with_milestones(tiny_dataset, tmp_path):
    from dataclasses import replace

    from dashboard.core.settings import Settings
    from dashboard.server.datastore import DataStore

    milestones = pd.DataFrame({
        "date": pd.to_datetime(["2017-05-04", "2017-08-03", "2017-09-10", "2017-10-01",
                                "2018-05-02"]).astype("datetime64[ns]"),
        "zone_id": [None, "homs-north", None, "east", "homs-north"],
        "kind": ["signed", "in_effect", "other", "in_effect", "deal"],
        "text": ["memorandum", "homs in effect", "a day in the span", "east in effect", "deal"],
        "source": ["s"] * 5})
    data = replace(tiny_dataset, milestones=milestones)
    return DataStore.from_dataset(data, Settings(session_dir=tmp_path / "s"), "test")


def test_an_incidents_only_upload_fits_time_map_and_milestones_to_itself(tiny_dataset, tmp_path):
    store = with_milestones(tiny_dataset, tmp_path)
    assert store.base.span == (date(2017, 5, 4), date(2018, 5, 15))
    sid = new_session_id()
    upload(store, sid, "incidents", INCIDENTS_CSV.encode(), "mine.csv")
    view = store.view_data(sid)
    assert view.span == (date(2017, 9, 10), date(2017, 9, 11))
    assert (view.default.start, view.default.end) == view.span
    # The camera: on the two points (36.73-36.9 E, 34.84-34.9 N), closer than the base's.
    lat, lon = view.center
    assert 34.84 <= lat <= 34.9 and 36.73 <= lon <= 36.9
    assert view.zoom > store.base.zoom
    # homs-north is in force then and there; east starts later; "buffer" lies elsewhere.
    kept = view.dataset.milestones["text"].tolist()
    assert kept == ["homs in effect", "a day in the span", "deal"]
    from dashboard.analysis.viewdata import view_zones_shown

    assert set(view_zones_shown(view)["zone_id"]) == {"homs-north"}  # credited in About
    assert len(view_zones_shown(store.base)) == len(store.base.zones)
    assert len(store.base.dataset.milestones) == 5  # the server's view keeps them all


def test_a_zones_only_upload_fits_time_and_map_to_the_zones(store):
    sid = new_session_id()
    far = {**GOOD_ZONE, "zone_id": "far", "name": "Far", "valid_from": "2017-08-01",
           "valid_to": "2017-09-30"}
    upload(store, sid, "zones", zone_file((far, NEIGHBOUR)), "far.geojson")
    view = store.view_data(sid)
    assert view.span == (date(2017, 8, 1), date(2017, 9, 30))
    assert (view.default.start, view.default.end) == view.span
    lat, lon = view.center
    assert abs(lat - 34.85) < 0.01 and abs(lon - 36.9) < 0.01  # NEIGHBOUR's middle


def server_files_store(tiny_dataset, tmp_path):
    """A store serving UCDP-named incidents and a zone file from the server's folder."""
    from dataclasses import replace

    from dashboard.core.settings import Settings
    from dashboard.io import ValidationReport
    from dashboard.server.datastore import DataStore

    ucdp = replace(tiny_dataset, incidents=tiny_dataset.incidents.assign(dataset="UCDP GED"),
                   reports=[ValidationReport(Path("/srv/ged.csv"), "UCDP GED incidents (CSV)", 12),
                            ValidationReport(Path("/srv/z.geojson"), "zones (json)", 5)])
    return DataStore.from_dataset(ucdp, Settings(session_dir=tmp_path / "s"), "test")


def test_about_the_data_names_the_upload_as_its_uploader_did(tiny_dataset, tmp_path):
    from dashboard.app.callbacks.session import provenance_view

    store = server_files_store(tiny_dataset, tmp_path)
    base_text = text(provenance_view(store.base))
    assert "Sundberg" in base_text and "ged.csv" in base_text  # UCDP data on screen: credited
    sid = new_session_id()
    upload(store, sid, "incidents", INCIDENTS_CSV.encode(), "Homs – Feb (v2).csv")
    view = store.view_data(sid)
    about = text(provenance_view(view))
    assert ("Homs – Feb (v2).csv  (uploaded, this browser session only): read as generic "
            "incidents (CSV); 2 rows; 0 warnings.") in about
    assert "incidents.csv" not in about  # the kept file's own name never shows
    assert "ged.csv" not in about and "Sundberg" not in about  # the server's incidents: gone
    assert "z.geojson  (the server's file): read as zones (json); 5 rows" in about
    assert set(view.index.frame["dataset"]) == {"Homs – Feb (v2).csv"}


def test_the_valid_rows_only_of_a_held_file_are_shown(store):
    from dashboard.app.callbacks.session import provenance_view
    from dashboard.server.uploads import accept_valid_rows

    sid = new_session_id()
    mixed = INCIDENTS_CSV + "u3,someday,36.8,34.9,1\n"
    contents = "data:;base64," + base64.b64encode(mixed.encode()).decode("ascii")
    assert not receive_upload(store.sessions, sid, "incidents", contents, "mixed.csv", 5).ok
    assert store.view_data(sid) is store.base
    assert accept_valid_rows(store.sessions, sid).ok
    view = store.view_data(sid)
    assert view.index.frame["incident_id"].tolist() == ["u1", "u2"]
    assert "2 of 3 rows loaded (1 with errors left out)" in text(provenance_view(view))


def test_about_the_data_says_an_added_source_was_uploaded(tmp_path, tiny_dataset):
    """A file added beside the server's sources is an upload too (it said "the server's
    file"); the server's own files keep their words."""
    from dashboard.app.callbacks.session import provenance_view
    from dashboard.server.sessions import ADD

    store = server_files_store(tiny_dataset, tmp_path)
    sid = new_session_id()
    contents = "data:;base64," + base64.b64encode(INCIDENTS_CSV.encode()).decode("ascii")
    assert receive_upload(store.sessions, sid, "incidents", contents, "field.csv", 5,
                          mode=ADD).ok
    about = text(provenance_view(store.view_data(sid)))
    assert "field.csv  (uploaded, this browser session only): read as generic" in about
    assert "ged.csv  (the server's file)" in about


def test_a_source_added_keeps_the_servers_title_first(tiny_dataset, tmp_path):
    from dashboard.server.sessions import ADD

    store = server_files_store(tiny_dataset, tmp_path)
    sid = new_session_id()
    contents = "data:;base64," + base64.b64encode(INCIDENTS_CSV.encode()).decode("ascii")
    assert receive_upload(store.sessions, sid, "incidents", contents, "field.csv", 5,
                          mode=ADD).ok
    assert store.view_data(sid).label == (f"{store.base.label} · your source: field.csv "
                                          "(uploaded, this browser session only)")
