"""Callback answers go gzipped (the points-mode map carries every point's hover); the
security headers stay, and streamed downloads stream uncompressed."""

from __future__ import annotations

import gzip
import json

import pytest

from dashboard.app import ids


@pytest.fixture(scope="module")
def app(tiny_dataset, tmp_path_factory):
    from dashboard.app import create_app
    from dashboard.core.settings import Settings
    from dashboard.server.datastore import DataStore

    chosen = Settings(session_dir=tmp_path_factory.mktemp("compress") / "sessions", cache_dir=None)
    return create_app(chosen, DataStore.from_dataset(tiny_dataset, chosen, "test"))


def map_request(app) -> dict:
    """The body the browser posts for the map callback, the view a plain default."""
    deps = app.server.test_client().get("/_dash-dependencies").get_json()
    dep = next(d for d in deps if d["output"].startswith(f"..{ids.MAP}.figure"))
    values = {ids.STATE: "", ids.TILES: []}
    return {"output": dep["output"], "outputs": [
        dict(zip(("id", "property"), o.split("."), strict=True))
        for o in dep["output"].strip(".").split("...")],
        "inputs": [{**i, "value": values.get(i["id"])} for i in dep["inputs"]],
        "state": [{**s, "value": None} for s in dep["state"]],
        "changedPropIds": [f"{ids.STATE}.data"]}


def test_the_map_answer_is_gzipped_and_keeps_its_headers(app):
    client = app.server.test_client()
    body = map_request(app)
    plain = client.post("/_dash-update-component", json=body)
    packed = client.post("/_dash-update-component", json=body,
                         headers={"Accept-Encoding": "gzip"})
    assert plain.status_code == packed.status_code == 200
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "gzip"
    data = gzip.decompress(packed.get_data())
    assert json.loads(data)["response"][ids.MAP]["figure"]["data"]
    assert len(packed.get_data()) < len(plain.get_data()) / 3
    for response in (plain, packed):
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("fmt", ["csv", "geojson"])
def test_downloads_still_stream_uncompressed(app, fmt):
    response = app.server.test_client().post(
        f"/zonewatch/download/{fmt}", data={"state": "", "session": "", "selection": "null"},
        headers={"Accept-Encoding": "gzip, br, zstd"})
    assert response.status_code == 200 and response.is_streamed
    assert "Content-Encoding" not in response.headers
    assert "i01" in response.get_data(as_text=True)
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
