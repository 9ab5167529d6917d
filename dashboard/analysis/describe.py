"""Plain-text descriptions of a dataset, for ``zonewatch info`` and logs."""

from __future__ import annotations

import pandas as pd


def plural(n: int, noun: str, nouns: str | None = None) -> str:
    """"1 zone", "2 zones", "1,204 incidents"."""
    return f"{n:,} {noun if n == 1 else nouns or noun + 's'}"


def zones_phrase(zones: int, versions: int) -> str:
    """Zones counted as zones, with their versions when there are more versions than
    zones: "1 zone (2 versions)", "3 zones"."""
    text = plural(zones, "zone")
    return text if versions == zones else f"{text} ({plural(versions, 'version')})"


def _day(value) -> str:
    return "open" if pd.isna(value) else pd.Timestamp(value).strftime("%Y-%m-%d")


def describe(data) -> str:
    """Zones with their versions, then incidents with count, span and types."""
    zones, inc = data.zones, data.incidents
    lines = [f"Zones: {zones['zone_id'].nunique()} zones, {len(zones)} versions"]
    for zone_id, versions in zones.groupby("zone_id", sort=False):
        lines.append(f"  {zone_id} — {versions['name'].iloc[0]}")
        for row in versions.itertuples(index=False):
            lines.append(f"    v{row.version}  {_day(row.valid_from)} .. {_day(row.valid_to)}  "
                         f"{row.status:<10} boundary {row.boundary_precision}")
    if len(data.milestones):
        lines.append(f"Milestones: {len(data.milestones)}")
    label = " (SYNTHETIC)" if data.synthetic else ""
    lines.append(f"Incidents{label}: {len(inc):,}")
    if len(inc):
        lines.append(f"  dates: {_day(inc['date'].min())} .. {_day(inc['date'].max())}")
        lines.append(f"  fatalities: {int(inc['fatalities'].fillna(0).sum()):,}")
        lines.append(f"  inside a zone on their date: {int(inc['zone_id'].notna().sum()):,} "
                     f"({int(inc['ambiguous'].sum()):,} ambiguous near an edge)")
        lines.append("  types: " + ", ".join(f"{t} {c:,}" for t, c in
                                             inc["event_type"].value_counts().items()))
        lines.append("  datasets: " + ", ".join(f"{t} {c:,}" for t, c in
                                                inc["dataset"].value_counts().items()))
        if "cluster" in inc.columns and inc["dataset"].nunique() > 1:
            events = int(inc["cluster"].nunique())
            twice = len(inc) - events
            told = ("1 report is likely a duplicate" if twice == 1
                    else f"{twice:,} reports are likely duplicates")
            lines.append(f"  counted once across sources: {events:,} events ({told} of "
                         "another source's; the counts above count every report)")
    lines.append("Sources: " + ", ".join(data.sources))
    return "\n".join(lines)
