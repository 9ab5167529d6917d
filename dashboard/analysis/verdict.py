"""The ceasefire analysis in words: a plain headline first, then the paragraph for a brief.

Every number comes from the ``Analysis``; the words only say what its intervals
allow: "rose" or "fell" when the 95% interval lies on one side of 1, "could be
chance" when it includes 1, and "the location data cannot settle it" when almost
every incident may lie on either side of the zone edge.
"""

from __future__ import annotations

from dashboard.analysis.ceasefire import MIN_EVENTS, MOSTLY_AMBIGUOUS, Analysis, Count, RateRatio, TermsCounts
from dashboard.analysis.ratemodels import fmt
from dashboard.core.agreements import Exemption
from dashboard.core.formats import day_words

FRACTIONS = [(0.1, "a tenth"), (0.2, "a fifth"), (0.25, "a quarter"), (1 / 3, "a third"),
             (0.5, "half"), (2 / 3, "two thirds"), (0.75, "three quarters")]


def change_words(ratio: float) -> str:
    """'rose by about two thirds', 'fell by about half', 'about doubled', 'barely changed'."""
    change = abs(ratio - 1)
    if change < 0.1:
        return "barely changed"
    if ratio >= 1.9:
        if ratio < 2.25:
            return "about doubled"
        return f"rose to about {ratio:.0f} times its earlier rate" if ratio >= 2.75 else \
            "rose to about two and a half times its earlier rate"
    if ratio < 1 and change >= 0.85:
        return f"fell by about {round(change * 20) * 5}%"
    words = min(FRACTIONS, key=lambda f: abs(f[0] - change))[1]
    return f"{'rose' if ratio > 1 else 'fell'} by about {words}"


def _counts(after: Count, before: Count, a: Analysis) -> str:
    if a.after_window.covered == a.before_window.covered:
        return f"{after.incidents} against {before.incidents} incidents"
    return (f"{after.incidents} incidents in {a.after_window.covered} days against "
            f"{before.incidents} in {a.before_window.covered}")


def _certainty(rr: RateRatio) -> str:
    if rr.lo is None or rr.hi is None:
        return ""
    if rr.lo > 1 or rr.hi < 1:
        return "more than chance would explain"
    return "but that could be chance"


def headline(a: Analysis) -> str:
    """One or two sentences a non-statistician reads at once."""
    ib, ia = a.inside_before, a.inside_after
    total = ib.incidents + ia.incidents
    ambiguous, reach = ib.ambiguous + ia.ambiguous, ib.high + ia.high
    if total and ambiguous >= MOSTLY_AMBIGUOUS * reach and not _location_agrees(a.inside_rr):
        return (f"The location data cannot settle whether violence inside changed: {ambiguous} of "
                f"{reach} incidents near the zone may lie on either side of its edge.")
    if total == 0:
        return "No violent incidents were recorded inside the zone in either window."
    if ib.incidents == 0:
        return (f"Violence inside rose from none recorded in the {a.before_window.covered} days "
                f"before to {ia.incidents} incidents in the {a.after_window.covered} days after.")
    if ia.incidents == 0:
        return (f"No violent incidents were recorded inside in the {a.after_window.covered} days "
                f"after, against {ib.incidents} in the {a.before_window.covered} days before.")
    rr = a.inside_rr
    text = f"Violence inside {change_words(rr.ratio)} ({_counts(ia, ib, a)})"
    sure = _certainty(rr)
    text += f", {sure}" if sure else ""
    text += _ring_clause(a) + "."
    if rr.location_words() and not _location_agrees(rr):
        text += (f" Where the incidents with uncertain locations really happened could reverse "
                 f"that ({rr.location_words()}).")
    if total < MIN_EVENTS:
        text += f" With only {total} incidents, the counts are too small to say for sure."
    return text


def _location_agrees(rr: RateRatio) -> bool:
    """Do the low/low and high/high ratios point the same way (both above or both below 1)?"""
    if rr.low_ratio is None or rr.high_ratio is None:
        return False
    return (rr.low_ratio - 1) * (rr.high_ratio - 1) > 0


def _ring_clause(a: Analysis) -> str:
    inside, ring, ror = a.inside_rr, a.ring_rr, a.ratio_of_ratios
    if ring.ratio is None or ror.ratio is None or ror.lo is None or ror.hi is None:
        return ""
    if ror.hi < 1:
        return "; relative to the ring outside, the zone did better than its surroundings"
    if ror.lo > 1:
        return "; relative to the ring outside, the zone did worse than its surroundings"
    ring_words = change_words(ring.ratio)
    if inside.ratio >= 1 and ring.ratio > inside.ratio:
        return f"; the ring outside rose more ({ring_words}), so the zone did no worse than its surroundings"
    if inside.ratio <= 1 and ring.ratio < inside.ratio:
        return f"; the ring outside fell more ({ring_words}), so the drop was not special to the zone"
    return f"; the ring outside {ring_words}, and the difference between the two could be chance"


