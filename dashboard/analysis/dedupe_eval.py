"""How well linking finds known duplicates: a second source made from real rows.

:func:`second_source` copies a seeded sample of real incidents (UCDP GED) as another
dataset the way another coder would have written them: the point moved within the
row's location precision, a single day inside a UCDP date range, actors renamed to
other spellings of the same group (:data:`dashboard.core.aliases.ALIASES`) or to
ACLED-style names, the event type in ACLED's words, fatality counts changed. It adds
unrelated *decoys* near copied events (same place a week later; same day beyond both
radii; same day and place, other actors and kind). Every row it makes is labelled
SYNTHETIC in ``source`` and ``notes`` and its dataset says "synthetic copy". The true
links are returned beside it, so :func:`precision_recall` can score
:func:`dashboard.analysis.dedupe.find_links`. Pure data layer.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.core.aliases import alias_group, side_groups

DATASET = "ACLED-like (SYNTHETIC copy of UCDP rows)"
_ACLED_NAMES = {  # UCDP generic names as ACLED would write them
    "syrian insurgents": "Opposition Rebels (Syria)",
    "civilians": "Civilians (Syria)",
}
_ACLED_TYPES = {  # UCDP type: ACLED (event type, sub-event type) choices
    "State-based conflict": [("Battles", "Armed clash"),
                             ("Explosions/Remote violence", "Shelling/artillery/missile attack"),
                             ("Explosions/Remote violence", "Air/drone strike"),
                             ("Battles", "Government regains territory")],
    "Non-state conflict": [("Battles", "Armed clash"),
                           ("Explosions/Remote violence", "Remote explosive/landmine/IED")],
    "One-sided violence": [("Violence against civilians", "Attack"),
                           ("Explosions/Remote violence", "Air/drone strike")],
}


_PLAIN_TYPES = {  # plain words (field reports, the SYNTHETIC generator) as ACLED writes them
    "Airstrike": ("Explosions/Remote violence", "Air/drone strike"),
    "Shelling": ("Explosions/Remote violence", "Shelling/artillery/missile attack"),
    "Armed clash": ("Battles", "Armed clash"),
}


def _acled_type(event_type: str, sub_type: str, rng: np.random.Generator) -> tuple[str, str]:
    if event_type in _ACLED_TYPES:
        choices = _ACLED_TYPES[event_type]
        return choices[int(rng.integers(len(choices)))]
    return _PLAIN_TYPES.get(event_type, (event_type, sub_type))


def _rename(side: str, rng: np.random.Generator) -> str:
    """One group of a side, spelled as another source might."""
    groups = side_groups(side)
    if not groups:
        return ""
    name = groups[int(rng.integers(len(groups)))]
    generic = _ACLED_NAMES.get(name.strip().casefold())
    if generic:
        return generic
    group = alias_group(name)
    if group is not None:
        spellings = [s for s in (group.name, *group.aliases) if s != name] or [name]
        name = spellings[int(rng.integers(len(spellings)))]
    return f"{name} (Syria)" if rng.random() < 0.3 else name


def _moved(lon, lat, radius_km, rng):
    """Points moved in a random direction by up to ``radius_km`` (each its own)."""
    angle = rng.uniform(0, 2 * np.pi, len(lon))
    dist = rng.uniform(0, 1, len(lon)) * radius_km
    dlat = dist * np.cos(angle) / 111.2
    dlon = dist * np.sin(angle) / (111.2 * np.cos(np.radians(lat)))
    return lon + dlon, lat + dlat


def crowded(real: pd.DataFrame, **tuning) -> np.ndarray:
    """True for rows with a *rival*: another row of the same frame that an exact copy of
    the row would also be linked to (same days, within both radii, compatible type,
    agreeing actors: UCDP often has several events of one dyad at one place on one day).
    A copy of such a row may be matched to the rival; no rule can tell which is meant."""
    from dashboard.analysis.dedupe import find_links

    twin = real.copy()
    twin["dataset"] = "exact copy"
    both = pd.concat([real, twin], ignore_index=True)
    links = find_links(both, **({"max_links_per_row": 0} | tuning))
    n = len(real)
    other = links[links["b"] - n != links["a"]]
    out = np.zeros(n, dtype=bool)
    out[other["b"].to_numpy() - n] = True
    out[other["a"].to_numpy()] = True
    return out


def second_source(real: pd.DataFrame, *, n: int = 1000, seed: int = 0,
                  decoys: float = 0.5, moved: float = 0.5, rows: np.ndarray | None = None
                  ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(copies and decoys as a new dataset, the true links as ``real_row``, ``copy_row``
    row positions in ``real`` and in the new frame). ``decoys`` is their number per copy;
    ``moved`` the share of copies moved anywhere within the precision radius (the others
    keep the point, as two coders using one gazetteer would); ``rows`` the positions to
    draw from (default: all)."""
    rng = np.random.default_rng(seed)
    rows = np.arange(len(real)) if rows is None else np.asarray(rows)
    pick = np.sort(rng.choice(rows, size=min(n, len(rows)), replace=False))
    src = real.iloc[pick].reset_index(drop=True)
    out = perturbed(src, rng, moved=moved)
    out["incident_id"] = [f"copy-{seed}-{i}" for i in range(len(src))]
    truth = pd.DataFrame({"real_row": pick, "copy_row": np.arange(len(src))})
    frames = [out, _decoys(src, round(decoys * len(src)), rng, seed)]
    second = pd.concat(frames, ignore_index=True)
    second["dataset"] = DATASET
    second["source"] = "SYNTHETIC copy of UCDP GED rows (dedupe evaluation): not a real source"
    second["notes"] = "SYNTHETIC"
    return second, truth


