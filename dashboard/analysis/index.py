"""Fast filtering of incidents by a ``ViewState``.

The incident frame is sorted by date once; the date window is then two
``searchsorted`` calls, and every other filter is a numpy mask over categorical
codes or precomputed position lists, never a string comparison per row.
"""

from __future__ import annotations

import copy
import re
from datetime import date

import numpy as np
import pandas as pd

from dashboard.analysis import filterspec
from dashboard.analysis.viewstate import ViewState
from dashboard.core.aliases import actor_key
from dashboard.core.errors import FormatError
from dashboard.io.dates import day_order, to_day_numbers
from dashboard.io.gazetteer import normalize_place, spelling_keys

_ACTOR_SPLIT = re.compile(r"\s*,\s*")
#: Columns the free-text search reads; the place-like ones also match by spelling key.
TEXT_COLUMNS = ("place", "admin1", "admin2", "notes")
PLACE_COLUMNS = frozenset({"place", "admin1", "admin2"})


def split_actors(value: str) -> list[str]:
    """"A, B" -> ["A", "B"]: UCDP lists several groups in one side."""
    return [a for a in _ACTOR_SPLIT.split(value or "") if a]


def day_number(day: date | pd.Timestamp) -> int:
    return int(to_day_numbers(np.array([pd.Timestamp(day)], dtype="datetime64[ns]"))[0])


def is_date_sorted(days: np.ndarray) -> bool:
    """Whether day numbers are already in order (then a stable sort keeps every row put)."""
    return bool(len(days) < 2 or (days[1:] >= days[:-1]).all())


def category_codes(values: pd.Series) -> tuple[np.ndarray, list[str]]:
    """(int32 codes, sorted distinct texts) of ``values`` as text, missing as "".

    A categorical column is recoded from its few categories, never turned into a
    million strings (about 0.2 s a column at 1M); others are factorized.
    """
    if isinstance(values.dtype, pd.CategoricalDtype):
        names = np.array([*(str(c) for c in values.cat.categories), ""], dtype=object)
        codes = values.cat.codes.to_numpy().astype(np.int64)
        codes[codes < 0] = len(names) - 1
        used = np.flatnonzero(np.bincount(codes, minlength=len(names)))
        texts = sorted(set(names[used]))
        position = {text: i for i, text in enumerate(texts)}
        lookup = np.array([position.get(name, -1) for name in names], dtype=np.int32)
        return lookup[codes], texts
    cat = pd.Categorical(values.fillna("").astype(str))
    return cat.codes.astype(np.int32), [str(c) for c in cat.categories]


def actor_positions(*sides: pd.Series) -> dict[str, np.ndarray]:
    """Actor name -> sorted positions of the rows naming it in any of ``sides``.

    A side lists few distinct values over many rows, so each distinct value is split
    once ("A, B" -> A, B) and rows are grouped by their value's code, never split one
    by one (a million rows: about 0.2 s instead of about 5 s).
    """
    found: dict[str, list[np.ndarray]] = {}
    for side in sides:
        codes, uniques = pd.factorize(side.astype(str))  # missing -> -1, then left out
        if not len(uniques):
            continue
        if len(uniques) < 1 << 15:  # 16-bit codes sort by radix: same order, ~8x faster
            codes = codes.astype(np.int16)
        order = np.argsort(codes, kind="stable")
        bounds = np.searchsorted(codes[order], np.arange(len(uniques) + 1))
        for code, value in enumerate(uniques):
            rows = order[bounds[code]:bounds[code + 1]]
            for actor in dict.fromkeys(split_actors(str(value))):
                found.setdefault(actor, []).append(rows)
    return {a: _union(parts) for a, parts in sorted(found.items())}


def _union(parts: list[np.ndarray]) -> np.ndarray:
    """The sorted distinct positions of several sorted position arrays (merged, not
    re-sorted from scratch: a stable sort finds the runs)."""
    merged = np.sort(np.concatenate(parts).astype(np.int64, copy=False), kind="stable")
    if len(parts) > 1 and len(merged):
        merged = merged[np.r_[True, merged[1:] != merged[:-1]]]
    return merged


