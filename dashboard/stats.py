"""Did violence drop after a zone's ceasefire took effect? The numbers behind the answer.

Definitions (the same for the dashboard panel, the CLI report and the sentence):

* **Reference day** R: by default the zone's ``in_effect`` milestone (else the first
  day of its first ``in_effect`` version). *Before* is the ``before_days`` days up to
  R-1; *after* is the ``after_days`` days from R on.
* **Inside, before**: inside the area the zone covered on R (the zone usually did
  not exist yet). **Inside, after**: inside the zone *as it stood on each
  incident's day*, so an incident counts only while a version containing it was in
  force; once the zone ends nothing counts.
* **Ring**: the band from the zone edge to ``ring_km`` outside it, with the same
  rule for which boundary applies; it tells a local drop from a drop everywhere.
* **Ambiguity**: an incident whose location-precision radius reaches past the zone
  edge may be on either side. ``low`` leaves out every ambiguous incident, ``high``
  counts every ambiguous incident near the zone as inside; ``count`` goes by the
  recorded point.
* **Rate ratio** after/before (per day) with an exact conditional (binomial)
  Poisson 95% CI; the ratio of the inside and ring ratios comes from a Poisson
  regression with an interaction term.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd
import shapely

from dashboard.errors import ZoneWatchError
from dashboard.filters import IncidentIndex
from dashboard.spatial import ZoneIndex
from dashboard.timeline import zones_as_of

#: Event types that are not violence: never counted as ceasefire violations.
NON_VIOLENT = frozenset({"Aid convoy", "Checkpoint", "Evacuation", "Agreement", "Observer deployment",
                         "Strategic developments", "Protests"})
MIN_EVENTS = 10  # below this many events in both windows together, say nothing firm


@dataclass(frozen=True)
class Count:
    """Incidents and fatalities in one window and area, with ambiguity bounds."""

    incidents: int
    fatalities: int
    low: int      # ambiguous incidents left out
    high: int     # every ambiguous incident near the zone counted in
    ambiguous: int


@dataclass(frozen=True)
class RateRatio:
    ratio: float | None   # after/before per day; None when the before window is empty
    lo: float | None
    hi: float | None

    def words(self) -> str:
        if self.ratio is None:
            return "rate ratio not defined (no incidents before)"
        return f"rate ratio {self.ratio:.2f}, 95% CI {_num(self.lo)}–{_num(self.hi)}"


@dataclass(frozen=True)
class ITS:
    """Interrupted time series on weekly counts around the reference day."""

    model: str                 # "Poisson" or "negative binomial"
    level_irr: float           # multiplicative jump at R
    level_ci: tuple[float, float]
    slope_irr: float           # change in weekly trend after R (per week)
    slope_ci: tuple[float, float]
    weeks: list[date]
    observed: list[int]
    fitted: list[float]
    counterfactual: list[float]  # the pre-R trend carried on


@dataclass
class Analysis:
    zone_id: str
    zone_name: str
    reference: date
    reference_label: str
    before_days: int
    after_days: int
    ring_km: float
    inside_before: Count
    inside_after: Count
    ring_before: Count
    ring_after: Count
    inside_rr: RateRatio
    ring_rr: RateRatio
    ratio_of_ratios: RateRatio
    its: ITS | None
    by_actor: list[tuple[str, int]]
    by_place: list[tuple[str, int]]
    by_week: list[tuple[date, int]]
    first_violation: dict | None
    filters: dict[str, str]
    warnings: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)

    def sentence(self) -> str:
        return sentence(self)

    def to_dict(self) -> dict:
        out = asdict(self)
        out["sentence"] = self.sentence()
        return out


def _num(value: float | None) -> str:
    return "–" if value is None or not np.isfinite(value) else f"{value:.2f}"


def rate_ratio(after: int, before: int, after_days: int = 1, before_days: int = 1) -> RateRatio:
    """After/before rate ratio with the exact conditional 95% CI.

    Given n = after + before, ``after`` is binomial with p = r*t_a / (r*t_a + t_b) where
    r is the rate ratio; a Clopper–Pearson interval for p maps onto r.
    """
    from scipy.stats import binomtest

    if before == 0:
        return RateRatio(None, None, None)
    scale = before_days / after_days
    ratio = after / before * scale
    ci = binomtest(after, after + before).proportion_ci(confidence_level=0.95, method="exact")

    def to_ratio(p: float) -> float:
        return float("inf") if p >= 1 else p / (1 - p) * scale

    return RateRatio(ratio, to_ratio(ci.low), to_ratio(ci.high))


def ratio_of_ratios(inside: tuple[int, int], ring: tuple[int, int]) -> RateRatio:
    """(inside after/before) / (ring after/before), with a Wald 95% CI on the log scale.

    This is the interaction term of a Poisson regression of the four counts on
    window, area and window x area (saturated, so it has this closed form).
    """
    counts = np.array([inside[0], inside[1], ring[0], ring[1]], dtype=float)  # before, after
    if (counts == 0).any():
        return RateRatio(None, None, None)
    log_ror = np.log(counts[1] / counts[0]) - np.log(counts[3] / counts[2])
    se = float(np.sqrt((1 / counts).sum()))
    return RateRatio(float(np.exp(log_ror)), float(np.exp(log_ror - 1.959964 * se)),
                     float(np.exp(log_ror + 1.959964 * se)))


def reference_day(zone_id: str, zones: pd.DataFrame, milestones: pd.DataFrame) -> tuple[date, str]:
    """The zone's "in effect" day and where it comes from."""
    ms = milestones.loc[(milestones["zone_id"] == zone_id) & (milestones["kind"] == "in_effect")]
    if len(ms):
        first = ms.sort_values("date").iloc[0]
        return first["date"].date(), f"the 'in effect' milestone, reported by {first['source']}"
    versions = zones.loc[(zones["zone_id"] == zone_id) & (zones["status"] == "in_effect")]
    if len(versions) and versions["valid_from"].notna().any():
        return versions["valid_from"].min().date(), "first day of the zone's 'in effect' version"
    raise ZoneWatchError(f"zone '{zone_id}' has no 'in_effect' milestone or version. Fix: give "
                         "the date to compare around (--date YYYY-MM-DD).")


