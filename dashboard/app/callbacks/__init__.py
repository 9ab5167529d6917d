"""One module per feature; each has ``register(app, store)`` and the pure ``*_view``
function its callback calls."""

from dashboard.app.callbacks import (
    analysis,
    export_panel,
    map_view,
    playback,
    selection,
    session,
    summary,
    sync,
    table,
    timeline,
    uploads,
    zone_series,
)

FEATURES = (session, sync, map_view, timeline, summary, zone_series, table, selection,
            playback, uploads, analysis, export_panel)
