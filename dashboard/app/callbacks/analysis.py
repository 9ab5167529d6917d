"""The zone panel: did violence drop after the ceasefire, who broke it, where."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from dash import Input, Output, State, dcc, html

from dashboard import palette
from dashboard.app import ids
from dashboard.app.callbacks.common import resolve
from dashboard.errors import ZoneWatchError
from dashboard.figures import breakdown_figure, its_figure
from dashboard.report import table_rows
from dashboard.stats import Analysis, before_after
from dashboard.viewdata import ViewData


def pick_zone(view: ViewData, chosen: str | None, filtered: tuple[str, ...]) -> str | None:
    """The chosen zone, else the first zone filtered on, else the first zone in effect."""
    zone_ids = list(dict.fromkeys(view.zones["zone_id"]))
    for candidate in (chosen, *filtered):
        if candidate in zone_ids:
            return candidate
    in_effect = view.zones.loc[view.zones["status"] == "in_effect", "zone_id"]
    return in_effect.iloc[0] if len(in_effect) else (zone_ids[0] if zone_ids else None)


def _int(value, default: int) -> int:
    try:
        return max(1, int(value))
    except (TypeError, ValueError):
        return default


def analysis_view(store, session_id, query, zone, reference, before, after, ring):
    view, state = resolve(store, session_id, query)
    zone_id = pick_zone(view, zone, state.zones)
    if zone_id is None:
        return html.Div("This data has no zones to analyse. Upload a zone file.",
                        className="zw-empty")
    free = replace(state, zones=())
    filters = free.active_filters()
    positions = view.index.select(free, ignore_window=True)
    try:
        analysis = before_after(
            view.index, view.zones, view.dataset.zone_index, view.dataset.milestones, zone_id,
            reference=date.fromisoformat(reference[:10]) if reference else None,
            before_days=_int(before, 90), after_days=_int(after, 90),
            ring_km=float(ring) if ring else 25.0, positions=positions, filters=filters)
    except (ZoneWatchError, ValueError) as err:
        return html.Div(str(err), className="zw-message zw-error")
    return panel(analysis)


def _table(a: Analysis) -> html.Table:
    head = html.Tr([html.Th(h) for h in ("", f"{a.before_days} days before",
                                         f"{a.after_days} days after", "Rate ratio (95% CI)",
                                         "Fatalities")])
    body = []
    for row in table_rows(a):
        ratio = ("–" if row["rate_ratio"] is None else
                 f"{row['rate_ratio']:.2f} ({row['ci_low']:.2f}–{row['ci_high']:.2f})")
        body.append(html.Tr([
            html.Th(row["area"]),
            html.Td(f"{row['incidents_before']} ({row['low_before']}–{row['high_before']})"),
            html.Td(f"{row['incidents_after']} ({row['low_after']}–{row['high_after']})"),
            html.Td(ratio),
            html.Td(f"{row['fatalities_before']} → {row['fatalities_after']}"),
        ]))
    ror = a.ratio_of_ratios
    body.append(html.Tr([html.Th("inside relative to ring"), html.Td(), html.Td(),
                         html.Td("–" if ror.ratio is None else
                                 f"{ror.ratio:.2f} ({ror.lo:.2f}–{ror.hi:.2f})"), html.Td()]))
    return html.Table([html.Thead(head), html.Tbody(body)], className="zw-analysis-table")


def panel(a: Analysis) -> html.Div:
    its = a.its
    trend = ("" if its is None else
             f"{its.model} regression on weekly counts: level ×{its.level_irr:.2f} "
             f"(95% CI {its.level_ci[0]:.2f}–{its.level_ci[1]:.2f}) at the reference day, "
             f"trend ×{its.slope_irr:.3f} per week after it "
             f"(95% CI {its.slope_ci[0]:.3f}–{its.slope_ci[1]:.3f}).")
    rows = max(len(a.by_actor), len(a.by_place), 1)
    return html.Div([
        html.Div([
            html.P(a.sentence(), className="zw-sentence", id="analysis-sentence"),
            dcc.Clipboard(target_id="analysis-sentence", title="Copy the paragraph",
                          className="zw-copy-sentence"),
        ], className="zw-sentence-row"),
        html.P(f"Reference day: {a.reference:%-d %b %Y} — {a.reference_label}. Counts in "
               "brackets: ambiguous locations left out – all counted in.", className="zw-hint"),
        _table(a),
        html.Ul([html.Li(w) for w in a.warnings], className="zw-caveats") if a.warnings else None,
        html.Div([
            dcc.Graph(figure=its_figure(a), config={"displaylogo": False},
                      className="zw-its"),
            html.P(trend, className="zw-hint"),
        ]),
        html.Div([
            dcc.Graph(figure=breakdown_figure(
                a.by_actor, "Inside after: by actor 1 (UCDP side A, not necessarily who fired "
                "first)", palette.OKABE_ITO[5], rows), config={"displayModeBar": False}),
            dcc.Graph(figure=breakdown_figure(a.by_place, "Inside after: top places",
                                              palette.OKABE_ITO[4], rows),
                      config={"displayModeBar": False}),
        ], className="zw-breakdowns"),
    ])


def register(app, store) -> None:
    @app.callback(Output(ids.ANALYSIS_OUTPUT, "children"), Input(ids.FILTERS, "data"),
                  Input(ids.ANALYSIS_ZONE, "value"), Input(ids.ANALYSIS_DATE, "date"),
                  Input(ids.ANALYSIS_BEFORE, "value"), Input(ids.ANALYSIS_AFTER, "value"),
                  Input(ids.ANALYSIS_RING, "value"), Input(ids.TABS, "value"),
                  State(ids.SESSION, "data"))
    def _analysis(query, zone, reference, before, after, ring, tab, session_id):
        if tab != "analysis":
            from dash.exceptions import PreventUpdate

            raise PreventUpdate  # computed only when the panel is open
        return analysis_view(store, session_id, query, zone, reference, before, after, ring)
