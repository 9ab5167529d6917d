"""The ceasefire analysis as a document: Markdown, CSV or JSON.

Numbers come from ``stats.before_after`` only, so the report, the dashboard panel
and the sentence can never disagree.
"""

from __future__ import annotations

import csv
import io
import json

from dashboard.analysis.ceasefire import Analysis, Count, RateRatio, TermsCounts
from dashboard.analysis.commitments import CommitmentStatus
from dashboard.analysis.ratemodels import fmt
from dashboard.analysis.verdict import details, exemption_words, headline, sentence
from dashboard.core.agreements import Agreement
from dashboard.core.formats import day_words

UNCERTAINTY_NOTE = ("Counts in brackets: only incidents whose whole location-uncertainty radius "
                    "lies in the area – every incident whose radius reaches it.")


def table_rows(a: Analysis) -> list[dict]:
    """One row per area and window, plus the ratios: the report's main table."""
    rows = []
    for area, before, after, rr in (("inside zone", a.inside_before, a.inside_after, a.inside_rr),
                                    (f"ring 0–{a.ring_km:g} km", a.ring_before, a.ring_after,
                                     a.ring_rr)):
        rows.append({
            "area": area,
            "days_before": a.before_window.covered, "days_after": a.after_window.covered,
            "incidents_before": before.incidents, "incidents_after": after.incidents,
            "low_before": before.low, "high_before": before.high,
            "low_after": after.low, "high_after": after.high,
            "fatalities_before": before.fatalities, "fatalities_after": after.fatalities,
            "rate_ratio": rr.ratio, "ci_low": rr.lo, "ci_high": rr.hi, "one_sided": rr.one_sided,
            "method": rr.method, "poisson_ci_low": rr.poisson_lo, "poisson_ci_high": rr.poisson_hi,
            "ratio_low_counts": rr.low_ratio, "ratio_high_counts": rr.high_ratio,
        })
    return rows


MD_SPECIAL = set("\\`*_[]<>|~&")  # with [ ] escaped, ( ) and ! cannot make a link or image


def md_text(text: object) -> str:
    """Data inside Markdown stays text: every character that could start a link, an
    image, emphasis, code, HTML, an entity or a table cell is backslash-escaped, so is a
    first character that could start a heading, list or rule; autolinks are broken and
    line breaks become spaces."""
    flat = " ".join(str(text).split())
    out = "".join(f"\\{c}" if c in MD_SPECIAL else c for c in flat)
    out = out.replace("://", ":\\/\\/").replace("www.", "www\\.")
    if out[:1] in ("-", "+", "=", "#"):
        out = "\\" + out
    digits = len(out) - len(out.lstrip("0123456789"))
    if 0 < digits < 10 and out[digits:digits + 1] in (".", ")"):  # "1. " opens a list
        out = f"{out[:digits]}\\{out[digits:]}"
    return out


_md = md_text


def ratio_cell(rr: RateRatio) -> str:
    """'1.60 (0.96–2.68)', '≥ 2.10', '0 (≤ 0.31)' or '–'."""
    if rr.one_sided == "lower":
        return f"≥ {fmt(rr.lo)}"
    if rr.one_sided == "upper":
        return f"{fmt(rr.ratio)} (≤ {fmt(rr.hi)})"
    if rr.ratio is None:
        return "–"
    return f"{fmt(rr.ratio)} ({fmt(rr.lo)}–{fmt(rr.hi)})"


def secondary_cell(rr: RateRatio) -> str:
    """Exact Poisson interval and the low/high-count ratios, when they differ."""
    parts = []
    if rr.poisson_lo is not None and not rr.method.startswith("exact"):
        parts.append(f"exact Poisson {fmt(rr.poisson_lo)}–{fmt(rr.poisson_hi)}")
    if rr.location_words():
        parts.append(rr.location_words().replace(" allowing for location uncertainty",
                                                 " by location"))
    return "; ".join(parts)


