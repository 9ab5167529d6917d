"""Likely duplicates across incident sources: links, clusters, and counting each once.

Two rows of *different* datasets are linked when they may be one event told twice:

* **Dates** overlap: a row covers ``date..date_end``; a single day with a coarser
  ``date_precision`` is widened (:data:`DATE_SLACK`: 2-6 days and week ±3, month ±15,
  longer ±30); ``day_tolerance`` extra days are allowed between spans (default 0).
* **Places** are within both precision radii: great-circle distance ≤ radius_a +
  radius_b (``precision_km``; missing means ``unknown``, 300 km).
* **Event types** are compatible (:mod:`dashboard.analysis.eventkinds`): an
  airstrike and an aid convoy are never linked; an unknown type is neutral.
* **Actors** are compared after alias normalisation (:func:`dashboard.core.aliases.actor_key`):
  any actor named on both sides agrees (actor1 of one may be actor2 of the other);
  known actors on both sides with none in common lower the score; none named is neutral.
* **Fatalities** do not contradict: both known and within ``max(2, 50% of the larger)``
  agree; farther apart lowers the score; the larger above 4 × (smaller + 1) and beyond the
  tolerance vetoes the link.

A pair passing the vetoes (dates, place, types, fatalities) gets a score in 0..1, a
weighted mean of five parts (:data:`WEIGHTS`), and its reasons in words; pairs scoring
at least ``threshold`` are links. Each row keeps at most ``max_links_per_row`` links (its
best) so dense places do not drown the real pairs.

**Clusters** (:func:`cluster_ids`): union-find over the links, best score first, with one
rule against chaining: a cluster holds at most one row per dataset, so a link that would
put two rows of one dataset together is skipped (the higher-scoring link already made
the cluster). Analyst-confirmed links are applied first and may break that rule;
rejected links are never applied.

**The index.** Rows are points on the sphere (x, y, z in km) plus one far-away axis for
the day and the kind group, so a KD-tree only ever pairs rows on the same day and in the
same group of compatible kinds. Each row is a *start* point (its first day) and a
*cover* point for each day its span covers; every overlapping pair is found once, on
the later start day. One tree query per dataset pair and precision class pair.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from dashboard.analysis import eventkinds
from dashboard.core import model
from dashboard.core.aliases import alias_group, is_civilians, normalise_actor, side_groups
from dashboard.core.errors import ConfigError
from dashboard.io.dates import to_day_numbers

EARTH_KM = 6371.0088
LINK_COLUMNS = ["a", "b", "dataset_a", "id_a", "dataset_b", "id_b", "score", "reasons",
                "cluster"]
#: Days a single-day row is widened by on each side, by its date precision.
DATE_SLACK = {"day": 0, "2-6 days": 3, "week": 3, "month": 15, "longer": 30}
#: The parts of a score and their weights (sum 1).
WEIGHTS = {"date": 0.2, "place": 0.25, "type": 0.2, "actors": 0.2, "fatalities": 0.15}
#: Actor names that say nothing about who acted.
NO_ACTOR = frozenset({"", "unknown", "unidentified", "unidentified armed group",
                      "unidentified armed group syria", "none", "nan", "other"})
_FAR = 4.0 * EARTH_KM  # larger than any chord: separates days and kind groups in the tree


@dataclasses.dataclass(frozen=True)
class Tuning:
    """Knobs of :func:`find_links` (keyword arguments of the same names)."""

    threshold: float = 0.6          # a pair scoring at least this is a link
    day_tolerance: int = 0          # days allowed between two rows' spans
    fatality_abs_tol: float = 2.0   # fatalities agree within max(abs, rel × larger)
    fatality_rel_tol: float = 0.5
    fatality_veto_ratio: float = 4.0  # larger > ratio × (smaller + 1), beyond tol: veto
    max_links_per_row: int = 3      # a row keeps its best links only (0: all)
    max_span_days: int = 400        # rows spanning more days are not linked

    @classmethod
    def of(cls, tuning: dict) -> Tuning:
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(tuning) - names)
        if unknown:
            raise ConfigError(f"unknown dedupe setting(s) {unknown}; use {sorted(names)}")
        return cls(**tuning)


# ---------------------------------------------------------------------------- rows


@dataclasses.dataclass(frozen=True)
class _Rows:
    """What linking needs of each row, as arrays (positions as in the frame)."""

    ok: np.ndarray        # linkable: a date, a place, a span not too long
    dataset: np.ndarray   # int code
    datasets: list[str]
    lo: np.ndarray        # first day (widened)
    hi: np.ndarray        # last day (widened)
    exact_day: np.ndarray  # a single day of day precision
    xyz: np.ndarray
    radius: np.ndarray
    kind: np.ndarray      # int code into eventkinds.KIND_NAMES
    blocks: np.ndarray    # int64 bit mask of kind groups
    actors: np.ndarray    # (n, k) int ids, -1 none
    civilians: int        # the actor id of civilians (-1: none)
    actor_names: list[str]
    fatalities: np.ndarray


def _rows(frame: pd.DataFrame, tuning: Tuning) -> _Rows:
    n = len(frame)
    day = to_day_numbers(frame["date"].to_numpy())
    missing_day = day == np.iinfo(np.int32).min
    end = to_day_numbers(frame["date_end"].to_numpy()) if "date_end" in frame else day
    end = np.where((end == np.iinfo(np.int32).min) | (end < day), day, end).astype(np.int64)
    prec = (frame["date_precision"].astype(object).fillna("day").astype(str).str.lower()
            if "date_precision" in frame else pd.Series(["day"] * n))
    slack = prec.map(DATE_SLACK).fillna(0).to_numpy(dtype=np.int64)
    single = end == day
    slack = np.where(single, slack, 0)
    lo = day.astype(np.int64) - slack
    hi = end + slack
    lon = frame["lon"].to_numpy(dtype="float64")
    lat = frame["lat"].to_numpy(dtype="float64")
    ok = ~missing_day & np.isfinite(lon) & np.isfinite(lat) & (hi - lo <= tuning.max_span_days)
    phi, lam = np.radians(lat), np.radians(lon)
    xyz = np.column_stack([np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam),
                           np.sin(phi)]) * EARTH_KM
    radius = (frame["precision_km"].to_numpy(dtype="float64") if "precision_km" in frame
              else np.full(n, np.nan))
    radius = np.where(np.isfinite(radius) & (radius >= 0), radius,
                      model.LOCATION_PRECISION_KM["unknown"])
    codes, datasets = pd.factorize(frame["dataset"].astype(object).fillna("").astype(str))
    kind, blocks = _kinds(frame)
    actors, civ, names = _actors(frame)
    return _Rows(ok=ok, dataset=codes.astype(np.int64), datasets=list(datasets), lo=lo, hi=hi,
                 exact_day=single & (slack == 0), xyz=xyz, radius=radius, kind=kind,
                 blocks=blocks, actors=actors, civilians=civ, actor_names=names,
                 fatalities=frame["fatalities"].to_numpy(dtype="float64"))


def _text(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame:
        return pd.Series([""] * len(frame), dtype=object)
    return frame[column].astype(object).where(frame[column].notna(), "").astype(str)


def _kinds(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Each row's kind code and its kind-group bit mask (worked out per distinct pair)."""
    pairs = _text(frame, "event_type") + "\x1f" + _text(frame, "sub_type")
    codes, uniques = pd.factorize(pairs)
    groups = eventkinds.blocks()
    names = list(eventkinds.KIND_NAMES)
    kinds = [eventkinds.event_kind(*u.split("\x1f", 1)) for u in uniques]
    kind = np.array([names.index(k) for k in kinds], dtype=np.int64)
    mask = np.array([eventkinds.block_mask(k, groups) for k in kinds], dtype=np.int64)
    return (kind[codes] if len(codes) else np.zeros(0, np.int64),
            mask[codes] if len(codes) else np.zeros(0, np.int64))


