"""Did violence drop after a zone's ceasefire took effect? The numbers behind the answer.

Definitions (the same for the dashboard panel, the CLI report and the briefing):

* **Reference day** R: by default the zone's ``in_effect`` milestone (else the first
  day of its first ``in_effect`` version). *Before* is the ``before_days`` days up to
  R-1; *after* is the ``after_days`` days from R on.
* **Covered days**: a window only counts the days it can see. *Before* is cut to the
  incident data's span; *after* to the data's span and to the days a version of the
  zone was in force. Rates divide by covered days, never by days nobody observed.
* **Violence**: non-violent events (aid convoys, checkpoints, evacuations, ...; see
  ``NON_VIOLENT``, plus any in ``ZONEWATCH_NON_VIOLENT`` and any the caller names)
  are left out of every count.
* **Inside, before**: inside the area the zone covered on R (the zone usually did
  not exist yet). **Inside, after**: inside the zone *as it stood on each
  incident's day*.
* **Ring**: the band from the zone edge to ``ring_km`` outside it, with the same
  rule for which boundary applies; it tells a local drop from a drop everywhere.
* **Location uncertainty**: an incident may lie anywhere within its precision radius
  of the recorded point. ``low`` counts only incidents whose whole radius lies in the
  area; ``high`` every incident whose radius reaches it. The rate ratio is also given
  low/low and high/high.
* **Intervals**: see ``dashboard.analysis.ratemodels`` (negative binomial by maximum
  likelihood as the headline, exact Poisson as a secondary figure).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import shapely

from dashboard.analysis import ratemodels
from dashboard.analysis.index import IncidentIndex, day_number
from dashboard.analysis.ratemodels import Estimate, Series, period_series
from dashboard.analysis.spatial import ZoneIndex
from dashboard.analysis.validity import days_in_force, zones_as_of
from dashboard.analysis.windows import DEFAULT_AFTER, DEFAULT_BEFORE, DEFAULT_RING_KM
from dashboard.core.agreements import Agreement, Terms
from dashboard.core.errors import ZoneWatchError
from dashboard.core.formats import day_words
from dashboard.core.settings import Settings

#: Event types that are not violence: left out of every count of violence.
NON_VIOLENT = frozenset({"Aid convoy", "Checkpoint", "Evacuation", "Agreement", "Observer deployment",
                         "Strategic developments", "Protests"})
MIN_EVENTS = 10       # below this many events in both windows together, say nothing firm
MIN_WEEKLY_DAYS = 28  # shorter covered windows are modelled by day, not by week
MOSTLY_AMBIGUOUS = 0.8  # this share of ambiguous incidents: location cannot settle it
EPOCH = pd.Timestamp(0)

if TYPE_CHECKING:  # commitments builds on this module's ring rule: imported when used
    from dashboard.analysis.commitments import CommitmentStatus


@dataclass(frozen=True)
class Count:
    """Violent incidents and fatalities in one window and area, with location bounds."""

    incidents: int
    fatalities: int
    low: int        # incidents whose whole precision radius lies in the area
    high: int       # incidents whose precision radius reaches the area
    ambiguous: int  # high - low


@dataclass(frozen=True)
class Window:
    """The days a window asked for and the days it covers."""

    name: str          # "before" or "after"
    start: date
    end: date          # inclusive
    asked: int
    covered: int
    cut: str           # why days are missing, in words ("" when none are)

    def words(self) -> str:
        if self.covered == self.asked:
            return ""
        return f"the {self.name} window covers {self.covered} of {self.asked} days: {self.cut}"


@dataclass(frozen=True)
class RateRatio:
    """After/before (or inside-vs-ring) ratio: the headline 95% interval, the exact
    Poisson interval as a secondary figure, and the ratio with location uncertainty."""

    ratio: float | None
    lo: float | None
    hi: float | None
    method: str = ""
    one_sided: str | None = None
    dispersion: float | None = None
    poisson_lo: float | None = None
    poisson_hi: float | None = None
    low_ratio: float | None = None    # low counts after / low counts before
    high_ratio: float | None = None   # high counts after / high counts before
    note: str = ""

    @classmethod
    def of(cls, headline: Estimate, exact: Estimate, low: float | None = None,
           high: float | None = None) -> RateRatio:
        return cls(headline.ratio, headline.lo, headline.hi, headline.method, headline.one_sided,
                   headline.dispersion, exact.lo, exact.hi, low, high, headline.note)

    @property
    def defined(self) -> bool:
        return self.ratio is not None or self.one_sided is not None

    def interval_words(self) -> str:
        return Estimate(self.ratio, self.lo, self.hi, self.method, self.one_sided).interval_words()

    def words(self) -> str:
        """'rate ratio 1.47, 95% CI 0.81–2.66', 'rate ratio at least 2.10', ..."""
        if self.ratio is None and self.one_sided is None:
            return "rate ratio not defined (no incidents in either window)"
        if self.ratio is None:
            return f"rate ratio {self.interval_words()} (no incidents before)"
        return f"rate ratio {ratemodels.fmt(self.ratio)}, {self.interval_words()}"

    def location_words(self) -> str:
        """'0.94–1.54 allowing for location uncertainty', or ''."""
        lows = [r for r in (self.low_ratio, self.high_ratio) if r is not None]
        if self.ratio is None or len(lows) < 2 or max(abs(r - self.ratio) for r in lows) < 0.005:
            return ""
        return (f"{ratemodels.fmt(min(lows))}–{ratemodels.fmt(max(lows))} allowing for location "
                "uncertainty")


@dataclass(frozen=True)
class ITS(ratemodels.TrendFit):
    """The trend fit with the covered weeks it used, around R."""

    weeks: list[date]            # first day of each week used
    exposure: list[int]          # covered days in each week
    observed: list[int]
    weeks_used: str              # in words


@dataclass(frozen=True)
class SideCount:
    """'Who': one side's actors among the violent incidents inside after R."""

    label: str                       # the source's own word: "side A", "actor 1"
    counts: list[tuple[str, int]]    # top actors, then "other (n actors)" and "unknown"