def count_cell(count: Count) -> str:
    bounds = "" if count.low == count.high else f" ({count.low}–{count.high})"
    return f"{count.incidents}{bounds}"


def its_words(a: Analysis) -> str:
    its = a.its
    if its is None:
        return f"Not fitted: {a.its_refused}."
    text = (f"{its.model[0].upper()}{its.model[1:]} regression of weekly counts (covered days as "
            f"exposure): level change at the reference day ×{its.level_irr:.2f} (95% CI "
            f"{its.level_ci[0]:.2f}–{its.level_ci[1]:.2f}); trend change ×{its.slope_irr:.3f} per "
            f"week (95% CI {its.slope_ci[0]:.3f}–{its.slope_ci[1]:.3f}). Weeks used: "
            f"{its.weeks_used}.")
    if its.ljung_box_p is not None:
        text += (f" Ljung–Box test of the residuals: p = {its.ljung_box_p:.3f}"
                 + (" (autocorrelated: the intervals are likely too narrow)."
                    if its.ljung_box_p < 0.05 else " (no autocorrelation detected)."))
    return text


def to_markdown(a: Analysis) -> str:
    windows = (f"{a.before_days} days before (covering {a.before_window.covered}) against "
               f"{a.after_days} days from that day on (covering {a.after_window.covered})")
    lines = [
        f"# Ceasefire report: {_md(a.zone_name)}",
        "",
        f"**{_md(headline(a))}**",
        "",
        f"Reference day **{day_words(a.reference)}** ({_md(a.reference_label)}); {windows}; "
        f"comparison ring 0–{a.ring_km:g} km outside the zone.",
        "",
        _md(details(a)),
        "",
        "| area | days covered before / after | before | after | rate ratio (95% CI) | "
        "secondary | fatalities before → after |",
        "|---|---|---:|---:|---|---|---:|",
    ]
    for area, before, after, rr in (("inside the zone", a.inside_before, a.inside_after,
                                     a.inside_rr),
                                    (f"ring 0–{a.ring_km:g} km", a.ring_before, a.ring_after,
                                     a.ring_rr)):
        lines.append(f"| {area} | {a.before_window.covered} / {a.after_window.covered} | "
                     f"{count_cell(before)} | {count_cell(after)} | {ratio_cell(rr)} | "
                     f"{secondary_cell(rr)} | {before.fatalities} → {after.fatalities} |")
    lines.append(f"| inside relative to ring | | | | {ratio_cell(a.ratio_of_ratios)} | "
                 f"{secondary_cell(a.ratio_of_ratios)} | |")
    lines += ["", UNCERTAINTY_NOTE,
              f"Rate ratios: {_md(a.inside_rr.method)}; per covered day. Inside relative to ring: "
              f"{_md(a.ratio_of_ratios.method)}.",
              "", "## Interrupted time series (weekly counts)", "", _md(its_words(a))]
    lines += ["", "## Violent incidents inside the zone after the reference day"]
    for side in a.sides:
        lines += ["", f"By {_md(side.label)} (as the source records it; not necessarily the side "
                      "that fired first):", ""]
        lines += [f"- {_md(actor)}: {n}" for actor, n in side.counts] or ["- none"]
    lines += ["", "By place:", ""]
    lines += [f"- {_md(place)}: {n}" for place, n in a.by_place] or ["- none"]
    if a.first_violation:
        fv = a.first_violation
        lines += ["", _md(f"First recorded: {fv['date']}, {fv['event_type']}, {fv['place']} "
                          f"({fv['actor1']} vs {fv['actor2']}); source: {fv['source']}; id "
                          f"{fv['incident_id']}.")]
    if a.filters:
        lines += ["", "Active filters: " + _md("; ".join(f"{k}: {v}" for k, v in a.filters.items()))]
    if a.terms is not None:
        lines += ["", *terms_lines(a.terms)]
    if a.warnings:
        lines += ["", "## Caveats", ""] + [f"- {_md(w)}" for w in a.warnings]
    lines += ["", "Zone boundaries are approximate. Data: " + _md(", ".join(a.sources) or "–") + "."]
    return "\n".join(lines) + "\n"