def perturbed(src: pd.DataFrame, rng: np.random.Generator, *, moved: float = 0.5
              ) -> pd.DataFrame:
    """``src`` as another coder would write it: a share ``moved`` of the points moved
    within their precision radius, a single day inside a date range, each side one of its
    groups under another spelling (sometimes the sides swapped), the type in ACLED's
    words, fatalities changed within a factor of 1.5-2 (5% unknown)."""
    out = src.copy()
    radius = src["precision_km"].to_numpy() * (rng.random(len(src)) < moved)
    out["lon"], out["lat"] = _moved(src["lon"].to_numpy(), src["lat"].to_numpy(), radius, rng)
    start, end = src["date"], src["date_end"].fillna(src["date"])
    span = (end - start).dt.days.to_numpy()
    out["date"] = start + pd.to_timedelta(np.floor(rng.random(len(src)) * (span + 1)), "D")
    out["date_end"] = out["date"]
    out["date_precision"] = "day"
    codes, uniques = pd.factorize(pd.Series(list(zip(
        src["actor1"].astype(str), src["actor2"].astype(str), strict=True))))
    swap = rng.random(len(src)) < 0.3
    pairs = [(_rename(a, rng), _rename(b, rng)) for a, b in uniques]
    out["actor1"] = [pairs[c][1] if s else pairs[c][0] for c, s in zip(codes, swap, strict=True)]
    out["actor2"] = [pairs[c][0] if s else pairs[c][1] for c, s in zip(codes, swap, strict=True)]
    types = pd.Series(list(zip(src["event_type"].astype(str), src["sub_type"].astype(str),
                               strict=True)))
    codes, uniques = pd.factorize(types)
    choices = [[_acled_type(t, s, rng) for _ in range(4)] for t, s in uniques]
    pick = rng.integers(0, 4, len(src))
    out["event_type"] = [choices[c][p][0] for c, p in zip(codes, pick, strict=True)]
    out["sub_type"] = [choices[c][p][1] for c, p in zip(codes, pick, strict=True)]
    dead = src["fatalities"].to_numpy(dtype="float64")
    factor = rng.choice([1.0, 1.0, 0.75, 1.25, 0.5, 1.5], len(src))
    changed = np.round(dead * factor + rng.integers(-1, 2, len(src)))
    out["fatalities"] = np.where(rng.random(len(src)) < 0.05, np.nan, np.clip(changed, 0, None))
    return out


