"""Warm a new server process up before it takes requests.

A worker's first answers are slow: the statistics libraries load on the first zone
panel, the zone layers and hexagon grids are built on the first map. On a busy
server that first request waited seconds behind everyone else's. ``dashboard.wsgi``
runs this when it loads the app (in gunicorn's master with ``preload_app``, so the
workers it forks start warm), and the first analyst to reach a worker is answered as
fast as the hundredth.
"""

from __future__ import annotations

import logging
import time

from dashboard.analysis.windows import DEFAULT_AFTER, DEFAULT_BEFORE, DEFAULT_RING_KM
from dashboard.app.callbacks.analysis import analysis_view
from dashboard.app.callbacks.cards import summary_view
from dashboard.app.callbacks.histogram import timeline_view
from dashboard.app.callbacks.map_view import map_view
from dashboard.app.callbacks.zone_series import zone_series_view

log = logging.getLogger("zonewatch")
#: Above this many incidents the zone panel's fits take tens of seconds (5M: ~23 s, most
#: of it the exact interval): a start would wait that long, so only their libraries load.
FIT_ROWS_MAX = 1_000_000
#: Seconds of a start spent at most on the zone panels of the zones beyond the default.
ZONES_BUDGET_S = 5.0


def warm_up(store) -> float:
    """Build the default view's map, cards, histogram, zone series and zone panel once
    (what a first page load asks for), then the other zones' panels for up to
    ``ZONES_BUDGET_S`` (above ``FIT_ROWS_MAX`` incidents the panel's libraries only);
    seconds taken. Never raises: a failure here
    only means a slower first request, so it is logged and the server starts."""
    started = time.perf_counter()
    try:
        map_view(store, None, "", None, [], None)
        # The first place search folds every place name and loads the gazetteer.
        store.base.index.text_mask("warm-up")
        summary_view(store, None, "", None)
        timeline_view(store, None, "", None)
        zone_series_view(store, None, "", None)
        if len(store.base.index) <= FIT_ROWS_MAX:
            # The default zone's panel, then each other zone's while the budget lasts:
            # an analyst's first clicks are on the zones (or the zone filter).
            zones = [None, *dict.fromkeys(store.base.zones["zone_id"].astype(str))]
            for zone in zones:
                if zone is not None and time.perf_counter() - started > ZONES_BUDGET_S:
                    break
                analysis_view(store, None, "", zone, None, DEFAULT_BEFORE, DEFAULT_AFTER,
                              DEFAULT_RING_KM)
        else:
            import statsmodels.discrete.discrete_model  # noqa: F401  (the first panel's import)
    except Exception:  # a warm-up must never keep the server from starting
        log.warning("warm-up of the default view failed; the first request will be slower",
                    exc_info=True)
    return time.perf_counter() - started
