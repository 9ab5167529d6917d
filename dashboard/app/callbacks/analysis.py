"""The zone panel: did violence drop after the ceasefire, who broke it, where."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from dash import Input, Output, State, ctx, html
from dash.exceptions import PreventUpdate

from dashboard.analysis import filterspec
from dashboard.analysis.ceasefire import before_after, zone_to_analyse
from dashboard.analysis.viewdata import ViewData
from dashboard.app import ids, parse
from dashboard.app.callbacks.common import resolve
from dashboard.app.panels import analysis_panel
from dashboard.core.errors import ZoneWatchError
from dashboard.core.memo import BoundedMemo

#: Zone panels (and the day used) by (view, zone, day, windows, ring, filters): a tab
#: switch, a slider move or a colleague on the same view asks again for the same fits
#: (seconds of CPU on a busy server).
_ANALYSES = BoundedMemo(64)


def analysis_inputs(view: ViewData, state, zone: str | None, reference: str | None,
                    trigger: str | None) -> tuple[str | None, date | None]:
    """The zone and reference day to analyse, as the boxes should then show them.

    A zone picked by hand stays until the zone filter moves off it; a new zone (by
    hand or by filter) starts from its own 'in effect' day; a typed day stays.
    """
    if trigger == ids.FILTERS and state.zones and zone not in state.zones:
        zone = None
    zone_id = zone_to_analyse(view.zones, zone, state.zones)
    if trigger == ids.ANALYSIS_ZONE or zone_id != zone:
        reference = None
    return zone_id, date.fromisoformat(reference[:10]) if reference else None


def analysis_view(store, session_id, query, zone, reference, before, after, ring,
                  trigger: str | None = None):
    """(panel, zone in use, reference day in use)."""
    view, state = resolve(store, session_id, query)
    zone_id, day = analysis_inputs(view, state, zone, reference, trigger)
    if zone_id is None:
        return (html.Div("This data has no zones to analyse. Upload a zone file.",
                         className="zw-empty"), None, None)
    free = replace(state, zones=())
    try:
        before_days, after_days, ring_km = parse.analysis_window(before, after, ring)
        key = (zone_id, day, before_days, after_days, ring_km,
               tuple(getattr(free, spec.name) for spec in filterspec.FILTERS))

        def fit():
            analysis = before_after(
                view.index, view.zones, view.dataset.zone_index, view.dataset.milestones,
                zone_id, reference=day, before_days=before_days, after_days=after_days,
                ring_km=ring_km, positions=view.index.select(free, ignore_window=True),
                filters=free.active_filters(), terms=view.terms)
            return analysis_panel(analysis), analysis.reference.isoformat()

        panel, used_day = _ANALYSES.get(view, key, fit)
    except (ZoneWatchError, ValueError) as err:
        return html.Div(str(err), className="zw-message zw-error"), zone_id, reference
    return panel, zone_id, used_day


def register(app, store) -> None:
    @app.callback(Output(ids.ANALYSIS_OUTPUT, "children"), Output(ids.ANALYSIS_ZONE, "value"),
                  Output(ids.ANALYSIS_DATE, "date"), Input(ids.FILTERS, "data"),
                  Input(ids.ANALYSIS_ZONE, "value"), Input(ids.ANALYSIS_DATE, "date"),
                  Input(ids.ANALYSIS_BEFORE, "value"), Input(ids.ANALYSIS_AFTER, "value"),
                  Input(ids.ANALYSIS_RING, "value"), Input(ids.TABS, "value"),
                  State(ids.SESSION, "data"))
    def _analysis(query, zone, reference, before, after, ring, tab, session_id):
        if tab != "analysis":
            raise PreventUpdate  # computed only when the panel is open
        return analysis_view(store, session_id, query, zone, reference, before, after, ring,
                             trigger=ctx.triggered_id)
