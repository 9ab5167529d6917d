"""What a new user sees first, in a real browser at the default size: the map's key
under the map (not over a quarter of it) and every card's words in full."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from dashboard.app import ids
from dashboard.views import roles
from tests.browser.test_dashboard import ALL, TIMEOUT, open_with_source, wait_ready

pytestmark = pytest.mark.browser

#: Each card detail's text and whether the browser cut it (more text than its box).
CARD_DETAILS_JS = """() => Array.from(document.querySelectorAll('.zw-card-detail')).map(
    (e) => [e.textContent, e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1])"""

#: The bottom of the map's drawing area and the top of its key, in page px.
MAP_AND_KEY_JS = """(id) => {
    const gd = document.getElementById(id).querySelector('.js-plotly-plot');
    const canvas = gd.querySelector('.maplibregl-canvas').getBoundingClientRect();
    const key = gd.querySelector('.legend').getBoundingClientRect();
    return {mapBottom: canvas.bottom, keyTop: key.top, keyHeight: key.height,
            mapHeight: canvas.height};
}"""


@pytest.mark.parametrize("width", [1366, 1600])
def test_br090_card_details_are_not_cut(watched, live_url, width):
    page, _ = watched
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_url)
    wait_ready(page)
    expect(page.locator(f"#{ids.COUNT}")).to_have_text(ALL, timeout=TIMEOUT)
    details = page.evaluate(CARD_DETAILS_JS)
    assert any(text.startswith("of 8,357 incidents, by the agreement terms")
               for text, _ in details), details
    assert [text for text, cut in details if cut] == []


def test_br091_the_map_key_sits_under_the_map(watched, live_url):
    page, _ = watched
    page.goto(live_url)
    wait_ready(page)
    expect(page.locator(f"#{ids.MAP} .legend")).to_contain_text("State-based conflict",
                                                                  timeout=TIMEOUT)
    box = page.evaluate(MAP_AND_KEY_JS, ids.MAP)
    assert box["keyTop"] >= box["mapBottom"] - 1, box
    assert box["keyHeight"] < 0.15 * box["mapHeight"], box  # a row or two, not a panel


#: Our own report whose id is also UCDP GED's 246999 (bundled: Masasinah, 31 Jul 2017).
SAME_ID = ("incident_id,date,lat,lon,event_type,fatalities,place\n"
           "246999,2018-06-10,34.55,38.27,Shelling,1,Collideville\n")

MARKED_JS = f"""() => {{
    const gd = document.querySelector('#{ids.MAP} .js-plotly-plot');
    const t = (gd._fullData || []).find((t) => window.zonewatchAdapter.roleOf(t) === '{roles.SELECTED}');
    return t ? Array.from(t.lon).map((lon, i) => [lon, t.lat[i]]) : null;
}}"""


def test_br092_a_clicked_row_marks_its_own_sources_incident_only(watched, live_url, tmp_path):
    """Two sources with the same id: the row's source decides which incident is marked."""
    page, _ = watched
    open_with_source(page, live_url, tmp_path, SAME_ID)
    expect(page.locator(f"#{ids.DATASETS}")).to_contain_text("ours.csv (1)", timeout=TIMEOUT)
    box = page.locator(f"#{ids.TEXT}")
    box.fill("Collideville")
    box.press("Enter")
    expect(page.locator(f"#{ids.COUNT}")).to_contain_text("1 of ", timeout=TIMEOUT)
    page.get_by_text("Incidents table", exact=True).click()
    page.locator(f"#{ids.TABLE} .ag-row").first.click(timeout=TIMEOUT)
    expect(page.locator(f"#{ids.MAP_NOTE}")).to_contain_text(
        "Marked: incident 246999 (ours.csv, 10 Jun 2018, Shelling)", timeout=TIMEOUT)
    page.wait_for_function(f"() => ({MARKED_JS})() !== null", timeout=TIMEOUT)
    assert page.evaluate(MARKED_JS) == [[pytest.approx(38.27), pytest.approx(34.55)]]
