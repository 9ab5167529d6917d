"""Domain records and the column schemas every reader produces.

Readers turn any input into the frames described here, so everything downstream
(join, filters, statistics, figures) depends on these names and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
from shapely.geometry.base import BaseGeometry

#: The statuses ZoneWatch knows; a zone file may use labels of its own too.
KNOWN_STATUSES = ("declared", "in_effect", "violated", "collapsed")
BOUNDARY_PRECISIONS = ("exact", "approximate")

#: Milestone kinds with a fixed meaning; others are kept as given.
MILESTONE_KINDS = (
    "signed", "in_effect", "observers_deployed", "aid_entry", "deadline",
    "deal", "evacuation", "collapse", "offensive", "other",
)

#: Zone frame: one row per zone *version*.
ZONE_COLUMNS = [
    "zone_id", "name", "version", "valid_from", "valid_to", "status",
    "boundary_precision", "source", "notes", "geometry",
]

#: Milestone frame.
MILESTONE_COLUMNS = ["zone_id", "timestamp", "date", "kind", "text", "source"]

#: Incident frame: the columns every incident reader produces, in this order.
#: Columns a file has beyond these are kept after them, unchanged.
INCIDENT_COLUMNS = [
    "incident_id", "date", "date_end", "date_precision", "lon", "lat", "place",
    "admin1", "admin2", "loc_precision", "precision_km", "event_type", "sub_type",
    "actor1", "actor2", "fatalities", "source", "notes", "dataset",
]

# One location-precision scale for every source. Each level has the radius, in km,
# inside which the event may really have happened: the join flags an incident as
# ambiguous when this radius reaches past the nearest zone edge.
LOCATION_PRECISION_KM = {
    "exact": 2.0,        # the named town or village
    "near": 25.0,        # within about 25 km of a known place
    "district": 50.0,    # second-order admin unit (district) centroid
    "area": 50.0,        # a road, front line or area between places
    "province": 100.0,   # first-order admin unit (governorate) centroid
    "country": 300.0,    # country centroid
    "unknown": 300.0,
}
LOCATION_PRECISION_ORDER = list(LOCATION_PRECISION_KM)

#: UCDP GED ``where_prec`` (codebook 19.1) on the common scale.
UCDP_WHERE_PREC = {
    1: "exact", 2: "near", 3: "district", 4: "province", 5: "area", 6: "country", 7: "country",
}
#: ACLED ``geo_precision`` on the common scale.
ACLED_GEO_PRECISION = {1: "exact", 2: "near", 3: "district"}

#: UCDP GED ``date_prec`` codes in words.
UCDP_DATE_PREC = {1: "day", 2: "2-6 days", 3: "week", 4: "month", 5: "longer"}

#: UCDP GED ``type_of_violence`` codes in words (used as the event type).
UCDP_VIOLENCE_TYPES = {1: "State-based conflict", 2: "Non-state conflict", 3: "One-sided violence"}


@dataclass(frozen=True, slots=True)
class ZoneVersion:
    """One period of a zone's life: its boundary and status between two days.

    ``valid_to`` is the last day in force, inclusive; ``None`` means still in force.
    """

    zone_id: str
    name: str
    version: int
    valid_from: date
    valid_to: date | None
    status: str
    geometry: BaseGeometry
    boundary_precision: str
    source: str

    def in_force_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


@dataclass(frozen=True, slots=True)
class Milestone:
    """A dated event in an agreement's life (signed, in effect, collapse, ...)."""

    zone_id: str | None
    timestamp: pd.Timestamp
    kind: str
    text: str
    source: str


def zone_versions(zones: pd.DataFrame) -> list[ZoneVersion]:
    """The rows of a zone frame as records, for code that wants one at a time."""
    return [
        ZoneVersion(
            zone_id=row.zone_id, name=row.name, version=int(row.version),
            valid_from=row.valid_from.date(),
            valid_to=None if pd.isna(row.valid_to) else row.valid_to.date(),
            status=row.status, geometry=row.geometry,
            boundary_precision=row.boundary_precision, source=row.source,
        )
        for row in zones.itertuples(index=False)
    ]


def milestones_list(milestones: pd.DataFrame) -> list[Milestone]:
    """The rows of a milestone frame as records."""
    return [
        Milestone(
            zone_id=None if pd.isna(row.zone_id) else row.zone_id, timestamp=row.timestamp,
            kind=row.kind, text=row.text, source=row.source,
        )
        for row in milestones.itertuples(index=False)
    ]
