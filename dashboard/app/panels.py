"""What the callbacks put on the page, as Dash HTML: the zone panel's analysis, the
summary cards and the upload report. Callback modules call these builders and hold no
markup of their own; every text from a file stays text (Dash escapes it)."""

from __future__ import annotations

from dash import dcc, html

from dashboard.analysis.aggregate import Summary
from dashboard.analysis.ceasefire import Analysis
from dashboard.analysis.describe import plural
from dashboard.analysis.verdict import details, headline
from dashboard.core.formats import day_words
from dashboard.export.ceasefire_report import (
    UNCERTAINTY_NOTE,
    count_cell,
    its_words,
    ratio_cell,
    secondary_cell,
)
from dashboard.io.validation import ValidationReport
from dashboard.server.uploads import UploadResult
from dashboard.views import palette
from dashboard.views.figures import breakdown_figure, its_figure

SHOWN_ISSUES = 30  # an upload report lists this many problems, then says how many more


# The zone panel ----------------------------------------------------------------------------
def _ratio_cell(rr) -> list:
    secondary = secondary_cell(rr)
    return [ratio_cell(rr), html.Div(secondary, className="zw-secondary") if secondary else None]


def analysis_table(a: Analysis) -> html.Table:
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


def analysis_panel(a: Analysis) -> html.Div:
    """The zone panel: the plain-words headline and paragraph (copyable), the table,
    caveats, the trend chart and who/where."""
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
        analysis_table(a),
        html.Ul([html.Li(w) for w in a.warnings], className="zw-caveats") if a.warnings else None,
        html.Div([
            dcc.Graph(figure=its_figure(a), config={"displaylogo": False},
                      className="zw-its"),
            html.P(its_words(a), className="zw-hint"),
        ]),
        html.Div(charts, className="zw-breakdowns"),
    ])


# Summary cards -----------------------------------------------------------------------------
def _card(label: str, value: str, detail: str = "") -> html.Div:
    return html.Div([html.Div(label, className="zw-card-label"),
                     html.Div(value, className="zw-card-value"),
                     html.Div(detail, className="zw-card-detail")], className="zw-card")


def _change(now: int, before: int, noun: str = "incidents") -> str:
    if not before:
        return f"no {noun} in the previous window" if not now else "none in previous window"
    pct = (now / before - 1) * 100
    arrow = "▲" if pct > 0 else "▼" if pct < 0 else "="
    return f"{arrow} {abs(pct):.0f}% vs previous {before:,}"


def summary_cards(summary: Summary, days: int) -> list[html.Div]:
    """Incidents, fatalities, share inside zones, window; with agreement terms loaded, a
    violations card after the incidents."""
    share = "–" if summary.inside_share is None else f"{summary.inside_share:.0%}"
    cards = [
        _card("Incidents", f"{summary.incidents:,}",
              _change(summary.incidents, summary.previous_incidents)),
        _card("Fatalities", f"{summary.fatalities:,}",
              _change(summary.fatalities, summary.previous_fatalities, "fatalities")),
        _card("Inside zones", share, "of incidents, zones as they stood that day"),
        _card("Window", f"{days:,} days", f"compared with the {days:,} days before"),
    ]
    if summary.violations is not None:
        cards.insert(1, _card("Violations", f"{summary.violations:,}",
                              violations_detail(summary)))
    return cards


def violations_detail(summary: Summary) -> str:
    """"of 120 incidents under the agreement terms · ▼ 40% vs previous 20"."""
    change = _change(summary.violations or 0, summary.previous_violations or 0, "violations")
    return f"of {summary.incidents:,} incidents, by the agreement terms · {change}"


# The upload report -------------------------------------------------------------------------
def upload_report(result: UploadResult) -> html.Div:
    """The outcome and the located problems, errors first; all text stays text."""
    kind = "zw-message zw-ok" if result.ok else "zw-message zw-error"
    children = [html.Div(result.message, className=kind)]
    report: ValidationReport | None = result.report
    if result.valid_rows:  # last: just above the buttons it explains
        children.append(html.P(
            f"{plural(result.valid_rows, 'row')} of {report.rows:,} have no errors. You can "
            "load those alone (as 'zonewatch join --valid-only' does) and download the "
            f"{plural(result.rejected, 'rejected row')}, each with why, to fix and upload again.",
            className="zw-next"))
    if report is not None and report.issues:
        issues = sorted(report.issues, key=lambda i: {"error": 0, "warning": 1}.get(i.severity, 2))
        items = [html.Li([html.B(i.severity.upper() + " "), i.message(report.path.name)],
                         className=f"zw-issue zw-{i.severity}") for i in issues[:SHOWN_ISSUES]]
        if len(issues) > SHOWN_ISSUES:
            items.append(html.Li(f"… and {len(issues) - SHOWN_ISSUES} more; run "
                                 f"'zonewatch validate {report.path.name}' for all of them."))
        children.insert(1, html.Ul(items, className="zw-issues"))
    return html.Div(children)