@dataclass(frozen=True)
class TermsCounts:
    """The violent incidents inside the zone after R, by class under the agreement's
    terms (``dashboard.analysis.classify``), and its commitments as of the after
    window's last day. ``classes`` holds every class found, these four included."""

    agreements: tuple[Agreement, ...]
    violations: int
    permitted: int
    unclear: int
    non_party: int
    classes: dict[str, int]
    as_of: date
    commitments: list[CommitmentStatus]
    source_file: str = ""

    def to_dict(self) -> dict:
        return {"agreements": [{"id": a.id, "name": a.name, "source": a.source}
                               for a in self.agreements],
                "violations": self.violations, "permitted": self.permitted,
                "unclear": self.unclear, "non_party": self.non_party, "classes": self.classes,
                "as_of": self.as_of.isoformat(), "source_file": self.source_file}


@dataclass
class Analysis:
    zone_id: str
    zone_name: str
    reference: date
    reference_label: str
    before_days: int
    after_days: int
    ring_km: float
    before_window: Window
    after_window: Window
    inside_before: Count
    inside_after: Count
    ring_before: Count
    ring_after: Count
    inside_rr: RateRatio
    ring_rr: RateRatio
    ratio_of_ratios: RateRatio
    its: ITS | None
    its_refused: str
    sides: list[SideCount]
    by_place: list[tuple[str, int]]
    by_week: list[tuple[date, int]]
    first_violation: dict | None
    non_violent_left_out: dict[str, int]
    filters: dict[str, str]
    warnings: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    terms: TermsCounts | None = None   # with an agreement's terms only

    @property
    def by_actor(self) -> list[tuple[str, int]]:
        return self.sides[0].counts if self.sides else []

    def to_dict(self) -> dict:
        """JSON-ready; without terms exactly the keys it always had."""
        terms = self.terms
        out = asdict(replace(self, terms=None))
        del out["terms"]
        if terms is not None:
            out["terms"] = terms.to_dict()
            out["commitments"] = [c.to_dict() for c in terms.commitments]
        out["covered_days"] = {"before": self.before_window.covered, "after": self.after_window.covered}
        return out


