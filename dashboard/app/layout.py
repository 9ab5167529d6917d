"""The page: header, filters, cards, map, time panel, tabs, footer."""

from __future__ import annotations

from dash import dcc, html

from dashboard.app import components, ids


def build_layout() -> html.Div:
    return html.Div([
        dcc.Location(id=ids.URL, refresh=False),
        dcc.Store(id=ids.SESSION, storage_type="session"),
        dcc.Store(id=ids.DATA_VERSION, data=""),
        dcc.Store(id=ids.STATE),
        dcc.Store(id=ids.CAMERA),
        dcc.Store(id=ids.SELECTION),
        dcc.Store(id=ids.HIGHLIGHT),
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
    ], className="zw-page")