def _membership(index: IncidentIndex, zone_index: ZoneIndex, zone_id: str, positions: np.ndarray,
                ring_km: float) -> tuple[np.ndarray, np.ndarray]:
    """Signed km to the zone's edge (as it stood on each incident's day; NaN if no
    version or out of reach) and whether the location is ambiguous there."""
    frame = index.frame.iloc[positions]
    signed = np.full(len(positions), np.nan)
    if len(positions):
        pos = zone_index.zone_ids.index(zone_id)
        for h in zone_index.hits(frame, reach_km=ring_km):
            if h.zone == pos:
                signed[h.idx] = h.signed_km
    radius = np.nan_to_num(frame["precision_km"].to_numpy(dtype="float64"))
    ambiguous = ~np.isnan(signed) & (radius > np.abs(signed))
    return signed, ambiguous


def _fixed_membership(index: IncidentIndex, geometry, metric, positions: np.ndarray
                      ) -> tuple[np.ndarray, np.ndarray]:
    """Signed km to one fixed geometry's edge (for the "before" window)."""
    frame = index.frame.iloc[positions]
    lon = frame["lon"].to_numpy(dtype="float64")
    lat = frame["lat"].to_numpy(dtype="float64")
    inside = shapely.intersects_xy(geometry, lon, lat)
    x, y = metric.transform(lon, lat)
    projected = shapely.transform(geometry, lambda c: np.column_stack(metric.transform(c[:, 0],
                                                                                       c[:, 1])))
    dist = shapely.distance(projected.boundary, shapely.points(x, y)) / 1000.0
    signed = np.where(inside, dist, -dist)
    radius = np.nan_to_num(frame["precision_km"].to_numpy(dtype="float64"))
    return signed, radius > np.abs(signed)


def _count(index: IncidentIndex, positions: np.ndarray, inside: np.ndarray,
           near: np.ndarray, ambiguous: np.ndarray) -> Count:
    """``inside``: counted by the point; ``near``: within reach (for the high bound)."""
    fat = index.fatalities[positions]
    return Count(incidents=int(inside.sum()), fatalities=int(fat[inside].sum()),
                 low=int((inside & ~ambiguous).sum()), high=int((inside | (near & ambiguous)).sum()),
                 ambiguous=int((ambiguous & (inside | near)).sum()))


