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
  agree (1 when equal, 0.5 at the edge); farther apart lowers the score; the larger
  above 4 × (smaller + 1) and beyond the tolerance vetoes the link.

A pair passing the vetoes (dates, place, types, fatalities) gets a score in 0..1, the
weighted sum of five parts (:data:`WEIGHTS`; each part 0..1, 0.5 where nothing is
known), and its reasons in words; pairs scoring at least ``threshold`` (0.7) are links.
A link must also be the best link of each of its rows to the other row's dataset
(``max_links_per_row=1``; raise it, and lower the threshold, to list runners-up for
review), so a dense day does not drown the real pairs in look-alikes.

**Clusters** (:func:`cluster_ids`, in :mod:`dashboard.analysis.clusters` with
:func:`count_once`): union-find over the links, best score first, with one
rule against chaining: a cluster holds at most one row per dataset, so a link that would
put two rows of one dataset together is skipped (the higher-scoring link already made
the cluster). Analyst-confirmed links are applied first and may break that rule; the
two rows of a rejected link never share a cluster.

**The index** (:mod:`dashboard.analysis.linkindex`; what it reads of each row:
:mod:`dashboard.analysis.linkrows`). Each row is a *start* point on its
first day and a *cover* point on every day its span covers, in every group of
compatible kinds its kind belongs to; a grid join pairs start and cover points of one
day and group within the two radii, so an overlapping pair is found once, on the later
first day. One join per dataset pair and radius pair; never all pairs
(``index="all-pairs"`` is the naive baseline, for tests and the benchmark).
"""

from __future__ import annotations

import dataclasses
import functools
import os
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple

import numpy as np
import pandas as pd

from dashboard.analysis import eventkinds, linkindex
from dashboard.analysis.clusters import THRESHOLD, cluster_ids, count_once, link_keys
from dashboard.analysis.linkrows import DATE_SLACK, Rows, link_rows
from dashboard.core.errors import ConfigError

__all__ = ["DATE_SLACK", "LINK_COLUMNS", "THRESHOLD", "WEIGHTS", "Tuning", "cluster_ids",
           "count_once", "find_links", "link_keys"]

LINK_COLUMNS = ["a", "b", "dataset_a", "id_a", "dataset_b", "id_b", "score", "reasons",
                "cluster"]
#: The parts of a score and their weights (sum 1).
WEIGHTS = {"date": 0.2, "place": 0.25, "type": 0.2, "actors": 0.2, "fatalities": 0.15}
#: Threads scoring candidate batches at once (at most the machine's CPUs).
WORKERS = 2
#: Distances are judged over the two radii, but over no more than this (km).
PLACE_SCALE_KM = 50.0
#: The score of a pair whose rows both name actors, none in common, is multiplied by this.
CONFLICT_FACTOR = 0.8
#: How much of the fatalities part is lost at the edge of the tolerance (1 when equal).
FATALITY_EDGE = 0.5


@dataclasses.dataclass(frozen=True)
class Tuning:
    """Knobs of :func:`find_links` (keyword arguments of the same names)."""

    threshold: float = THRESHOLD    # a pair scoring at least this is a link
    day_tolerance: int = 0          # days allowed between two rows' spans
    fatality_abs_tol: float = 2.0   # fatalities agree within max(abs, rel × larger)
    fatality_rel_tol: float = 0.5
    fatality_veto_ratio: float = 4.0  # larger > ratio × (smaller + 1), beyond tol: veto
    max_links_per_row: int = 1      # per row and other dataset: its best links (0: all)
    max_span_days: int = 400        # rows spanning more days are not linked
    index: str = "grid"             # "all-pairs": the naive baseline (tests, benchmark)

    @classmethod
    def of(cls, tuning: dict) -> Tuning:
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(tuning) - names)
        if unknown:
            raise ConfigError(f"unknown dedupe setting(s) {unknown}; use {sorted(names)}")
        if tuning.get("index", "grid") not in ("grid", "all-pairs"):
            raise ConfigError(f"unknown dedupe index {tuning['index']!r}; use grid or all-pairs")
        return cls(**tuning)


# ---------------------------------------------------------------------------- candidates


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


def _candidates(r: Rows, tuning: Tuning):
    """Yield jobs: callables that yield (x, y, km) arrays of row pairs of different
    datasets on a shared day and in a shared kind group, within both radii; one job per
    dataset pair and radius pair.

    Each (row, group) is a *start* point on its first day and a *cover* point on every
    day of its span (plus the tolerance); a start point meets the cover points of its
    day, so an overlapping pair is found on the later first day (both ways when the
    first days are equal: then only from the dataset with the smaller code)."""
    n_groups = len(eventkinds.blocks())
    ok = np.nonzero(r.ok)[0]
    rows, groups = _bits(r.blocks[ok])
    rows = ok[rows]
    if not len(rows):
        return
    day0 = int(r.lo[rows].min())
    length = (r.hi[rows] + tuning.day_tolerance - r.lo[rows] + 1).astype(np.int64)
    c_rows = np.repeat(rows, length)
    c_groups = np.repeat(groups, length)
    offset = np.arange(len(c_rows)) - np.repeat(np.cumsum(length) - length, length)
    c_bucket = (r.lo[c_rows] + offset - day0) * n_groups + c_groups
    s_bucket = (r.lo[rows] - day0) * n_groups + groups
    radii = np.unique(r.radius[ok])
    several_groups = len(rows) > len(ok)
    multi = np.bitwise_count(r.blocks) > 1  # rows in several kind groups
    s_sets = _split(r.dataset[rows], r.radius[rows], radii)
    c_sets = _split(r.dataset[c_rows], r.radius[c_rows], radii)
    # Cover points after their row's first day: a start point of the larger dataset code
    # meets only these, as pairs with the same first day are found from the smaller
    # code's side (most rows last one day, so this set is small).
    later = np.nonzero(offset > 0)[0]
    c_later = {key: later[sel] for key, sel in
               _split(r.dataset[c_rows[later]], r.radius[c_rows[later]], radii).items()}

    def job(ds_s, rad_s, s_sel, ds_c, rad_c, c_sel):
        xs, ys = rows[s_sel], c_rows[c_sel]
        found = linkindex.pairs_within(
            r.lon[xs], r.lat[xs], s_bucket[s_sel],
            r.lon[ys], r.lat[ys], c_bucket[c_sel], float(rad_s + rad_c))
        s_groups = groups[s_sel]
        for i, j, km in found:
            x, y = xs[i], ys[j]
            keep = np.ones(len(x), dtype=bool)
            if several_groups:  # a pair in two groups is kept in its first
                both = np.nonzero(multi[x] & multi[y])[0]
                keep[both] = _first_group(r.blocks[x[both]] & r.blocks[y[both]],
                                          s_groups[i[both]])
            if keep.all():
                yield x, y, km
            elif keep.any():
                yield x[keep], y[keep], km[keep]

    for (ds_s, rad_s), s_sel in s_sets.items():
        for ds_c, rad_c in dict.fromkeys([*c_sets, *c_later]):
            pick = c_sets if ds_s < ds_c else c_later
            if ds_s != ds_c and (ds_c, rad_c) in pick:
                yield functools.partial(job, ds_s, rad_s, s_sel, ds_c, rad_c,
                                        pick[(ds_c, rad_c)])


def _all_pairs(r: Rows, tuning: Tuning, chunk: int = 256):
    """The naive baseline: every pair of rows of different datasets, tested directly
    (dates, then distance); kinds are left to the score's veto. Quadratic. Yields jobs
    (callables yielding batches), as ``_candidates`` does."""
    ok = np.nonzero(r.ok)[0]
    for start in range(0, len(ok), chunk):
        yield functools.partial(_all_pairs_of, r, tuning, ok, ok[start:start + chunk])


def _all_pairs_of(r: Rows, tuning: Tuning, ok: np.ndarray, x: np.ndarray):
    """One chunk of the baseline: rows ``x`` against every later row."""
    later = ok[ok > x.min()]
    near_day = ((r.lo[x][:, None] <= r.hi[later][None, :] + tuning.day_tolerance)
                & (r.lo[later][None, :] <= r.hi[x][:, None] + tuning.day_tolerance)
                & (r.dataset[x][:, None] != r.dataset[later][None, :])
                & (x[:, None] < later[None, :]))
    i, j = np.nonzero(near_day)
    xs, ys = x[i], later[j]
    km = linkindex.great_circle_km(r.lon[xs], r.lat[xs], r.lon[ys], r.lat[ys])
    keep = km <= r.radius[xs] + r.radius[ys]
    yield xs[keep], ys[keep], km[keep]


def _split(dataset: np.ndarray, radius: np.ndarray, radii: np.ndarray
           ) -> dict[tuple[int, float], np.ndarray]:
    """Positions by (dataset code, radius), one pass: stable sort, then slices."""
    code = dataset * len(radii) + np.searchsorted(radii, radius)
    small = code.astype(np.uint16) if len(code) and code.max() < 1 << 16 else code
    order = np.argsort(small, kind="stable")  # radix sort on 16-bit codes
    bounds = np.searchsorted(code[order], np.arange(code.max() + 2 if len(code) else 1))
    out = {}
    for c in range(len(bounds) - 1):
        if bounds[c + 1] > bounds[c]:
            out[(c // len(radii), float(radii[c % len(radii)]))] = order[bounds[c]:bounds[c + 1]]
    return out


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


def _score(r: Rows, x: np.ndarray, y: np.ndarray, km: np.ndarray, tuning: Tuning,
           kind_table: np.ndarray) -> _Parts:
    lo_x, lo_y, hi_x, hi_y = r.lo[x], r.lo[y], r.hi[x], r.hi[y]
    overlap = (lo_x <= hi_y) & (lo_y <= hi_x)
    both_exact = r.exact_day[x] & r.exact_day[y]
    if both_exact.all() and overlap.all():  # the common case: one day on both sides
        date = np.ones(len(x))
    else:
        # Overlapping spans say less the longer they are: a week 0.85, a month 0.2.
        span = np.maximum(hi_x - lo_x, hi_y - lo_y) + 1
        date = np.where(overlap, np.where(both_exact, 1.0, 0.85 * np.minimum(1.0, 7.0 / span)),
                        0.6)
    # Closeness over the reach (radius_a + radius_b), but never over more than 50 km:
    # 126 km apart is no sign of one place, whatever the radii allow; and the wider the
    # reach the more the part tends to 0.3 ("within 300 km" says little).
    reach = r.radius[x] + r.radius[y]
    scale = np.clip(reach, 1e-9, PLACE_SCALE_KM)
    closeness = np.maximum(0.0, 1.0 - km / scale)
    specific = np.minimum(1.0, PLACE_SCALE_KM / np.maximum(reach, 1e-9))
    place = specific * closeness + (1 - specific) * 0.3
    kind = kind_table[r.kind[x], r.kind[y]]
    actors = _actor_parts(r, x, y)
    fatalities, veto = _fatality_parts(r.fatalities[x], r.fatalities[y], tuning)
    score = (WEIGHTS["date"] * date + WEIGHTS["place"] * place + WEIGHTS["type"] * kind
             + WEIGHTS["actors"] * actors + WEIGHTS["fatalities"] * fatalities)
    # Known actors with none in common are more than a missing part: the score is cut by
    # CONFLICT_FACTOR (IS against the SDF is not the army against insurgents, whatever
    # else agrees).
    score = np.where(actors == 0.0, score * CONFLICT_FACTOR, score)
    score = np.where(veto | (kind <= 0), -1.0, score)  # vetoed: below any threshold
    return _Parts(x, y, km, date, place, kind, actors, fatalities, score)


def _actor_parts(r: Rows, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """0.5 when a side names no actor; 0 when both do and none is in common; else
    0.3 + 0.7 × (armed actors in common / the fewer named by either row), so both sides
    agreeing gives 1 and one of two 0.65; civilians alone in common 0.5."""
    shared = np.bitwise_count(r.armed[x, 0] & r.armed[y, 0]).astype(np.int64)
    for w in range(1, r.armed.shape[1]):
        shared += np.bitwise_count(r.armed[x, w] & r.armed[y, w])
    armed_x, armed_y, civ_x, civ_y = r.n_armed[x], r.n_armed[y], r.has_civ[x], r.has_civ[y]
    fewer = np.maximum(np.minimum(armed_x, armed_y), 1)
    named = ((armed_x > 0) | civ_x) & ((armed_y > 0) | civ_y)
    agree = 0.3 + 0.7 * np.minimum(shared / fewer, 1.0)
    return np.where(~named, 0.5, np.where(shared > 0, agree,
                                          np.where(civ_x & civ_y, 0.5, 0.0)))


def _fatality_parts(fa: np.ndarray, fb: np.ndarray, tuning: Tuning
                    ) -> tuple[np.ndarray, np.ndarray]:
    """(part, veto): 1 equal, down to 0.5 at the tolerance, 0.1 beyond it, 0.5 when
    unknown."""
    known = np.isfinite(fa) & np.isfinite(fb)
    big, small = np.fmax(fa, fb), np.fmin(fa, fb)
    tol = np.maximum(tuning.fatality_abs_tol, tuning.fatality_rel_tol * big)
    within = (big - small) <= tol
    near = 1.0 - FATALITY_EDGE * np.nan_to_num((big - small) / tol)
    part = np.where(~known, 0.5, np.where(within, near, 0.1))
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
    r = link_rows(incidents, settings.max_span_days)
    table = _kind_table()
    jobs = (_all_pairs if settings.index == "all-pairs" else _candidates)(r, settings)

    def scored(job) -> list[_Found]:
        out = []
        for x, y, km in job():
            score = _score(r, x, y, km, settings, table).score
            keep = np.nonzero(score >= max(settings.threshold, 0.0))[0]
            out.append(_Found(x[keep], y[keep], km[keep], score[keep]))
        return out

    # Jobs run on threads (numpy lets go of the GIL in its loops); results come back in
    # the jobs' order, so the answer does not depend on the threads.
    workers = min(WORKERS, os.cpu_count() or 1)
    if workers <= 1:
        batches = [b for job in jobs for b in scored(job)]
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            batches = [b for found in pool.map(scored, jobs) for b in found]
    found = _best_per_row(_concat(batches), settings.max_links_per_row, r.dataset)
    # The parts again, for the links kept only: their words are the reasons.
    parts = _score(r, found.x, found.y, found.km, settings, table)
    return _frame(incidents, r, parts, settings)


class _Found(NamedTuple):
    """Pairs that scored at least the threshold (positions, km, score)."""

    x: np.ndarray
    y: np.ndarray
    km: np.ndarray
    score: np.ndarray


def _concat(batches: list[_Found]) -> _Found:
    if not batches:
        return _Found(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0), np.zeros(0))
    return _Found(*(np.concatenate(column) for column in zip(*batches, strict=True)))


def _best_per_row(parts: _Found, k: int, dataset: np.ndarray) -> _Found:
    """Keep a link when it is among the ``k`` best links of each of its rows to the
    other row's dataset (ties: the nearer, then the lower row positions): with ``k=1``
    each row keeps its best match in every other source, when that match agrees."""
    if k <= 0 or not len(parts.x):
        return parts
    if k == 1:
        sel = np.nonzero(_best_of_both(parts, dataset))[0]
        return _Found(*(column[sel] for column in parts))
    order = np.lexsort((np.maximum(parts.x, parts.y), np.minimum(parts.x, parts.y), parts.km,
                        -parts.score))
    x, y = parts.x[order], parts.y[order]
    n_ds = int(dataset.max()) + 1
    # Both ends of every link, interleaved, best link first; a row's rank counts its
    # links to one other dataset, on either side (a row is ``x`` in some links, ``y`` in
    # others).
    ends = np.column_stack([x * n_ds + dataset[y], y * n_ds + dataset[x]]).ravel()
    rank = pd.Series(ends).groupby(ends, sort=False).cumcount().to_numpy()
    keep = (rank[0::2] < k) & (rank[1::2] < k)
    sel = np.sort(order[keep])
    return _Found(*(column[sel] for column in parts))


def _best_of_both(parts: _Found, dataset: np.ndarray) -> np.ndarray:
    """Links that come first, for both their rows, among the row's links to the other
    row's dataset, in the order of ``_best_per_row`` (score down, km up, then the lower
    row positions). The same answer as sorting every link, without the sort (a dense
    day gives tens of millions of links): each group's best score, then its best km
    among those, and so on, each a pass of ``ufunc.at``."""
    m = len(parts.x)
    lo, hi = np.minimum(parts.x, parts.y), np.maximum(parts.x, parts.y)
    n_ds = int(dataset.max()) + 1
    size = (int(hi.max()) + 1) * n_ds
    # Both ends of every link: a row is ``x`` in some links and ``y`` in others.
    group = np.r_[parts.x * n_ds + dataset[parts.y], parts.y * n_ds + dataset[parts.x]]
    links = np.r_[np.arange(m), np.arange(m)]
    for value, worst in ((-parts.score, np.inf), (parts.km, np.inf),
                         (lo, np.iinfo(np.int64).max), (hi, np.iinfo(np.int64).max)):
        best = np.full(size, worst, dtype=value.dtype)
        np.minimum.at(best, group, value[links])
        keep = value[links] == best[group]
        group, links = group[keep], links[keep]
    return np.bincount(links, minlength=m) == 2  # first at both ends


def _frame(incidents: pd.DataFrame, r: Rows, p: _Parts, tuning: Tuning) -> pd.DataFrame:
    a, b = np.minimum(p.x, p.y), np.maximum(p.x, p.y)
    order = np.lexsort((b, a))
    ids = incidents["incident_id"].to_numpy()
    ds = np.array(r.datasets, dtype=object)
    a, b = a[order], b[order]
    p = _Parts(*(getattr(p, f.name)[order] for f in dataclasses.fields(_Parts)))
    links = pd.DataFrame({
        "a": a, "b": b,
        "dataset_a": ds[r.dataset[a]] if len(a) else np.array([], dtype=object),
        "id_a": ids[a].astype(str).astype(object),
        "dataset_b": ds[r.dataset[b]] if len(b) else np.array([], object),
        "id_b": ids[b].astype(str).astype(object), "score": np.round(p.score, 3),
        "reasons": _reasons(r, p, a, b),
    })
    links["cluster"] = cluster_ids(len(incidents), links, threshold=tuning.threshold)[a]
    return links[LINK_COLUMNS]


# ---------------------------------------------------------------------------- reasons


def _words(key: np.ndarray, say) -> np.ndarray:
    """``say(k)`` for each row's ``key``, called once per distinct key."""
    codes, uniques = pd.factorize(key)
    return np.array([say(int(k)) for k in uniques] or [""], dtype=object)[codes]