def _decoys(src: pd.DataFrame, n: int, rng: np.random.Generator, seed: int) -> pd.DataFrame:
    """Events near copied ones that are not them: a week or more later at the same place;
    the same day beyond both radii; the same day and place with other actors and kind."""
    base = src.iloc[rng.integers(0, len(src), n)].reset_index(drop=True).copy()
    how = rng.integers(0, 3, n)
    later = how == 0
    shift = pd.to_timedelta(rng.integers(7, 30, n), "D")
    end = base["date_end"].fillna(base["date"])
    base.loc[later, "date"] = (end + shift)[later]
    far = how == 1
    reach = base["precision_km"].to_numpy() * 2 + rng.uniform(5, 40, n)
    angle = rng.uniform(0, 2 * np.pi, n)
    lat = base["lat"].to_numpy()
    base.loc[far, "lat"] = (lat + reach * np.cos(angle) / 111.2)[far]
    base.loc[far, "lon"] = (base["lon"].to_numpy() + reach * np.sin(angle)
                            / (111.2 * np.cos(np.radians(lat))))[far]
    other = how == 2
    base.loc[other, "actor1"] = "Jaysh al-Izza"
    base.loc[other, "actor2"] = "Civilians (Syria)"
    # A week or more later the place sees other parties: IS against the SDF where the
    # copied event was not theirs, else the government against insurgents.
    theirs = base["actor1"].astype(str).str.contains("IS|SDF", regex=True)
    base.loc[later, "actor1"] = np.where(theirs, "Military Forces of Syria", "Islamic State")[later]
    base.loc[later, "actor2"] = np.where(theirs, "Opposition Rebels (Syria)", "SDF")[later]
    base["event_type"] = np.where(other, "Protests", "Battles")
    base["sub_type"] = np.where(other, "Peaceful protest", "Armed clash")
    base["date_end"] = base["date"]
    base["date_precision"] = "day"
    base["fatalities"] = np.where(other, 0.0, base["fatalities"])
    names = np.array(["later", "far", "other"])[how]
    base["incident_id"] = [f"decoy-{kind}-{seed}-{i}" for i, kind in enumerate(names)]
    return base


def precision_recall(links: pd.DataFrame, truth: pd.DataFrame, n_real: int,
                     clusters: np.ndarray | None = None) -> dict[str, float]:
    """Precision and recall of ``links`` (rows of ``real`` then the second source,
    concatenated) against ``truth``; with ``clusters``, of the pairs put in one cluster."""
    true = set(zip(truth["real_row"].tolist(), (truth["copy_row"] + n_real).tolist(),
                   strict=True))
    if clusters is None:
        found = set(zip(links["a"].tolist(), links["b"].tolist(), strict=True))
    else:
        found = {(a, b) for a, b in zip(links["a"].tolist(), links["b"].tolist(), strict=True)
                 if clusters[a] == clusters[b]}
    hits = len(found & true)
    return {"links": len(found), "true": len(true), "found_true": hits,
            "precision": hits / len(found) if found else 1.0,
            "recall": hits / len(true) if true else 1.0}


# ---------------------------------------------------------------------------- the ceiling
#: ``perturbed``'s fatality factors, each drawn with equal chance (1.0 twice).
_FACTORS = (1.0, 1.0, 0.75, 1.25, 0.5, 1.5)
_UNKNOWN_DEAD = 0.05  # share of copies whose fatalities ``perturbed`` makes unknown


def fatality_chance(real: np.ndarray, copy: np.ndarray) -> np.ndarray:
    """P(copy's fatalities | the real row's) under :func:`perturbed`: a factor of
    :data:`_FACTORS`, then -1, 0 or +1, rounded, never below 0; unknown 5% of the time
    (always when the real count is unknown)."""
    real, copy = np.asarray(real, dtype="float64"), np.asarray(copy, dtype="float64")
    out = np.zeros(len(real))
    for factor in _FACTORS:
        for step in (-1, 0, 1):
            made = np.clip(np.round(real * factor + step), 0, None)
            out += (made == copy) / (len(_FACTORS) * 3)
    out *= 1 - _UNKNOWN_DEAD
    return np.where(np.isnan(real), np.isnan(copy) * 1.0,
                    np.where(np.isnan(copy), _UNKNOWN_DEAD, out))