def _actors(frame: pd.DataFrame) -> tuple[np.ndarray, int, list[str]]:
    """(n, k) actor ids per row (both sides, every group a side lists; -1 pads), the id of
    civilians, and the name shown for each id (the alias group's name, else as written)."""
    pairs = _text(frame, "actor1") + "\x1f" + _text(frame, "actor2")
    codes, uniques = pd.factorize(pairs)
    keys: dict[str, int] = {}
    names: list[str] = []
    civ = -1
    per_unique = []
    for u in uniques:
        ids = []
        for side in u.split("\x1f"):
            for part in side_groups(side):
                norm = normalise_actor(part)
                if norm in NO_ACTOR:
                    continue
                group = alias_group(part)
                key = "civilians" if is_civilians(part) else normalise_actor(
                    group.name) if group else norm
                if key not in keys:
                    keys[key] = len(names)
                    names.append("civilians" if key == "civilians"
                                 else group.name if group else part.strip())
                if key == "civilians":
                    civ = keys[key]
                if keys[key] not in ids:
                    ids.append(keys[key])
        per_unique.append(ids)
    width = max([len(i) for i in per_unique] + [1])
    table = np.full((len(per_unique) or 1, width), -1, dtype=np.int64)
    for i, ids in enumerate(per_unique):
        table[i, :len(ids)] = ids
    return (table[codes] if len(codes) else np.zeros((0, width), np.int64)), civ, names


