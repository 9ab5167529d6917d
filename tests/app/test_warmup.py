"""A new worker builds the default view once before it takes requests."""

from __future__ import annotations

import logging

from dashboard.app import warmup
from dashboard.app.callbacks import analysis
from dashboard.core.memo import BoundedMemo


def test_warm_up_leaves_every_zone_panel_ready(store, monkeypatch):
    monkeypatch.setattr(analysis, "_ANALYSES", BoundedMemo(16))
    assert warmup.warm_up(store) > 0
    # Every zone with a day to compare around ("east" has none: its message is not kept).
    assert len(analysis._ANALYSES) == 2 == store.base.zones["zone_id"].nunique() - 1
    analysis.analysis_view(store, None, "?zone=buffer", None, None, 90, 90, 25)
    assert len(analysis._ANALYSES) == 2  # a zone filter asks for a fitted panel


def test_warm_up_fits_other_zones_only_within_its_budget(store, monkeypatch):
    monkeypatch.setattr(analysis, "_ANALYSES", BoundedMemo(16))
    monkeypatch.setattr(warmup, "ZONES_BUDGET_S", 0.0)
    warmup.warm_up(store)
    assert len(analysis._ANALYSES) == 1  # the default zone's panel only


def test_a_failing_warm_up_is_logged_and_the_server_starts(store, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("no map today")

    monkeypatch.setattr(warmup, "map_view", broken)
    with caplog.at_level(logging.WARNING, logger="zonewatch"):
        warmup.warm_up(store)
    assert "warm-up of the default view failed" in caplog.text


def test_a_large_dataset_loads_the_statistics_but_fits_nothing(store, monkeypatch):
    """At millions of incidents the fits would hold a start for tens of seconds."""
    monkeypatch.setattr(analysis, "_ANALYSES", BoundedMemo(8))
    monkeypatch.setattr(warmup, "FIT_ROWS_MAX", 1)
    warmup.warm_up(store)
    assert len(analysis._ANALYSES) == 0


def test_warm_up_readies_the_place_search(store, monkeypatch):
    """The first search folds every place name (and loads the gazetteer): done before the
    workers fork, not in an analyst's request."""
    monkeypatch.setattr(analysis, "_ANALYSES", BoundedMemo(16))
    index = store.base.index
    index._place_keys.clear()
    warmup.warm_up(store)
    assert index._place_keys  # every distinct place already has its key
