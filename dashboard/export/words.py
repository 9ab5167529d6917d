"""The words on a briefing image: title, filters, sources and the zone's numbers.

Plain text from the view and its state (no plotly); the figure escapes and wraps it.
"""

from __future__ import annotations

import textwrap
from dataclasses import replace

from dashboard.analysis import filterspec
from dashboard.analysis.viewdata import ViewData
from dashboard.analysis.viewstate import ViewState
from dashboard.core.formats import day_words

DATASET_CITATIONS = {
    "UCDP GED": "UCDP Georeferenced Event Dataset 19.1 (Sundberg & Melander 2013, J. Peace "
                "Research 50(4); Högbladh 2019, UCDP GED Codebook 19.1)",
    "SYNTHETIC": "SYNTHETIC incidents made by 'zonewatch synth': not real events",
}


def _zone_names(view: ViewData, zone_ids) -> list[str]:
    names = view.zone_names()
    return [names.get(z, z) for z in zone_ids]


def default_title(view: ViewData, state: ViewState) -> str:
    """'Airstrike incidents in Northern Homs countryside', 'Incidents and ceasefire zones'."""
    what = "Incidents"
    if state.types and len(state.types) <= 2:
        what = f"{' and '.join(state.types)} incidents"
    if state.zones:
        where = " and ".join(_zone_names(view, state.zones)[:3])
        more = f" (+{len(state.zones) - 3} more)" if len(state.zones) > 3 else ""
        return f"{what} in {where}{more}"
    if state.actors and len(state.actors) == 1:
        return f"{what} involving {state.actors[0]}"
    return f"{what} and ceasefire zones" if view.zones is not None and len(view.zones) else what


def filter_words(view: ViewData, state: ViewState) -> list[str]:
    """Every active filter (``filterspec.FILTERS``) as 'Label: values', zones by name."""
    return [f"{spec.label}: " + (", ".join(_zone_names(view, getattr(state, spec.name)))
                                 if getattr(spec, "column", None) == "zone" else spec.words(state))
            for spec in filterspec.FILTERS if spec.active(state)]


def counting_words(view: ViewData, state: ViewState) -> str | None:
    """"duplicates across sources counted once" while ``select`` counts each cluster
    once (the count line says the same), else None."""
    return "duplicates across sources counted once" if view.index.counts_once(state) else None


#: Each base layer's credit (together: ``dashboard.views.baselayers.ATTRIBUTION``).
BASE_CREDITS = {
    "countries": "Country outlines: Natural Earth.",
    "admin1": "Governorates: geoBoundaries / UNCS & UN OCHA (CC BY 3.0 IGO).",
    "admin2": "Districts: OCHA COD-AB.",
    "towns": "Places: GeoNames (CC BY 4.0).",
}


def attribution(view: ViewData, zones, datasets: list[str],
                base: list[str] | tuple[str, ...] = tuple(BASE_CREDITS)) -> str:
    """Sources of what the image shows, as one paragraph: the ``zones`` rows' citations,
    the incident ``datasets`` and the ``base`` layers (keys of ``BASE_CREDITS``)."""
    parts = []
    if len(zones):
        sources = list(dict.fromkeys(s for s in zones["source"].astype(str) if s and s != "nan"))
        approx = (zones["boundary_precision"] == "approximate").any()
        lead = "Zone boundaries are approximate. " if approx else ""
        parts.append(f"{lead}Zones: {'; '.join(sources) or 'no source given'}.")
    if datasets:
        cited = [DATASET_CITATIONS.get(d, d) for d in datasets]
        parts.append(f"Incidents: {'; '.join(cited)}.")
    parts += [BASE_CREDITS[name] for name in BASE_CREDITS if name in base]
    return " ".join(parts)


def wrap(text: str, width_px: float, font_px: float, max_lines: int | None = None) -> list[str]:
    """Lines of ``text`` that fit ``width_px`` at ``font_px`` (average glyph ~0.53 em)."""
    chars = max(10, int(width_px / (0.53 * font_px)))
    lines = textwrap.wrap(text, chars, break_long_words=True, break_on_hyphens=False) or [""]
    if max_lines and len(lines) > max_lines:
        lines = [*lines[:max_lines - 1], textwrap.shorten(" ".join(lines[max_lines - 1:]),
                                                          chars, placeholder=" …")]
    return lines


def numbers_block(view: ViewData, state: ViewState) -> tuple[list[str], str] | None:
    """The zone panel's numbers for the selected zone: short lines for a slide and the
    before/after paragraph (None: no zone to analyse)."""
    from dashboard.analysis.ceasefire import before_after, zone_to_analyse
    from dashboard.core.errors import ZoneWatchError

    zone_id = zone_to_analyse(view.zones, None, state.zones)
    if zone_id is None or view.dataset.zone_index is None:
        return None
    free = replace(state, zones=())
    try:
        a = before_after(view.index, view.zones, view.dataset.zone_index,
                         view.dataset.milestones, zone_id,
                         positions=view.index.select(free, ignore_window=True),
                         filters=free.active_filters(), terms=view.terms)
    except ZoneWatchError as err:
        return [f"Before/after numbers not available: {err}"], ""

    from dashboard.export.ceasefire_report import ratio_cell

    days = (f"{a.before_days} days either side of" if a.before_days == a.after_days
            else f"{a.before_days} days before, {a.after_days} from")
    lines = [f"{a.zone_name}, {days} {day_words(a.reference)}",
             f"Inside: {a.inside_before.incidents:,} → {a.inside_after.incidents:,} "
             f"violent incidents, ×{ratio_cell(a.inside_rr)}",
             f"0–{a.ring_km:g} km ring: {a.ring_before.incidents:,} → "
             f"{a.ring_after.incidents:,}, ×{ratio_cell(a.ring_rr)}",
             f"Inside vs ring: ×{ratio_cell(a.ratio_of_ratios)}"]
    lines += [w.words()[0].upper() + w.words()[1:] for w in (a.before_window, a.after_window)
              if w.words()]
    if a.inside_rr.location_words():
        lines.append(f"Inside ratio {a.inside_rr.location_words()}")
    lines.append("95% CI: negative binomial, per covered day" if a.inside_rr.method.startswith(
        "negative") else f"Interval: {a.inside_rr.method.split(' (')[0]}")
    from dashboard.analysis.verdict import sentence

    return lines, sentence(a)


def terms_lines(view: ViewData, state: ViewState) -> list[str] | None:
    """A short terms summary for the chosen zone: violations of all incidents shown there,
    the exemptions, the agreement and its source (None: no terms or no zone they name)."""
    from dashboard.analysis.aggregate import class_count

    if view.terms is None or not state.zones:
        return None
    agreements = [a for z in state.zones for a in view.terms.for_zone(z)]
    if not agreements:
        return None
    positions = view.index.select(state)
    violations = class_count(view.index, positions)
    if violations is None:
        return None
    lines = [f"Violations: {violations:,} of {len(positions):,} incidents shown"]
    for a in dict.fromkeys(agreements):
        at = f" {a.in_effect:%H:%M}" if a.starts_at_a_time else ""
        lines.append(f"{a.name}, {day_words(a.first_day)}{at} ({a.source or 'no source'})")
        lines += [f"Not covered: {e.name}" + (f" from {day_words(e.start)}" if e.start else "")
                  + (f" to {day_words(e.until)}" if e.until else "") for e in a.exempt]
        if not a.parties:
            lines.append("Parties not reported: violations not called")
    return lines
