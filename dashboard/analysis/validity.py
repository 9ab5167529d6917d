"""Zones through time: which version of each zone was in force on a day.

Rule, used everywhere: a version is in force on day D when
``valid_from <= D <= valid_to`` (calendar days, both ends included; an empty
``valid_from`` is "since always", an empty ``valid_to`` "still in force"). A
version that starts at a time of day (12:00 on 3 Aug 2017) is in force on its
first day, so the previous version should end the day before.
"""

from __future__ import annotations

from datetime import date

import pandas as pd


def _day(value: date | str | pd.Timestamp) -> pd.Timestamp:
    return pd.Timestamp(value).normalize()


def in_force_mask(zones: pd.DataFrame, day: date | str | pd.Timestamp) -> pd.Series:
    """Which rows (versions) of ``zones`` are in force on ``day``."""
    d = _day(day)
    starts = zones["valid_from"].isna() | (zones["valid_from"] <= d)
    ends = zones["valid_to"].isna() | (zones["valid_to"] >= d)
    return starts & ends


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
