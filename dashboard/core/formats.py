"""How ZoneWatch writes a day for people: "3 Aug 2017", everywhere (panel, report,
briefing, map notes, hover). One definition, so a slide and the panel never disagree."""

from __future__ import annotations

from datetime import date

import pandas as pd

#: strftime and Plotly (d3-time-format) both read this: "3 Aug 2017".
DAY_FORMAT = "%-d %b %Y"


def day_words(day: date | pd.Timestamp | str) -> str:
    """'3 Aug 2017' for a date, a Timestamp or an ISO text."""
    return pd.Timestamp(day).strftime(DAY_FORMAT)


def days_words(days) -> list[str]:
    """``day_words`` for many days at once."""
    return pd.DatetimeIndex(days).strftime(DAY_FORMAT).tolist()


def plotly_day(field: str) -> str:
    """A Plotly hovertemplate placeholder that writes ``field`` as a day: %{x|3 Aug 2017}."""
    return f"%{{{field}|{DAY_FORMAT}}}"
