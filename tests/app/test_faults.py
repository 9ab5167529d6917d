"""Faults while the app runs: damaged or removed session files, failing callbacks."""

from __future__ import annotations

import base64

import pytest

from dashboard.app.faults import error_message
from dashboard.core.errors import ZoneWatchError
from dashboard.server.uploads import receive_upload

CSV = "incident_id,date,lon,lat,fatalities\na1,2017-08-03,36.73,34.84,1\na2,2017-08-04,36.70,34.85,0\n"


def upload(store, session_id: str) -> None:
    contents = "data:text/csv;base64," + base64.b64encode(CSV.encode()).decode()
    result = receive_upload(store.sessions, session_id, "incidents", contents, "mine.csv", 5)
    assert result.ok, result.message


@pytest.mark.parametrize("damage", ["truncate", "delete", "garbage"])
def test_ft001_damaged_upload_gives_message_then_server_data(store, damage):
    session_id = "ab" * 16
    upload(store, session_id)
    assert len(store.view_data(session_id).index) == 2
    files = store.sessions.files(session_id)
    store._cache.clear()  # a fresh worker: nothing cached
    if damage == "delete":
        files.incidents.unlink()
    elif damage == "truncate":
        files.incidents.write_bytes(b"")
    else:
        files.incidents.write_bytes(b"\x00\x01garbage")
    if damage == "delete":  # no file left: quietly the server's data
        assert store.view_data(session_id) is store.base
        return
    with pytest.raises(ZoneWatchError, match=r"could not be read any more.*upload your file again"):
        store.view_data(session_id)
    assert store.view_data(session_id) is store.base  # the session goes on, on server data


def test_ft002_unexpected_error_message_has_reference_and_no_internals():
    text, ref = error_message(KeyError("secret_column"))
    assert ref in text and "secret_column" not in text
    assert "The rest of the page still works" in text


def test_ft003_zonewatch_errors_are_shown_as_written():
    text, _ = error_message(ZoneWatchError("x.csv, row 3: bad. Fix: mend it."))
    assert text == "x.csv, row 3: bad. Fix: mend it."
