"""WSGI entry point: ``gunicorn -c deploy/gunicorn.conf.py dashboard.wsgi:server``.

That config binds to 127.0.0.1 with threaded workers; deploy/nginx.conf in front
faces the network (see the README's Deployment section).

Settings come from ``ZONEWATCH_*`` environment variables (``ZONEWATCH_DATABASE_URL``:
the team database instead of files; ``ZONEWATCH_INCIDENTS``: one incident file or
several, ``os.pathsep``-separated, each ``FILE`` or ``NAME=FILE`` as ``--incidents``
takes them). A setting or file that cannot be served stops the start with the
problem and its fix, not a traceback. gunicorn's master imports this module and loads
the data once (``preload_app`` in that config) and warms the default view up
(``dashboard.app.warmup``), then forks the workers, which share it: the prepared data
is memory-mapped, the rest copy-on-write. Uploads live on disk per session, so every
worker sees them.
"""

from dashboard.app import create_app
from dashboard.app.warmup import warm_up
from dashboard.core.errors import ZoneWatchError

try:
    app = create_app()
except ZoneWatchError as err:  # said as the CLI says it; gunicorn stops
    raise SystemExit(f"ZoneWatch cannot start: {err}") from None
server = app.server
warm_up(server.extensions["zonewatch_store"])  # before any worker takes a request
