"""One source of truth for the view: the URL, the controls and the state store agree.

The page's query string sets the controls on load; any control, a brush on the
histogram, a click on a zone or a move of the map writes the state back to the
URL (without reloading), so a copied link reproduces the view.

Besides the state itself, two smaller stores say what changed, so a slider move only
wakes the views that show the window: ``FILTERS`` (the state without its window, for
the histogram, the zone series and the analysis, which show every date) and
``WINDOW`` (the window's days, for the date label and the histogram's shading, set in
the browser).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from dash import Input, Output, State, ctx, html, no_update
from dash.exceptions import PreventUpdate

from dashboard.analysis import filterspec
from dashboard.analysis.viewdata import ViewData
from dashboard.analysis.viewstate import ViewState, decode, encode, without_playback
from dashboard.app import ids, parse

TIME_PROPS = {
    "range": (ids.DATE_RANGE, "value"), "as_of": (ids.AS_OF, "date"),
    "first_day": (ids.WINDOW_DATES, "start_date"), "last_day": (ids.WINDOW_DATES, "end_date"),
    "play_step": (ids.PLAY_STEP, "value"), "play_window": (ids.PLAY_WINDOW, "value"),
    "play_mode": (ids.PLAY_MODE, "value"), "play_speed": (ids.PLAY_SPEED, "value"),
}
#: Playback controls: in the link, but not in the state store (no view draws them).
PLAY_CONTROLS = (ids.PLAY_STEP, ids.PLAY_WINDOW, ids.PLAY_MODE, ids.PLAY_SPEED)


def control_props() -> dict[str, tuple[str, str]]:
    """Every control the view reads, by its value's name (as ``parse`` names them): the
    filters' (from ``filterspec.FILTERS``), then the window's and playback's."""
    return {**{name: (ids.filter_control(name), "value") for name in parse.filter_inputs()},
            **TIME_PROPS}


def noted_controls() -> tuple[str, ...]:
    """Controls whose problems ``Synced.notes`` reports: a change of them clears an old note."""
    return (*(ids.filter_control(name) for spec in filterspec.FILTERS if spec.notes
              for name in spec.inputs), ids.WINDOW_DATES)


@dataclass
class Synced:
    controls: dict | None   # new control values, or None to leave them
    search: str | None      # new query string, or None to leave it
    state: str              # the state store (query string without the camera)
    camera: dict | None
    messages: list[str]     # what the link had that could not be used
    notes: list[str] = field(default_factory=list)  # controls' values not used as typed
    # Derived from the state (see the module docstring), so left out of comparisons.
    filters: str = field(default="", compare=False)   # the state without its window
    window: list[str] | None = field(default=None, compare=False)  # [first, last], ISO
    # The month the "Zones as of" calendar opens on: its day, else the window's end.
    as_of_month: str | None = field(default=None, compare=False)


def filters_of(state: ViewState, view: ViewData) -> str:
    """The query string of ``state`` without its window and zones day."""
    return encode(replace(without_playback(state), start=None, end=None, as_of=None,
                          center=None, zoom=None), view.default)


def window_of(state: ViewState, view: ViewData) -> list[str]:
    return [(state.start or view.default.start).isoformat(),
            (state.end or view.default.end).isoformat()]


def as_of_month(state: ViewState, view: ViewData) -> str:
    return (state.as_of or state.end or view.default.end or view.span[1]).isoformat()


def sync_view(view: ViewData, trigger: str | None, search: str | None, values: dict,
              brushed: dict | None, click: dict | None, relayout: dict | None,
              camera: dict | None) -> Synced:
    if trigger in (None, ids.URL):
        decoded = decode(search, view.default)
        state = decoded.state
        camera = ({"center": list(state.center), "zoom": state.zoom}
                  if state.center is not None else None)
        return Synced(parse.controls_from_state(view, state), None,
                      encode(replace(without_playback(state), center=None, zoom=None),
                             view.default), camera,
                      decoded.problems, [], filters_of(state, view), window_of(state, view),
                      as_of_month(state, view))
    state, notes = parse.read_controls(view, values)
    set_controls = False
    if trigger == ids.RESET:
        state, set_controls = view.default, True
    elif trigger == ids.HISTOGRAM and (span := parse.brushed_range(brushed)):
        lo, hi = max(span[0], view.span[0]), min(span[1], view.span[1])
        if lo <= hi:
            state, set_controls = replace(state, start=lo, end=hi), True
    elif trigger == ids.MAP and ctx_prop_is_click(click, relayout):
        zone = parse.clicked_zone(click, set(view.zones["zone_id"]))
        if zone:
            state, set_controls = replace(state, zones=(zone,)), True
    elif trigger == ids.MAP:
        camera = parse.camera_from_relayout(relayout) or camera
    elif trigger == ids.WINDOW_DATES:
        state, typed = parse.typed_window(view, state, values.get("first_day"),
                                          values.get("last_day"))
        notes, set_controls = notes + typed, True
    if state.start and state.end and state.start > state.end:
        state = replace(state, start=state.end, end=state.start)
    return Synced(parse.controls_from_state(view, state) if set_controls else None,
                  encode(parse.with_camera(state, camera), view.default),
                  encode(without_playback(state), view.default), camera, [], notes,
                  filters_of(state, view),
                  window_of(state, view), as_of_month(state, view))


