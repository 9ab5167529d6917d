"""Event types across sources: one small table of kinds and which kinds can be one event.

UCDP GED types are coarse ("State-based conflict"), ACLED's are two-level ("Explosions/
Remote violence" / "Air/drone strike"), field reports use plain words ("Airstrike",
"Shelling"). :func:`event_kind` reads a row's sub-type first, then its type, and names
its *kind*; :data:`COMPATIBLE` says how well two kinds agree (1 the same, 0 < x < 1
compatible, missing: they cannot be the same event). ``unknown`` agrees with everything
at 0.5, so an unreadable type never vetoes a link. Pure data layer: stdlib only.
"""

from __future__ import annotations

import re

#: kind: (plural noun for reasons, words that name it). Order matters: the first
#: kind whose word occurs in the text wins ("barrel bomb" is an airstrike, not an
#: explosion), and the sub-type is read before the type.
KINDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "airstrike": ("airstrikes", ("air/drone", "airstrike", "air strike", "air raid", "drone",
                                 "barrel bomb", "aerial", "warplane", "helicopter")),
    "shelling": ("shelling", ("shelling", "artillery", "missile", "rocket", "mortar")),
    "remote": ("remote violence", ("remote violence",)),
    "explosion": ("explosions", ("remote explosive", "landmine", "ied", "suicide bomb",
                                 "car bomb", "grenade", "explosion")),
    "clash": ("armed clashes", ("armed clash", "battle", "clash", "ground assault",
                                "exchange of fire", "fighting", "offensive",
                                "non-state actor overtakes", "government regains")),
    "civilians": ("violence against civilians", ("violence against civilians", "one-sided",
                                                "massacre", "sexual violence")),
    "violent": ("armed violence", ("state-based", "non-state conflict", "conflict",
                                   "violence")),
    "riot": ("riots", ("riot", "mob violence")),
    "protest": ("protests", ("protest", "demonstration")),
    "detention": ("detentions", ("arrest", "detention", "abduction", "forced disappearance",
                                 "kidnap")),
    "evacuation": ("evacuations", ("evacuation", "displacement")),
    "aid": ("aid deliveries", ("aid", "convoy", "humanitarian")),
    "checkpoint": ("checkpoint events", ("checkpoint", "observer")),
    "agreement": ("agreements", ("agreement", "deal", "ceasefire", "truce", "surrender")),
    "strategic": ("strategic developments", ("strategic development",)),
}
UNKNOWN = "unknown"
KIND_NAMES = (*KINDS, UNKNOWN)

_PAIRS = {  # unordered pairs of different kinds that may be one event, and how well
    ("airstrike", "remote"): 0.9, ("shelling", "remote"): 0.9, ("explosion", "remote"): 0.9,
    ("airstrike", "violent"): 0.8, ("shelling", "violent"): 0.8, ("explosion", "violent"): 0.8,
    ("remote", "violent"): 0.8, ("clash", "violent"): 0.8, ("civilians", "violent"): 0.7,
    ("riot", "violent"): 0.5,
    ("airstrike", "civilians"): 0.7, ("shelling", "civilians"): 0.7,
    ("explosion", "civilians"): 0.7, ("remote", "civilians"): 0.7,
    ("clash", "civilians"): 0.4, ("detention", "civilians"): 0.7,
    ("protest", "riot"): 0.7, ("evacuation", "agreement"): 0.5,
    ("strategic", "agreement"): 0.7, ("strategic", "evacuation"): 0.7,
    ("strategic", "checkpoint"): 0.7, ("strategic", "aid"): 0.7,
    ("strategic", "detention"): 0.5,
}


def _table() -> dict[tuple[str, str], float]:
    table = {(k, k): 1.0 for k in KINDS}
    for (a, b), value in _PAIRS.items():
        table[a, b] = table[b, a] = value
    for k in KIND_NAMES:
        table[k, UNKNOWN] = table[UNKNOWN, k] = 0.5
    return table


#: (kind, kind) -> agreement in (0, 1]; a pair not listed vetoes a link.
COMPATIBLE: dict[tuple[str, str], float] = _table()

_WORDS = [(kind, re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + ")"))
          for kind, (_noun, words) in KINDS.items()]


def kind_of_text(text: str) -> str | None:
    """The kind a type or sub-type names, or None when no word of the table occurs."""
    low = str(text or "").casefold()
    for kind, pattern in _WORDS:
        if pattern.search(low):
            return kind
    return None


def event_kind(event_type: str, sub_type: str = "") -> str:
    """A row's kind: from the sub-type when it names one ("Air/drone strike"), else from
    the type ("State-based conflict" gives ``violent``), else ``unknown``."""
    return kind_of_text(sub_type) or kind_of_text(event_type) or UNKNOWN


def blocks() -> list[frozenset[str]]:
    """Groups of kinds, each a set of mutually compatible kinds, such that every
    compatible pair shares a group: the linking index compares only rows that share a
    group, so an airstrike is never even looked at beside a shelling report. A greedy
    cover of the compatible pairs by such groups."""
    groups: list[set[str]] = []
    for a, b in sorted(p for p in COMPATIBLE if UNKNOWN not in p and p[0] <= p[1]):
        if any(a in g and b in g for g in groups):
            continue
        for g in groups:
            if (a in g or b in g) and all((x, y) in COMPATIBLE for x in g for y in (a, b)):
                g.update((a, b))
                break
        else:
            groups.append({a, b})
    return [frozenset(g) for g in groups]


def block_mask(kind: str, groups: list[frozenset[str]]) -> int:
    """Bit i set when ``kind`` is in group i; ``unknown`` is in every group."""
    if kind == UNKNOWN:
        return (1 << len(groups)) - 1
    return sum(1 << i for i, g in enumerate(groups) if kind in g)


def plural(kind: str) -> str:
    return KINDS[kind][0] if kind in KINDS else "unknown types"
