"""One spec per filter: its state field, URL key, words, control and predicate.

The URL (``viewstate``), the selection (``IncidentIndex.select``), the filter panel,
the control <-> state translation and the sync table (``dashboard.app``) and the
briefing words all loop over ``FILTERS``; adding a filter is a ``ViewState`` field
plus one entry here. Code reads ``filterspec.FILTERS`` when it runs, never a copy
taken at import, so a test can register a toy filter with ``monkeypatch``.

Controls are plain data (a kind, a label, where the choices come from): the app layer
turns them into components, so this module loads no web stack.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import numpy as np

from dashboard.core.model import LOCATION_PRECISION_ORDER

if TYPE_CHECKING:
    from dashboard.analysis.index import IncidentIndex

MAX_TEXT = 200                 # characters of one filter value or the search text
MAX_ITEMS = 200                # values of one list filter
MAX_FATALITIES = 10_000_000    # fatality bounds beyond this mean "no bound" anyway


@dataclass(frozen=True)
class Control:
    """How the panel shows a filter. ``kind``: a multi-choice "dropdown", a "checklist"
    of choices, "switches" (a checklist whose ticked boxes are the values kept), a
    one-box "toggle", a "range" of two number boxes or a "search" box."""

    kind: Literal["dropdown", "checklist", "switches", "toggle", "range", "search"]
    label: str                 # beside the control (a toggle: its box's text)
    placeholder: str = ""


@dataclass(frozen=True, kw_only=True)
class Filter:
    """What every filter kind shares. A state value of ``()``, ``None``, ``False`` or
    ``""`` means "no filter" and is left out of the URL, the words and the selection."""

    name: str                  # the ViewState field
    key: str                   # the URL key (never rename: old links must still read)
    label: str                 # in words: count line, subtitles, briefings
    control: Control
    panel: int                 # position on the filter panel (URL and words follow FILTERS)
    input: str = ""            # the control's value name (and id "filter-<input>"); default name
    notes: ClassVar[bool] = False  # whether reading the controls can say "not used as typed"
    #: Whether ``read`` and ``show`` need the data's choices (``choices=``): a control
    #: that shows every value, ticked or not.
    needs_choices: ClassVar[bool] = False

    @property
    def inputs(self) -> tuple[str, ...]:
        """The names of the control values this filter reads (one per box)."""
        return (self.input or self.name,)

    def active(self, state: Any) -> bool:
        return bool(getattr(state, self.name))


@dataclass(frozen=True, kw_only=True)
class ListFilter(Filter):
    """Keep incidents whose ``column`` holds any of the chosen values. ``column`` is an
    index column, or "actor" (either side, aliases too) or "zone" (inside the zone as
    it stood that day); the choices are its values (in ``order``, if given)."""

    column: str
    order: tuple[str, ...] = ()
    labels: tuple[tuple[str, str], ...] = ()  # (value, label) where a value is not for readers

    def label_of(self, value: str) -> str:
        return dict(self.labels).get(value, value)

    def encode(self, state: Any) -> list[tuple[str, str]]:
        return [(self.key, v) for v in getattr(state, self.name)]

    def decode(self, raw: list[str]) -> tuple[dict, list[str]]:
        return {self.name: tuple(dict.fromkeys(v[:MAX_TEXT] for v in raw))[:MAX_ITEMS]}, []

    def words(self, state: Any) -> str:
        return ", ".join(self.label_of(v) for v in getattr(state, self.name))

    def keep(self, index: IncidentIndex, state: Any, lo: int, hi: int) -> np.ndarray:
        return index.matching(self.column, getattr(state, self.name), lo, hi)

    def read(self, values: dict) -> tuple[dict, list[str]]:
        return {self.name: clean_list(values.get(self.inputs[0]))}, []

    def show(self, state: Any) -> dict:
        return {self.inputs[0]: list(getattr(state, self.name))}


@dataclass(frozen=True, kw_only=True)
class FlagFilter(Filter):
    """Keep incidents where the index's boolean array ``rows`` is true."""

    rows: str

    def encode(self, state: Any) -> list[tuple[str, str]]:
        return [(self.key, "1")]

    def decode(self, raw: list[str]) -> tuple[dict, list[str]]:
        return {self.name: raw[-1] in ("1", "true", "yes")}, []

    def words(self, state: Any) -> str:
        return "yes"

    def keep(self, index: IncidentIndex, state: Any, lo: int, hi: int) -> np.ndarray:
        return getattr(index, self.rows)[lo:hi]

    def read(self, values: dict) -> tuple[dict, list[str]]:
        return {self.name: bool(values.get(self.inputs[0]))}, []

    def show(self, state: Any) -> dict:
        return {self.inputs[0]: [self.inputs[0]] if getattr(state, self.name) else []}


