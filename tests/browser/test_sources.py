"""Several sources in a real browser: the Sources switches and "count each event once"
change the count line; the Sources tab's decisions recount and survive a reload."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from dashboard.app import ids
from tests.browser.test_dashboard import ALL, TIMEOUT, count_text, open_with_source, wait_ready

pytestmark = pytest.mark.browser


def test_br080_switching_a_source_off_and_counting_once_change_the_counts(watched, live_url):
    page, _ = watched
    page.goto(live_url)
    wait_ready(page)
    count = page.locator(f"#{ids.COUNT}")
    expect(count).to_have_text(ALL, timeout=TIMEOUT)
    expect(page.locator(f"#{ids.DATASETS}")).to_contain_text("Reported events (5)")
    page.locator(f"#{ids.DEDUPE} input").uncheck()
    expect(count).to_have_text("8,357 of 8,357 incidents", timeout=TIMEOUT)
    assert "dedup=0" in page.url
    page.locator(f"#{ids.DEDUPE} input").check()
    expect(count).to_have_text(ALL, timeout=TIMEOUT)
    page.locator(f"#{ids.DATASETS} label", has_text="Reported events").click()
    expect(count).to_have_text("8,352 of 8,357 incidents", timeout=TIMEOUT)  # one source on
    assert "off=Reported+events" in page.url
    page.reload()  # the link keeps the switches
    wait_ready(page)
    expect(count).to_have_text("8,352 of 8,357 incidents", timeout=TIMEOUT)
    expect(page.locator(f"#{ids.DATASETS} input").first).not_to_be_checked()


#: UCDP GED 246999 (bundled) told again by "our" reports: same day, place, kind, actors.
TWICE_TOLD = ("incident_id,date,lat,lon,event_type,actor1,actor2,fatalities,loc_precision\n"
              "ours-1,2017-07-31,35.28991,36.663602,State-based conflict,Government of Syria,"
              "Syrian insurgents,2,near\n")


def number(text: str) -> int:
    return int(text.split(" of ")[0].replace(",", ""))


def test_br081_sources_tab_decisions_recount_and_survive_a_reload(watched, live_url, tmp_path):
    page, _ = watched
    open_with_source(page, live_url, tmp_path, TWICE_TOLD)
    expect(page.locator(f"#{ids.UPLOAD_REPORT}")).to_contain_text(
        "loaded 1 incident as the source 'ours.csv'", timeout=TIMEOUT)
    expect(page.locator(f"#{ids.DATASETS}")).to_contain_text("ours.csv (1)", timeout=TIMEOUT)
    count = page.locator(f"#{ids.COUNT}")
    expect(count).to_have_text(re.compile(r"^8,35\d of 8,35\d incidents, duplicates"),
                               timeout=TIMEOUT)
    before = number(count_text(page))
    page.get_by_text("Sources", exact=True).last.click()
    tab = page.locator(f"#{ids.SOURCES_OUTPUT}")
    expect(tab).to_contain_text("Incidents per week, by source", timeout=TIMEOUT)
    expect(tab).to_contain_text("only in UCDP GED")
    row = tab.locator("tr", has_text="ours-1")
    expect(row).to_contain_text("246999", timeout=TIMEOUT)  # our report, linked to UCDP's
    row.get_by_role("button", name="Different events").click()
    expect(row).to_contain_text("rejected: different events", timeout=TIMEOUT)
    expect(count).to_have_text(re.compile(f"^{before + 1:,} of "), timeout=TIMEOUT)
    page.reload()  # the decision stays with the session
    wait_ready(page)
    expect(count).to_have_text(re.compile(f"^{before + 1:,} of "), timeout=TIMEOUT)
    page.get_by_text("Sources", exact=True).last.click()
    expect(page.locator(f"#{ids.SOURCES_OUTPUT}").locator("tr", has_text="ours-1")
           ).to_contain_text("rejected: different events", timeout=TIMEOUT)
    with page.expect_download(timeout=TIMEOUT) as download:
        page.locator(f"#{ids.SOURCES_EXPORT}").click()
    assert download.value.suggested_filename == "zonewatch-links.csv"
    lines = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
    assert lines[0] == "cluster,dataset_a,id_a,dataset_b,id_b,score,clustered,reasons,decision"
    assert any("ours-1" in line and line.endswith(",rejected") for line in lines)
