"""Ids keep callbacks and layout honest: every id in ids.py is on the page exactly once,
the page uses no id of its own, and create_app builds and serves with a tiny store."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from dashboard.app import create_app, ids
from dashboard.app.layout import build_layout
from dashboard.core.settings import Settings

#: Plain string ids: the upper-case str constants of ids.py (pattern-id types aside).
PLAIN_IDS = {name: value for name, value in vars(ids).items()
             if name.isupper() and isinstance(value, str) and not name.endswith("_TYPE")}


def layout_ids(view) -> Counter:
    return Counter(getattr(c, "id", None) for c in build_layout(view)._traverse()
                   if isinstance(getattr(c, "id", None), str))


def test_ids_are_unique():
    assert len(set(PLAIN_IDS.values())) == len(PLAIN_IDS)


@pytest.mark.parametrize("name", sorted(PLAIN_IDS))
def test_every_id_is_on_the_page_once(tiny_view, name):
    assert layout_ids(tiny_view)[PLAIN_IDS[name]] == 1, f"ids.{name} ({PLAIN_IDS[name]!r})"


def test_the_page_uses_only_ids_from_ids_py(tiny_view):
    assert set(layout_ids(tiny_view)) <= set(PLAIN_IDS.values())


def test_first_paint_carries_the_datas_options(tiny_view):
    page = {c.id: c for c in build_layout(tiny_view)._traverse() if getattr(c, "id", None)}
    assert page[ids.TYPES].options == [{"label": "Shelling", "value": "Shelling"}]
    assert (page[ids.DATE_RANGE].min, page[ids.DATE_RANGE].max) == (0, 376)
    assert page[ids.SYNTHETIC_BANNER].hidden is True
    assert page[ids.TILES].value == []


def test_create_app_builds_and_serves_with_a_tiny_store(store, tmp_path):
    app = create_app(Settings(session_dir=tmp_path / "sessions"), store)
    assert app.title == "ZoneWatch"
    outputs = " ".join(app.callback_map)
    for wanted in (f"{ids.MAP}.figure", f"{ids.COUNT}.children", f"{ids.TABLE}.rowData",
                   f"{ids.HISTOGRAM}.figure", f"{ids.ZONE_SERIES}.figure"):
        assert wanted in outputs
    client = app.server.test_client()
    page = client.get("/_dash-layout")
    assert page.status_code == 200
    assert '"filter-types"' in page.get_data(as_text=True)
    json.loads(page.get_data(as_text=True))
    assert client.get("/_dash-dependencies").status_code == 200
    assert client.get("/zonewatch/base/not-a-layer.geojson").status_code == 404
