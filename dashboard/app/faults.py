"""What the page shows when a callback fails: a message, never a blank page.

Every exception a callback raises ends here (``Dash(on_error=...)``): it is logged
with its traceback and a short reference, the page shows a message with that
reference, and the outputs of the failed callback keep their last values.
"""

from __future__ import annotations

import logging
import uuid

from dash import html, set_props

from dashboard.app import ids
from dashboard.core.errors import ZoneWatchError

log = logging.getLogger("zonewatch")


def error_message(err: BaseException) -> tuple[str, str]:
    """(text shown to the person, reference for the log)."""
    ref = uuid.uuid4().hex[:8]
    if isinstance(err, ZoneWatchError):
        return str(err), ref
    return (f"Something went wrong while updating this view (reference {ref}). The rest of "
            "the page still works: try again, or press Reset.", ref)


def on_callback_error(err: Exception) -> None:
    text, ref = error_message(err)
    log.error("callback failed (reference %s): %s", ref, err, exc_info=err)
    set_props(ids.MESSAGES, {"children": html.Div(text, className="zw-message zw-error")})
