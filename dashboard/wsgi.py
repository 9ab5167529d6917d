"""WSGI entry point: ``gunicorn -c deploy/gunicorn.conf.py dashboard.wsgi:server``.

That config binds to 127.0.0.1 with threaded workers; deploy/nginx.conf in front
faces the network (see the README's Deployment section).

Settings come from ``ZONEWATCH_*`` environment variables; each worker loads the
data once. Uploads live on disk per session, so every worker sees them.
"""

from dashboard.app import create_app

app = create_app()
server = app.server
