"""The Export button: the current view as a briefing image (PNG, SVG or PDF).

The same ``dashboard.export.snapshot`` as ``zonewatch snapshot``, on the session's
data and the URL's view, so the button and the command give the same image. In the
app it goes through the export queue (``dashboard.export.queue``): at most
``ZONEWATCH_EXPORT_SLOTS`` exports at once on the whole server, rendered in a separate
process; the others are told to try again in a moment.
"""

from __future__ import annotations

from datetime import datetime

from dash import Input, Output, State, dcc, html, no_update

from dashboard.app import ids
from dashboard.app.callbacks.common import resolve
from dashboard.core.errors import ZoneWatchError
from dashboard.export import FORMATS, SIZES, snapshot
from dashboard.export.queue import ExportBusy, ExportQueue


def filename(view, state, size: str, fmt: str) -> str:
    """zonewatch-homs-north-20170501-20180514-16x9.png"""
    start, end = state.start or view.default.start, state.end or view.default.end
    zone = f"-{state.zones[0]}" if state.zones else ""
    safe = "".join(c for c in zone if c.isalnum() or c in "-_")[:40]
    return f"zonewatch{safe}-{start:%Y%m%d}-{end:%Y%m%d}-{size.replace(':', 'x')}.{fmt}"


def export_view(store, session_id, search, href, fmt, size, title,
                made_at: datetime | None = None, queue: ExportQueue | None = None
                ) -> tuple[bytes, str]:
    """(image bytes, file name) for the view in ``search``; raises ZoneWatchError
    (``ExportBusy`` when ``queue`` has no free slot). Without a queue it renders here."""
    view, state = resolve(store, session_id, search)
    fmt = fmt if fmt in FORMATS else "png"
    size = size if size in SIZES else "16:9"
    options = {"fmt": fmt, "size": size, "title": title or None, "link": href or None,
               "made_at": made_at, "budget": store.settings.max_map_points}
    if queue is None:
        data = snapshot(view, state, **options)
    else:
        with queue.slots.hold():  # the figure's build counts too: seconds of CPU at 1M rows
            data = snapshot(view, state, **options, renderer=queue.render)
    return data, filename(view, state, size, fmt)


def export_message(err: ZoneWatchError):
    if isinstance(err, ExportBusy):
        return html.P(f"Export not started: {err}", className="zw-message")
    return html.P(f"Export failed: {err}", className="zw-message zw-error")


def register(app, store) -> None:
    queue = ExportQueue.from_settings(store.settings)

    @app.callback(Output(ids.EXPORT_DOWNLOAD, "data"),
                  Output(ids.MESSAGES, "children", allow_duplicate=True),
                  Input(ids.EXPORT_BUTTON, "n_clicks"),
                  State(ids.URL, "search"), State(ids.URL, "href"),
                  State(ids.EXPORT_FORMAT, "value"), State(ids.EXPORT_SIZE, "value"),
                  State(ids.EXPORT_TITLE, "value"), State(ids.SESSION, "data"),
                  prevent_initial_call=True)
    def _export(_clicks, search, href, fmt, size, title, session_id):
        try:
            data, name = export_view(store, session_id, search, href, fmt, size, title,
                                     queue=queue)
        except ZoneWatchError as err:  # shown to the user, not swallowed
            return no_update, export_message(err)
        return dcc.send_bytes(data, name), no_update
