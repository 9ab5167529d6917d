"""The zone panel's callback: which zone and day it uses, and what it does with bad boxes."""

from __future__ import annotations

from datetime import date

from dashboard.analysis.viewstate import ViewState
from dashboard.app import ids
from dashboard.app.callbacks import analysis
from dashboard.core.memo import BoundedMemo


def test_ap001_boxes_show_the_zone_and_day_in_use(store):
    panel, zone, day = analysis.analysis_view(store, None, "", None, None, 90, 90, 25)
    assert (zone, day) == ("homs-north", "2017-08-03")   # first zone in effect, its first day
    assert "zw-headline" in str(panel)


def test_ap002_a_new_zone_starts_from_its_own_day_and_a_typed_day_stays(tiny_view):
    state = ViewState()
    assert analysis.analysis_inputs(tiny_view, state, "buffer", "2017-09-01",
                                    ids.ANALYSIS_ZONE) == ("buffer", None)
    assert analysis.analysis_inputs(tiny_view, state, "buffer", "2017-09-01",
                                    ids.ANALYSIS_DATE) == ("buffer", date(2017, 9, 1))


def test_ap003_the_zone_follows_the_zone_filter_off_a_hand_picked_zone(tiny_view):
    state = ViewState(zones=("east",))
    assert analysis.analysis_inputs(tiny_view, state, "buffer", "2017-09-01",
                                    ids.FILTERS) == ("east", None)
    # A window or type change keeps the hand-picked zone and day.
    assert analysis.analysis_inputs(tiny_view, ViewState(), "buffer", "2017-09-01",
                                    ids.FILTERS) == ("buffer", date(2017, 9, 1))


def test_ap004_out_of_range_boxes_give_a_message_not_a_crash(store):
    for before, after, ring in (("abc", 90, 25), (90, 99999, 25), (90, 90, float("nan")),
                                (90, 90, -3)):
        panel, zone, _ = analysis.analysis_view(store, None, "", None, None, before, after, ring)
        assert "zw-error" in str(panel) and "Fix:" in str(panel)
        assert zone == "homs-north"


def test_ap005_with_terms_the_panel_counts_violations_and_names_exemptions(tmp_path):
    from dashboard.core.settings import Settings
    from dashboard.server.datastore import DataStore

    store = DataStore.load(Settings(session_dir=tmp_path / "s", cache_dir=None))
    panel, zone, _ = analysis.analysis_view(store, None, "?zone=homs-north", None, None,
                                            90, 90, 25)
    assert zone == "homs-north" and store.base.terms is not None
    text = str(panel)
    assert "violations" in text and "Hay'at Tahrir al-Sham from 10 Sep 2017" in text


def test_ap006_the_same_analysis_is_fitted_once_per_view(store, monkeypatch):
    """Switching tabs or moving the slider asks for the same analysis again: the fits
    are reused, and any filter, zone or window box change fits anew."""
    calls = []
    real = analysis.before_after
    monkeypatch.setattr(analysis, "before_after", lambda *a, **k: calls.append(1) or real(*a, **k))
    monkeypatch.setattr(analysis, "_ANALYSES", BoundedMemo(8))
    first = analysis.analysis_view(store, None, "", None, None, 90, 90, 25)
    again = analysis.analysis_view(store, None, "?from=2017-09-01&to=2017-10-01", None, None,
                                   90, 90, 25)
    assert len(calls) == 1 and str(first[0]) == str(again[0])
    analysis.analysis_view(store, None, "?type=Shelling", None, None, 90, 90, 25)
    analysis.analysis_view(store, None, "", None, None, 60, 90, 25)
    assert len(calls) == 3