def before_after(
    index: IncidentIndex,
    zones: pd.DataFrame,
    zone_index: ZoneIndex,
    milestones: pd.DataFrame,
    zone_id: str,
    *,
    reference: date | None = None,
    before_days: int = 90,
    after_days: int = 90,
    ring_km: float = 25.0,
    positions: np.ndarray | None = None,
    filters: dict[str, str] | None = None,
) -> Analysis:
    """The whole analysis for one zone. ``positions`` are the incidents the active
    filters keep (all when None); the windows are applied here."""
    if zone_id not in set(zones["zone_id"]):
        raise ZoneWatchError(f"no zone '{zone_id}'. Fix: use one of "
                             f"{', '.join(dict.fromkeys(zones['zone_id']))}.")
    if before_days < 1 or after_days < 1 or ring_km <= 0:
        raise ZoneWatchError("windows must be at least 1 day and the ring wider than 0 km. "
                             "Fix: pass positive --before, --after and --ring-km.")
    label = "the reference day given"
    if reference is None:
        reference, label = reference_day(zone_id, zones, milestones)
    name = zones.loc[zones["zone_id"] == zone_id, "name"].iloc[0]
    positions = np.arange(len(index)) if positions is None else positions
    start = reference - timedelta(days=before_days)
    end = reference + timedelta(days=after_days - 1)
    lo, hi = index.window(start, end)
    window = positions[(positions >= lo) & (positions < hi)]
    days = index.days[window]
    ref_num = (pd.Timestamp(reference) - pd.Timestamp(0)).days
    is_after = days >= ref_num
    before_pos, after_pos = window[~is_after], window[is_after]
    warnings: list[str] = []

    # Before: the zone as it stood on the reference day.
    on_ref = zones_as_of(zones.loc[zones["zone_id"] == zone_id], reference)
    if len(on_ref):
        geometry = on_ref.geometry.iloc[0]
        b_signed, b_amb = _fixed_membership(index, geometry, zone_index.to_metric, before_pos)
    else:
        warnings.append(f"the zone was not in force on {reference:%-d %b %Y}, so 'before' uses "
                        "no area and counts nothing")
        b_signed, b_amb = np.full(len(before_pos), np.nan), np.zeros(len(before_pos), bool)
    a_signed, a_amb = _membership(index, zone_index, zone_id, after_pos, ring_km)

    def split(signed, amb, pos):
        with np.errstate(invalid="ignore"):
            inside = signed >= 0
            ring = (signed < 0) & (signed >= -ring_km)
        inside, ring = np.nan_to_num(inside).astype(bool), np.nan_to_num(ring).astype(bool)
        return (_count(index, pos, inside, ring, amb),
                _count(index, pos, ring, inside, amb), inside, ring)

    ib, rb, in_b, _ = split(b_signed, b_amb, before_pos)
    ia, ra, in_a, _ = split(a_signed, a_amb, after_pos)
    inside_rr = rate_ratio(ia.incidents, ib.incidents, after_days, before_days)
    ring_rr = rate_ratio(ra.incidents, rb.incidents, after_days, before_days)
    ror = ratio_of_ratios((ib.incidents, ia.incidents), (rb.incidents, ra.incidents))
    if ib.incidents + ia.incidents < MIN_EVENTS:
        warnings.append(f"only {ib.incidents + ia.incidents} incidents inside the zone in both "
                        "windows together: too few to say whether violence changed")
    if ia.ambiguous or ib.ambiguous:
        warnings.append(f"{ib.ambiguous + ia.ambiguous} incidents lie within their location "
                        "uncertainty of the zone edge; low–high bounds show their effect")

    violations = after_pos[in_a]
    frame = index.frame.iloc[violations]
    violent = ~frame["event_type"].isin(NON_VIOLENT).to_numpy()
    frame = frame.loc[violent]
    by_actor = (frame["actor1"].replace("", "unknown").value_counts().head(10))
    by_place = (frame["place"].replace("", "unrecorded place").value_counts().head(10))
    weeks = frame["date"].dt.to_period("W-SUN").dt.start_time.value_counts().sort_index()
    first = None
    if len(frame):  # the first one whose location is certain, else the first at all
        certain = ~a_amb[in_a][violent]
        row = frame.iloc[int(np.argmax(certain))] if certain.any() else frame.iloc[0]
        first = {"date": row["date"].date().isoformat(), "event_type": row["event_type"],
                 "actor1": row["actor1"], "actor2": row["actor2"], "place": row["place"],
                 "fatalities": None if pd.isna(row["fatalities"]) else int(row["fatalities"]),
                 "source": row["source"], "incident_id": str(row["incident_id"])}
    inside_window = np.concatenate([before_pos[in_b], violations])
    its = interrupted_time_series(index, inside_window, reference, before_days, after_days)
    if its is None:
        warnings.append("too few weeks with data to fit the interrupted time series")
    sources = sorted(set(index.frame.iloc[inside_window]["dataset"].astype(str)) - {""})
    return Analysis(
        zone_id, name, reference, label, before_days, after_days, ring_km, ib, ia, rb, ra,
        inside_rr, ring_rr, ror, its,
        [(str(a), int(c)) for a, c in by_actor.items()],
        [(str(p), int(c)) for p, c in by_place.items()],
        [(d.date(), int(c)) for d, c in weeks.items()], first, filters or {}, warnings, sources,
    )