def _source(text: str) -> str:
    return f"source: {_md(text) if text else 'not given'}"


def agreement_lines(ag: Agreement) -> list[str]:
    """One agreement: when, who is bound, who is left out, each with its source."""
    when = day_words(ag.first_day) + (f" {ag.in_effect:%H:%M}" if ag.starts_at_a_time else "")
    ends = f" to {day_words(ag.ends)}" if ag.ends else ""
    lines = [f"**{_md(ag.name)}** ({_md(ag.id)}), in effect from {when}{ends}; "
             f"{_source(ag.source)}.", "", "Parties:", ""]
    lines += [f"- {_md(p.name)} ({_md(p.side)})"
              + (f": also {_md(', '.join(p.aliases))}" if p.aliases else "") for p in ag.parties]
    if not ag.parties:
        lines.append(f"- parties not reported{': ' + _md(ag.parties_note) if ag.parties_note else ''}")
    elif ag.parties_note:
        lines.append(f"- note: {_md(ag.parties_note)}")
    lines += ["", "Exemptions:", ""]
    lines += [f"- {_md(e.name)}" + (f" (also {_md(', '.join(e.aliases))})" if e.aliases else "")
              + f": {_md(exemption_words(e))}; {_source(e.source)}" for e in ag.exempt] \
        or ["- none"]
    return lines


def commitment_line(c: CommitmentStatus) -> str:
    """'- aid: Food ... (due 7 Aug 2017): **kept**, first evidence 5 Aug 2017 (ids ...)'."""
    due = f" (due {day_words(c.due)})" if c.due else ""
    text = f"- {_md(c.id)}: {_md(c.text)}{due}: **{c.status.replace('_', ' ')}**"
    if c.status_day:
        text += f" by {_md(c.status_source)}, {day_words(c.status_day)}"
    if c.first_evidence:
        ids = ", ".join(c.evidence_ids[:5]) + (f" and {len(c.evidence_ids) - 5} more"
                                               if len(c.evidence_ids) > 5 else "")
        text += f"; first evidence {day_words(c.first_evidence)} (incidents {_md(ids)})"
    return f"{text}; {_source(c.source)}"


def terms_lines(t: TermsCounts) -> list[str]:
    """The report's Terms section: the agreements, the class counts and the commitments."""
    lines = ["## Terms", ""]
    for ag in t.agreements:
        lines += [*agreement_lines(ag), ""]
    lines += ["Violent incidents inside the zone after the reference day, by the terms: "
              f"{t.violations} violations, {t.permitted} permitted, {t.unclear} unclear, "
              f"{t.non_party} with no party involved.", "",
              f"Commitments as of {day_words(t.as_of)} (kept: evidence on or before the due day; "
              "late: first evidence after it; no evidence: none yet in or near the zone):", ""]
    lines += [commitment_line(c) for c in t.commitments] or ["- none listed"]
    if t.source_file:
        lines += ["", f"Terms file: {_md(t.source_file)}."]
    return lines


def to_csv(a: Analysis) -> str:
    from dashboard.io.writers import inert

    buffer = io.StringIO()
    rows = table_rows(a)
    writer = csv.DictWriter(buffer, fieldnames=["zone_id", "reference", *rows[0]])
    writer.writeheader()
    for row in rows:
        writer.writerow({k: inert(v) for k, v in {"zone_id": a.zone_id,
                                                  "reference": a.reference.isoformat(),
                                                  **row}.items()})
    return buffer.getvalue()


def to_json(a: Analysis) -> str:
    data = {**a.to_dict(), "headline": headline(a), "sentence": sentence(a)}
    return json.dumps(data, default=str, ensure_ascii=False, indent=2)


RENDERERS = {"md": to_markdown, "csv": to_csv, "json": to_json}
