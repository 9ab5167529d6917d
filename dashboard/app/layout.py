"""The page: header, filters, cards, map, time panel, tabs, footer."""

from __future__ import annotations

import json

from dash import dcc, html

from dashboard.analysis.viewdata import ViewData
from dashboard.app import components, ids
from dashboard.app.callbacks.session import initial_props
from dashboard.core.settings import Settings
from dashboard.views import roles

CONTRACT_ATTR = "data-zw-contract"  # read by assets/adapter.js


def page_contract() -> dict:
    """What the browser's JS needs to name things as Python does: every element id of
    ``ids`` and every trace role (with those playback draws itself), by constant name.
    Sent in the layout root's ``data-zw-contract`` attribute: an attribute needs no
    inline script, so the page's Content-Security-Policy stays as it is."""
    return {"ids": {name: value for name, value in vars(ids).items()
                    if name.isupper() and isinstance(value, str)},
            "roles": roles.ROLES, "playbackReplaces": list(roles.PLAYBACK_REPLACES)}


def build_layout(view: ViewData, settings: Settings | None = None) -> html.Div:
    """The page, with the server data's options filled in for the first paint."""
    settings = settings or Settings()
    page = html.Div([
        dcc.Location(id=ids.URL, refresh=False),
        dcc.Store(id=ids.SESSION, storage_type="session"),
        dcc.Store(id=ids.DATA_VERSION, data=""),
        dcc.Store(id=ids.STATE),
        dcc.Store(id=ids.CAMERA),
        dcc.Store(id=ids.SELECTION),
        dcc.Store(id=ids.HIGHLIGHT),
        dcc.Store(id=ids.MAP_DRAWN),
        dcc.Store(id=ids.FILTERS),
        dcc.Store(id=ids.WINDOW),
        dcc.Store(id=ids.TABLE_STATE),
        dcc.Store(id=ids.TERMS_STATE),
        dcc.Store(id=ids.SOURCES_STATE),
        components.build_header(),
        html.Div(id=ids.SYNTHETIC_BANNER, className="zw-synthetic", hidden=True),
        html.Div(id=ids.MESSAGES, className="zw-messages", role="alert", **{"aria-live": "polite"}),
        html.Div([
            components.build_filters(),
            html.Main([
                components.build_cards(),
                components.build_map_panel(),
                components.build_time_panel(),
                components.build_tabs(),
            ], className="zw-main"),
        ], className="zw-body"),
        components.build_footer(),
    ], className="zw-page", **{CONTRACT_ATTR: json.dumps(page_contract())})
    props = initial_props(view)
    props[ids.TILES] = {"value": ["on"] if settings.online_tiles else []}
    if not settings.tiles_allowed:  # the page's CSP lets no tile server in
        props[ids.TILES]["options"] = [{"label": " Online map tiles (off on this server)",
                                        "value": "on", "disabled": True}]
    grid = next(c for c in page._traverse() if getattr(c, "id", None) == ids.TABLE)
    props[ids.TABLE] = {"dashGridOptions": {**grid.dashGridOptions,
                                            "paginationPageSize": settings.table_page_size}}
    for component in page._traverse():
        for prop, value in props.get(getattr(component, "id", None), {}).items():
            setattr(component, prop, value)
    return page