def interrupted_time_series(index: IncidentIndex, positions: np.ndarray, reference: date,
                            before_days: int, after_days: int) -> ITS | None:
    """Weekly counts ~ trend + step at R + trend change after R (Poisson, or negative
    binomial when the counts are overdispersed)."""
    import statsmodels.api as sm

    n_before = max(1, before_days // 7)
    n_after = max(1, after_days // 7)
    if n_before < 3 or n_after < 3:
        return None
    ref_num = (pd.Timestamp(reference) - pd.Timestamp(0)).days
    week = np.floor((index.days[positions] - ref_num) / 7).astype(int)
    bins = np.arange(-n_before, n_after)
    counts = np.array([(week == b).sum() for b in bins], dtype=float)
    if counts.sum() < 5:
        return None
    post = (bins >= 0).astype(float)
    design = sm.add_constant(np.column_stack([bins, post, bins * post]))
    family = sm.families.Poisson()
    model = "Poisson"
    fit = sm.GLM(counts, design, family=family).fit()
    dispersion = fit.pearson_chi2 / max(1, fit.df_resid)
    if dispersion > 1.5:
        alpha = max(1e-3, (dispersion - 1) / max(counts.mean(), 1e-9))
        fit = sm.GLM(counts, design, family=sm.families.NegativeBinomial(alpha=alpha)).fit()
        model = "negative binomial"
    ci = fit.conf_int()
    params = fit.params
    counterfactual = np.exp(params[0] + params[1] * bins)
    weeks = [reference + timedelta(days=7 * int(b)) for b in bins]
    return ITS(model, float(np.exp(params[2])), (float(np.exp(ci[2][0])), float(np.exp(ci[2][1]))),
               float(np.exp(params[3])), (float(np.exp(ci[3][0])), float(np.exp(ci[3][1]))),
               weeks, counts.astype(int).tolist(), fit.fittedvalues.tolist(),
               counterfactual.tolist())


def _bounds(count: Count) -> str:
    return "" if count.low == count.high else f" ({count.low}–{count.high} allowing for location uncertainty)"


def sentence(a: Analysis) -> str:
    """The paragraph for a brief. Every number comes from ``a``."""
    when = f"{a.reference:%-d %b %Y}"
    text = (
        f"In the {a.after_days} days after the ceasefire in {a.zone_name} took effect on {when}, "
        f"{a.inside_after.incidents} incidents{_bounds(a.inside_after)} were recorded inside the "
        f"zone against {a.inside_before.incidents}{_bounds(a.inside_before)} in the "
        f"{a.before_days} days before ({a.inside_rr.words()}); in the {a.ring_km:g} km ring "
        f"outside, {a.ring_after.incidents} against {a.ring_before.incidents} "
        f"({a.ring_rr.words()})."
    )
    if a.ratio_of_ratios.ratio is not None:
        text += (f" Relative to the ring, the change inside was "
                 f"{a.ratio_of_ratios.ratio:.2f} (95% CI {_num(a.ratio_of_ratios.lo)}–"
                 f"{_num(a.ratio_of_ratios.hi)}).")
    if a.first_violation:
        fv = a.first_violation
        text += (f" The first incident recorded inside on or after that day was on "
                 f"{pd.Timestamp(fv['date']):%-d %b %Y} ({fv['event_type']}, "
                 f"{fv['place'] or 'place unrecorded'}; "
                 f"source: {fv['source'] or 'not given'}).")
    if a.filters:
        text += " Filters: " + "; ".join(f"{k}: {v}" for k, v in a.filters.items()) + "."
    if any("too few" in w for w in a.warnings):
        text += " Counts are too small to say whether violence changed."
    return text