@dataclass(frozen=True, kw_only=True)
class RangeFilter(Filter):
    """Keep incidents whose index number array ``rows`` lies in [name, high], each bound
    optional, whole numbers from 0 to ``MAX_FATALITIES``; in the URL as ``lo-hi``."""

    high: str                  # the ViewState field of the upper bound
    rows: str
    noun: str                  # "no fatality filter is applied"
    notes: ClassVar[bool] = True

    @property
    def inputs(self) -> tuple[str, ...]:
        return (self.name, self.high)

    def bounds(self, state: Any) -> tuple[int | None, int | None]:
        return getattr(state, self.name), getattr(state, self.high)

    def active(self, state: Any) -> bool:
        return self.bounds(state) != (None, None)

    def encode(self, state: Any) -> list[tuple[str, str]]:
        lo, hi = self.bounds(state)
        return [(self.key, f"{'' if lo is None else lo}-{'' if hi is None else hi}")]

    def decode(self, raw: list[str]) -> tuple[dict, list[str]]:
        text = raw[-1]
        lo, sep, hi = text.partition("-")
        try:
            if not sep:
                raise ValueError(text)
            low, high = (_bound(lo) if lo else None), (_bound(hi) if hi else None)
        except ValueError:
            return {}, [f"'{self.key}={text[:40]}' is not a range like 1-50; ignored"]
        if low is not None and high is not None and low > high:
            return {}, [f"'{self.key}={text[:40]}' has its minimum above its maximum; ignored "
                        f"(write it as {self.key}={high}-{low})"]
        return {self.name: low, self.high: high}, []

    def words(self, state: Any) -> str:
        lo, hi = self.bounds(state)
        return f"{0 if lo is None else lo}–{'any' if hi is None else hi}"

    def keep(self, index: IncidentIndex, state: Any, lo: int, hi: int) -> np.ndarray:
        low, high = self.bounds(state)
        values = getattr(index, self.rows)[lo:hi]
        keep = np.ones(hi - lo, dtype=bool)
        if low is not None:
            keep &= values >= low
        if high is not None:
            keep &= values <= high
        return keep

    def read(self, values: dict) -> tuple[dict, list[str]]:
        """The bounds in the boxes. A negative bound reads as 0 (clamped, as every browser
        value is) and a minimum above the maximum turns the filter off; both are named,
        with the fix, so the page can say so."""
        low, high = values.get(self.name), values.get(self.high)
        lo, hi, problems = _count(low), _count(high), []
        for raw, what in ((low, "minimum"), (high, "maximum")):
            number = finite_number(raw)
            if number is not None and number < 0:
                problems.append(f"{self.label} {what} {number:g} is below 0, so it counts as 0. "
                                f"Fix: type 0 or more, or leave the box empty for no {what}.")
        if lo is not None and hi is not None and lo > hi:
            problems.append(f"{self.label} {lo} to {hi}: the minimum is above the maximum, so "
                            f"no {self.noun} filter is applied. Fix: make the minimum at most "
                            f"the maximum (e.g. {hi} to {lo}).")
            lo = hi = None
        return {self.name: lo, self.high: hi}, problems

    def show(self, state: Any) -> dict:
        return dict(zip(self.inputs, self.bounds(state), strict=True))