def _reasons(r: Rows, p: _Parts, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The reasons in words, one string per link. Each phrase is written once per
    distinct value and the parts joined per link (a million links in about a second)."""
    if not len(a):
        return np.array([], dtype=object)
    date = np.where(p.date >= 1.0, 0, np.where(p.date == 0.6, 2, 1))
    head = np.array(["same day; ", "dates overlap; ", "dates within the tolerance; "],
                    dtype=object)[date]
    radii = np.unique(np.r_[r.radius[a], r.radius[b]])
    ra, rb = np.searchsorted(radii, r.radius[a]), np.searchsorted(radii, r.radius[b])
    tenths = np.round(p.km * 10).astype(np.int64)
    span = len(radii) ** 2

    def place(k: int) -> str:
        km, i, j = k // span, radii[(k % span) // len(radii)], radii[k % len(radii)]
        where = "same place" if km == 0 else f"{km / 10:g} km apart"
        reach = f"both radii {i:g} km" if i == j else f"radii {i:g} and {j:g} km"
        return f"{where} ({reach}); "

    names = eventkinds.KIND_NAMES
    actor, actor_pairs = _actor_codes(r, a, b, p.actors)
    fat_a, fat_b = r.fatalities[a], r.fatalities[b]
    known = np.isfinite(fat_a) & np.isfinite(fat_b)
    fat = np.where(known, pd.factorize(np.where(known, fat_a, 0) * 1e7
                                       + np.where(known, fat_b, 0))[0], -1)
    fat_text = dict(zip(fat[known].tolist(), zip(fat_a[known].tolist(),
                                                 fat_b[known].tolist(), strict=True),
                        strict=False))
    n_kinds, n_actors = len(names), len(actor_pairs)
    tail_key = (((r.kind[a] * n_kinds + r.kind[b]) * n_actors + actor)
                * (len(fat_text) + 1) + fat + 1)

    def tail(k: int) -> str:
        f, k = k % (len(fat_text) + 1) - 1, k // (len(fat_text) + 1)
        act, k = k % n_actors, k // n_actors
        ka, kb = names[k // n_kinds], names[k % n_kinds]
        return "; ".join((_kind_phrase(ka, kb), _actor_phrase(r, actor_pairs[act]),
                          "fatalities unknown on one side" if f < 0
                          else "fatalities {:g} vs {:g}".format(*fat_text[f])))

    return (head + _words(tenths * span + ra * len(radii) + rb, place)
            + _words(tail_key, tail))


def _kind_phrase(x: str, y: str) -> str:
    if x == y != eventkinds.UNKNOWN:
        return f"both {eventkinds.plural(x)}"
    if eventkinds.UNKNOWN in (x, y):
        return "type unknown on one side"
    return f"types compatible ({eventkinds.plural(x)} / {eventkinds.plural(y)})"


def _actor_phrase(r: Rows, pair: tuple[int, int]) -> str:
    first, second = pair
    if first == -2:
        return "actors not compared (one side names none)"
    if first == -1:
        return "actors differ"
    names = r.actor_names[first] + (f", {r.actor_names[second]}" if second >= 0 else "")
    return f"actors agree ({names})"


def _actor_codes(r: Rows, a: np.ndarray, b: np.ndarray, part: np.ndarray
                 ) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """(a code per link, the ``(first, second)`` actor ids each code stands for): -2
    first when a side names no actor, -1 when they differ, else up to two actors named
    on both sides, in row ``a``'s order, armed ones before civilians (-1: no second)."""
    named = (r.actors[a][:, 0] >= 0) & (r.actors[b][:, 0] >= 0)
    first = np.where(named, -1, -2).astype(np.int64)
    second = np.full(len(a), -1, dtype=np.int64)
    agree = np.nonzero(named & (part > 0))[0]
    if len(agree):
        aa, ab = r.actors[a[agree]], r.actors[b[agree]]
        one = np.full(len(agree), -1, dtype=np.int64)
        two = np.full(len(agree), -1, dtype=np.int64)
        for armed in (True, False):
            for i in range(aa.shape[1]):
                col = aa[:, i]
                hit = ((col[:, None] == ab) & (col[:, None] >= 0)).any(axis=1)
                hit &= (col != r.civilians) if armed else (col == r.civilians)
                two = np.where(hit & (one >= 0) & (two < 0) & (col != one), col, two)
                one = np.where(hit & (one < 0), col, one)
        first[agree], second[agree] = one, two
    width = len(r.actor_names) + 1
    codes, uniques = pd.factorize((first + 2) * width + second + 1)
    pairs = [(int(u // width) - 2, int(u % width) - 1) for u in uniques]
    return codes.astype(np.int64), pairs
