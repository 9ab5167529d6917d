"""Which incidents broke a deal: one class from ``CLASSES`` and a reason in words per
incident, under the agreement terms (``dashboard.core.agreements``).

Rules, tried in this order (tested row by row in tests/test_classify.py):

* **Sides.** Each of ``actor1`` and ``actor2`` may name several groups ("Ahrar al-Sham,
  HTS"); names are compared after ``dashboard.core.aliases.actor_key`` (case, diacritics,
  apostrophes, hyphens, spaces and a trailing "(2000-)" qualifier do not matter, and
  known aliases are one actor). On the incident's day a side is *party* (a party's group
  and no group whose exemption is active), *exempt* (a group whose exemption is active,
  from <= day <= until, and no party's group), *mixed* (both), *civilians* (only
  civilians), else *unknown* (empty, or no group the deal names). Before its ``from``
  day an exempt group is protected like a party; after its ``until`` day it is unknown.
* ``outside``: not inside (``zone_id``) a zone of an agreement in effect that day.
* ``not_violent``: an event type in ``ceasefire.NON_VIOLENT``, the terms' ``non_violent``,
  ``ZONEWATCH_NON_VIOLENT`` or ``non_violent`` (case ignored).
* ``unclear``: on the day a deal took effect at a time of day, when the incident has no
  ``time`` of its own (with one, an incident before that time is outside); a party
  against a mixed or unknown side; or any incident of a deal whose parties are not
  reported (nothing can be said about who is bound).
* ``violation``: a party against a party, or a party against civilians.
* ``permitted``: a party against an exempt side.
* ``non_party``: no party involved (IS against HTS; IS against civilians).

Several agreements in effect in one zone: the gravest class among them wins (violation,
unclear, permitted, non_party) with that agreement's id.

Work is per distinct actor string and day range (exemption boundaries), never per
row, so a million incidents take about a second.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from dashboard.analysis.ceasefire import NON_VIOLENT
from dashboard.core.agreements import CLASSES, Agreement, Exemption, Terms
from dashboard.core.aliases import actor_key, is_civilians, side_groups
from dashboard.core.formats import day_words
from dashboard.core.settings import Settings

COLUMNS = ["classification", "classification_reason", "agreement_id"]
#: Among several agreements, the first class in this order wins.
GRAVITY = ("violation", "unclear", "permitted", "non_party")
VERDICT = {"outside": "outside", "not_violent": "not violent",
           "unclear": "unclear", "violation": "a violation",
           "permitted": "permitted by the deal", "non_party": "no party to the deal involved"}
_EPOCH = date(1970, 1, 1)
_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?")
_C = {name: i for i, name in enumerate(CLASSES)}


def _day_number(day: date) -> int:
    return (day - _EPOCH).days


@dataclass(frozen=True)
class Side:
    """What one side is under one agreement on one day, and how to say so."""

    status: str      # party, exempt, mixed, civilians, unknown
    role: str        # words: "a party to North Homs ceasefire"
    protected: bool  # a party only because an exemption has not started yet


def side_status(actor: str, agreement: Agreement, day: date) -> Side:
    """The side ``actor`` (one or several groups) is under ``agreement`` on ``day``."""
    parties = {actor_key(n) for p in agreement.parties for n in (p.name, *p.aliases)}
    exempt: dict[str, Exemption] = {actor_key(n): e for e in agreement.exempt
                                    for n in (e.name, *e.aliases)}
    kinds: list[str] = []
    protected, ended, since = [], [], []
    for group in side_groups(actor):
        key = actor_key(group)
        e = exempt.get(key)
        if is_civilians(group):
            kinds.append("civilians")
        elif e is not None and e.active_on(day):
            kinds.append("exempt")
            since.append(f" since {day_words(e.start)}" if e.start else "")
        elif e is not None and e.start is not None and day < e.start:
            kinds.append("protected")
            protected.append(f"{group} until its exemption from {day_words(e.start)}")
        elif e is not None:
            kinds.append("unknown")
            ended.append(f"{group}'s exemption ended {day_words(e.until)}")
        else:
            kinds.append("party" if key in parties else "unknown")
    name = agreement.name
    has_party = "party" in kinds or "protected" in kinds
    if has_party and "exempt" in kinds:
        return Side("mixed", f"mixing parties to {name} and groups exempt from it", False)
    if has_party:
        role = f"a party to {name}" if "party" in kinds else ""
        if protected:
            role += (", " if role else "") + f"protected by {name}: {'; '.join(protected)}"
        return Side("party", role, "party" not in kinds)
    if "exempt" in kinds:
        return Side("exempt", f"exempt from {name}{since[0]}", False)
    if kinds and set(kinds) == {"civilians"}:
        return Side("civilians", "civilians", False)
    role = "no one named" if not kinds else f"not named by {name}"
    return Side("unknown", "; ".join([role, *ended]), False)


def pair_class(one: Side, two: Side, agreement: Agreement) -> str:
    """The class of a violent incident between two sides under one agreement in effect
    (see the rules); a deal whose parties are not reported leaves it unclear."""
    statuses = (one.status, two.status)
    if not agreement.parties or "mixed" in statuses:
        return "unclear"
    if "party" not in statuses:
        return "non_party"
    other = two.status if one.status == "party" else one.status
    return {"party": "violation", "civilians": "violation", "exempt": "permitted",
            "unknown": "unclear"}[other]


def pair_words(a1: str, a2: str, one: Side, two: Side, agreement: Agreement) -> str:
    """Who against whom, and what they are to the deal."""
    who1, who2 = a1 or "an unnamed side", a2 or "an unnamed side"
    if not agreement.parties:
        return f"{who1} against {who2}; the parties of {agreement.name} are not reported"
    if one.status == two.status == "party" and not (one.protected or two.protected):
        return f"{who1} against {who2}, both parties to {agreement.name}"
    return f"{who1} ({one.role}) against {who2} ({two.role})"


def _unique_take(keys: np.ndarray, make: Callable[[int], str]) -> np.ndarray:
    """``make(row)`` for the first row of each distinct key, spread to every row."""
    if not len(keys):
        return np.array([], dtype=object)
    _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    words = np.array([make(int(r)) for r in first], dtype=object)
    return words[inverse.reshape(-1)]


def _combine(*codes: np.ndarray) -> np.ndarray:
    """One int64 key from several small non-negative integer arrays."""
    key = np.zeros(len(codes[0]), dtype=np.int64)
    for code in codes:
        code = np.asarray(code, dtype=np.int64)
        key = key * (int(code.max(initial=0)) + 1) + code
    return key


def _times(incidents: pd.DataFrame) -> np.ndarray:
    """Seconds after midnight from an optional ``time`` column ("14:30"); NaN without."""
    if "time" not in incidents.columns:
        return np.full(len(incidents), np.nan)
    codes, uniq = pd.factorize(incidents["time"].astype("string").fillna(""))
    seconds = []
    for text in uniq:
        match = _TIME.match(str(text).strip())
        seconds.append(np.nan if not match else
                       int(match[1]) * 3600 + int(match[2]) * 60 + int(match[3] or 0))
    values = np.append(np.asarray(seconds, dtype=float), np.nan)
    return values[codes]  # code -1 (missing) takes the NaN at the end


def _non_violent(incidents: pd.DataFrame, terms: Terms, extra: frozenset[str]) -> np.ndarray:
    quiet = {t.casefold() for t in NON_VIOLENT | terms.non_violent | extra
             | Settings.from_env().non_violent_types}
    if "event_type" not in incidents.columns:
        return np.zeros(len(incidents), dtype=bool)
    codes, uniq = pd.factorize(incidents["event_type"].astype("string").fillna(""))
    flags = np.append(np.array([str(u).casefold() in quiet for u in uniq], dtype=bool), False)
    return flags[codes]


class _Frame:
    """The columns classification reads, as arrays, with actors coded once."""

    def __init__(self, incidents: pd.DataFrame):
        n = len(incidents)
        days = pd.to_datetime(incidents["date"]).to_numpy("datetime64[D]")
        self.valid = ~np.isnat(days)
        self.day = np.where(self.valid, days.astype("int64"), np.iinfo(np.int64).min // 2)
        zones = incidents["zone_id"].astype(object).where(incidents["zone_id"].notna(), None)
        self.zone_code, self.zone_names = pd.factorize(zones, use_na_sentinel=True)
        both = pd.concat([incidents[c].astype("string").fillna("") if c in incidents.columns
                          else pd.Series([""] * n, dtype="string") for c in ("actor1", "actor2")],
                         ignore_index=True)
        codes, self.actors = pd.factorize(both)
        self.a1, self.a2 = codes[:n], codes[n:]
        self.time = _times(incidents)
        self.event = (incidents["event_type"].astype("string").fillna("").to_numpy(object)
                      if "event_type" in incidents.columns else np.full(n, "", dtype=object))

    def zone(self, row: int) -> str | None:
        code = self.zone_code[row]
        return None if code < 0 else str(self.zone_names[code])

    def day_of(self, row: int) -> date:
        return _EPOCH + timedelta(days=int(self.day[row]))


def _rows_in_effect(frame: _Frame, agreement: Agreement) -> np.ndarray:
    codes = [i for i, z in enumerate(frame.zone_names) if z in agreement.zones]
    first = _day_number(agreement.first_day)
    keep = frame.valid & np.isin(frame.zone_code, codes) & (frame.day >= first)
    if agreement.ends is not None:
        keep &= frame.day <= _day_number(agreement.ends)
    return keep


def _classify_one(frame: _Frame, agreement: Agreement, rows: np.ndarray
                  ) -> tuple[np.ndarray, np.ndarray]:
    """(class codes, who-words) for ``rows`` (positions) under one agreement."""
    bounds = sorted({_day_number(d) for e in agreement.exempt
                     for d in (e.start, e.until and e.until + timedelta(days=1)) if d})
    epoch = np.searchsorted(np.asarray(bounds, dtype=np.int64), frame.day[rows], side="right")
    key = _combine(frame.a1[rows], frame.a2[rows], epoch)
    uniq, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    classes = np.empty(len(uniq), dtype=np.int8)
    words = np.empty(len(uniq), dtype=object)
    for i, pos in enumerate(first):
        row = rows[pos]
        day = frame.day_of(row)
        a1, a2 = str(frame.actors[frame.a1[row]]), str(frame.actors[frame.a2[row]])
        one, two = side_status(a1, agreement, day), side_status(a2, agreement, day)
        classes[i] = _C[pair_class(one, two, agreement)]
        words[i] = pair_words(a1, a2, one, two, agreement)
    inverse = inverse.reshape(-1)
    return classes[inverse], words[inverse]


def classify(incidents: pd.DataFrame, terms: Terms,
             non_violent: frozenset[str] = frozenset()) -> pd.DataFrame:
    """``classification`` (one of ``CLASSES``), ``classification_reason`` (words) and
    ``agreement_id`` (None when outside) per incident, indexed like ``incidents``, which
    is the joined frame (``date``, ``zone_id``, ``actor1``, ``actor2``, ``event_type``;
    an optional ``time``). See the module docstring for the rules."""
    n = len(incidents)
    frame = _Frame(incidents)
    cls = np.full(n, _C["outside"], dtype=np.int8)
    who = np.full(n, "", dtype=object)
    agreement_pos = np.full(n, -1, dtype=np.int32)
    before_start = np.zeros(n, dtype=bool)
    rank = {_C[c]: r for r, c in enumerate(GRAVITY)}
    rank_of = np.full(len(CLASSES), len(GRAVITY), dtype=np.int8)
    for code, r in rank.items():
        rank_of[code] = r
    for k, agreement in enumerate(terms.agreements):
        keep = _rows_in_effect(frame, agreement)
        first_day = np.zeros(n, dtype=bool)
        if agreement.starts_at_a_time:
            start = agreement.in_effect
            at = start.hour * 3600 + start.minute * 60 + start.second
            on_first = keep & (frame.day == _day_number(agreement.first_day))
            early = on_first & (frame.time < at)
            before_start |= early
            keep &= ~early
            first_day = on_first & np.isnan(frame.time)
        rows = np.flatnonzero(keep)
        if not len(rows):
            continue
        new_cls, new_who = _classify_one(frame, agreement, rows)
        fd = first_day[rows]
        new_cls[fd] = _C["unclear"]
        new_who[fd] = new_who[fd] + (f", on the day {agreement.name} took effect at "
                                     f"{agreement.in_effect:%H:%M}, with no time of its own")
        better = (agreement_pos[rows] < 0) | (rank_of[new_cls] < rank_of[cls[rows]])
        target = rows[better]
        cls[target], who[target], agreement_pos[target] = new_cls[better], new_who[better], k
    inside = agreement_pos >= 0
    before_start &= ~inside
    quiet = inside & _non_violent(incidents, terms, frozenset(non_violent))
    cls[quiet] = _C["not_violent"]
    return pd.DataFrame({
        "classification": np.asarray(CLASSES, dtype=object)[cls],
        "classification_reason": _reasons(frame, cls, who, quiet, before_start),
        "agreement_id": np.array([a.id for a in terms.agreements] + [None],
                                 dtype=object)[agreement_pos],
    }, index=incidents.index)


def _reasons(frame: _Frame, cls: np.ndarray, who: np.ndarray, quiet: np.ndarray,
             before_start: np.ndarray) -> np.ndarray:
    """The reason per row: the who-words, then where, when and the verdict (built per
    distinct zone, day and class)."""
    n = len(cls)
    if not n:
        return np.array([], dtype=object)
    zone = frame.zone_code + 1
    day = np.where(frame.valid, frame.day - frame.day[frame.valid].min(initial=0), 0)
    event_code, _ = pd.factorize(pd.Series(np.where(quiet, frame.event, ""), dtype=object))

    def tail(row: int) -> str:
        where, label = frame.zone(row), CLASSES[cls[row]]
        when = day_words(frame.day_of(row)) if frame.valid[row] else "an unknown day"
        if label == "outside":
            if where is None:
                return f"not inside any zone on {when}: {VERDICT[label]}"
            early = " before the deal's hour" if before_start[row] else ""
            return f"inside {where}, where no agreement was in effect{early} on {when}: outside"
        if label == "not_violent":
            return f"{frame.event[row]}, a non-violent event type, inside {where} on {when}: not violent"
        return f", inside {where} on {when}: {VERDICT[label]}"

    tails = _unique_take(_combine(zone, np.maximum(day, 0), cls, before_start, event_code + 1),
                         tail)
    out = tails.copy()
    counted = np.isin(cls, [_C[c] for c in GRAVITY])
    out[counted] = who[counted] + tails[counted]
    return out


def class_counts(classified: pd.DataFrame) -> dict[str, int]:
    """How many incidents fall in each class, every class listed (for reports)."""
    counts = classified["classification"].value_counts()
    return {c: int(counts.get(c, 0)) for c in CLASSES}


def classes_in(classified: pd.DataFrame, classes: Sequence[str]) -> np.ndarray:
    """A mask of the incidents in ``classes`` (a filter helper)."""
    return classified["classification"].isin(list(classes)).to_numpy()
