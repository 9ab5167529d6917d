"""Summary cards and the "N of M incidents" line."""

from __future__ import annotations

from dash import Input, Output, State, html

from dashboard.analysis.aggregate import summarise
from dashboard.analysis.index import previous_window
from dashboard.analysis.viewstate import ViewState
from dashboard.app import ids
from dashboard.app.callbacks.common import resolve, selection_positions
from dashboard.app.panels import summary_cards

ONCE_WORDS = "duplicates across sources counted once"


NO_SOURCE_WORDS = "no source is switched on: tick one under Sources"


def count_line(shown: int, total: int, state: ViewState, once: bool = False,
               no_source: bool = False) -> str:
    """"12 of 40 incidents"; ``once``: each event several sources report counted once
    (``IncidentIndex.counts_once``), and said; ``no_source``: every source is off."""
    line = f"{shown:,} of {total:,} incidents" + (f", {ONCE_WORDS}" if once else "")
    if shown:
        return line
    return f"{line} — {NO_SOURCE_WORDS if no_source else 'widen the dates or clear a filter'}"


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
    sources = set(view.index.options("dataset"))
    no_source = bool(sources) and sources <= set(state.datasets_off)
    if not len(positions):
        active = state.active_filters()
        text = (f"No incidents: {NO_SOURCE_WORDS}." if no_source
                else f"No incidents match these filters — widen the dates or clear "
                f"'{next(iter(active))}'." if active
                else "No incidents in these dates — widen the dates.")
        empty = [html.Div(text, className="zw-empty")]
    return summary_cards(summary, days) + empty, count_line(
        len(positions), view.index.total(state), state, view.index.counts_once(state),
        no_source)


def register(app, store) -> None:
    @app.callback(Output(ids.CARDS, "children"), Output(ids.COUNT, "children"),
                  Input(ids.STATE, "data"), Input(ids.SELECTION, "data"),
                  State(ids.SESSION, "data"))
    def _summary(query, selection, session_id):
        return summary_view(store, session_id, query, selection)
