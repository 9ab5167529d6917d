"""What a new user sees first, in a real browser at the default size: the map's key
under the map (not over a quarter of it) and every card's words in full."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from dashboard.app import ids
from tests.browser.test_dashboard import ALL, TIMEOUT, wait_ready

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
