"""The GIF's frames are the browser's: ``frame_states`` over the shared table."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from dashboard.export.animation import frame_states
from tests.test_frames import CASES


def state_for(view, case: dict, **play):
    return replace(view.default, start=date.fromisoformat(case["start"]),
                   end=date.fromisoformat(case["end"]), types=("Shelling",), **play)


@pytest.mark.parametrize("case", CASES["cases"], ids=[c["id"] for c in CASES["cases"]])
def test_the_links_settings_give_the_tables_frames(tiny_view, case):
    state = state_for(tiny_view, case, play_step=case["step"], play_window=case["window"],
                      play_mode=case["mode"])
    states = frame_states(tiny_view, state, max_frames=500)
    assert [[s.start.isoformat(), s.end.isoformat()] for s in states] == case["frames"]
    assert all(s.types == ("Shelling",) and s.as_of is None for s in states)


@pytest.mark.parametrize("case", CASES["cases"], ids=[c["id"] for c in CASES["cases"]])
def test_options_override_the_link(tiny_view, case):
    state = state_for(tiny_view, case)  # the link says week, 30, sliding
    states = frame_states(tiny_view, state, step=case["step"], window_days=case["window"],
                          cumulative=case["mode"] == "cumulative", max_frames=500)
    assert [[s.start.isoformat(), s.end.isoformat()] for s in states] == case["frames"]


def test_issue_12_the_gif_stays_in_the_chosen_range(tiny_view):
    state = replace(tiny_view.default, start=date(2018, 2, 1), end=date(2018, 4, 30))
    states = frame_states(tiny_view, state)
    assert (states[0].start, states[0].end) == (date(2018, 2, 1), date(2018, 3, 2))
    assert (states[-1].start, states[-1].end) == (date(2018, 4, 1), date(2018, 4, 30))


def test_issue_13_month_steps_do_not_drift(tiny_view):
    """The GIF used to step 31 Jan -> 28 Feb -> 28 Mar (pd.DateOffset from the last)."""
    state = replace(tiny_view.default, start=date(2018, 1, 1), end=date(2018, 4, 30),
                    play_step="month", play_mode="cumulative")
    assert [s.end for s in frame_states(tiny_view, state)] == [
        date(2018, 1, 31), date(2018, 2, 28), date(2018, 3, 31), date(2018, 4, 30)]


def test_too_many_frames_keep_first_and_last_evenly(tiny_view):
    state = replace(tiny_view.default, start=date(2018, 1, 1), end=date(2018, 1, 31),
                    play_step="day", play_window=1)
    states = frame_states(tiny_view, state, max_frames=4)
    assert [s.end.day for s in states] == [1, 11, 21, 31]


def test_a_fixed_zones_day_stays_as_in_the_browser(tiny_view):
    state = replace(tiny_view.default, start=date(2018, 2, 1), end=date(2018, 4, 30),
                    as_of=date(2017, 9, 1))
    assert {s.as_of for s in frame_states(tiny_view, state)} == {date(2017, 9, 1)}


def test_no_dates_plays_the_default_window(tiny_view):
    states = frame_states(tiny_view, replace(tiny_view.default, start=None, end=None))
    assert states[0].start == tiny_view.default.start
    assert states[-1].end == tiny_view.default.end


@pytest.mark.parametrize(("args", "ends"), [
    pytest.param([], [date(2018, 2, 28), date(2018, 3, 31), date(2018, 4, 30)], id="the-links"),
    pytest.param(["--sliding", "--window-days", "10"],
                 [date(2018, 2, 10), date(2018, 2, 28), date(2018, 3, 31), date(2018, 4, 30)],
                 id="sliding"),
    pytest.param(["--step", "week", "--sliding", "--window-days", "89"], [date(2018, 4, 30)],
                 id="options-win"),
])
def test_zonewatch_animate_plays_the_links_settings(zone_file, incident_file, tmp_path,
                                                     monkeypatch, args, ends):
    from click.testing import CliRunner

    from dashboard.cli import cli
    from dashboard.export import animation

    rendered = []
    monkeypatch.setattr(animation, "animate_gif",
                        lambda view, states, **kw: rendered.extend(states) or b"GIF89a")
    result = CliRunner().invoke(cli, [
        "animate", "--state", "?from=2018-02-01&to=2018-04-30&step=month&mode=cumulative",
        "--zones", str(zone_file), "--incidents", str(incident_file),
        "-o", str(tmp_path / "x.gif"), *args])
    assert result.exit_code == 0, result.output
    assert [s.end for s in rendered] == ends and rendered[0].start == date(2018, 2, 1)
