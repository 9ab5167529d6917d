"""Summary cards and the "N of M incidents" line."""

from __future__ import annotations

from dash import Input, Output, State, html

from dashboard.analysis.aggregate import Summary, summarise
from dashboard.analysis.index import previous_window
from dashboard.analysis.viewstate import ViewState
from dashboard.app import ids
from dashboard.app.callbacks.common import resolve, selection_positions


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


def cards(summary: Summary, days: int) -> list[html.Div]:
    share = "–" if summary.inside_share is None else f"{summary.inside_share:.0%}"
    return [
        _card("Incidents", f"{summary.incidents:,}",
              _change(summary.incidents, summary.previous_incidents)),
        _card("Fatalities", f"{summary.fatalities:,}",
              _change(summary.fatalities, summary.previous_fatalities, "fatalities")),
        _card("Inside zones", share, "of incidents, zones as they stood that day"),
        _card("Window", f"{days:,} days", f"compared with the {days:,} days before"),
    ]


def count_line(shown: int, total: int, state: ViewState) -> str:
    line = f"{shown:,} of {total:,} incidents"
    return line if shown else f"{line} — widen the dates or clear a filter"


def summary_view(store, session_id, query, selection):
    view, state = resolve(store, session_id, query)
    within = selection_positions(view, selection)
    positions = view.index.select(state, within=within)
    prev = previous_window(state.start, state.end)
    previous = view.index.select(ViewState(**{**state.__dict__, "start": prev[0], "end": prev[1]}),
                                 within=within)
    summary = summarise(view.index, positions, previous)
    days = (state.end - state.start).days + 1
    empty = []
    if not len(positions):
        active = state.active_filters()
        text = (f"No incidents match these filters — widen the dates or clear "
                f"'{next(iter(active))}'." if active
                else "No incidents in these dates — widen the dates.")
        empty = [html.Div(text, className="zw-empty")]
    return cards(summary, days) + empty, count_line(len(positions), len(view.index), state)


def register(app, store) -> None:
    @app.callback(Output(ids.CARDS, "children"), Output(ids.COUNT, "children"),
                  Input(ids.STATE, "data"), Input(ids.SELECTION, "data"),
                  State(ids.SESSION, "data"))
    def _summary(query, selection, session_id):
        return summary_view(store, session_id, query, selection)