def copy_log_likelihood(real: pd.DataFrame, copies: pd.DataFrame, x: np.ndarray,
                        y: np.ndarray, *, moved: float = 0.5) -> np.ndarray:
    """log P(copy ``y`` | made from real row ``x``) as :func:`perturbed` makes copies
    (point, day, fatalities; the names and types only as consistent or not): the most
    any rule could know. The same point is a point mass (``1 - moved``), far above any
    density of a moved point (``moved / (2π d R)`` per km²)."""
    from dashboard.analysis.linkindex import great_circle_km

    r, c = real.iloc[x], copies.iloc[y]
    km = great_circle_km(r["lon"].to_numpy(), r["lat"].to_numpy(),
                         c["lon"].to_numpy(), c["lat"].to_numpy())
    radius = r["precision_km"].to_numpy(dtype="float64")
    with np.errstate(divide="ignore"):
        place = np.where(km < 1e-6, np.log(1 - moved) + 50.0,
                         np.where(km <= radius * 1.01 + 0.01,  # the generator moves on a flat km grid
                                  np.log(moved / (2 * np.pi * np.maximum(km, 1e-9)
                                                  * np.maximum(radius, 1e-9))), -np.inf))
        start = r["date"].to_numpy()
        end = r["date_end"].fillna(r["date"]).to_numpy()
        day = c["date"].to_numpy()
        span = (end - start).astype("timedelta64[D]").astype(np.int64) + 1
        date = np.where((day >= start) & (day <= end), -np.log(span), -np.inf)
        dead = np.log(fatality_chance(r["fatalities"].to_numpy(), c["fatalities"].to_numpy()))
    names = np.array([_sides_fit(a1, a2, b1, b2) for a1, a2, b1, b2 in zip(
        r["actor1"], r["actor2"], c["actor1"], c["actor2"], strict=True)])
    return place + date + dead + np.where(names, 0.0, -20.0)


def _sides_fit(a1, a2, b1, b2) -> bool:
    """The copy's actors are groups of the real row's sides (in either order)."""
    from dashboard.core.aliases import actor_key

    real = {actor_key(g) for side in (a1, a2) for g in side_groups(str(side))}
    copy = {actor_key(g) for side in (b1, b2) for g in side_groups(str(side))}
    return copy <= real


def ceiling(real: pd.DataFrame, copies: pd.DataFrame, truth: pd.DataFrame,
            candidates: pd.DataFrame) -> float:
    """The share of copies an ideal one-link-per-row rule would link to the row they
    were made from: every copy assigned to one real row (at most one copy each) by the
    largest total :func:`copy_log_likelihood` (an optimal assignment), among the
    ``candidates`` (columns ``real_row``, ``copy_row``; the true pairs are added). A
    bound on the recall of any rule that links a row to one row of another source: a copy
    of one of several look-alikes is, even to the generator's own likelihood, often as
    likely a copy of another."""
    from scipy.optimize import linear_sum_assignment

    pairs = pd.concat([candidates[["real_row", "copy_row"]],
                       truth[["real_row", "copy_row"]]]).drop_duplicates()
    pairs = pairs[pairs["copy_row"].isin(truth["copy_row"])]  # decoys: an ideal rule knows
    x, y = pairs["real_row"].to_numpy(), pairs["copy_row"].to_numpy()
    loglik = copy_log_likelihood(real, copies, x, y)
    ok = np.isfinite(loglik)
    x, y, loglik = x[ok], y[ok], loglik[ok]
    rows, xi = np.unique(x, return_inverse=True)
    cols, yi = np.unique(y, return_inverse=True)
    weight = np.full((len(rows), len(cols)), -1e6)
    weight[xi, yi] = loglik
    # Ties go to chance, not to the lower row position the solver would prefer.
    weight += np.random.default_rng(0).uniform(0, 1e-6, weight.shape)
    r, c = linear_sum_assignment(weight, maximize=True)
    made = dict(zip(truth["copy_row"].tolist(), truth["real_row"].tolist(), strict=True))
    hits = sum(made.get(int(cols[j])) == int(rows[i])
               for i, j in zip(r, c, strict=True) if weight[i, j] > -1e5)
    return hits / len(made) if made else 1.0
