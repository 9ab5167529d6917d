"""WSGI entry point: ``gunicorn 'dashboard.wsgi:server' -w 4``.

Settings come from ``ZONEWATCH_*`` environment variables; each worker loads the
data once. Uploads live on disk per session, so every worker sees them.
"""

from dashboard.app import create_app

app = create_app()
server = app.server