def zone_to_analyse(zones: pd.DataFrame, chosen: str | None = None,
                    filtered: tuple[str, ...] = ()) -> str | None:
    """The zone the panel and the briefing analyse: the one chosen, else the first zone
    filtered on, else the first zone in effect, else the first zone (None: no zones)."""
    zone_ids = list(dict.fromkeys(zones["zone_id"]))
    for candidate in (chosen, *filtered):
        if candidate in zone_ids:
            return candidate
    in_effect = zones.loc[zones["status"] == "in_effect", "zone_id"]
    return in_effect.iloc[0] if len(in_effect) else (zone_ids[0] if zone_ids else None)


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


# Windows and covered days ----------------------------------------------------------------
def covered_windows(reference: date, before_days: int, after_days: int,
                    data_span: tuple[date, date] | None, zone: pd.DataFrame
                    ) -> tuple[Window, np.ndarray, Window, np.ndarray]:
    """The before and after windows with the day numbers each covers.

    Before: cut to the data's span. After: cut to the data's span and to the days a
    version of the zone was in force.
    """
    ref = day_number(reference)
    before = np.arange(ref - before_days, ref)
    after = np.arange(ref, ref + after_days)
    first, last = (day_number(data_span[0]), day_number(data_span[1])) if data_span else (0, -1)
    in_data_b = (before >= first) & (before <= last)
    in_data_a = (after >= first) & (after <= last)
    alive = days_in_force(zone, after)

    def why(in_data: np.ndarray, days: np.ndarray, alive: np.ndarray | None) -> str:
        reasons = []
        if not data_span:
            return "there is no incident data"
        if (~in_data & (days < first)).any():
            reasons.append(f"the incident data begin on {day_words(data_span[0])}")
        if (~in_data & (days > last)).any():
            reasons.append(f"the incident data end on {day_words(data_span[1])}")
        if alive is not None and (in_data & ~alive).any():
            gone = days[in_data & ~alive]
            alive_days = days[alive]
            if len(alive_days) and gone.min() > alive_days.max():
                reasons.append(f"the zone ended on {day_words(_date(alive_days.max()))}")
            elif len(alive_days) and gone.max() < alive_days.min():
                reasons.append(f"the zone came into force on {day_words(_date(alive_days.min()))}")
            else:
                reasons.append(f"the zone was not in force on {len(gone)} of them")
        return "; ".join(reasons)

    keep_b, keep_a = in_data_b, in_data_a & alive
    w_before = Window("before", _date(before[0]), _date(before[-1]), before_days,
                      int(keep_b.sum()), why(in_data_b, before, None))
    w_after = Window("after", _date(after[0]), _date(after[-1]), after_days,
                     int(keep_a.sum()), why(in_data_a, after, alive))
    return w_before, before[keep_b], w_after, after[keep_a]


def _date(day_num: int) -> date:
    return (EPOCH + pd.Timedelta(days=int(day_num))).date()


# Where incidents lie -----------------------------------------------------------------------
def _signed_after(index: IncidentIndex, zone_index: ZoneIndex, zone_id: str,
                  positions: np.ndarray, ring_km: float) -> np.ndarray:
    """Signed km to the zone's edge as it stood on each incident's day (+ inside; NaN
    when no version was in force or the incident is out of reach of the ring and
    its own precision radius)."""
    frame = index.frame.iloc[positions]
    signed = np.full(len(positions), np.nan)
    if len(positions):
        # Reach ring + radius, so an incident whose radius touches the ring is seen.
        frame = frame.assign(precision_km=frame["precision_km"].fillna(0) + ring_km)
        pos = zone_index.zone_ids.index(zone_id)
        for h in zone_index.hits(frame, reach_km=ring_km):
            if h.zone == pos:
                signed[h.idx] = h.signed_km
    return signed


