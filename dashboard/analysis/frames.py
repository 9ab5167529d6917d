"""Which windows playback shows: the one stepping rule for the browser and the GIF.

The browser gets this list from the server (``dashboard.views.playback_data``) and the GIF
(``dashboard.export.animation``) renders it, so both show the same frames.

The rule, for a chosen range ``start``..``end`` (both days included):

- Frames end on ``end`` and on every whole step before it, counted back from ``end``,
  down to the first frame's end. So the last frame ends on the range's last day, and
  the steps line up with it (a range ending on a month end steps month end to month end).
- The first frame starts on ``start``: sliding, it is ``window_days`` long; cumulative,
  it is one step long (``start`` plus one step, less a day). Where the range does not
  hold a whole number of steps, the step after the first frame is the short one.
- A sliding frame is the ``window_days`` ending on its last day, never before ``start``;
  a cumulative frame runs from ``start`` to its last day.
- A month step is a calendar month: the same day of the month, or the month's last day
  when it has fewer days, and a month's last day steps to a month's last day (30 Apr,
  31 Mar, 28 Feb, 31 Jan). Each end is counted from ``end``, so days never drift.
- A range shorter than the first frame is one frame, the whole range.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from dashboard.core.errors import ZoneWatchError

STEPS = ("day", "week", "month")
MODES = ("sliding", "cumulative")
MAX_WINDOW_DAYS = 3650


def months_from(day: date, months: int) -> date:
    """``day`` moved by whole calendar months (negative: back), keeping the day of the
    month where the month has it, else its last day; a month end stays a month end."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    at_end = day.day == calendar.monthrange(day.year, day.month)[1]
    return date(year, month + 1, last if at_end else min(day.day, last))


def step_from(day: date, step: str, count: int) -> date:
    """``day`` moved by ``count`` steps (negative: back)."""
    if step == "month":
        return months_from(day, count)
    return day + timedelta(days=count * (7 if step == "week" else 1))


def _check(start: date, end: date, step: str, window_days: int, mode: str) -> None:
    if step not in STEPS:
        raise ZoneWatchError(f"playback step '{step}' is not one of {', '.join(STEPS)}. "
                             "Fix: choose day, week or month.")
    if mode not in MODES:
        raise ZoneWatchError(f"playback mode '{mode}' is not one of {', '.join(MODES)}. "
                             "Fix: choose sliding or cumulative.")
    if not 1 <= window_days <= MAX_WINDOW_DAYS:
        raise ZoneWatchError(f"playback window of {window_days} days is not between 1 and "
                             f"{MAX_WINDOW_DAYS}. Fix: choose a window in that range.")
    if end < start:
        raise ZoneWatchError(f"the range {start}..{end} ends before it starts. Fix: choose a "
                             "last day on or after the first.")


def frame_windows(start: date, end: date, *, step: str = "week", window_days: int = 30,
                  mode: str = "sliding") -> list[tuple[date, date]]:
    """The (first day, last day) of every frame for the range ``start``..``end``, in
    order; the rule is in the module docstring."""
    _check(start, end, step, window_days, mode)
    first_end = (start + timedelta(days=window_days - 1) if mode == "sliding"
                 else step_from(start, step, 1) - timedelta(days=1))
    if first_end >= end:
        return [(start, end)]
    ends = []
    count = 0
    while (day := step_from(end, step, -count)) > first_end:
        ends.append(day)
        count += 1
    ends.append(first_end)
    ends.reverse()
    if mode == "cumulative":
        return [(start, day) for day in ends]
    return [(max(start, day - timedelta(days=window_days - 1)), day) for day in ends]


def thin(frames: list, max_frames: int) -> list:
    """At most ``max_frames`` of ``frames``, evenly spaced, the first and the last kept
    (the step widens; the frames kept are unchanged)."""
    if len(frames) <= max_frames:
        return list(frames)
    if max_frames < 2:
        return [frames[-1]]
    last = len(frames) - 1
    picks = dict.fromkeys(round(i * last / (max_frames - 1)) for i in range(max_frames))
    return [frames[i] for i in picks]
