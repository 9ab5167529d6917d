"""Stable roles of the map's traces, the one name code uses to find a trace.

A trace's legend label is for readers and changes with wording or data (escaping,
"Zone: " prefixes), so nothing finds a trace by it. Each map trace carries
``meta={"role": ROLE}``; the briefing export, the tests and the browser (assets/playback.js,
via the page's contract, see ``dashboard.app.layout``) look traces up by role.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

ZONES = "zones"                            # zone fills, one trace per status (legend)
ZONE_OUTLINES = "zone-outlines"            # zone outlines above the incidents, per status
ZONE_LABELS = "zone-labels"                # zone names (MapLibre text)
INCIDENTS = "incidents"                    # incident points, one trace per type (legend)
INCIDENTS_STACKED = "incidents-stacked"    # grey discs under points shared by incidents
INCIDENT_HOVER = "incident-hover"          # invisible hover targets of lone incidents
INCIDENTS_AT_POINT = "incidents-at-point"  # counts and hover lists of shared points
INCIDENTS_BINNED = "incidents-binned"      # hexagon counts (aggregated view)
TOWNS = "towns"                            # town dots and names
SELECTED_RING = "selected-ring"            # the clicked table row: hover ring
SELECTED = "selected"                      # the clicked table row: dot

#: Every role, by constant name: sent to the browser as it is.
ROLES: dict[str, str] = {name: value for name, value in globals().items()
                         if name.isupper() and isinstance(value, str)}

#: The incident layers (the legend's "types" group).
INCIDENT_ROLES = (INCIDENTS, INCIDENTS_STACKED, INCIDENT_HOVER, INCIDENTS_AT_POINT)

#: What browser playback hides and draws itself on its canvas: everything but the towns.
PLAYBACK_REPLACES = (ZONES, ZONE_OUTLINES, ZONE_LABELS, *INCIDENT_ROLES, INCIDENTS_BINNED,
                     SELECTED_RING, SELECTED)


def meta(role: str) -> dict[str, str]:
    """The ``meta`` a trace of this role carries."""
    if role not in ROLES.values():
        raise ValueError(f"unknown trace role {role!r}; add it to dashboard/views/roles.py")
    return {"role": role}


def role_of(trace: Any) -> str | None:
    """The role of a trace dict or graph object, or None for a trace without one."""
    try:
        value = trace["meta"]
    except (KeyError, TypeError):
        return None
    return value.get("role") if isinstance(value, dict) else None


def with_role(traces: Iterable[Any], *wanted: str) -> Iterator[Any]:
    """The traces whose role is one of ``wanted``, in their order."""
    return (t for t in traces if role_of(t) in wanted)


def first(traces: Iterable[Any], role: str) -> Any | None:
    """The first trace of this role, or None."""
    return next(with_role(traces, role), None)
