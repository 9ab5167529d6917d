"""Zones through time: which version of each zone was in force on a day.

Rule, used everywhere: a version is in force on day D when
``valid_from <= D <= valid_to`` (calendar days, both ends included; an empty
``valid_from`` is "since always", an empty ``valid_to`` "still in force"). A
version that starts at a time of day (12:00 on 3 Aug 2017) is in force on its
first day, so the previous version should end the day before.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd


def _day(value: date | str | pd.Timestamp) -> pd.Timestamp:
    return pd.Timestamp(value).normalize()


def _bounds(zones: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Each version's first and last day as datetime64 (NaT: open at that end)."""
    return (zones["valid_from"].to_numpy("datetime64[ns]"),
            zones["valid_to"].to_numpy("datetime64[ns]"))


def in_force_mask(zones: pd.DataFrame, day: date | str | pd.Timestamp) -> pd.Series:
    """Which rows (versions) of ``zones`` are in force on ``day``."""
    return in_force_between(zones, day, day)


def in_force_between(zones: pd.DataFrame, first: date | str | pd.Timestamp,
                     last: date | str | pd.Timestamp) -> pd.Series:
    """Which versions are in force on at least one day of ``first``..``last``."""
    start, end = _bounds(zones)
    lo = np.datetime64(_day(first), "ns")
    hi = np.datetime64(_day(last), "ns")
    return pd.Series((np.isnat(start) | (start <= hi)) & (np.isnat(end) | (end >= lo)),
                     index=zones.index)


def days_in_force(zones: pd.DataFrame, days: np.ndarray) -> np.ndarray:
    """For each day (days since 1970-01-01), whether some version of ``zones`` is in force."""
    start, end = _bounds(zones)
    lo = np.where(np.isnat(start), np.iinfo(np.int64).min,
                  start.astype("datetime64[D]").astype(np.int64))
    hi = np.where(np.isnat(end), np.iinfo(np.int64).max,
                  end.astype("datetime64[D]").astype(np.int64))
    days = np.asarray(days, dtype=np.int64)
    return ((days[:, None] >= lo[None, :]) & (days[:, None] <= hi[None, :])).any(axis=1)


def zones_as_of(zones: pd.DataFrame, day: date | str | pd.Timestamp) -> pd.DataFrame:
    """The zones as they stood on ``day``: one row per zone in force then."""
    return zones.loc[in_force_mask(zones, day)]


def status_since(zones: pd.DataFrame) -> pd.Series:
    """For each version, the first day of the unbroken run of its status.

    A boundary change that keeps the status does not reset "in effect since".
    """
    ordered = zones.sort_values(["zone_id", "version"])
    changed = ordered["status"] != ordered.groupby("zone_id")["status"].shift()
    run = changed.groupby(ordered["zone_id"]).cumsum()
    since = ordered.groupby([ordered["zone_id"], run])["valid_from"].transform("min")
    return since.reindex(zones.index)


def zone_span(zones: pd.DataFrame) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """First and last dated day over all versions (None where open-ended)."""
    starts, ends = zones["valid_from"].dropna(), zones["valid_to"].dropna()
    return (starts.min() if len(starts) else None, ends.max() if len(ends) else None)
