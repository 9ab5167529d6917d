"""Issue 12, item 11: the upload report opens over the page, offers a refused file's
valid rows, and sends its rejected rows to their session only (id in the POST body)."""

from __future__ import annotations

import base64

import pytest

from dashboard.app import create_app, ids
from dashboard.app.callbacks import uploads
from dashboard.app.layout import build_layout
from dashboard.core.settings import Settings
from dashboard.server.sessions import new_session_id

HEADER = "incident_id,date,lon,lat,fatalities,notes\n"
GOOD = "a1,2017-08-03,36.73,34.84,1,ok\na2,2017-08-04,36.74,34.85,0,ok\n"
BAD = "a3,someday,36.75,34.86,2,=1+1\n"


def as_upload(text: str) -> str:
    return "data:text/csv;base64," + base64.b64encode(text.encode()).decode("ascii")


@pytest.fixture
def app(store, tmp_path):
    return create_app(Settings(session_dir=tmp_path / "sessions", cache_dir=None), store)


def test_a_refused_file_with_valid_rows_opens_the_report_with_both_offers(store):
    result = uploads.upload_view(store, new_session_id(), "incidents",
                                 as_upload(HEADER + GOOD + BAD), "mixed.csv")
    shown = uploads.outcome_view(result)
    assert not shown.dialog_hidden
    assert (shown.valid_only_label, shown.valid_only_hidden, shown.rejected_hidden) == (
        "Load the 2 valid rows only", False, False)
    hint = shown.dialog.children[-1]
    assert hint.children.startswith("2 rows of 3 have no errors. You can load those alone")


def test_a_clean_upload_is_said_in_the_panel_only(store):
    result = uploads.upload_view(store, new_session_id(), "incidents", as_upload(HEADER + GOOD),
                                 "good.csv")
    shown = uploads.outcome_view(result)
    assert (shown.dialog_hidden, shown.valid_only_hidden, shown.rejected_hidden) == (
        True, True, True)
    assert shown.sidebar.children == "good.csv: loaded 2 incidents (0 warnings)."


def test_a_refusal_without_valid_rows_opens_the_report_without_offers(store):
    result = uploads.upload_view(store, new_session_id(), "incidents",
                                 as_upload("incident_id,date\nx,2017-01-01\n"), "x.csv")
    shown = uploads.outcome_view(result)
    assert (shown.dialog_hidden, shown.valid_only_hidden, shown.rejected_hidden) == (
        False, True, True)


def test_the_report_is_a_dialog_over_the_page(store):
    page = build_layout(store.base)
    dialog = next(c for c in page._traverse() if getattr(c, "id", None) == ids.UPLOAD_DIALOG)
    inner = dialog.children
    assert dialog.hidden is True and dialog.className == "zw-dialog-backdrop"
    assert (inner.role, getattr(inner, "aria-labelledby")) == ("dialog", ids.UPLOAD_DIALOG_TITLE)


def test_the_rejected_rows_are_posted_for_with_the_session_in_the_body(app, store):
    sid = new_session_id()
    uploads.upload_view(store, sid, "incidents", as_upload(HEADER + GOOD + BAD), "mixed.csv")
    client = app.server.test_client()
    by_url = client.get(f"{uploads.REJECTED_URL}?session={sid}")  # never by a URL: the page
    assert by_url.mimetype == "text/html" and b"zonewatch_where" not in by_url.data
    answer = client.post(uploads.REJECTED_URL, data={"session": sid})
    assert answer.status_code == 200, answer.data
    assert answer.headers["Cache-Control"] == "no-store"
    assert 'filename=mixed-rejected-rows.csv' in answer.headers["Content-Disposition"]
    body = answer.data.decode("utf-8-sig").splitlines()
    assert body[0] == "zonewatch_where,zonewatch_problems,incident_id,date,lon,lat,fatalities,notes"
    assert body[1].startswith("row 4,") and body[1].endswith(",'=1+1")
    other = client.post(uploads.REJECTED_URL, data={"session": new_session_id()})
    assert other.status_code == 404
    assert b"Fix: upload the file again." in other.data
    assert client.post(uploads.REJECTED_URL, data={}).status_code == 404


def test_the_dialog_buttons_are_wired(app):
    keys = " ".join(app.callback_map)
    assert f"{ids.UPLOAD_DIALOG}.hidden" in keys
    inputs = {i["id"] for cb in app.callback_map.values() for i in cb["inputs"]}
    assert {ids.UPLOAD_VALID_ONLY, ids.UPLOAD_REJECTED, ids.UPLOAD_DIALOG_CLOSE} <= inputs
