"""The one playback stepping rule (dashboard.analysis.frames), checked on the table the browser's
JS test reads too (tests/js/frame_cases.json), so the GIF and the browser agree."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from dashboard.analysis.frames import frame_windows, months_from, thin
from dashboard.core.errors import ZoneWatchError

CASES = json.loads((Path(__file__).parent / "js" / "frame_cases.json").read_text("utf-8"))


def windows_of(case: dict) -> list[list[str]]:
    frames = frame_windows(date.fromisoformat(case["start"]), date.fromisoformat(case["end"]),
                           step=case["step"], window_days=case["window"], mode=case["mode"])
    return [[first.isoformat(), last.isoformat()] for first, last in frames]


@pytest.mark.parametrize("case", CASES["cases"], ids=[c["id"] for c in CASES["cases"]])
def test_frames_follow_the_shared_table(case):
    assert windows_of(case) == case["frames"]


@pytest.mark.parametrize("case", CASES["cases"], ids=[c["id"] for c in CASES["cases"]])
def test_frames_start_on_the_first_day_and_end_on_the_last(case):
    frames = windows_of(case)
    assert frames[0][0] == case["start"] and frames[-1][1] == case["end"]
    assert all(case["start"] <= first <= last <= case["end"] for first, last in frames)
    ends = [last for _, last in frames]
    assert ends == sorted(set(ends))  # each frame ends later than the one before


@pytest.mark.parametrize(("day", "months", "expected"), [
    pytest.param(date(2017, 1, 31), 1, date(2017, 2, 28), id="end-of-jan-to-feb"),
    pytest.param(date(2017, 1, 31), 2, date(2017, 3, 31), id="two-months-no-drift"),
    pytest.param(date(2017, 4, 30), 1, date(2017, 5, 31), id="month-end-stays-month-end"),
    pytest.param(date(2017, 3, 30), -1, date(2017, 2, 28), id="back-clamps-to-february"),
    pytest.param(date(2016, 3, 31), -1, date(2016, 2, 29), id="leap-year"),
    pytest.param(date(2017, 1, 15), -1, date(2016, 12, 15), id="back-across-new-year"),
    pytest.param(date(2017, 12, 15), 1, date(2018, 1, 15), id="forward-across-new-year"),
    pytest.param(date(2017, 2, 28), 1, date(2017, 3, 31), id="february-end-is-a-month-end"),
    pytest.param(date(2016, 2, 28), 1, date(2016, 3, 28), id="leap-february-28-is-not"),
])
def test_calendar_months(day, months, expected):
    assert months_from(day, months) == expected


BAD = [
    pytest.param({"step": "year"}, r"playback step 'year' is not one of day, week, month\. "
                 r"Fix: choose day, week or month\.", id="step"),
    pytest.param({"mode": "growing"}, r"playback mode 'growing' .* Fix: choose sliding or "
                 r"cumulative", id="mode"),
    pytest.param({"window_days": 0}, r"window of 0 days is not between 1 and 3650\. Fix:",
                 id="window-zero"),
    pytest.param({"window_days": 3651}, r"window of 3651 days", id="window-big"),
    pytest.param({"start": date(2018, 5, 1)}, r"the range 2018-05-01\.\.2018-04-30 ends before "
                 r"it starts\. Fix: choose a last day on or after the first\.", id="reversed"),
]


@pytest.mark.parametrize(("change", "message"), BAD)
def test_unusable_settings_say_what_to_do(change, message):
    args = {"start": date(2018, 2, 1), "end": date(2018, 4, 30), "step": "week",
            "window_days": 30, "mode": "sliding", **change}
    start, end = args.pop("start"), args.pop("end")
    with pytest.raises(ZoneWatchError, match=message):
        frame_windows(start, end, **args)


@pytest.mark.parametrize(("n", "most", "kept"), [
    pytest.param(5, 10, [0, 1, 2, 3, 4], id="under"),
    pytest.param(5, 5, [0, 1, 2, 3, 4], id="exactly"),
    pytest.param(5, 3, [0, 2, 4], id="every-other"),
    pytest.param(10, 4, [0, 3, 6, 9], id="even"),
    pytest.param(4, 3, [0, 2, 3], id="uneven-keeps-last"),
    pytest.param(4, 1, [3], id="one-is-the-last"),
])
def test_thin_keeps_first_and_last_evenly(n, most, kept):
    assert thin(list(range(n)), most) == kept


def test_a_decade_of_days_is_quick():
    frames = frame_windows(date(2011, 1, 1), date(2020, 12, 31), step="day", window_days=30)
    assert len(frames) == 3653 - 29
