"""Agreement terms as records: who is bound, who is left out and until when, what was
promised by which day. Read from a terms file (``dashboard.io.terms_file``), used to
tell a violation from a strike the deal allowed (``dashboard.analysis.classify``) and
whether promises were kept (``dashboard.analysis.commitments``).

Every term carries its source, as every bundled zone and incident does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

#: Sides a party can take in an agreement.
SIDES = ("government", "opposition", "other")
#: Statuses an analyst may record for a commitment by hand.
ANALYST_STATUSES = ("kept", "broken")


@dataclass(frozen=True)
class Party:
    """A party bound by the agreement, with every name the data may call it by."""

    name: str
    side: str                               # one of SIDES
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Exemption:
    """A group the agreement leaves out: strikes on it are permitted from ``start`` until
    ``until`` (both days included; None = open). Before ``start`` it counts as protected,
    like a party."""

    name: str
    aliases: tuple[str, ...] = ()
    start: date | None = None
    until: date | None = None
    source: str = ""

    def active_on(self, day: date) -> bool:
        return (self.start is None or self.start <= day) and (self.until is None or day <= self.until)


@dataclass(frozen=True)
class Evidence:
    """What counts as evidence that a commitment was carried out."""

    event_types: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class AnalystStatus:
    """An analyst's own verdict on a commitment, with its source and day."""

    status: str                             # one of ANALYST_STATUSES
    day: date
    source: str
    note: str = ""


@dataclass(frozen=True)
class Commitment:
    id: str
    text: str
    due: date | None
    evidence: Evidence = Evidence()
    source: str = ""
    analyst: AnalystStatus | None = None


@dataclass(frozen=True)
class Agreement:
    """One deal: the zones it covers, when it took effect (a time of day makes the first
    day 'unclear' for incidents without a time), its parties, exemptions, commitments."""

    id: str
    name: str
    zones: tuple[str, ...]
    in_effect: datetime                     # timezone-aware when the file gives an offset
    ends: date | None = None
    source: str = ""
    parties: tuple[Party, ...] = ()
    parties_note: str = ""                  # e.g. "the parties of this zone are not reported"
    exempt: tuple[Exemption, ...] = ()
    commitments: tuple[Commitment, ...] = ()
    non_violent: tuple[str, ...] = ()       # event types this deal adds to the non-violent ones
    note: str = ""                          # what the sources leave open (approximate date, area)

    @property
    def first_day(self) -> date:
        return self.in_effect.date()

    @property
    def starts_at_a_time(self) -> bool:
        """True when the deal took effect at a time of day, not at midnight."""
        return (self.in_effect.hour, self.in_effect.minute, self.in_effect.second) != (0, 0, 0)

    def in_effect_on(self, day: date) -> bool:
        return self.first_day <= day and (self.ends is None or day <= self.ends)


@dataclass(frozen=True)
class Terms:
    """Every agreement of a terms file."""

    agreements: tuple[Agreement, ...] = ()
    source_file: str = ""

    def for_zone(self, zone_id: str) -> tuple[Agreement, ...]:
        return tuple(a for a in self.agreements if zone_id in a.zones)

    @property
    def non_violent(self) -> frozenset[str]:
        """Event types any agreement adds to the non-violent ones."""
        return frozenset(t for a in self.agreements for t in a.non_violent)


@dataclass(frozen=True)
class Classified:
    """One incident's class under the terms, and why, in words."""

    cls: str
    reason: str
    agreement: str | None = None
    extra: dict = field(default_factory=dict)


#: The classes, in the order the rules try them (see dashboard.analysis.classify).
CLASSES = ("outside", "not_violent", "unclear", "violation", "permitted", "non_party")
