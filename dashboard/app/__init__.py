"""The Dash application factory."""

from __future__ import annotations

import logging

from dash import Dash

from dashboard.app import callbacks
from dashboard.app.callbacks import notices
from dashboard.app.faults import on_callback_error
from dashboard.app.layout import build_layout
from dashboard.core.paths import assets_dir
from dashboard.core.settings import Settings
from dashboard.server.datastore import DataStore

log = logging.getLogger("zonewatch")

#: What the page may load from elsewhere when online tiles are on: the tiles, and the
#: label glyphs MapLibre asks for with them (see plotly's "open-street-map" style).
TILE_HOSTS = ("https://tile.openstreetmap.org", "https://fonts.openmaptiles.org")
#: Responses the browser may keep: the app's code and the base layers. Everything else
#: (the page, callback answers, playback data, downloads) may hold a session's data.
CACHEABLE = ("/assets/", "/_dash-component-suites/", "/zonewatch/base/", "/_favicon.ico")


def create_app(settings: Settings | None = None, store: DataStore | None = None) -> Dash:
    """Build the app; files are read here, once. No state lives outside the app."""
    settings = settings or Settings.from_env()
    store = store or DataStore.load(settings)
    store.sessions.sweep()
    app = Dash(
        __name__, title="ZoneWatch", assets_folder=str(assets_dir()),
        serve_locally=True, suppress_callback_exceptions=False,
        update_title=None, on_error=on_callback_error,
        compress=True,  # gzip (flask-compress): a points-mode map answer shrinks ~6x
    )
    # Downloads stream (callbacks/table.py): never buffer a stream to compress it.
    app.server.config["COMPRESS_STREAMS"] = False
    # Room for base64 and a few times the limit, so an oversized file still reaches the
    # upload check and gets a clear message; far larger requests are cut off by Flask.
    app.server.config["MAX_CONTENT_LENGTH"] = (settings.upload_max_mb * 3 + 2) * 1024 * 1024
    app.layout = lambda: build_layout(store.base, settings)
    for feature in callbacks.FEATURES:
        feature.register(app, store)
    notices.register(app, store)  # after sync: it writes the messages area first
    app.server.extensions["zonewatch_store"] = store
    _serve_base_layers(app)
    _security_headers(app, content_security_policy(app.csp_hashes(), settings.tiles_allowed))
    log.info("ZoneWatch ready: %s incidents, %s zone versions", len(store.base.index),
             len(store.base.zones))
    return app


def _serve_base_layers(app: Dash) -> None:
    """The offline base layers, from the package's geodata/, cached by the browser."""
    from flask import abort, send_from_directory

    from dashboard.app.callbacks.map_view import BASE_FILES, BASE_URL
    from dashboard.core.paths import geodata_dir

    @app.server.route(f"{BASE_URL}/<name>.geojson")
    def _base_layer(name: str):
        if name not in BASE_FILES:
            abort(404)
        return send_from_directory(geodata_dir(), f"{name}.geojson", max_age=86400,
                                   mimetype="application/geo+json")


def content_security_policy(script_hashes: list[str], online_tiles: bool = False) -> str:
    """The page's CSP: its own files only, inline scripts by hash (Dash's renderer and
    clientside callbacks), no framing. Measured needs, not guesses: MapLibre builds its
    workers from ``blob:`` URLs; plotly.js and Dash set inline styles and add <style>
    elements (so ``style-src 'unsafe-inline'``, styles cannot run code); plotly draws
    some images from ``data:``. No 'unsafe-eval': nothing on the page needs it."""
    tiles = " ".join(TILE_HOSTS) if online_tiles else ""
    parts = {
        "default-src": "'self'",
        "script-src": " ".join(["'self'", *script_hashes]),
        "style-src": "'self' 'unsafe-inline'",
        "img-src": f"'self' data: blob: {tiles}",
        "font-src": "'self' data:",
        "connect-src": f"'self' {tiles}",
        "worker-src": "'self' blob:",
        "child-src": "'self' blob:",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    return "; ".join(f"{name} {value.strip()}" for name, value in parts.items())


def _security_headers(app: Dash, policy: str) -> None:
    """The same headers on every response, and no caching of anything with data."""
    from flask import request

    @app.server.after_request
    def _headers(response):
        response.headers["Content-Security-Policy"] = policy
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "DENY"  # browsers without frame-ancestors
        if not request.path.startswith(CACHEABLE):
            response.headers["Cache-Control"] = "no-store"
        return response