@dataclass(frozen=True, kw_only=True)
class TextFilter(Filter):
    """Keep incidents whose place, admin areas or notes match the text
    (``IncidentIndex.text_mask``: any case, and other spellings of a place)."""

    def encode(self, state: Any) -> list[tuple[str, str]]:
        return [(self.key, getattr(state, self.name))]

    def decode(self, raw: list[str]) -> tuple[dict, list[str]]:
        return {self.name: raw[-1][:MAX_TEXT]}, []

    def words(self, state: Any) -> str:
        return f"“{getattr(state, self.name)}”"

    def keep(self, index: IncidentIndex, state: Any, lo: int, hi: int) -> np.ndarray:
        return index.text_mask(getattr(state, self.name))[lo:hi]

    def read(self, values: dict) -> tuple[dict, list[str]]:
        return {self.name: str(values.get(self.inputs[0]) or "").strip()[:MAX_TEXT]}, []

    def show(self, state: Any) -> dict:
        return {self.inputs[0]: getattr(state, self.name)}


@dataclass(frozen=True, kw_only=True)
class OffListFilter(ListFilter):
    """Keep incidents whose ``column`` holds none of the values switched off. The control
    ticks the values kept (every value when nothing is off), so a value the data gains
    later (an upload adds a source) is on until switched off."""

    needs_choices: ClassVar[bool] = True

    def keep(self, index: IncidentIndex, state: Any, lo: int, hi: int) -> np.ndarray:
        return ~super().keep(index, state, lo, hi)

    def read(self, values: dict, choices: list[str] | tuple[str, ...] = ()
             ) -> tuple[dict, list[str]]:
        if values.get(self.inputs[0]) is None:  # no control (a script): every value on
            return {self.name: ()}, []
        ticked = set(clean_list(values.get(self.inputs[0])))
        return {self.name: tuple(c for c in choices if c not in ticked)}, []

    def show(self, state: Any, choices: list[str] | tuple[str, ...] = ()) -> dict:
        off = set(getattr(state, self.name))
        return {self.inputs[0]: [c for c in choices if c not in off]}


@dataclass(frozen=True, kw_only=True)
class SwitchFilter(Filter):
    """A yes/no setting of how incidents are counted, on (``default``) unless switched
    off; in the URL only when it differs from the default (``key=0`` or ``key=1``). It
    keeps every row itself: ``IncidentIndex.select`` applies it after the filters."""

    default: bool = True
    off_words: str = "off"     # the words while it differs from the default

    def active(self, state: Any) -> bool:
        return bool(getattr(state, self.name)) != self.default

    def encode(self, state: Any) -> list[tuple[str, str]]:
        return [(self.key, "1" if getattr(state, self.name) else "0")]

    def decode(self, raw: list[str]) -> tuple[dict, list[str]]:
        value = raw[-1].strip().lower()
        if value not in ("0", "1", "true", "false", "yes", "no", "on", "off"):
            return {}, [f"'{self.key}={raw[-1][:40]}' is not 1 or 0; ignored"]
        return {self.name: value in ("1", "true", "yes", "on")}, []

    def words(self, state: Any) -> str:
        return self.off_words

    def keep(self, index: IncidentIndex, state: Any, lo: int, hi: int) -> np.ndarray:
        return np.ones(hi - lo, dtype=bool)

    def read(self, values: dict) -> tuple[dict, list[str]]:
        value = values.get(self.inputs[0])
        return {self.name: self.default if value is None else bool(value)}, []

    def show(self, state: Any) -> dict:
        return {self.inputs[0]: [self.inputs[0]] if getattr(state, self.name) else []}


FilterSpec = ListFilter | OffListFilter | FlagFilter | SwitchFilter | RangeFilter | TextFilter

