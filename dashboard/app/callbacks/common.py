"""What every view callback starts with: the session's data and the decoded state."""

from __future__ import annotations

import numpy as np
from dash import ClientsideFunction, Input, Output, State

from dashboard.analysis.viewdata import ViewData
from dashboard.analysis.viewstate import ViewState, decode
from dashboard.app import ids
from dashboard.server.datastore import DataStore
from dashboard.views.incident_keys import Selection, checked_selection, keys_mask


def resolve(store: DataStore, session_id: str | None, query: str | None
            ) -> tuple[ViewData, ViewState]:
    view = store.view_data(session_id)
    query = (query or "").split("#", 1)[0]  # "#..." names the data (see sync)
    return view, decode(query, view.default).state


def selection_positions(view: ViewData, selection: Selection | None) -> np.ndarray | None:
    """Positions of lasso-selected incidents (None when nothing is selected): the
    selection names each by source and id (``views.incident_keys``), so two sources'
    incident "1" are two incidents. A selection not of that shape (a tampered request)
    is no selection: the view is drawn as if nothing were selected."""
    try:
        selection = checked_selection(selection)
    except ValueError:
        return None
    if selection is None:
        return None
    return np.flatnonzero(keys_mask(view.index.frame, selection))


def register_tab_gate(app, tab: str, gated_state: str) -> None:
    """``gated_state`` follows the view state only while ``tab`` is open (``gate_<tab>``
    in assets/views.js): a slider move asks nothing of a closed tab's callbacks."""
    app.clientside_callback(
        ClientsideFunction(namespace="zonewatch_views", function_name=f"gate_{tab}"),
        Output(gated_state, "data"), Input(ids.STATE, "data"), Input(ids.TABS, "value"),
        State(gated_state, "data"),
    )
