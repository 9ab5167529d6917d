"""The state of a view (window, "as of" day, filters, map camera), and its URL form.

Everything a person sees is a function of a ``ViewState``; the URL holds it, so a
copied link reproduces the view. Decoding never fails: what cannot be read is
dropped and named in ``problems`` so the page can say so.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from datetime import date
from urllib.parse import parse_qs, urlencode

from dashboard.analysis import filterspec
from dashboard.analysis.filterspec import MAX_FATALITIES, MAX_ITEMS, MAX_TEXT
from dashboard.analysis.frames import MAX_WINDOW_DAYS, MODES, STEPS

__all__ = ["MAX_FATALITIES", "MAX_ITEMS", "MAX_TEXT"]  # the bounds, read here by the app
PLAY_SPEEDS = {"slow": 1000, "normal": 400, "fast": 100}  # ms between playback frames


@dataclass(frozen=True)
class ViewState:
    """One view. Dates are inclusive; empty tuples mean "no filter". Each filter field
    has its spec in ``dashboard.analysis.filterspec.FILTERS``."""

    start: date | None = None
    end: date | None = None
    as_of: date | None = None          # zones drawn as they stood on this day (None: end)
    types: tuple[str, ...] = ()
    sub_types: tuple[str, ...] = ()
    actors: tuple[str, ...] = ()
    zones: tuple[str, ...] = ()
    classes: tuple[str, ...] = ()      # classes under the agreement terms (classify.CLASSES)
    inside_only: bool = False
    precisions: tuple[str, ...] = ()
    fat_min: int | None = None
    fat_max: int | None = None
    sources: tuple[str, ...] = ()
    datasets_off: tuple[str, ...] = ()  # incident files (``dataset``) switched off
    dedupe: bool = True                # an event several sources report counted once
    text: str = ""
    center: tuple[float, float] | None = None  # (lat, lon)
    zoom: float | None = None
    # Playback (dashboard.analysis.frames): how the window moves through start..end, and how fast.
    play_step: str = "week"            # day, week or month
    play_window: int = 30              # days in a sliding frame
    play_mode: str = "sliding"         # or "cumulative"
    play_speed: str = "normal"         # a key of PLAY_SPEEDS

    @property
    def zones_day(self) -> date | None:
        return self.as_of or self.end

    def active_filters(self) -> dict[str, str]:
        """The filters in force, in words, for count lines, subtitles and reports."""
        return {spec.label: spec.words(self) for spec in filterspec.FILTERS if spec.active(self)}


@dataclass
class Decoded:
    state: ViewState
    problems: list[str] = field(default_factory=list)


def encode(state: ViewState, default: ViewState | None = None) -> str:
    """The query string (with ``?``) for ``state``; fields equal to ``default`` are left out."""
    default = default or ViewState()
    params: list[tuple[str, str]] = []
    for key, name in (("from", "start"), ("to", "end"), ("asof", "as_of")):
        value = getattr(state, name)
        if value is not None and value != getattr(default, name):
            params.append((key, value.isoformat()))
    for spec in filterspec.FILTERS:
        if spec.active(state):
            params.extend(spec.encode(state))
    params.extend(_play_params(state, default))
    if state.center is not None and state.zoom is not None:
        params.append(("map", f"{state.center[0]:.4f},{state.center[1]:.4f},{state.zoom:.2f}"))
    return "?" + urlencode(params) if params else ""


_PLAY_KEYS = {"step": "play_step", "window": "play_window", "mode": "play_mode",
              "speed": "play_speed"}


def _play_params(state: ViewState, default: ViewState) -> list[tuple[str, str]]:
    """The playback settings that differ from ``default``, as link parameters."""
    return [(key, str(getattr(state, name))) for key, name in _PLAY_KEYS.items()
            if getattr(state, name) != getattr(default, name)]


def _play_window(value: str) -> int | None:
    days = int(value) if value.isascii() and value.isdigit() and len(value) <= 5 else 0
    return days if 1 <= days <= MAX_WINDOW_DAYS else None


_PLAY_VALUES = {  # link key -> (reader: the value or None, what a good value looks like)
    "step": (lambda v: v if v in STEPS else None, "day, week or month"),
    "window": (_play_window, f"a number of days from 1 to {MAX_WINDOW_DAYS}"),
    "mode": (lambda v: v if v in MODES else None, "sliding or cumulative"),
    "speed": (lambda v: v if v in PLAY_SPEEDS else None, "slow, normal or fast"),
}


def play_settings(params: dict[str, list[str]]) -> tuple[dict, list[str]]:
    """The playback fields a link (or the playback request) sets, and its problems: a
    value that cannot be used is left out (the default stays) and named."""
    values, problems = {}, []
    for key, (read, good) in _PLAY_VALUES.items():
        if key in params:
            raw = params[key][-1]
            value = read(raw)
            if value is None:
                problems.append(f"'{key}={raw[:40]}' is not {good}; ignored")
            else:
                values[_PLAY_KEYS[key]] = value
    return values, problems


def play_values(raw: dict[str, object]) -> dict:
    """The playback fields from control values or the playback request, keyed as in the
    link (step, window, mode, speed) and read as the link reads them; what cannot be
    used is left out, so the default stays."""
    def text(value: object) -> str:
        return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)

    return play_settings({key: [text(value)] for key, value in raw.items()
                          if key in _PLAY_KEYS and value is not None})[0]


def without_playback(state: ViewState) -> ViewState:
    """``state`` with the default playback settings: what the views draw does not depend
    on them, so a change of step or speed redraws nothing."""
    return replace(state, **{f.name: f.default for f in fields(ViewState)
                             if f.name in _PLAY_KEYS.values()})


def _date(value: str) -> date:
    return date.fromisoformat(value)


def decode(query: str | None, default: ViewState | None = None) -> Decoded:
    """The state a query string describes, on top of ``default``; never raises."""
    default = default or ViewState()
    query = (query or "").lstrip("?")
    if len(query) > 8000:
        return Decoded(default, ["the link is too long to be a ZoneWatch view; showing the "
                                 "default view"])
    try:
        params = parse_qs(query, keep_blank_values=False, strict_parsing=False)
    except ValueError:
        return Decoded(default, ["the link could not be read; showing the default view"])
    values: dict = {}
    problems: list[str] = []
    known = {"from", "to", "asof", "map", *(spec.key for spec in filterspec.FILTERS),
             *_PLAY_KEYS}
    for key in sorted(set(params) - known):
        problems.append(f"unknown link parameter '{key}' ignored")
    for key, name in (("from", "start"), ("to", "end"), ("asof", "as_of")):
        if key in params:
            try:
                values[name] = _date(params[key][-1])
            except ValueError:
                problems.append(f"'{key}={params[key][-1][:40]}' is not a date (YYYY-MM-DD); ignored")
    for spec in filterspec.FILTERS:
        if spec.key in params:
            read, spec_problems = spec.decode(params[spec.key])
            values.update(read)
            problems.extend(spec_problems)
    if "map" in params:
        try:
            lat, lon, zoom = (float(v) for v in params["map"][-1].split(","))
            if not (-90 <= lat <= 90 and -180 <= lon <= 180 and 0 <= zoom <= 22):
                raise ValueError
            values["center"], values["zoom"] = (lat, lon), zoom
        except ValueError:
            problems.append(f"'map={params['map'][-1][:40]}' is not lat,lon,zoom; ignored")
    play, play_problems = play_settings(params)
    values.update(play)
    problems.extend(play_problems)
    state = replace(default, **values)
    if state.start and state.end and state.start > state.end:
        problems.append("the link's start date is after its end date; showing the default dates")
        state = replace(state, start=default.start, end=default.end)
    return Decoded(state, problems)


def state_fields() -> list[str]:
    return [f.name for f in fields(ViewState)]
