"""Colours that never shuffle: fixed per status and per event type, colour-blind safe.

Event types get Okabe–Ito colours; well-known types have their own fixed slot and
any other type takes a slot from a hash of its name, so filtering never changes a
type's colour.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

from dashboard.analysis.filterspec import CLASS_LABELS

# Okabe & Ito (2008) plus Paul Tol's muted set for more slots.
OKABE_ITO = ["#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7",
             "#000000"]
TOL_MUTED = ["#332288", "#88CCEE", "#44AA99", "#117733", "#999933", "#DDCC77", "#CC6677",
             "#882255", "#AA4499"]
_SLOTS = OKABE_ITO[:7] + TOL_MUTED

KNOWN_TYPES = {
    "State-based conflict": "#D55E00",
    "Non-state conflict": "#0072B2",
    "One-sided violence": "#CC79A7",
    "Airstrike": "#332288",
    "Shelling": "#E69F00",
    "Armed clash": "#0072B2",
    "Battles": "#0072B2",
    "Explosions/Remote violence": "#D55E00",
    "Violence against civilians": "#CC79A7",
    "Aid convoy": "#009E73",
    "Checkpoint": "#56B4E9",
    "Detention": "#882255",
    "Evacuation": "#999933",
    "Protests": "#44AA99",
    "Riots": "#DDCC77",
    "Strategic developments": "#88CCEE",
    "Agreement": "#117733",
}

STATUS_COLOURS = {
    "declared": "#88CCEE",
    "in_effect": "#009E73",
    "violated": "#E69F00",
    "collapsed": "#AA3377",
}
STATUS_LABELS = {"declared": "Declared", "in_effect": "In effect", "violated": "Violated",
                 "collapsed": "Collapsed"}
OTHER_STATUS = "#777777"


def type_colour(event_type: str) -> str:
    if event_type in KNOWN_TYPES:
        return KNOWN_TYPES[event_type]
    return _SLOTS[zlib.crc32(event_type.encode("utf-8")) % len(_SLOTS)]


def status_colour(status: str) -> str:
    return STATUS_COLOURS.get(status, OTHER_STATUS)


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status.replace("_", " ").capitalize())


#: One colour per class under the agreement terms (Okabe–Ito: told apart with the common
#: colour-vision deficiencies; the grave ones strong, "outside" grey), in legend order.
CLASS_COLOURS = {
    "violation": "#D55E00",    # vermillion
    "permitted": "#0072B2",    # blue
    "unclear": "#CC79A7",      # reddish purple
    "non_party": "#009E73",    # bluish green
    "not_violent": "#56B4E9",  # sky blue
    "outside": "#999999",      # grey
}


def class_colour(cls: str) -> str:
    return CLASS_COLOURS.get(cls, OTHER_STATUS)


#: One colour per incident source, by the source's place among the view's sources: the
#: map's "by source" and the Sources tab's bars agree. None is a zone status's colour (a
#: source in the "In effect" green hid the zone outlines): Okabe–Ito and Paul Tol's
#: muted scheme, told apart with the common colour-vision deficiencies.
SOURCE_COLOURS = ("#0072B2", "#D55E00", "#CC79A7", "#332288", "#999933", "#882255",
                  "#000000", "#DDCC77")


def source_colours(sources: Sequence[str]) -> dict[str, str]:
    """Each source's colour by its place in ``sources`` (all the view's sources, switched
    on or not, so a colour never changes when another source is switched off)."""
    return {name: SOURCE_COLOURS[i % len(SOURCE_COLOURS)] for i, name in enumerate(sources)}


def class_legend() -> list[tuple[str, str, str]]:
    """(class, label, colour) in legend order: Violation, Permitted, Unclear, Non-party,
    Not violent, Outside."""
    return [(c, CLASS_LABELS[c], CLASS_COLOURS[c]) for c in CLASS_COLOURS]
