"""The Dash application factory."""

from __future__ import annotations

import logging

from dash import Dash

from dashboard.app import callbacks
from dashboard.app.layout import build_layout
from dashboard.app.store import DataStore
from dashboard.paths import assets_dir
from dashboard.settings import Settings

log = logging.getLogger("zonewatch")


def create_app(settings: Settings | None = None, store: DataStore | None = None) -> Dash:
    """Build the app; files are read here, once. No state lives outside the app."""
    settings = settings or Settings.from_env()
    store = store or DataStore.load(settings)
    store.sessions.sweep()
    app = Dash(
        __name__, title="ZoneWatch", assets_folder=str(assets_dir()),
        serve_locally=True, suppress_callback_exceptions=False,
        update_title=None,
    )
    app.server.config["MAX_CONTENT_LENGTH"] = (settings.upload_max_mb * 4 // 3 + 2) * 1024 * 1024
    app.layout = build_layout
    for feature in callbacks.FEATURES:
        feature.register(app, store)
    app.server.extensions["zonewatch_store"] = store
    log.info("ZoneWatch ready: %s incidents, %s zone versions", len(store.base.index),
             len(store.base.zones))
    return app