def in_zone_or_ring(index: IncidentIndex, zone_index: ZoneIndex, zone_id: str,
                    positions: np.ndarray, ring_km: float) -> np.ndarray:
    """Which of ``positions`` lie inside the zone or its ring by their recorded point,
    the zone as it stood on each incident's day (the rule the "after" counts use)."""
    if zone_id not in zone_index.zone_ids:
        return np.zeros(len(positions), dtype=bool)
    signed = _signed_after(index, zone_index, zone_id, np.asarray(positions), ring_km)
    areas = _areas(signed, np.zeros(len(signed)), ring_km)
    return areas.inside | areas.ring


def _signed_fixed(index: IncidentIndex, geometry, metric, positions: np.ndarray) -> np.ndarray:
    """Signed km to one fixed geometry's edge (for the "before" window)."""
    frame = index.frame.iloc[positions]
    lon = frame["lon"].to_numpy(dtype="float64")
    lat = frame["lat"].to_numpy(dtype="float64")
    inside = shapely.intersects_xy(geometry, lon, lat)
    x, y = metric.transform(lon, lat)
    projected = shapely.transform(geometry, lambda c: np.column_stack(metric.transform(c[:, 0],
                                                                                       c[:, 1])))
    dist = shapely.distance(projected.boundary, shapely.points(x, y)) / 1000.0
    return np.where(inside, dist, -dist)


@dataclass(frozen=True)
class _Areas:
    """Masks of one window's incidents: by point, certainly and possibly in each area."""

    inside: np.ndarray
    inside_low: np.ndarray
    inside_high: np.ndarray
    ring: np.ndarray
    ring_low: np.ndarray
    ring_high: np.ndarray


def _areas(signed: np.ndarray, radius: np.ndarray, ring_km: float) -> _Areas:
    """Inside is [0, inf) km from the edge, the ring [-ring_km, 0); an incident may be
    anywhere in [signed - radius, signed + radius]. NaN (out of reach) is in neither."""
    s = np.nan_to_num(signed, nan=-np.inf)
    near, far = s - radius, s + radius
    return _Areas(inside=s >= 0, inside_low=near >= 0, inside_high=far >= 0,
                  ring=(s < 0) & (s >= -ring_km),
                  ring_low=(near >= -ring_km) & (far < 0),
                  ring_high=(far >= -ring_km) & (near < 0))


def _count(fatalities: np.ndarray, point: np.ndarray, low: np.ndarray, high: np.ndarray) -> Count:
    return Count(incidents=int(point.sum()), fatalities=int(fatalities[point].sum()),
                 low=int(low.sum()), high=int(high.sum()), ambiguous=int(high.sum() - low.sum()))


# Who and where -----------------------------------------------------------------------------
SIDE_WORDS = {"UCDP GED": ("side A", "side B"), "ACLED": ("actor 1", "actor 2")}
TOP_ACTORS = 8


def side_labels(datasets: list[str]) -> tuple[str, str]:
    """The source's own words for its two actor columns."""
    words = {SIDE_WORDS.get(d, ("actor 1", "actor 2")) for d in datasets} or {("actor 1", "actor 2")}
    if len(words) == 1:
        return next(iter(words))
    return "actor 1 (UCDP: side A)", "actor 2 (UCDP: side B)"