#: Each class of ``dashboard.analysis.classify`` in words (filter, legend, cards, table).
CLASS_LABELS = {"violation": "Violation", "permitted": "Permitted", "unclear": "Unclear",
                "non_party": "Non-party", "not_violent": "Not violent", "outside": "Outside"}

#: Every filter, in the order of the URL and of the words (the panel orders by ``panel``).
FILTERS: tuple[FilterSpec, ...] = (
    ListFilter(name="types", key="type", label="Event type", column="event_type", panel=10,
               control=Control("dropdown", "Event type", "All types")),
    ListFilter(name="sub_types", key="sub", label="Sub-type", column="sub_type", panel=20,
               control=Control("dropdown", "Sub-type", "All sub-types")),
    ListFilter(name="actors", key="actor", label="Actor", column="actor", panel=30,
               control=Control("dropdown", "Actor (either side)", "Type to search actors")),
    ListFilter(name="zones", key="zone", label="Zone", column="zone", panel=40,
               control=Control("dropdown", "Zone", "All zones (or click one on the map)")),
    ListFilter(name="precisions", key="prec", label="Precision", column="loc_precision",
               order=LOCATION_PRECISION_ORDER, input="precision", panel=60,
               control=Control("checklist", "Location precision")),
    ListFilter(name="classes", key="class", label="Class", column="classification",
               order=tuple(CLASS_LABELS), labels=tuple(CLASS_LABELS.items()), panel=45,
               control=Control("dropdown", "Class under the agreement terms",
                               "All classes (with terms loaded)")),
    ListFilter(name="sources", key="src", label="Source", column="source", panel=80,
               control=Control("dropdown", "Cited source (who reported it)", "All cited sources")),
    # The incident files (their ``dataset``), each switched on or off; then whether an
    # event several of them report is counted once (``IncidentIndex.select``).
    OffListFilter(name="datasets_off", key="off", label="Sources off", column="dataset",
                  input="sources_on", panel=5, control=Control("switches", "Sources")),
    SwitchFilter(name="dedupe", key="dedup", label="Duplicates across sources",
                 off_words="each source's report counted", panel=6,
                 control=Control("toggle", "Count each event once (duplicates across "
                                           "sources)")),
    FlagFilter(name="inside_only", key="inside", label="Inside zones only", rows="inside",
               input="inside", panel=50,
               control=Control("toggle", "Inside zones only (as they stood that day)")),
    RangeFilter(name="fat_min", high="fat_max", key="fat", label="Fatalities", rows="fatalities",
                noun="fatality", panel=70, control=Control("range", "Fatalities")),
    TextFilter(name="text", key="q", label="Search", panel=90,
               control=Control("search", "Search place and notes", "e.g. Talbiseh")),
)


def on_panel() -> list[FilterSpec]:
    """The filters in panel order."""
    return sorted(FILTERS, key=lambda spec: spec.panel)


# Values from the browser, which anyone can script: clamped or dropped, never raising.
def clean_list(values: object) -> tuple[str, ...]:
    """At most ``MAX_ITEMS`` distinct strings of at most ``MAX_TEXT`` characters."""
    if not isinstance(values, list | tuple):
        return ()
    kept = (str(v)[:MAX_TEXT] for v in values[:MAX_ITEMS * 4] if v not in (None, "")
            and isinstance(v, str | int | float))
    return tuple(dict.fromkeys(kept))[:MAX_ITEMS]


def finite_number(value: object) -> float | None:
    """A finite number, or None (NaN, infinities, text, lists...)."""
    if isinstance(value, bool):
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None


def _count(value: object) -> int | None:
    number = finite_number(value)
    return None if number is None else int(min(max(0.0, number), MAX_FATALITIES))


def _bound(value: str) -> int:
    """A bound from a link: digits only (no sign), at most ``MAX_FATALITIES``."""
    if not value.isascii() or not value.isdigit() or len(value) > 30:
        raise ValueError(value)
    return min(int(value), MAX_FATALITIES)
