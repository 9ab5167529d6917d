"""One module per feature; each has ``register(app, store)`` and the pure ``*_view``
function its callback calls."""

from dashboard.app.callbacks import (
    analysis,
    cards,
    export_panel,
    histogram,
    map_view,
    playback,
    selection,
    session,
    sources,
    sync,
    table,
    terms,
    uploads,
    zone_series,
)

FEATURES = (session, sync, map_view, histogram, cards, zone_series, table, selection,
            playback, uploads, analysis, terms, sources, export_panel)