def tally(values: pd.Series, top: int = TOP_ACTORS, blank: str = "unknown") -> list[tuple[str, int]]:
    """The ``top`` most frequent values, then one row for the rest and one for blanks,
    so the rows add up to ``len(values)``."""
    text = values.astype(str).str.strip()
    counts = Counter(text[text != ""])
    rows = counts.most_common(top)
    rest = [n for name, n in counts.items() if name not in dict(rows)]
    if rest:
        rows.append((f"{len(rest)} other{'s' if len(rest) > 1 else ''}", sum(rest)))
    blanks = int((text == "").sum())
    if blanks:
        rows.append((blank, blanks))
    return rows


# The analysis ------------------------------------------------------------------------------
def before_after(
    index: IncidentIndex,
    zones: pd.DataFrame,
    zone_index: ZoneIndex,
    milestones: pd.DataFrame,
    zone_id: str,
    *,
    reference: date | None = None,
    before_days: int = DEFAULT_BEFORE,
    after_days: int = DEFAULT_AFTER,
    ring_km: float = DEFAULT_RING_KM,
    positions: np.ndarray | None = None,
    filters: dict[str, str] | None = None,
    non_violent: frozenset[str] | set[str] = frozenset(),
    data_span: tuple[date, date] | None = None,
    terms: Terms | None = None,
) -> Analysis:
    """The whole analysis for one zone. ``positions`` are the incidents the active
    filters keep (all when None); the windows are applied here. ``data_span`` is the
    period the incident data cover (default: first to last incident of ``index``).
    With ``terms`` naming the zone, the violent incidents inside after R are also
    counted by class, and the commitments given their status (``Analysis.terms``)."""
    if zone_id not in set(zones["zone_id"]):
        raise ZoneWatchError(f"no zone '{zone_id}'. Fix: use one of "
                             f"{', '.join(dict.fromkeys(zones['zone_id']))}.")
    if before_days < 1 or after_days < 1 or not ring_km > 0:
        raise ZoneWatchError("windows must be at least 1 day and the ring wider than 0 km. "
                             "Fix: pass positive --before, --after and --ring-km.")
    label = "the reference day given"
    default_ref, default_label = _default_reference(zone_id, zones, milestones)
    if reference is None or reference == default_ref:
        if default_ref is None:
            reference_day(zone_id, zones, milestones)  # raises with the fix
        reference, label = default_ref, default_label
    zone = zones.loc[zones["zone_id"] == zone_id]
    name = zone["name"].iloc[0]
    warnings: list[str] = []
    span = data_span or index.date_span
    w_before, cov_before, w_after, cov_after = covered_windows(reference, before_days, after_days,
                                                               span, zone)
    warnings += [w.words() for w in (w_before, w_after) if w.words()]
    if w_before.covered == 0:
        raise ZoneWatchError(
            f"no day of the before window ({day_words(w_before.start)} – "
            f"{day_words(w_before.end)}) is covered: {w_before.cut}. Fix: choose a later "
            "reference day, or load incident data that reach back before it.")
    if w_after.covered == 0:
        raise ZoneWatchError(
            f"no day of the after window ({day_words(w_after.start)} – {day_words(w_after.end)}) "
            f"is covered: {w_after.cut}. Fix: choose a reference day while the zone was in force "
            "and the incident data run.")

    positions = np.arange(len(index)) if positions is None else np.asarray(positions)
    lo, hi = index.window(w_before.start, w_after.end)
    window = positions[(positions >= lo) & (positions < hi)]
    types = index.frame["event_type"].iloc[window].astype(str).to_numpy()
    quiet = np.isin(types, sorted(NON_VIOLENT | set(non_violent)
                                  | Settings.from_env().non_violent_types))
    days = index.days[window]
    covered = np.isin(days, cov_before) | np.isin(days, cov_after)
    counted = window[~quiet & covered]
    left_out = dict(Counter(types[quiet & covered]).most_common())
    days = index.days[counted]
    ref_num = day_number(reference)
    before_pos, after_pos = counted[days < ref_num], counted[days >= ref_num]

    # Before: the zone as it stood on R (else on the first covered day after R).
    area_day = reference
    on_ref = zones_as_of(zone, reference)
    if not len(on_ref):
        area_day = _date(cov_after[0])
        on_ref = zones_as_of(zone, area_day)
        warnings.append(f"the zone was not in force on {day_words(reference)}; 'before' counts "
                        f"the area it covered on {day_words(area_day)}, its first day in the "
                        "after window")
    b_signed = _signed_fixed(index, on_ref.geometry.iloc[0], zone_index.to_metric, before_pos)
    a_signed = _signed_after(index, zone_index, zone_id, after_pos, ring_km)
    radius = np.nan_to_num(index.frame["precision_km"].to_numpy(dtype="float64"))
    b, a = _areas(b_signed, radius[before_pos], ring_km), _areas(a_signed, radius[after_pos], ring_km)
    fat = index.fatalities
    ib = _count(fat[before_pos], b.inside, b.inside_low, b.inside_high)
    ia = _count(fat[after_pos], a.inside, a.inside_low, a.inside_high)
    rb = _count(fat[before_pos], b.ring, b.ring_low, b.ring_high)
    ra = _count(fat[after_pos], a.ring, a.ring_low, a.ring_high)

    # Rates per covered day; by week when both windows are long enough, else by day.
    all_covered = np.concatenate([cov_before, cov_after])
    width = 7 if min(w_before.covered, w_after.covered) >= MIN_WEEKLY_DAYS else 1
    unit = "weekly counts" if width == 7 else "daily counts (a window is under 4 weeks)"

    def series(point_b, point_a, step=width) -> Series:
        event_days = np.concatenate([index.days[before_pos][point_b], index.days[after_pos][point_a]])
        return period_series(event_days, all_covered, ref_num, step)

    inside_s, ring_s = series(b.inside, a.inside), series(b.ring, a.ring)
    exposure = (w_after.covered, w_before.covered)
    inside_rr = RateRatio.of(*ratemodels.rate_ratio(inside_s, unit),
                             _ratio(ia.low, ib.low, *exposure), _ratio(ia.high, ib.high, *exposure))
    ring_rr = RateRatio.of(*ratemodels.rate_ratio(ring_s, unit),
                           _ratio(ra.low, rb.low, *exposure), _ratio(ra.high, rb.high, *exposure))
    ror = RateRatio.of(*ratemodels.ratio_of_ratios(inside_s, ring_s, unit))
    its, refused = _its(series(b.inside, a.inside, 7), reference, all_covered)

    total = ib.incidents + ia.incidents
    if total < MIN_EVENTS:
        warnings.append(f"only {total} incidents inside the zone in both windows together: "
                        "too few to say whether violence changed")
    ambiguous = ib.ambiguous + ia.ambiguous
    if ambiguous:
        warnings.append(f"{ambiguous} incidents may lie on either side of the zone edge given "
                        "their location uncertainty; low–high bounds show their effect")
    if left_out:
        listed = ", ".join(f"{n} {t.lower()}" for t, n in left_out.items())
        warnings.append(f"non-violent events are left out of every count ({listed})")
    if its and its.ljung_box_p is not None and its.ljung_box_p < 0.05:
        warnings.append(f"the weekly residuals of the trend model are autocorrelated (Ljung–Box "
                        f"p = {its.ljung_box_p:.3f}): its intervals are likely too narrow")

    frame = index.frame.iloc[after_pos[a.inside]]
    datasets = sorted(set(index.frame.iloc[np.concatenate([before_pos[b.inside],
                                                           after_pos[a.inside]])]["dataset"]
                          .astype(str)) - {""})
    labels = side_labels(sorted(set(frame["dataset"].astype(str))))
    sides = [SideCount(labels[0], tally(frame["actor1"])), SideCount(labels[1], tally(frame["actor2"]))]
    by_place = tally(frame["place"], top=10, blank="unrecorded place")
    weeks = frame["date"].dt.to_period("W-SUN").dt.start_time.value_counts().sort_index()
    first = None
    if len(frame):  # the first one whose location is certain, else the first at all
        certain = a.inside_low[a.inside]
        row = frame.iloc[int(np.argmax(certain))] if certain.any() else frame.iloc[0]
        first = {"date": row["date"].date().isoformat(), "event_type": row["event_type"],
                 "actor1": row["actor1"], "actor2": row["actor2"], "place": row["place"],
                 "fatalities": None if pd.isna(row["fatalities"]) else int(row["fatalities"]),
                 "source": row["source"], "incident_id": str(row["incident_id"])}
    by_terms = None
    if terms is not None:
        by_terms = terms_counts(index, zone_index, zone_id, frame, terms, w_after.end, ring_km,
                                frozenset(non_violent))
        if by_terms is None:
            warnings.append(f"the terms file gives no agreement for zone '{zone_id}': incidents "
                            "are not classified")
    return Analysis(
        zone_id, name, reference, label, before_days, after_days, ring_km, w_before, w_after,
        ib, ia, rb, ra, inside_rr, ring_rr, ror, its, refused, sides, by_place,
        [(d.date(), int(c)) for d, c in weeks.items()], first, left_out, filters or {},
        warnings, datasets, by_terms,
    )


