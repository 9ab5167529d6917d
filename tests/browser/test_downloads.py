"""The table's download buttons in a real browser: the file streamed by the download
route is saved whole, for the view on screen."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from playwright.sync_api import expect

from dashboard.app import ids

pytestmark = pytest.mark.browser
TIMEOUT = 30_000


@pytest.fixture
def table_page(watched, live_url):
    page, _watch = watched
    page.goto(live_url + "/?type=One-sided+violence")
    expect(page.locator(f"#{ids.COUNT}")).to_have_text(
        re.compile(r"^227 of 8,35\d incidents, duplicates across sources counted once$"),
        timeout=TIMEOUT)
    page.get_by_text("Incidents table", exact=True).click()
    return page


@pytest.mark.parametrize("button", [ids.DOWNLOAD_CSV, ids.DOWNLOAD_GEOJSON])
def test_br_download_saves_the_streamed_file_of_the_view(table_page, button):
    page = table_page
    requests = []
    page.on("request", lambda r: requests.append((r.method, r.url, r.post_data or "")))
    with page.expect_download(timeout=TIMEOUT) as info:
        page.locator(f"#{button}").click()
    download = info.value
    text = download.path().read_text(encoding="utf-8-sig")
    if button == ids.DOWNLOAD_CSV:
        assert re.fullmatch(r"zonewatch-\d{8}-\d{8}\.csv", download.suggested_filename)
        rows = list(csv.DictReader(io.StringIO(text)))
    else:
        assert download.suggested_filename.endswith(".geojson")
        rows = [f["properties"] for f in json.loads(text)["features"]]
    assert len(rows) == 227 and {r["event_type"] for r in rows} == {"One-sided violence"}
    [(method, url, body)] = [r for r in requests if "/zonewatch/download/" in r[1]]
    assert method == "POST" and "session=" in body and "session" not in url
    expect(page.locator(f"#{ids.MESSAGES}")).not_to_contain_text("Download failed")
