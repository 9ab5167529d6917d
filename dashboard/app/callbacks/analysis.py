"""The zone panel: did violence drop after the ceasefire, who broke it, where."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from dash import Input, Output, State, ctx, dcc, html
from dash.exceptions import PreventUpdate

from dashboard.analysis.ceasefire import Analysis, before_after, zone_to_analyse
from dashboard.analysis.verdict import details, headline
from dashboard.analysis.viewdata import ViewData
from dashboard.app import ids, parse
from dashboard.app.callbacks.common import resolve
from dashboard.core.errors import ZoneWatchError
from dashboard.core.formats import day_words
from dashboard.export.ceasefire_report import (
    UNCERTAINTY_NOTE,
    count_cell,
    its_words,
    ratio_cell,
    secondary_cell,
)
from dashboard.views import palette
from dashboard.views.figures import breakdown_figure, its_figure


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
        analysis = before_after(
            view.index, view.zones, view.dataset.zone_index, view.dataset.milestones, zone_id,
            reference=day, before_days=before_days, after_days=after_days, ring_km=ring_km,
            positions=view.index.select(free, ignore_window=True),
            filters=free.active_filters())
    except (ZoneWatchError, ValueError) as err:
        return html.Div(str(err), className="zw-message zw-error"), zone_id, reference
    return panel(analysis), zone_id, analysis.reference.isoformat()


def _ratio_cell(rr) -> list:
    secondary = secondary_cell(rr)
    return [ratio_cell(rr), html.Div(secondary, className="zw-secondary") if secondary else None]


def _table(a: Analysis) -> html.Table:
    def days(w) -> str:
        return f"{w.covered} days" if w.covered == w.asked else f"{w.covered} of {w.asked} days"

    head = html.Tr([html.Th(h) for h in ("", f"Before ({days(a.before_window)})",
                                         f"After ({days(a.after_window)})",
                                         "Rate ratio (95% CI)", "Fatalities")])
    body = []
    for area, before, after, rr in (("inside zone", a.inside_before, a.inside_after, a.inside_rr),
                                    (f"ring 0–{a.ring_km:g} km", a.ring_before, a.ring_after,
                                     a.ring_rr)):
        body.append(html.Tr([html.Th(area), html.Td(count_cell(before)),
                             html.Td(count_cell(after)), html.Td(_ratio_cell(rr)),
                             html.Td(f"{before.fatalities} → {after.fatalities}")]))
    body.append(html.Tr([html.Th("inside relative to ring"), html.Td(), html.Td(),
                         html.Td(_ratio_cell(a.ratio_of_ratios)), html.Td()]))
    return html.Table([html.Thead(head), html.Tbody(body)], className="zw-analysis-table")


def panel(a: Analysis) -> html.Div:
    rows = max([len(s.counts) for s in a.sides] + [len(a.by_place), 1])
    colours = (palette.OKABE_ITO[5], palette.OKABE_ITO[6], palette.OKABE_ITO[4])
    charts = [dcc.Graph(figure=breakdown_figure(
        side.counts, f"Inside after: by {side.label} (as recorded, not who fired first)",
        colour, rows), config={"displayModeBar": False})
        for side, colour in zip(a.sides, colours, strict=False)]
    charts.append(dcc.Graph(figure=breakdown_figure(a.by_place, "Inside after: top places",
                                                    colours[2], rows),
                            config={"displayModeBar": False}))
    return html.Div([
        html.Div([
            html.Div([html.P(headline(a), className="zw-headline"),
                      html.P(details(a), className="zw-sentence")], id="analysis-sentence"),
            dcc.Clipboard(target_id="analysis-sentence", title="Copy the paragraph",
                          className="zw-copy-sentence"),
        ], className="zw-sentence-row"),
        html.P(f"Reference day: {day_words(a.reference)} — {a.reference_label}. "
               f"{UNCERTAINTY_NOTE} Rates are per covered day; intervals: {a.inside_rr.method} "
               "(secondary: exact Poisson, which assumes no overdispersion).",
               className="zw-hint"),
        _table(a),
        html.Ul([html.Li(w) for w in a.warnings], className="zw-caveats") if a.warnings else None,
        html.Div([
            dcc.Graph(figure=its_figure(a), config={"displaylogo": False},
                      className="zw-its"),
            html.P(its_words(a), className="zw-hint"),
        ]),
        html.Div(charts, className="zw-breakdowns"),
    ])


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