def _bounds(count: Count) -> str:
    return "" if count.low == count.high else f" ({count.low}–{count.high} allowing for location uncertainty)"


def _rr_words(rr: RateRatio) -> str:
    text = rr.words()
    extra = [rr.location_words()] if rr.location_words() else []
    if rr.poisson_lo is not None and rr.ratio is not None and rr.one_sided is None \
            and not rr.method.startswith("exact"):
        extra.append(f"exact Poisson {fmt(rr.poisson_lo)}–{fmt(rr.poisson_hi)}")
    return text + (f"; {'; '.join(extra)}" if extra else "")


def details(a: Analysis) -> str:
    """The paragraph behind the headline. Every number comes from ``a``."""
    when = day_words(a.reference)
    after_days = (f"{a.after_window.covered} days" if a.after_window.covered == a.after_days
                  else f"{a.after_window.covered} covered days (of {a.after_days})")
    before_days = (f"{a.before_window.covered} days" if a.before_window.covered == a.before_days
                   else f"{a.before_window.covered} covered days (of {a.before_days})")
    text = (
        f"In the {after_days} from {when} in {a.zone_name}, {a.inside_after.incidents} violent "
        f"incidents{_bounds(a.inside_after)} were recorded inside the zone against "
        f"{a.inside_before.incidents}{_bounds(a.inside_before)} in the {before_days} before "
        f"({_rr_words(a.inside_rr)}); in the {a.ring_km:g} km ring outside, "
        f"{a.ring_after.incidents} against {a.ring_before.incidents} ({_rr_words(a.ring_rr)})."
    )
    ror = a.ratio_of_ratios
    if ror.defined:
        value = fmt(ror.ratio) if ror.ratio is not None else ror.interval_words()
        interval = f", {ror.interval_words()}" if ror.ratio is not None else ""
        text += f" Relative to the ring, the change inside was {value}{interval}."
    cut = [w.words() for w in (a.before_window, a.after_window) if w.words()]
    if cut:
        text += "".join(f" {c[0].upper()}{c[1:]}." for c in cut)
    text += f" Intervals: {a.inside_rr.method}."
    if a.first_violation:
        fv = a.first_violation
        text += (f" The first violent incident recorded inside on or after that day was on "
                 f"{day_words(fv['date'])} ({fv['event_type']}, "
                 f"{fv['place'] or 'place unrecorded'}; source: {fv['source'] or 'not given'}).")
    if a.non_violent_left_out:
        n = sum(a.non_violent_left_out.values())
        text += f" {n} non-violent event{'s' if n > 1 else ''} left out of the counts."
    if a.filters:
        text += " Filters: " + "; ".join(f"{k}: {v}" for k, v in a.filters.items()) + "."
    return text + terms_words(a)


def exemption_words(exemption: Exemption) -> str:
    """"strikes on Hay'at Tahrir al-Sham from 10 Sep 2017 are not counted as violations"
    (the exemption's first and last days both count)."""
    when = ""
    if exemption.start and exemption.until:
        when = f" from {day_words(exemption.start)} to {day_words(exemption.until)}"
    elif exemption.start:
        when = f" from {day_words(exemption.start)}"
    elif exemption.until:
        when = f" until {day_words(exemption.until)}"
    return f"strikes on {exemption.name}{when} are not counted as violations"


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def terms_words(a: Analysis) -> str:
    """What the terms make of the violent incidents inside after R, naming the
    exemptions; '' without terms."""
    t: TermsCounts | None = a.terms
    if t is None:
        return ""
    names = " and ".join(ag.name for ag in t.agreements)
    parts = [_plural(t.violations, "violation", "violations"),
             _plural(t.permitted, "permitted strike on an exempt group",
                     "permitted strikes on exempt groups"),
             f"{t.unclear} unclear", f"{t.non_party} with no party involved"]
    rest = sum(n for c, n in t.classes.items()
               if c not in ("violation", "permitted", "unclear", "non_party"))
    if rest:
        parts.append(f"{rest} outside the agreement's zones or days")
    text = (f" Under the terms of the {names}, the {a.inside_after.incidents} violent incidents "
            f"inside from {day_words(a.reference)} were {', '.join(parts[:-1])} and {parts[-1]}.")
    exemptions = [exemption_words(e) for ag in t.agreements for e in ag.exempt]
    if exemptions:
        joined = "; ".join(exemptions)
        text += f" {joined[0].upper()}{joined[1:]}."
    return text


def sentence(a: Analysis) -> str:
    """The headline and the paragraph, as copied into a brief."""
    return f"{headline(a)} {details(a)}"
