"""The encoding menu beside the uploads reaches the reader (issue 12, item 14)."""

from __future__ import annotations

import base64

import pytest

from dashboard.app import ids
from dashboard.app.callbacks import uploads
from dashboard.app.components import UPLOAD_ENCODINGS, build_upload_panel
from dashboard.server.sessions import new_session_id

ARABIC = "incident_id,date,lon,lat,place\na1,2017-08-03,36.73,34.84,تلبيسة\n".encode("cp1256")


def as_upload(raw: bytes) -> str:
    return "data:text/csv;base64," + base64.b64encode(raw).decode("ascii")


def test_the_upload_panel_offers_the_encodings():
    menu = next(c for c in build_upload_panel()._traverse() if getattr(c, "id", None)
                == ids.UPLOAD_ENCODING)
    assert menu.value == "auto"
    assert [o["value"] for o in UPLOAD_ENCODINGS] == ["auto", "utf-8", "utf-16", "cp1256",
                                                      "cp1252"]


@pytest.mark.parametrize(("choice", "said"), [
    pytest.param("auto", "(cp1256, detected)", id="detected"),
    pytest.param(None, "(cp1256, detected)", id="no-choice-yet"),
    pytest.param("cp1252", "(cp1252, as asked)", id="chosen"),
])
def test_upload_view_passes_the_encoding_chosen(store, choice, said):
    result = uploads.upload_view(store, new_session_id(), "incidents", as_upload(ARABIC),
                                 "arabic.csv", choice)
    assert result.ok, result.message
    assert said in result.report.messages("info")[0]
