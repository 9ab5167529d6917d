"""Counts behind the charts and cards: weekly series, summary figures, hexagon bins.

All take an ``IncidentIndex`` and positions from ``IncidentIndex.select``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from dashboard.analysis.index import IncidentIndex

EPOCH_MONDAY = 4  # 1970-01-01 was a Thursday: day 4 is Monday 1970-01-05


def week_start(days: np.ndarray) -> np.ndarray:
    """Day number of the Monday starting each day's ISO week."""
    return days - ((days - EPOCH_MONDAY) % 7)


def weekly_counts(index: IncidentIndex, positions: np.ndarray, by: str = "event_type",
                  span: tuple[date, date] | None = None) -> pd.DataFrame:
    """Incidents per week (rows: Monday dates) and ``by`` value (columns).

    Weeks with no incidents are present with zeros, over ``span`` or the data's span.
    """
    cats = index.categories[by]
    if span is None:
        span = index.date_span
    if span is None:
        return pd.DataFrame(columns=cats)
    first = week_start(np.array([pd.Timestamp(span[0]).toordinal() - 719163]))[0]
    last = week_start(np.array([pd.Timestamp(span[1]).toordinal() - 719163]))[0]
    n_weeks = int((last - first) // 7 + 1)
    weeks = (week_start(index.days[positions]) - first) // 7
    ok = (weeks >= 0) & (weeks < n_weeks)
    flat = weeks[ok].astype(np.int64) * len(cats) + index.codes[by][positions][ok]
    counts = np.bincount(flat, minlength=n_weeks * len(cats)).reshape(n_weeks, len(cats))
    labels = pd.to_datetime(first + 7 * np.arange(n_weeks), unit="D")
    frame = pd.DataFrame(counts, index=labels, columns=cats)
    frame.index.name = "week"
    return frame.loc[:, frame.sum() > 0] if len(frame) else frame


@dataclass(frozen=True)
class Summary:
    """The numbers on the summary cards."""

    incidents: int
    fatalities: int
    inside_share: float | None     # share of incidents inside a zone (None when no incidents)
    previous_incidents: int
    previous_fatalities: int
    #: Violations under the agreement terms, now and in the previous window (None: no terms).
    violations: int | None = None
    previous_violations: int | None = None

    @property
    def change(self) -> float | None:
        """Relative change in incidents against the previous window (None if it had none)."""
        if not self.previous_incidents:
            return None
        return self.incidents / self.previous_incidents - 1


def class_count(index: IncidentIndex, positions: np.ndarray, cls: str = "violation"
                ) -> int | None:
    """How many of ``positions`` are of class ``cls`` under the agreement terms; None when
    the incidents carry no classification (no terms loaded)."""
    if "classification" not in index.frame:
        return None
    hit = index.matching("classification", (cls,), 0, len(index))
    return int(hit[positions].sum())


def summarise(index: IncidentIndex, positions: np.ndarray, previous: np.ndarray) -> Summary:
    n = len(positions)
    return Summary(
        incidents=n,
        fatalities=int(index.fatalities[positions].sum()),
        inside_share=float(index.inside[positions].mean()) if n else None,
        previous_incidents=len(previous),
        previous_fatalities=int(index.fatalities[previous].sum()),
        violations=class_count(index, positions),
        previous_violations=class_count(index, previous),
    )


def hex_cells(lon, lat, size_deg: float, lat0: float) -> tuple[np.ndarray, np.ndarray]:
    """Axial (q, r) of the pointy-top hexagon holding each point (cube rounding)."""
    ky = 1 / np.cos(np.radians(lat0))
    x = np.asarray(lon, "float64") / size_deg
    y = np.asarray(lat, "float64") * ky / size_deg
    cx, cz = np.sqrt(3) / 3 * x - y / 3, 2 / 3 * y
    cy = -cx - cz
    rx, ry, rz = np.round(cx), np.round(cy), np.round(cz)
    dx, dy, dz = np.abs(rx - cx), np.abs(ry - cy), np.abs(rz - cz)
    fix_x = (dx > dy) & (dx > dz)
    fix_y = ~fix_x & (dy > dz)
    rx = np.where(fix_x, -ry - rz, rx)
    rz = np.where(~fix_x & ~fix_y, -rx - ry, rz)
    return rx.astype(np.int64), rz.astype(np.int64)


def _cell_frame(q: np.ndarray, r: np.ndarray, counts: np.ndarray, size_deg: float,
                lat0: float) -> pd.DataFrame:
    ky = 1 / np.cos(np.radians(lat0))
    cells = pd.DataFrame({"q": q, "r": r, "lon": size_deg * np.sqrt(3) * (q + r / 2),
                          "lat": size_deg * 1.5 * r / ky, "count": counts})
    cells.attrs["lat0"] = lat0
    return cells


def hex_bins(lon: np.ndarray, lat: np.ndarray, size_deg: float,
             lat0: float | None = None) -> pd.DataFrame:
    """Pointy-top hexagons of ``size_deg`` (centre to corner, in degrees of longitude;
    latitude scaled by 1/cos(lat0) so cells look regular) with their counts.

    The grid depends only on ``size_deg`` and ``lat0`` (default: the points' mean
    latitude rounded to a whole degree), so a cell stays put as other points come
    and go; pass a fixed ``lat0`` to be sure. It is kept in ``attrs["lat0"]``."""
    if lat0 is None:
        lat0 = float(np.round(np.nanmean(lat))) if len(lat) else 0.0
    q, r = hex_cells(lon, lat, size_deg, lat0)
    keys = pd.DataFrame({"q": q, "r": r}).value_counts().sort_index()
    return _cell_frame(keys.index.get_level_values("q").to_numpy(),
                       keys.index.get_level_values("r").to_numpy(),
                       keys.to_numpy(), size_deg, lat0)


def _unique_inverse(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(key, return_inverse=True)``; by counting when the keys span a small
    range (a map's cells: about 40x faster than sorting a million keys)."""
    if not len(key):
        return key, np.zeros(0, np.intp)
    low = key.min()
    if key.max() - low > 4 * len(key):
        return np.unique(key, return_inverse=True)
    offset = key - low
    present = np.bincount(offset) > 0
    return np.flatnonzero(present) + low, (np.cumsum(present) - 1)[offset]


class HexGrid:
    """Every incident's hexagon at one size, found once, so that counting any
    selection of incidents is a ``bincount`` (a slider move at 1M: about 2 ms instead
    of 12 ms of rounding and grouping)."""

    def __init__(self, lon: np.ndarray, lat: np.ndarray, size_deg: float, lat0: float):
        self.size_deg, self.lat0 = size_deg, lat0
        q, r = hex_cells(lon, lat, size_deg, lat0)
        if not len(q):
            q = r = np.zeros(0, np.int64)
        r0, width = (r.min(), r.max() - r.min() + 1) if len(r) else (0, 1)
        keys, cell_of = _unique_inverse(q * width + (r - r0))  # one int per cell
        self.cell_of = cell_of.astype(np.int32).ravel()
        self.q, self.r = keys // width, keys % width + r0

    def bins(self, positions: np.ndarray) -> pd.DataFrame:
        """The cells holding ``positions`` (rows of the arrays the grid was made of) and
        their counts; the same frame ``hex_bins`` gives for those points."""
        counts = np.bincount(self.cell_of[positions], minlength=len(self.q))
        used = np.flatnonzero(counts)
        return _cell_frame(self.q[used], self.r[used], counts[used], self.size_deg, self.lat0)


def hex_polygons(lon: np.ndarray, lat: np.ndarray, size_deg: float, lat0: float) -> np.ndarray:
    """The closed rings (n, 7, 2) of the hexagons centred at lon/lat, to 5 decimals."""
    ky = 1 / np.cos(np.radians(lat0))
    angles = np.radians(np.arange(7) * 60 + 30)
    x = np.asarray(lon, "float64")[:, None] + size_deg * np.cos(angles)
    y = np.asarray(lat, "float64")[:, None] + size_deg * np.sin(angles) / ky
    return np.round(np.stack([x, y], axis=2), 5)


def hex_polygon(lon: float, lat: float, size_deg: float, lat0: float) -> list[list[float]]:
    """The six corners (closed ring) of the hexagon centred at lon/lat."""
    return hex_polygons(np.array([lon]), np.array([lat]), size_deg, lat0)[0].tolist()
