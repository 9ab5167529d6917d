"""The Sources tab: where the sources agree and differ, for a zone or all the data, and
the analyst's decisions on the likely duplicates (kept with the session, exported as
CSV). A decision changes the clusters, so every count made "once" follows it: the new
data version reaches every view through ``sync``."""

from __future__ import annotations

import json
from dataclasses import replace

from dash import ALL, Input, Output, State, ctx, html, no_update
from dash.exceptions import PreventUpdate

from dashboard.analysis import sources
from dashboard.analysis.viewdata import view_links
from dashboard.app import ids
from dashboard.app.callbacks.common import register_tab_gate, resolve
from dashboard.app.panels import sources_panel
from dashboard.core.errors import ZoneWatchError
from dashboard.core.formats import day_words
from dashboard.views.sources import source_weeks_figure

EVERYWHERE = "*"


def decisions_of(store, session_id) -> tuple:
    files = store.sessions.files(session_id)
    return files.decisions if files else ()


def sources_view(store, session_id, query, zone) -> list:
    """The tab for the view's window and filters (each source's own reports: counting
    once is what this tab checks), in ``zone`` (its zone filter's first, by default)."""
    view, state = resolve(store, session_id, query)
    zone = zone or (state.zones[0] if state.zones else EVERYWHERE)
    positions = view.index.select(replace(state, dedupe=False, zones=()))
    where = "all the data"
    if zone != EVERYWHERE:
        mask = view.index.zone_masks.get(zone)
        positions = positions[mask[positions]] if mask is not None else positions[:0]
        where = view.zone_names().get(zone, zone)
    window = f"{day_words(state.start)} – {day_words(state.end)}"
    figure = source_weeks_figure(
        sources.weekly_by_source(view.index, positions, (state.start, state.end)), where, window,
        view.index.options("dataset"))
    on = view.index.sources_on(state)
    note = (f"{len(on)} sources on: {', '.join(on)}." if len(on) > 1 else
            "One source on: nothing to compare. Switch another on under Sources, or upload "
            "one (Your data: add as a new source).")
    review = sources.links_to_review(view.index, view_links(view), positions,
                                     decisions_of(store, session_id))
    return sources_panel(figure, sources.only_one_source(view.index, positions),
                         sources.only_counts(view.index, positions), review, note)


def decide_view(store, session_id, triggered: dict | None, clicks) -> tuple:
    """Keep the clicked decision (the same one again takes it back): (the new data
    version, a message or no_update). ``clicks``: the clicked button's count (None: a
    button drawn, not clicked). A decision that cannot be kept (a session out of room, an
    invalid session id) is said, and the decisions kept before stay as they were."""
    if not isinstance(triggered, dict) or not clicks:
        raise PreventUpdate
    try:
        key = tuple(str(k) for k in json.loads(triggered["key"]))[:4]
    except (ValueError, TypeError, KeyError):
        raise PreventUpdate from None
    if len(key) != 4:
        raise PreventUpdate
    decision = str(triggered.get("decision"))
    if decision not in ("confirmed", "rejected"):
        raise PreventUpdate  # not a button this page draws
    current = sources.decision_map(decisions_of(store, session_id)).get(key)
    try:
        store.sessions.decide(session_id, key, None if current == decision else decision)
    except ZoneWatchError as err:
        return no_update, html.P(f"Decision not kept: {err}", className="zw-message zw-error")
    files = store.sessions.files(session_id)
    return (files.version if files else "reset"), no_update


def export_view(store, session_id) -> dict:
    view = store.view_data(session_id)
    text = sources.links_csv(view.index, view_links(view), decisions_of(store, session_id))
    return {"content": text, "filename": "zonewatch-links.csv", "type": "text/csv"}


def register(app, store) -> None:
    register_tab_gate(app, "sources", ids.SOURCES_STATE)

    @app.callback(Output(ids.SOURCES_OUTPUT, "children"), Input(ids.SOURCES_STATE, "data"),
                  Input(ids.SOURCES_ZONE, "value"), State(ids.TABS, "value"),
                  State(ids.SESSION, "data"))
    def _sources(query, zone, tab, session_id):
        if tab != "sources" or query is None:
            raise PreventUpdate  # built when the tab is opened
        return sources_view(store, session_id, query, zone)

    @app.callback(Output(ids.DATA_VERSION, "data", allow_duplicate=True),
                  Output(ids.MESSAGES, "children", allow_duplicate=True),
                  Input({"type": ids.LINK_DECISION_TYPE, "key": ALL, "decision": ALL},
                        "n_clicks"),
                  State(ids.SESSION, "data"), prevent_initial_call=True)
    def _decide(_clicks, session_id):
        clicked = ctx.triggered[0]["value"] if ctx.triggered else None
        return decide_view(store, session_id, ctx.triggered_id, clicked)

    @app.callback(Output(ids.SOURCES_DOWNLOAD, "data"), Input(ids.SOURCES_EXPORT, "n_clicks"),
                  State(ids.SESSION, "data"), prevent_initial_call=True)
    def _export(_clicks, session_id):
        return export_view(store, session_id)
