"""Were an agreement's promises kept? Each commitment's status as of a day.

Rules (the same for the report, the JSON and the dashboard):

* **Evidence** of a commitment: an incident inside one of the agreement's zones or
  within its ring (by its recorded point, the zone as it stood on the incident's day:
  ``ceasefire.in_zone_or_ring``), dated from the day the agreement took effect to the
  as-of day (both included), whose event type is one of the commitment's
  ``evidence.event_types`` (case ignored) or whose notes or sub-type contain one of its
  ``evidence.keywords`` as a whole word (case ignored: "aid" matches "Aid arrived",
  not "said").
* **Status**: ``kept`` when the first evidence is on or before the due day (or there
  is no due day), ``late`` when it is after it, ``no_evidence`` when there is none by
  the as-of day. An analyst's own entry (``kept`` or ``broken``, with its source and
  day) overrides that once its day has come: before it, nobody knew.
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from dashboard.analysis.ceasefire import in_zone_or_ring
from dashboard.analysis.index import IncidentIndex
from dashboard.analysis.spatial import ZoneIndex
from dashboard.analysis.windows import DEFAULT_RING_KM
from dashboard.core.agreements import Agreement, Commitment, Evidence
from dashboard.core.memo import BoundedMemo

#: Every status a commitment can have, computed or entered by an analyst.
STATUSES = ("kept", "late", "no_evidence", "broken")
#: Incident text a keyword is looked for in.
KEYWORD_COLUMNS = ("notes", "sub_type")


@dataclass(frozen=True)
class CommitmentStatus:
    """One commitment as of a day: its status, the incidents that evidence it, and who
    says so (``status_source``: the analyst's source, else "incident data")."""

    id: str
    text: str
    due: date | None
    status: str                        # one of STATUSES
    evidence_ids: tuple[str, ...]
    source: str                        # the commitment's own source (the deal's text)
    first_evidence: date | None
    status_source: str = "incident data"
    status_day: date | None = None     # the analyst's day, when the status is theirs
    #: The source (``dataset``) of each of ``evidence_ids``: ids repeat across sources.
    evidence_datasets: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        """JSON-ready: days as ISO text, evidence as a list."""
        return {"id": self.id, "text": self.text, "due": _iso(self.due), "status": self.status,
                "evidence_ids": list(self.evidence_ids), "source": self.source,
                "first_evidence": _iso(self.first_evidence), "status_source": self.status_source,
                "status_day": _iso(self.status_day)}


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def keyword_pattern(keywords: tuple[str, ...]) -> str | None:
    """A regex matching any keyword as a whole word (not inside a longer word)."""
    words = [re.escape(k.strip()) for k in keywords if k.strip()]
    return rf"(?<!\w)(?:{'|'.join(words)})(?!\w)" if words else None


def evidence_mask(frame: pd.DataFrame, evidence: Evidence) -> np.ndarray:
    """Which rows of ``frame`` match the evidence's event types or keywords."""
    types = {t.casefold() for t in evidence.event_types}
    hit = frame["event_type"].fillna("").astype(str).str.casefold().isin(types).to_numpy(copy=True)
    pattern = keyword_pattern(evidence.keywords)
    if pattern:
        for col in (c for c in KEYWORD_COLUMNS if c in frame):
            text = frame[col].fillna("").astype(str)
            hit = hit | text.str.contains(pattern, case=False, regex=True).to_numpy(dtype=bool)
    return hit


#: Statuses by (index, agreement, day, ring): every zone panel of a zone asks for the
#: same ones, whatever its filters (they read all the data).
_STATUSES: BoundedMemo[tuple] = BoundedMemo(64)


def commitment_statuses(index: IncidentIndex, zone_index: ZoneIndex, agreement: Agreement,
                        as_of: date, *, ring_km: float = DEFAULT_RING_KM
                        ) -> list[CommitmentStatus]:
    """Every commitment of ``agreement`` as of ``as_of`` (see the module's rules)."""
    def make() -> tuple[weakref.ref, list[CommitmentStatus]]:
        return weakref.ref(zone_index), _statuses(index, zone_index, agreement, as_of, ring_km)

    made_for, statuses = _STATUSES.get(index, (id(zone_index), agreement, as_of,
                                               float(ring_km)), make)
    if made_for() is not zone_index:  # another zone index at a reused id()
        statuses = _statuses(index, zone_index, agreement, as_of, ring_km)
    return list(statuses)


def _statuses(index: IncidentIndex, zone_index: ZoneIndex, agreement: Agreement,
              as_of: date, ring_km: float) -> list[CommitmentStatus]:
    lo, hi = index.window(agreement.first_day, as_of)
    positions = np.arange(lo, hi)
    near = np.zeros(len(positions), dtype=bool)
    for zone_id in agreement.zones:
        near |= in_zone_or_ring(index, zone_index, zone_id, positions, ring_km)
    candidates = index.frame.iloc[positions[near]]
    return [_status(c, candidates.loc[evidence_mask(candidates, c.evidence)], as_of)
            for c in agreement.commitments]


def _status(commitment: Commitment, evidence: pd.DataFrame, as_of: date) -> CommitmentStatus:
    """The status from the date-sorted evidence rows, or the analyst's entry once dated."""
    first = pd.Timestamp(evidence["date"].iloc[0]).date() if len(evidence) else None
    ids = tuple(evidence["incident_id"].astype(str))
    datasets = (tuple(evidence["dataset"].astype(str)) if "dataset" in evidence
                else ("",) * len(ids))
    analyst = commitment.analyst
    if analyst is not None and analyst.day <= as_of:
        status, said_by, said_on = analyst.status, analyst.source, analyst.day
    else:
        said_by, said_on = "incident data", None
        if first is None:
            status = "no_evidence"
        elif commitment.due is None or first <= commitment.due:
            status = "kept"
        else:
            status = "late"
    return CommitmentStatus(commitment.id, commitment.text, commitment.due, status, ids,
                            commitment.source, first, said_by, said_on, datasets)
