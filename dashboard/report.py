"""The ceasefire analysis as a document: Markdown, CSV or JSON.

Numbers come from ``stats.before_after`` only, so the report, the dashboard panel
and the sentence can never disagree.
"""

from __future__ import annotations

import csv
import html
import io
import json

from dashboard.stats import Analysis, Count, RateRatio


def _n(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def table_rows(a: Analysis) -> list[dict]:
    """One row per area and window, plus the ratios: the report's main table."""
    rows = []
    for area, before, after, rr in (("inside zone", a.inside_before, a.inside_after, a.inside_rr),
                                    (f"ring 0–{a.ring_km:g} km", a.ring_before, a.ring_after,
                                     a.ring_rr)):
        rows.append({
            "area": area,
            "incidents_before": before.incidents, "incidents_after": after.incidents,
            "low_before": before.low, "high_before": before.high,
            "low_after": after.low, "high_after": after.high,
            "fatalities_before": before.fatalities, "fatalities_after": after.fatalities,
            "rate_ratio": rr.ratio, "ci_low": rr.lo, "ci_high": rr.hi,
        })
    return rows


def _md(text: object) -> str:
    """Data inside Markdown stays text: no HTML, no table-breaking pipes."""
    return html.escape(str(text), quote=False).replace("|", "\\|")


def to_markdown(a: Analysis) -> str:
    lines = [
        f"# Ceasefire report: {_md(a.zone_name)}",
        "",
        f"Reference day **{a.reference:%-d %b %Y}** ({_md(a.reference_label)}); "
        f"{a.before_days} days before against {a.after_days} days from that day on; "
        f"comparison ring 0–{a.ring_km:g} km outside the zone.",
        "",
        _md(a.sentence()),
        "",
        "| area | before | after | rate ratio (95% CI) | fatalities before → after |",
        "|---|---:|---:|---|---:|",
    ]

    def cell(count: Count) -> str:
        bounds = "" if count.low == count.high else f" ({count.low}–{count.high})"
        return f"{count.incidents}{bounds}"

    def ratio(rr: RateRatio) -> str:
        return "–" if rr.ratio is None else f"{rr.ratio:.2f} ({_n(rr.lo)}–{_n(rr.hi)})"

    lines.append(f"| inside the zone | {cell(a.inside_before)} | {cell(a.inside_after)} | "
                 f"{ratio(a.inside_rr)} | {a.inside_before.fatalities} → "
                 f"{a.inside_after.fatalities} |")
    lines.append(f"| ring 0–{a.ring_km:g} km | {cell(a.ring_before)} | {cell(a.ring_after)} | "
                 f"{ratio(a.ring_rr)} | {a.ring_before.fatalities} → {a.ring_after.fatalities} |")
    lines.append(f"| inside relative to ring | | | {ratio(a.ratio_of_ratios)} | |")
    lines += ["", "Counts in brackets: ambiguous locations left out – all counted in."]
    if a.its:
        lines += ["", "## Interrupted time series (weekly counts)", "",
                  f"{a.its.model} regression: level change at the reference day ×"
                  f"{a.its.level_irr:.2f} (95% CI {a.its.level_ci[0]:.2f}–{a.its.level_ci[1]:.2f}); "
                  f"trend change ×{a.its.slope_irr:.3f} per week (95% CI "
                  f"{a.its.slope_ci[0]:.3f}–{a.its.slope_ci[1]:.3f})."]
    lines += ["", "## Incidents inside the zone after the reference day", "",
              "By actor 1 (UCDP's side A is not necessarily the side that fired first):", ""]
    lines += [f"- {_md(actor)}: {n}" for actor, n in a.by_actor] or ["- none"]
    lines += ["", "By place:", ""]
    lines += [f"- {_md(place)}: {n}" for place, n in a.by_place] or ["- none"]
    if a.first_violation:
        fv = a.first_violation
        lines += ["", _md(f"First recorded: {fv['date']}, {fv['event_type']}, {fv['place']} "
                          f"({fv['actor1']} vs {fv['actor2']}); source: {fv['source']}; id "
                          f"{fv['incident_id']}.")]
    if a.filters:
        lines += ["", "Active filters: " + _md("; ".join(f"{k}: {v}" for k, v in a.filters.items()))]
    if a.warnings:
        lines += ["", "## Caveats", ""] + [f"- {w}" for w in a.warnings]
    lines += ["", "Zone boundaries are approximate. Data: " + _md(", ".join(a.sources) or "–") + "."]
    return "\n".join(lines) + "\n"


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
    return json.dumps(a.to_dict(), default=str, ensure_ascii=False, indent=2)


RENDERERS = {"md": to_markdown, "csv": to_csv, "json": to_json}