# ---------------------------------------------------------------------------- candidates


def _chord(km: float) -> float:
    return 2 * EARTH_KM * np.sin(min(km, np.pi * EARTH_KM) / (2 * EARTH_KM))


def _bits(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(row position, group number) for every set bit of each row's group mask."""
    rows, groups = [], []
    for g in range(int(mask.max()).bit_length() if len(mask) else 0):
        has = np.nonzero((mask >> g) & 1)[0]
        rows.append(has)
        groups.append(np.full(len(has), g, dtype=np.int64))
    if not rows:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(rows), np.concatenate(groups)


def _points(r: _Rows, rows: np.ndarray, groups: np.ndarray, days: np.ndarray,
            n_groups: int) -> np.ndarray:
    key = (days * n_groups + groups).astype("float64") * _FAR
    return np.column_stack([r.xyz[rows], key])


def _candidates(r: _Rows, tuning: Tuning):
    """Yield (x, y, chord km) arrays of row pairs of different datasets on a shared day
    and kind group, within both radii: one batch per dataset pair and radius pair."""
    from scipy.spatial import cKDTree

    n_groups = len(eventkinds.blocks())
    ok = np.nonzero(r.ok)[0]
    rows, groups = _bits(r.blocks[ok])
    rows = ok[rows]
    # Start points: each (row, group) on its first day.
    start = (rows, groups, r.lo[rows])
    # Cover points: each (row, group) on every day of lo..hi + tolerance.
    length = (r.hi[rows] + tuning.day_tolerance - r.lo[rows] + 1).astype(np.int64)
    c_rows = np.repeat(rows, length)
    c_groups = np.repeat(groups, length)
    offset = np.arange(len(c_rows)) - np.repeat(np.cumsum(length) - length, length)
    c_days = r.lo[c_rows] + offset
    cover = (c_rows, c_groups, c_days)
    radii = np.unique(r.radius[ok])
    n_ds = len(r.datasets)
    trees: dict = {}

    def tree(which, points, ds, rad):
        key = (which, ds, rad)
        if key not in trees:
            prow, pgroup, pday = points
            sel = (r.dataset[prow] == ds) & (r.radius[prow] == rad)
            idx = np.nonzero(sel)[0]
            trees[key] = (cKDTree(_points(r, prow[idx], pgroup[idx], pday[idx], n_groups))
                          if len(idx) else None, prow[idx], pgroup[idx])
        return trees[key]

    for ds_s in range(n_ds):
        for ds_c in range(n_ds):
            if ds_s == ds_c:
                continue
            for rad_s in radii:
                t_s, rows_s, grp_s = tree("s", start, ds_s, rad_s)
                if t_s is None:
                    continue
                for rad_c in radii:
                    t_c, rows_c, _ = tree("c", cover, ds_c, rad_c)
                    if t_c is None:
                        continue
                    found = t_s.sparse_distance_matrix(t_c, _chord(rad_s + rad_c),
                                                       output_type="ndarray")
                    if not len(found):
                        continue
                    x, y = rows_s[found["i"]], rows_c[found["j"]]
                    group = grp_s[found["i"]]
                    keep = _first_group(r.blocks[x] & r.blocks[y], group)
                    # Same first day: found from both sides; keep the side whose dataset
                    # code is smaller.
                    keep &= (r.lo[x] != r.lo[y]) | (ds_s < ds_c)
                    if keep.any():
                        yield x[keep], y[keep], found["v"][keep]


def _first_group(common: np.ndarray, group: np.ndarray) -> np.ndarray:
    """True where ``group`` is the lowest group two rows share: a pair in several groups
    is kept once."""
    lowest = common & -common
    return lowest == (np.int64(1) << group)


# ---------------------------------------------------------------------------- scores


@dataclasses.dataclass
class _Parts:
    x: np.ndarray
    y: np.ndarray
    km: np.ndarray
    date: np.ndarray
    place: np.ndarray
    type: np.ndarray
    actors: np.ndarray
    fatalities: np.ndarray
    score: np.ndarray


def _score(r: _Rows, x: np.ndarray, y: np.ndarray, chord: np.ndarray, tuning: Tuning,
           kind_table: np.ndarray) -> _Parts:
    km = 2 * EARTH_KM * np.arcsin(np.clip(chord / (2 * EARTH_KM), 0, 1))
    both_exact = r.exact_day[x] & r.exact_day[y]
    overlap = (r.lo[x] <= r.hi[y]) & (r.lo[y] <= r.hi[x])
    # Overlapping spans say less the longer they are: a week 0.85, a month 0.2.
    span = np.maximum(r.hi[x] - r.lo[x], r.hi[y] - r.lo[y]) + 1
    date = np.where(overlap, np.where(both_exact, 1.0, 0.85 * np.minimum(1.0, 7.0 / span)),
                    0.6)
    reach = r.radius[x] + r.radius[y]
    closeness = 1.0 - np.minimum(km / np.maximum(reach, 1e-9), 1.0) ** 2
    specific = np.minimum(1.0, 50.0 / np.maximum(reach, 1e-9))
    place = specific * closeness + (1 - specific) * 0.3  # "within 300 km" says little
    kind = kind_table[r.kind[x], r.kind[y]]
    actors = _actor_parts(r, x, y)
    fatalities, veto = _fatality_parts(r.fatalities[x], r.fatalities[y], tuning)
    score = (WEIGHTS["date"] * date + WEIGHTS["place"] * place + WEIGHTS["type"] * kind
             + WEIGHTS["actors"] * actors + WEIGHTS["fatalities"] * fatalities)
    score = np.where(veto | (kind <= 0), 0.0, score)
    return _Parts(x, y, km, date, place, kind, actors, fatalities, score)


def _actor_parts(r: _Rows, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """1 an actor in common (0.7 when only civilians), 0 both name actors but none in
    common, 0.5 when a side names none."""
    ax, ay = r.actors[x], r.actors[y]
    shared = np.zeros(len(x), dtype=bool)
    shared_armed = np.zeros(len(x), dtype=bool)
    for i in range(ax.shape[1]):
        col = ax[:, i]
        hit = ((col[:, None] == ay) & (col[:, None] >= 0)).any(axis=1)
        shared |= hit
        shared_armed |= hit & (col != r.civilians)
    named = (ax[:, 0] >= 0) & (ay[:, 0] >= 0)
    return np.where(~named, 0.5, np.where(shared_armed, 1.0, np.where(shared, 0.7, 0.0)))


def _fatality_parts(fa: np.ndarray, fb: np.ndarray, tuning: Tuning
                    ) -> tuple[np.ndarray, np.ndarray]:
    """(part, veto): 1 equal, 0.8 within tolerance, 0.1 beyond it, 0.5 when unknown."""
    known = np.isfinite(fa) & np.isfinite(fb)
    big, small = np.fmax(fa, fb), np.fmin(fa, fb)
    tol = np.maximum(tuning.fatality_abs_tol, tuning.fatality_rel_tol * big)
    within = (big - small) <= tol
    part = np.where(~known, 0.5, np.where(big == small, 1.0, np.where(within, 0.8, 0.1)))
    veto = known & ~within & (big > tuning.fatality_veto_ratio * (small + 1))
    return part, veto


def _kind_table() -> np.ndarray:
    names = eventkinds.KIND_NAMES
    table = np.zeros((len(names), len(names)))
    for i, a in enumerate(names):
        for j, b in enumerate(names):
            table[i, j] = eventkinds.COMPATIBLE.get((a, b), 0.0)
    return table


# ---------------------------------------------------------------------------- public


def find_links(incidents: pd.DataFrame, **tuning) -> pd.DataFrame:
    """Likely duplicates across datasets: one row per link (``LINK_COLUMNS``), ``a < b``
    row positions in ``incidents``, sorted by ``a, b``. See the module docstring for the
    rules; ``tuning`` are the fields of :class:`Tuning`. The input is not changed."""
    settings = Tuning.of(tuning)
    r = _rows(incidents, settings)
    table = _kind_table()
    batches = []
    for x, y, chord in _candidates(r, settings):
        parts = _score(r, x, y, chord, settings, table)
        keep = parts.score >= settings.threshold
        batches.append(_Parts(*(getattr(parts, f.name)[keep]
                                for f in dataclasses.fields(_Parts))))
    parts = _concat(batches)
    parts = _best_per_row(parts, settings.max_links_per_row)
    return _frame(incidents, r, parts, settings)


def _concat(batches: list[_Parts]) -> _Parts:
    if not batches:
        empty = np.zeros(0)
        return _Parts(empty.astype(np.int64), empty.astype(np.int64), *([empty] * 7))
    return _Parts(*(np.concatenate([getattr(b, f.name) for b in batches])
                    for f in dataclasses.fields(_Parts)))


def _best_per_row(parts: _Parts, k: int) -> _Parts:
    """Keep a link when it is among the ``k`` best of both its rows (ties: the nearer)."""
    if k <= 0 or not len(parts.x):
        return parts
    order = np.lexsort((parts.km, -parts.score))
    keep = np.ones(len(order), dtype=bool)
    for side in (parts.x, parts.y):
        ranked = side[order]
        first = np.lexsort((np.arange(len(ranked)), ranked))
        rank = np.empty(len(ranked), dtype=np.int64)
        sorted_rows = ranked[first]
        starts = np.r_[True, sorted_rows[1:] != sorted_rows[:-1]]
        group_start = np.maximum.accumulate(np.where(starts, np.arange(len(first)), 0))
        rank[first] = np.arange(len(first)) - group_start
        keep[order] &= rank < k
    sel = np.nonzero(keep)[0]
    return _Parts(*(getattr(parts, f.name)[sel] for f in dataclasses.fields(_Parts)))


def _frame(incidents: pd.DataFrame, r: _Rows, p: _Parts, tuning: Tuning) -> pd.DataFrame:
    a, b = np.minimum(p.x, p.y), np.maximum(p.x, p.y)
    order = np.lexsort((b, a))
    ids = incidents["incident_id"].astype(str).to_numpy(dtype=object)
    ds = np.array(r.datasets, dtype=object)
    a, b = a[order], b[order]
    p = _Parts(*(getattr(p, f.name)[order] for f in dataclasses.fields(_Parts)))
    links = pd.DataFrame({
        "a": a, "b": b,
        "dataset_a": ds[r.dataset[a]] if len(a) else np.array([], dtype=object),
        "id_a": ids[a], "dataset_b": ds[r.dataset[b]] if len(b) else np.array([], object),
        "id_b": ids[b], "score": np.round(p.score, 3), "reasons": _reasons(r, p, a, b),
    })
    links["cluster"] = cluster_ids(len(incidents), links, threshold=tuning.threshold)[a]
    return links[LINK_COLUMNS]


# ---------------------------------------------------------------------------- reasons


def _reasons(r: _Rows, p: _Parts, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The reasons in words, one string per link, built per distinct phrase."""
    if not len(a):
        return np.array([], dtype=object)
    date = np.where(p.date >= 1.0, "same day",
                    np.where(p.date == 0.6, "dates within the tolerance", "dates overlap"))
    km = np.round(p.km, 1)
    place = np.where(km < 0.1, "same place", pd.Series(km).map("{:g} km apart".format))
    ra, rb = r.radius[a], r.radius[b]
    place = place + np.where(ra == rb, pd.Series(ra).map(" (both radii {:g} km)".format),
                             pd.Series(ra).map(" (radii {:g}".format).to_numpy(dtype=object)
                             + pd.Series(rb).map(" and {:g} km)".format).to_numpy(dtype=object))
    kind = _kind_words(r.kind[a], r.kind[b])
    actors = _actor_words(r, a, b, p.actors)
    fat = _fatality_words(r.fatalities[a], r.fatalities[b])
    return (date + "; " + place + "; " + kind + "; " + actors + "; " + fat).astype(object)


def _kind_words(ka: np.ndarray, kb: np.ndarray) -> np.ndarray:
    names = eventkinds.KIND_NAMES
    pair = ka * len(names) + kb
    codes, uniques = pd.factorize(pair)
    words = []
    for u in uniques:
        x, y = names[u // len(names)], names[u % len(names)]
        if x == y != eventkinds.UNKNOWN:
            words.append(f"both {eventkinds.plural(x)}")
        elif eventkinds.UNKNOWN in (x, y):
            words.append("type unknown on one side")
        else:
            words.append(f"types compatible ({eventkinds.plural(x)} / {eventkinds.plural(y)})")
    return np.array(words, dtype=object)[codes]


def _actor_words(r: _Rows, a: np.ndarray, b: np.ndarray, part: np.ndarray) -> np.ndarray:
    out = np.where(part == 0.5, "actors not compared (one side names none)",
                   "actors differ").astype(object)
    agree = np.nonzero(part > 0.5)[0]
    if len(agree):
        aa, ab = r.actors[a[agree]], r.actors[b[agree]]
        common = np.full(len(agree), -1, dtype=np.int64)
        for i in range(aa.shape[1] - 1, -1, -1):  # the first named actor of a shared wins
            col = aa[:, i]
            hit = ((col[:, None] == ab) & (col[:, None] >= 0)).any(axis=1)
            prefer = hit & ((col != r.civilians) | (common < 0))
            common = np.where(prefer, col, common)
        names = np.array([*r.actor_names, ""], dtype=object)
        out[agree] = "actors agree (" + names[common] + ")"
    return out


def _fatality_words(fa: np.ndarray, fb: np.ndarray) -> np.ndarray:
    known = np.isfinite(fa) & np.isfinite(fb)
    out = np.full(len(fa), "fatalities unknown on one side", dtype=object)
    idx = np.nonzero(known)[0]
    if len(idx):
        out[idx] = ("fatalities " + pd.Series(fa[idx]).map("{:g}".format).to_numpy(object)
                    + " vs " + pd.Series(fb[idx]).map("{:g}".format).to_numpy(object))
    return out


# ---------------------------------------------------------------------------- clusters

LinkKey = tuple[str, str, str, str]


def link_keys(links: pd.DataFrame) -> list[LinkKey]:
    """The stable key of each link, (dataset_a, id_a, dataset_b, id_b): it names the
    same link after a reload, whatever the row positions."""
    return list(zip(links["dataset_a"].astype(str), links["id_a"].astype(str),
                    links["dataset_b"].astype(str), links["id_b"].astype(str), strict=True))


def _key_mask(links: pd.DataFrame, keys: Iterable[Sequence[str]]) -> np.ndarray:
    wanted = set()
    for k in keys:
        da, ia, db, ib = (str(v) for v in k)
        wanted.add((da, ia, db, ib))
        wanted.add((db, ib, da, ia))
    if not wanted or links.empty:
        return np.zeros(len(links), dtype=bool)
    return np.array([k in wanted for k in link_keys(links)], dtype=bool)


def cluster_ids(n: int, links: pd.DataFrame, *, confirmed: Iterable[Sequence[str]] = (),
                rejected: Iterable[Sequence[str]] = (), threshold: float | None = None
                ) -> np.ndarray:
    """Cluster id per row (int64, length ``n``): the smallest row position in its cluster,
    so a row alone is its own cluster.

    Union-find over ``links`` scoring at least ``threshold`` (default: Tuning's), best
    first, plus the ``confirmed`` link keys and minus the ``rejected`` ones (keys as in
    :func:`link_keys`; either order). A cluster holds at most one row per dataset: a link
    that would join two rows of one dataset is skipped. Confirmed links are applied
    first and always.
    """
    threshold = Tuning.threshold if threshold is None else threshold
    parent = np.arange(n, dtype=np.int64)
    if links.empty:
        return parent
    conf = _key_mask(links, confirmed)
    rej = _key_mask(links, rejected) & ~conf
    use = (conf | (links["score"].to_numpy() >= threshold)) & ~rej
    order = np.lexsort((links["b"].to_numpy(), links["a"].to_numpy(),
                        -links["score"].to_numpy(), ~conf))
    order = order[use[order]]
    a_all, b_all = links["a"].to_numpy(np.int64), links["b"].to_numpy(np.int64)
    names = pd.unique(pd.concat([links["dataset_a"], links["dataset_b"]]).astype(str))
    code = {d: i for i, d in enumerate(names)}
    ds_a = links["dataset_a"].astype(str).map(code).to_numpy()
    ds_b = links["dataset_b"].astype(str).map(code).to_numpy()
    members: dict[int, int] = {}  # root -> bit mask of its datasets
    par = parent.tolist()

    def find(i: int) -> int:
        root = i
        while par[root] != root:
            root = par[root]
        while par[i] != root:
            par[i], i = root, par[i]
        return root

    for k, is_conf in zip(order.tolist(), conf[order].tolist(), strict=True):
        a, b = int(a_all[k]), int(b_all[k])
        ra, rb = find(a), find(b)
        if ra == rb:
            continue
        ma = members.get(ra, 1 << int(ds_a[k]))
        mb = members.get(rb, 1 << int(ds_b[k]))
        if ma & mb and not is_conf:
            continue  # would put two rows of one dataset in one cluster
        root, other = (ra, rb) if ra < rb else (rb, ra)
        par[other] = root
        members[root] = ma | mb
        members.pop(other, None)
    roots = np.array([find(i) for i in range(n)], dtype=np.int64)
    smallest = np.full(n, n, dtype=np.int64)
    np.minimum.at(smallest, roots, np.arange(n, dtype=np.int64))
    return smallest[roots]


def count_once(selected: np.ndarray, clusters: np.ndarray,
               preference: np.ndarray | None = None) -> np.ndarray:
    """Of the ``selected`` rows keep one per cluster: the lowest ``preference`` (e.g.
    ``precision_km``: the best-located report), ties to the first row. Works after any
    filter: a cluster whose kept row is filtered out is counted through another."""
    selected = np.asarray(selected, dtype=bool)
    idx = np.nonzero(selected)[0]
    out = np.zeros(len(selected), dtype=bool)
    if not len(idx):
        return out
    pref = (np.zeros(len(idx)) if preference is None
            else np.nan_to_num(np.asarray(preference, dtype="float64")[idx], nan=np.inf))
    cl = np.asarray(clusters)[idx]
    order = np.lexsort((idx, pref, cl))
    first = np.r_[True, cl[order][1:] != cl[order][:-1]]
    out[idx[order[first]]] = True
    return out
