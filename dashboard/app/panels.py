"""What the callbacks put on the page, as Dash HTML: the zone panel's analysis, the
summary cards and the upload report. Callback modules call these builders and hold no
markup of their own; every text from a file stays text (Dash escapes it)."""

from __future__ import annotations

from dash import dcc, html

from dashboard.analysis.aggregate import Summary
from dashboard.analysis.ceasefire import Analysis
from dashboard.analysis.describe import plural
from dashboard.analysis.filterspec import CLASS_LABELS
from dashboard.analysis.verdict import details, headline
from dashboard.app import ids
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
from dashboard.views.figures import breakdown_figure_dict, exemptions_figure, its_figure_dict

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
    charts = [dcc.Graph(figure=breakdown_figure_dict(
        side.counts, f"Inside after: by {side.label} (as recorded, not who fired first)",
        colour, rows), config={"displayModeBar": False})
        for side, colour in zip(a.sides, colours, strict=False)]
    charts.append(dcc.Graph(figure=breakdown_figure_dict(a.by_place, "Inside after: top places",
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
            dcc.Graph(figure=its_figure_dict(a), config={"displaylogo": False},
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


# The Terms tab -----------------------------------------------------------------------------
#: A commitment's status in words, and the class of its badge.
STATUS_WORDS = {"kept": "kept", "late": "late", "no_evidence": "no evidence yet",
                "broken": "broken"}


def _when(agreement) -> str:
    at = agreement.in_effect
    time = f" at {at:%H:%M}" if agreement.starts_at_a_time else ""
    offset = f" (UTC{at:%z})" if at.utcoffset() is not None and agreement.starts_at_a_time \
        else ""
    ends = f"; ended {day_words(agreement.ends)}" if agreement.ends else ""
    return f"In effect from {day_words(at)}{time}{offset}{ends}"


def _parties(agreement) -> html.Div:
    if not agreement.parties:
        return html.P(agreement.parties_note or "The parties of this zone are not reported, so "
                      "no incident there can be called a violation.", className="zw-hint")
    items = [html.Li([html.B(p.name), f" ({p.side})",
                      html.Span(f" — as {', '.join(p.aliases)}" if p.aliases else "",
                                className="zw-hint")]) for p in agreement.parties]
    note = html.P(agreement.parties_note, className="zw-hint") if agreement.parties_note else None
    return html.Div([html.Ul(items, className="zw-parties"), note])


def _exemptions(agreement, span) -> html.Div:
    items = [html.Li([html.B(e.name), f" exempt from {day_words(e.start)}" if e.start
                      else " exempt throughout",
                      f" until {day_words(e.until)}" if e.until else "",
                      html.Span(f" · Source: {e.source}" if e.source else "", className="zw-hint")])
             for e in agreement.exempt]
    return html.Div([
        html.Ul(items) if items else html.P("No group is exempt.", className="zw-hint"),
        dcc.Graph(figure=exemptions_figure(agreement, span), config={"displayModeBar": False},
                  className="zw-exemptions"),
    ])


def _evidence(rows: list[dict], total: int) -> html.Div | None:
    if not rows:
        return None
    buttons = [html.Button(f"{day_words(r['day'])} · {r['type']}" + (f" · {r['place']}"
                                                                     if r["place"] else ""),
                           id=ids.evidence(r["id"], r.get("dataset", "")), n_clicks=0,
                           className="zw-evidence", title=f"Incident {r['id']}: mark it on the map")
               for r in rows]
    more = html.Span(f"and {total - len(rows):,} more", className="zw-hint") \
        if total > len(rows) else None
    return html.Div([*buttons, more], className="zw-evidence-list")


def _commitments(shown) -> html.Div:
    if not shown.statuses:
        return html.P("The terms list no commitments for this deal.", className="zw-hint")
    rows = []
    for s in shown.statuses:
        said = (f"{s.status_source}, {day_words(s.status_day)}" if s.status_day
                else f"first evidence {day_words(s.first_evidence)}" if s.first_evidence
                else "no matching incident in or near the zone")
        rows.append(html.Li([
            html.B(STATUS_WORDS.get(s.status, s.status).upper(),
                   className=f"zw-status zw-{s.status}"),
            html.B(f" {s.text}"),
            f" — due {day_words(s.due)}" if s.due else " — no due day",
            html.Div(f"{said} · Source: {s.source or 'not given'}", className="zw-hint"),
            _evidence(shown.evidence.get(s.id, []), len(s.evidence_ids)),
        ], className="zw-commitment"))
    return html.Div([html.P(f"Status as of {day_words(shown.as_of)} (the window's last day).",
                            className="zw-hint"), html.Ul(rows, className="zw-commitments")])


def terms_panel(zone_terms, loaded: bool) -> html.Div:
    """The Terms tab for one zone (``callbacks.terms.ZoneTerms``): per agreement its name,
    when it took effect, source; parties; exemptions and their timeline; commitments."""
    if zone_terms is None:
        return html.P("No agreement terms are loaded: start with --terms FILE (or "
                      "ZONEWATCH_TERMS), or upload a terms file under Your data."
                      if not loaded else "The terms name no agreement for this zone.",
                      className="zw-hint")
    blocks = []
    for shown in zone_terms.agreements:
        a = shown.agreement
        blocks.append(html.Section([
            html.H3(a.name, className="zw-h3"),
            html.P([_when(a), html.Br(), f"Source: {a.source or 'not given'}"]),
            html.P(a.note, className="zw-hint") if a.note else None,
            html.H4("Parties", className="zw-h4"), _parties(a),
            html.H4("Exemptions", className="zw-h4"), _exemptions(a, zone_terms.span),
            html.H4("Commitments", className="zw-h4"), _commitments(shown),
        ], className="zw-agreement"))
    legend = ", ".join(CLASS_LABELS.values())
    return html.Div([
        html.P(f"{zone_terms.zone_name}: terms from {zone_terms.source_file}. Incidents are "
               f"classed as {legend} (map colour 'by class', the Class filter).",
               className="zw-hint"),
        *blocks])


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


# The Sources tab ---------------------------------------------------------------------------
#: What the decision buttons say, and the badge a decided link shows.
DECISION_WORDS = {"confirmed": ("Same event", "confirmed: the same event"),
                  "rejected": ("Different events", "rejected: different events")}


def _cell(value) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if hasattr(value, "strftime"):
        return day_words(value)
    if isinstance(value, float):
        return f"{value:,.0f}"
    return str(value)


def _decision_buttons(row) -> html.Td:
    key = (str(row["dataset_a"]), str(row["id_a"]), str(row["dataset_b"]), str(row["id_b"]))
    buttons = []
    for decision, (label, _) in DECISION_WORDS.items():
        chosen = row["decision"] == decision
        buttons.append(html.Button(
            label, id=ids.link_decision(key, decision),
            className="zw-button zw-small" + (" zw-primary" if chosen else ""),
            title=("Take this decision back" if chosen else
                   f"Mark as {DECISION_WORDS[decision][1]}")))
    badge = DECISION_WORDS.get(row["decision"], (None, "to review"))[1]
    return html.Td([html.Div(badge, className="zw-hint"), html.Div(buttons,
                                                                   className="zw-decide")])


def _side(row, side: str) -> list:
    """One side of a link: source and id, then day, place, type and fatalities."""
    facts = " · ".join(t for t in (_cell(row.get(f"date_{side}")), _cell(row.get(f"place_{side}")),
                                   _cell(row.get(f"event_type_{side}")),
                                   f"{_cell(row.get(f'fatalities_{side}'))} killed"
                                   if _cell(row.get(f"fatalities_{side}")) else "") if t)
    return [html.B(str(row[f"dataset_{side}"])), f" {row[f'id_{side}']}", html.Br(),
            html.Span(facts, className="zw-hint")]


def review_table(review) -> html.Div:
    """The likely duplicates to review: score, reasons, both sides, the decision."""
    if not len(review):
        return html.P("No likely duplicates across sources here.", className="zw-hint")
    head = html.Tr([html.Th(h) for h in ("Score", "Report A", "Report B", "Why linked",
                                         "Your decision")])
    rows = [html.Tr([html.Td(f"{row['score']:.2f}"), html.Td(_side(row, "a")),
                     html.Td(_side(row, "b")), html.Td(str(row["reasons"]), className="zw-why"),
                     _decision_buttons(row)])
            for _, row in review.iterrows()]
    return html.Div(html.Table([html.Thead(head), html.Tbody(rows)],
                               className="zw-sources-table"), className="zw-scroll zw-review")


def only_table(only, counts, shown: int) -> html.Div:
    """Events only one source has: a count per source, then the newest ``shown`` (folded)."""
    summary = html.Ul([html.Li([html.B(f"{int(n):,}"), f" only in {name}"])
                       for name, n in counts.items()], className="zw-only-counts")
    if not len(only):
        return html.Div([summary, html.P("Every event here is told by more than one source.",
                                         className="zw-hint")])
    head = html.Tr([html.Th(h) for h in ("Source", "Id", "Day", "Place", "Type", "Fatalities")])
    rows = [html.Tr([html.Td(_cell(row.get(c))) for c in
                     ("dataset", "incident_id", "date", "place", "event_type", "fatalities")])
            for _, row in only.head(shown).iterrows()]
    label = (f"The newest {min(shown, len(only)):,} of {len(only):,} (the Incidents table "
             "lists them all)")
    return html.Div([summary, html.Details([
        html.Summary(label), html.Div(html.Table([html.Thead(head), html.Tbody(rows)],
                                                 className="zw-sources-table"),
                                      className="zw-scroll")])])


def _links_words(review) -> str:
    """"3 links", "12,400 links, the best 200 shown"."""
    total = int(review.attrs.get("total", len(review)))
    shown = f", the best {len(review):,} shown" if total > len(review) else ""
    return f"{plural(total, 'link')}{shown}"


def sources_panel(figure, only, counts, review, note: str, shown: int = 50) -> list:
    """The Sources tab: the weekly figure, the events only one source has, the links."""
    return [html.P(note, className="zw-hint"),
            dcc.Graph(figure=figure, config={"displaylogo": False}),
            html.H3("Likely duplicates to review", className="zw-h3"),
            html.P(f"{_links_words(review)}, best score first. "
                   "The same event told by two sources? Confirm or reject each link: counts "
                   "made with duplicates counted once follow your decisions, which stay with "
                   "this browser session.", className="zw-hint"),
            review_table(review),
            html.H3("Events only one source has", className="zw-h3"),
            only_table(only, counts, shown)]
