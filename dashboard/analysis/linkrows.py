"""What linking reads of each incident, worked out once as arrays (:func:`link_rows`).

Spans of days (date precision widens a single day: :data:`DATE_SLACK`), the location
radius, the event kind and its kind groups (:mod:`dashboard.analysis.eventkinds`), the
actors after alias normalisation (:func:`dashboard.core.aliases.actor_key`) as ids and
bit sets, fatalities. Rules are applied once per distinct value (a million rows repeat a
few hundred types and actor pairs), never per row. Pure data layer.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from dashboard.analysis import eventkinds
from dashboard.core import model
from dashboard.core.aliases import actor_key, alias_group, is_civilians, normalise_actor, side_groups
from dashboard.io.dates import to_day_numbers

#: Days a single-day row is widened by on each side, by its date precision.
DATE_SLACK = {"day": 0, "2-6 days": 3, "week": 3, "month": 15, "longer": 30}
#: Actor names that say nothing about who acted.
NO_ACTOR = frozenset({"", "unknown", "unidentified", "unidentified armed group",
                      "unidentified armed group syria", "none", "nan", "other"})


@dataclasses.dataclass(frozen=True)
class Rows:
    """What linking needs of each row, as arrays (positions as in the frame)."""

    ok: np.ndarray        # linkable: a date, a place, a span not too long
    dataset: np.ndarray   # int code
    datasets: list[str]
    lo: np.ndarray        # first day (widened)
    hi: np.ndarray        # last day (widened)
    exact_day: np.ndarray  # a single day of day precision
    lon: np.ndarray
    lat: np.ndarray
    radius: np.ndarray
    kind: np.ndarray      # int code into eventkinds.KIND_NAMES
    blocks: np.ndarray    # int64 bit mask of kind groups
    actors: np.ndarray    # (n, k) int ids, -1 none
    armed: np.ndarray     # (n, w) uint64 bit sets of the armed actors' ids
    n_armed: np.ndarray   # armed actors named
    has_civ: np.ndarray   # civilians named
    civilians: int        # the actor id of civilians (-1: none)
    actor_names: list[str]
    fatalities: np.ndarray


def link_rows(frame: pd.DataFrame, max_span_days: int = 400) -> Rows:
    n = len(frame)
    day = to_day_numbers(frame["date"].to_numpy())
    missing_day = day == np.iinfo(np.int32).min
    end = to_day_numbers(frame["date_end"].to_numpy()) if "date_end" in frame else day
    end = np.where((end == np.iinfo(np.int32).min) | (end < day), day, end).astype(np.int64)
    codes, precisions = _codes(frame, "date_precision")
    slack = np.array([DATE_SLACK.get(p.strip().lower(), 0) for (p,) in precisions],
                     dtype=np.int64)[codes]
    single = end == day
    slack = np.where(single, slack, 0)
    lo = day.astype(np.int64) - slack
    hi = end + slack
    lon = frame["lon"].to_numpy(dtype="float64")
    lat = frame["lat"].to_numpy(dtype="float64")
    ok = ~missing_day & np.isfinite(lon) & np.isfinite(lat) & (hi - lo <= max_span_days)
    radius = (frame["precision_km"].to_numpy(dtype="float64") if "precision_km" in frame
              else np.full(n, np.nan))
    radius = np.where(np.isfinite(radius) & (radius >= 0), radius,
                      model.LOCATION_PRECISION_KM["unknown"])
    codes, datasets = _codes(frame, "dataset")
    datasets = [d for (d,) in datasets]
    kind, blocks = _kinds(frame)
    actors, civ, names = _actors(frame)
    armed = (actors >= 0) & (actors != civ)
    return Rows(ok=ok, dataset=codes.astype(np.int64), datasets=list(datasets), lo=lo, hi=hi,
                 exact_day=single & (slack == 0), lon=lon, lat=lat, radius=radius, kind=kind,
                 blocks=blocks, actors=actors, armed=_bit_sets(actors, armed, len(names)),
                 n_armed=armed.sum(axis=1).astype(np.int16), has_civ=(actors == civ).any(axis=1) & (civ >= 0),
                 civilians=civ, actor_names=names,
                 fatalities=(frame["fatalities"].to_numpy(dtype="float64") if "fatalities" in frame
                             else np.full(n, np.nan)))


def _codes(frame: pd.DataFrame, *columns: str) -> tuple[np.ndarray, list[tuple[str, ...]]]:
    """Row codes of the distinct value combinations of ``columns`` (missing as ""), and
    those combinations as text: rules are worked out once per distinct value, not per
    row (a million rows repeat a few hundred types and actor pairs)."""
    n = len(frame)
    combined = np.zeros(n, dtype=np.int64)
    values: list[np.ndarray] = []
    for column in columns:
        if column in frame:
            codes, uniques = pd.factorize(frame[column], use_na_sentinel=False)
        else:
            codes, uniques = np.zeros(n, dtype=np.int64), np.array([""], dtype=object)
        text = np.array(["" if pd.isna(u) else str(u) for u in uniques] or [""], dtype=object)
        combined = combined * len(text) + codes
        values.append(text)
    codes, uniques = pd.factorize(combined)
    out = []
    for u in np.asarray(uniques, dtype=np.int64):
        parts = []
        for text in reversed(values):
            parts.append(text[u % len(text)])
            u //= len(text)
        out.append(tuple(reversed(parts)))
    return codes.astype(np.int64), out


def _kinds(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Each row's kind code and its kind-group bit mask (worked out per distinct pair)."""
    codes, uniques = _codes(frame, "event_type", "sub_type")
    groups = eventkinds.blocks()
    names = list(eventkinds.KIND_NAMES)
    kinds = [eventkinds.event_kind(*u) for u in uniques]
    kind = np.array([names.index(k) for k in kinds], dtype=np.int64)
    mask = np.array([eventkinds.block_mask(k, groups) for k in kinds], dtype=np.int64)
    return (kind[codes] if len(codes) else np.zeros(0, np.int64),
            mask[codes] if len(codes) else np.zeros(0, np.int64))


def _actors(frame: pd.DataFrame) -> tuple[np.ndarray, int, list[str]]:
    """(n, k) actor ids per row (both sides, every group a side lists; -1 pads), the id of
    civilians, and the name shown for each id (the alias group's name, else as written)."""
    codes, uniques = _codes(frame, "actor1", "actor2")
    keys: dict[str, int] = {}
    names: list[str] = []
    civ = -1
    per_unique = []
    for u in uniques:
        ids = []
        for side in u:
            for part in side_groups(side):
                norm = normalise_actor(part)
                if norm in NO_ACTOR:
                    continue
                group = alias_group(part)
                key = "civilians" if is_civilians(part) else actor_key(part)
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


def _bit_sets(actors: np.ndarray, armed: np.ndarray, n_ids: int) -> np.ndarray:
    """Each row's armed actors as a bit set over ``ceil(n_ids / 64)`` words: two rows'
    actors in common are then an AND and a bit count."""
    words = np.zeros((len(actors), max(1, -(-n_ids // 64))), dtype=np.uint64)
    rows, cols = np.nonzero(armed)
    ids = actors[rows, cols]
    np.bitwise_or.at(words, (rows, ids // 64), np.left_shift(np.uint64(1),
                                                             (ids % 64).astype(np.uint64)))
    return words