def take_rows(frame: pd.DataFrame, order: np.ndarray) -> pd.DataFrame:
    """``frame.iloc[order]`` numbered 0..n-1 again, faster at a million rows.

    A take of an Arrow text column reads its strings in random order (about 0.04 s a
    column at 1M); when the column repeats a few values (judged on its first 4,096),
    its dictionary codes are taken instead and decoded, about 2-3 times faster.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    coded, indices = {}, None
    for col in frame.columns:
        dtype = frame[col].dtype
        if not (isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow"):
            continue
        arrow = frame[col].array.__arrow_array__()
        if len(arrow) and pc.count_distinct(arrow.slice(0, 4096)).as_py() < 256:
            indices = pa.array(order) if indices is None else indices
            decoded = pc.take(arrow.dictionary_encode(), indices).cast(arrow.type)
            coded[col] = pd.Series(pd.array(decoded, dtype=dtype), copy=False)
    if not coded or frame.columns.has_duplicates:
        return frame.iloc[order].reset_index(drop=True)
    out = frame.drop(columns=list(coded)).iloc[order].reset_index(drop=True)
    for col, values in coded.items():
        out[col] = values
    return out[list(frame.columns)]


class IncidentIndex:
    """Incidents sorted by date, with the arrays that filtering needs.

    ``zone_masks`` (zone id -> bool array over the sorted rows) says which
    incidents lie inside each zone as it stood on their day, nested zones included.
    """

    def __init__(self, incidents: pd.DataFrame, zone_masks: dict[str, np.ndarray] | None = None):
        days = to_day_numbers(incidents["date"].to_numpy())
        if is_date_sorted(days):  # a prepared frame: no copy of a million rows of text
            order = None
            self.frame, self.days = incidents.reset_index(drop=True), days
        else:
            order = day_order(days)
            self.frame, self.days = take_rows(incidents, order), days[order]
        f = self.frame
        self.lon = f["lon"].to_numpy(dtype="float32")
        self.lat = f["lat"].to_numpy(dtype="float32")
        self.fatalities = f["fatalities"].fillna(0).to_numpy(dtype="float32")
        self.inside = f["zone_id"].notna().to_numpy() if "zone_id" in f else np.zeros(len(f), bool)
        self.codes: dict[str, np.ndarray] = {}
        self.categories: dict[str, list[str]] = {}
        for col in ("event_type", "sub_type", "loc_precision", "source"):
            self.codes[col], self.categories[col] = category_codes(f[col])
        masks = zone_masks or {}
        self.zone_masks = masks if order is None else {z: m[order] for z, m in masks.items()}
        #: The cluster of each row (``dedupe.cluster_ids``: rows of one event told by
        #: several sources share it), or None when the data has no ``cluster`` column.
        self.clusters: np.ndarray | None = (f["cluster"].to_numpy(dtype=np.int64)
                                            if "cluster" in f else None)
        self._actors: dict[str, np.ndarray] | None = None
        self._text: dict[str, tuple[np.ndarray, pd.Series, list[str]]] = {}
        self._place_keys: dict[str, str] = {}
        self._last_search: tuple[str, np.ndarray] | None = None
        self._total_once: int | None = None
        self._once_order: tuple[np.ndarray, np.ndarray] | None = None

    def __len__(self) -> int:
        return len(self.frame)

    @property
    def date_span(self) -> tuple[date, date] | None:
        if not len(self.days):
            return None
        first = pd.Timestamp(self.frame["date"].iloc[0]).date()
        last = pd.Timestamp(self.frame["date"].iloc[-1]).date()
        return first, last

    @property
    def actors(self) -> dict[str, np.ndarray]:
        """Actor name -> sorted positions of the incidents naming it (side 1 or 2)."""
        if self._actors is None:
            self._actors = actor_positions(self.frame["actor1"], self.frame["actor2"])
        return self._actors

    def window(self, start: date | None, end: date | None) -> tuple[int, int]:
        """Positions [lo, hi) of incidents dated start..end, both days included."""
        lo = 0 if start is None else int(np.searchsorted(self.days, day_number(start), "left"))
        hi = len(self) if end is None else int(np.searchsorted(self.days, day_number(end), "right"))
        return lo, max(lo, hi)

    def _coded(self, column: str) -> list[str]:
        """The distinct texts of ``column``, coding it on first use (a filter's column
        beyond the four coded up front)."""
        if column not in self.codes and column not in self.frame:  # e.g. no terms: no classes
            self.codes[column], self.categories[column] = np.zeros(len(self), np.int32), [""]
        if column not in self.codes:
            self.codes[column], self.categories[column] = category_codes(self.frame[column])
        return self.categories[column]

    def _in(self, column: str, values: tuple[str, ...], lo: int, hi: int) -> np.ndarray:
        texts = self._coded(column)
        wanted = [texts.index(v) for v in values if v in texts]
        return np.isin(self.codes[column][lo:hi], np.array(wanted, dtype=np.int32))

    def matching(self, column: str, values: tuple[str, ...], lo: int, hi: int) -> np.ndarray:
        """Which rows in [lo, hi) hold any of ``values`` in ``column``; "actor" is either
        side (aliases and spellings too), "zone" inside the zone as it stood that day."""
        if column == "zone":
            any_zone = np.zeros(hi - lo, dtype=bool)
            for zone in values:
                if zone in self.zone_masks:
                    any_zone |= self.zone_masks[zone][lo:hi]
            return any_zone
        if column == "actor":
            named = np.zeros(len(self), dtype=bool)
            for actor in values:
                for name in self.actor_names(actor):
                    named[self.actors[name]] = True
            return named[lo:hi]
        return self._in(column, values, lo, hi)

    def select(self, state: ViewState, *, ignore_window: bool = False,
               within: np.ndarray | None = None) -> np.ndarray:
        """Positions (into ``frame``) of the incidents the state keeps, in date order.

        ``ignore_window`` keeps every date (for the histogram, which shows the whole
        span); ``within`` limits the result to given positions (a lasso selection).
        """
        lo, hi = (0, len(self)) if ignore_window else self.window(state.start, state.end)
        keep = np.ones(hi - lo, dtype=bool)
        for spec in filterspec.FILTERS:
            if spec.active(state):
                keep &= spec.keep(self, state, lo, hi)
        positions = np.flatnonzero(keep) + lo
        if within is not None:
            positions = np.intersect1d(positions, within, assume_unique=True)
        if self.counts_once(state):
            positions = self.once_per_cluster(positions)
        return positions

    def with_clusters(self, clusters: np.ndarray) -> IncidentIndex:
        """This index with other clusters (an analyst confirmed or rejected links):
        every other array is shared, the frame's ``cluster`` column is the new one."""
        twin = copy.copy(self)
        twin.clusters = np.asarray(clusters, dtype=np.int64)
        twin.frame = self.frame.assign(cluster=twin.clusters)
        twin._total_once, twin._once_order = None, None
        return twin

    def sources_on(self, state: ViewState) -> list[str]:
        """The incident files (``dataset``) the state keeps switched on."""
        off = set(getattr(state, "datasets_off", ()))
        return [d for d in self.options("dataset") if d not in off]

    def counts_once(self, state: ViewState) -> bool:
        """Whether ``select`` counts each cluster once: the state asks for it (the default)
        and more than one source with clusters is switched on."""
        return (bool(getattr(state, "dedupe", False)) and self.clusters is not None
                and len(self.sources_on(state)) > 1)

    def once_per_cluster(self, positions: np.ndarray) -> np.ndarray:
        """``positions`` with one row kept per cluster, in order: the best-located report
        of each (smallest ``precision_km``, then the first), as ``dedupe.count_once``
        keeps it. The rows' order by (cluster, precision, position) is sorted once, so
        each call is a gather and a comparison, not a sort (2M rows: ~30 ms, not ~0.6 s)."""
        if self.clusters is None or not len(positions):
            return positions
        order, sorted_clusters = self._cluster_order()
        mask = np.zeros(len(self), dtype=bool)
        mask[positions] = True
        picked = np.flatnonzero(mask[order])
        clusters = sorted_clusters[picked]
        first = np.ones(len(picked), dtype=bool)
        first[1:] = clusters[1:] != clusters[:-1]
        keep = np.zeros(len(self), dtype=bool)
        keep[order[picked[first]]] = True
        return np.flatnonzero(keep)

    def _cluster_order(self) -> tuple[np.ndarray, np.ndarray]:
        """(rows by cluster, then precision_km, then position; their clusters)."""
        if self._once_order is None:
            precision = (self.frame["precision_km"].to_numpy(dtype="float64", na_value=np.inf)
                         if "precision_km" in self.frame else np.zeros(len(self)))
            order = np.lexsort((np.arange(len(self)), np.nan_to_num(precision, nan=np.inf),
                                self.clusters))
            self._once_order = order, self.clusters[order]
        return self._once_order

    def total(self, state: ViewState) -> int:
        """All incidents, as ``select`` counts them under the state's counting (each
        cluster once when it counts once): the "of N" of the count line."""
        if not self.counts_once(state):
            return len(self)
        if self._total_once is None:
            self._total_once = len(np.unique(self.clusters))
        return self._total_once

    def actor_names(self, actor: str) -> list[str]:
        """The actor names in the data a filter value stands for: the name itself when the
        data has it (a choice from the list is exact), else every name of the same alias
        group or spelling (a link written with "Hay’at Tahrir al-Sham" or "hts")."""
        if actor in self.actors:
            return [actor]
        key = actor_key(actor)
        return [name for name in self.actors if actor_key(name) == key]

    def text_mask(self, text: str) -> np.ndarray:
        """Rows whose place, admin areas or notes contain ``text`` (any case), or whose
        place or admin area is a spelling of the same place (Talbiseh, Tallbisah,
        Talbisah, تلبيسة: the gazetteer's keys and alternate names).

        Each column's distinct values are tested once and rows picked by their codes, so
        a search costs the number of distinct texts, not of rows; the last result is kept.
        """
        text = text.strip()
        if self._last_search is not None and self._last_search[0] == text:
            return self._last_search[1]
        needle, keys = text.casefold(), self._query_keys(text)
        parts = [k for k in keys if len(k) >= 3]  # "Tallbisah  town" holds "talbisa"
        mask = np.zeros(len(self), dtype=bool)
        for col in TEXT_COLUMNS:
            codes, folded, texts = self._text_values(col)
            hit = folded.str.contains(needle, regex=False).to_numpy(dtype=bool)
            if col in PLACE_COLUMNS and keys:
                place_keys = map(self._place_key, texts)
                hit = hit | np.array([k in keys or any(p in k for p in parts)
                                      for k in place_keys], dtype=bool)
            mask |= hit[codes]
        self._last_search = (text, mask)
        return mask

    def _text_values(self, column: str) -> tuple[np.ndarray, pd.Series, list[str]]:
        """(codes per row, case-folded distinct texts, distinct texts) of a text column."""
        if column not in self._text:
            codes, texts = category_codes(self.frame[column]) if column in self.frame \
                else (np.zeros(len(self), np.int32), [""])
            folded = pd.Series([t.casefold() for t in texts], dtype=object)
            self._text[column] = codes, folded, texts
        return self._text[column]

    def _place_key(self, text: str) -> str:
        if text not in self._place_keys:
            self._place_keys[text] = normalize_place(text) if text else ""
        return self._place_keys[text]

    @staticmethod
    def _query_keys(text: str) -> set[str]:
        """The spelling keys a place search matches exactly: the query's own, and those of
        every name of the gazetteer places it names (only the query's if none is bundled)."""
        try:
            return spelling_keys(text)
        except FormatError:  # no gazetteer file in this install: spelling folding only
            key = normalize_place(text)
            return {key} if key else set()

    def options(self, column: str) -> list[str]:
        """The values a filter on ``column`` can take, non-empty, sorted."""
        if column == "actor":
            return sorted(self.actors)
        return [c for c in self._coded(column) if c]


def previous_window(start: date, end: date) -> tuple[date, date]:
    """The window of the same length just before start..end."""
    length = (pd.Timestamp(end) - pd.Timestamp(start)).days + 1
    prev_end = pd.Timestamp(start) - pd.Timedelta(days=1)
    return (prev_end - pd.Timedelta(days=length - 1)).date(), prev_end.date()