def following_dates(window: list[str] | None, values: dict) -> list:
    """The date boxes' new values when the window moved some other way (slider, brush,
    playback): the window's days, or ``no_update`` where a box already shows its day."""
    if not window:
        return [no_update, no_update]
    return [day if day != values.get(name) else no_update
            for name, day in zip(("first_day", "last_day"), window, strict=True)]


def ctx_prop_is_click(click, relayout) -> bool:
    """True when the map input that fired was a click (set by the callback wrapper)."""
    return bool(click) and relayout is None


def messages_view(problems: list[str], notes: list[str] | None = None) -> list:
    """The link's problems, then the controls' (each names the problem and the fix)."""
    shown = [html.Div(["This link was partly unreadable, so parts of the default view are "
                       "shown: ", "; ".join(problems), "."], className="zw-message zw-warning")
             ] if problems else []
    return shown + [html.Div(note, className="zw-message zw-warning") for note in notes or ()]


def register(app, store) -> None:
    props, noted_ids = control_props(), noted_controls()
    outputs = [Output(cid, prop, allow_duplicate=(name == "range"))
               for name, (cid, prop) in props.items()]
    inputs = [Input(cid, prop) for cid, prop in props.values()]

    @app.callback(
        *outputs, Output(ids.URL, "search"), Output(ids.STATE, "data"),
        Output(ids.CAMERA, "data"), Output(ids.MESSAGES, "children", allow_duplicate=True),
        Output(ids.FILTERS, "data"), Output(ids.WINDOW, "data"),
        Output(ids.AS_OF, "initial_visible_month"),
        Input(ids.URL, "search"), *inputs, Input(ids.RESET, "n_clicks"),
        Input(ids.HISTOGRAM, "selectedData"), Input(ids.MAP, "clickData"),
        Input(ids.MAP, "relayoutData"), Input(ids.DATA_VERSION, "data"),
        State(ids.SESSION, "data"), State(ids.CAMERA, "data"), State(ids.STATE, "data"),
        State(ids.FILTERS, "data"), State(ids.WINDOW, "data"),
        prevent_initial_call="initial_duplicate",
    )
    def _sync(search, *args):
        n = len(props)
        values = dict(zip(props, args[:n], strict=True))
        (_reset, brushed, click, relayout, _version, session_id, camera, current,
         current_filters, current_window) = args[n:]
        trigger = ctx.triggered_id
        prop = ctx.triggered[0]["prop_id"] if ctx.triggered else ""
        if trigger == ids.DATA_VERSION:
            trigger = ids.URL
        if trigger == ids.MAP:
            click, relayout = (click, None) if prop.endswith("clickData") else (None, relayout)
        result = sync_view(store.view_data(session_id), trigger, search, values, brushed, click,
                           relayout, camera)
        # The state names the data it was made for, so new data always redraws the views.
        data_key = store.data_key(session_id)
        result.state = f"{result.state}#{data_key}"
        result.filters = f"{result.filters}#{data_key}"
        if trigger not in (None, ids.URL, *noted_ids) and result.controls is None and \
                result.state == current and result.camera == camera and \
                (trigger not in PLAY_CONTROLS or result.search == search):
            raise PreventUpdate  # nothing changed (e.g. a control echoing its own value)
        if result.controls:
            controls = [result.controls[name] for name in props]
        else:  # the date boxes follow the window however it moved
            dates = dict(zip(("first_day", "last_day"), following_dates(result.window, values),
                             strict=True))
            controls = [dates.get(name, no_update) for name in props]
        fresh = trigger in (None, ids.URL)  # a new page or new data always redraws

        def changed(value, current_value):
            return value if fresh or value != current_value else no_update

        noted = fresh or result.notes or trigger in noted_ids  # a fixed value clears its note
        return (*controls, no_update if result.search is None else result.search,
                changed(result.state, current),
                no_update if result.camera == camera and not fresh else result.camera,
                messages_view(result.messages, result.notes) if noted else no_update,
                changed(result.filters, current_filters),
                changed(result.window, current_window),
                result.as_of_month if fresh or trigger == ids.AS_OF or
                result.window != current_window else no_update)