def _classify(incidents: pd.DataFrame, terms: Terms, non_violent: frozenset[str]) -> pd.DataFrame:
    """``dashboard.analysis.classify.classify``, imported here because it builds on this
    module (``NON_VIOLENT``); one seam, so tests can stand in for it."""
    from dashboard.analysis.classify import classify

    return classify(incidents, terms, non_violent)


def terms_counts(index: IncidentIndex, zone_index: ZoneIndex, zone_id: str,
                 inside_after: pd.DataFrame, terms: Terms, as_of: date, ring_km: float,
                 non_violent: frozenset[str] = frozenset()) -> TermsCounts | None:
    """``inside_after`` (violent incidents inside after R) counted by class, and the
    zone's agreements' commitments as of ``as_of``; None when no agreement names it."""
    from dashboard.analysis.commitments import commitment_statuses

    agreements = terms.for_zone(zone_id)
    if not agreements:
        return None
    classes = _classify(inside_after, terms, non_violent)["classification"]
    found = {c: int(n) for c, n in classes.value_counts().items()}
    commitments = [s for a in agreements
                   for s in commitment_statuses(index, zone_index, a, as_of, ring_km=ring_km)]
    return TermsCounts(agreements, found.get("violation", 0), found.get("permitted", 0),
                       found.get("unclear", 0), found.get("non_party", 0), found, as_of,
                       commitments, terms.source_file)


def _default_reference(zone_id, zones, milestones) -> tuple[date | None, str]:
    try:
        return reference_day(zone_id, zones, milestones)
    except ZoneWatchError:
        return None, ""


def _ratio(after: int, before: int, after_days: int, before_days: int) -> float | None:
    return None if before == 0 or after_days == 0 else (after / after_days) / (before / before_days)


def _its(weekly: Series, reference: date, covered: np.ndarray) -> tuple[ITS | None, str]:
    fit, refused = ratemodels.interrupted_time_series(weekly)
    if fit is None:
        return None, refused
    post = weekly.bins >= 0
    starts = [reference + timedelta(days=7 * int(b)) for b in weekly.bins]
    partial = int((weekly.exposure < 7).sum())
    used = (f"{int((~post).sum())} weeks before ({day_words(_date(covered.min()))} on) "
            f"and {int(post.sum())} from the reference day (to {day_words(_date(covered.max()))})")
    if partial:
        used += f"; {partial} part week(s) weighted by their covered days"
    return ITS(**{f.name: getattr(fit, f.name) for f in fields(fit)}, weeks=starts,
               exposure=weekly.exposure.astype(int).tolist(),
               observed=weekly.counts.astype(int).tolist(), weeks_used=used), ""
