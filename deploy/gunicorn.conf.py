"""gunicorn settings for ZoneWatch behind deploy/nginx.conf.

    gunicorn -c deploy/gunicorn.conf.py dashboard.wsgi:server

Threaded workers (gthread): a request that waits (an export in its render process, a
download being streamed) holds one thread, not a whole worker. Listens on loopback
only: nginx in front buffers every request body and response, so a client that
trickles its upload a byte a second costs nginx a socket and never a server thread.
Never bind this to 0.0.0.0 without the proxy. Each value can be overridden on the
command line (``-w``, ``--threads``, ``-b``) or with ``ZONEWATCH_GUNICORN_*`` below.
"""

import gc
import os
import signal
import threading

bind = os.environ.get("ZONEWATCH_GUNICORN_BIND", "127.0.0.1:8050")
worker_class = "gthread"
workers = int(os.environ.get("ZONEWATCH_GUNICORN_WORKERS", "4"))
# The master loads the app and the data once, then forks the workers: they share its
# memory copy-on-write, and the prepared data is memory-mapped (pages shared, never
# copied), so 4 workers hold about one copy, not four (benchmarks/RESULTS.md,
# bench_workers). Set ZONEWATCH_GUNICORN_PRELOAD=0 to have each worker load its own
# (then a HUP reloads the code too; with preload only a restart does).
preload_app = os.environ.get("ZONEWATCH_GUNICORN_PRELOAD", "1").lower() not in (
    "0", "false", "no", "off")
threads = int(os.environ.get("ZONEWATCH_GUNICORN_THREADS", "8"))
# gthread checks its workers' liveness, not request length: streamed downloads may run
# longer than this; a worker stuck this long is restarted.
timeout = 60
graceful_timeout = 30
keepalive = 5                      # nginx keeps upstream connections open (see nginx.conf)
forwarded_allow_ips = "127.0.0.1"  # trust X-Forwarded-* from the local nginx only
limit_request_line = 8190
limit_request_fields = 100
# No max_requests: recycling a worker mid-day reloads its data (seconds of CPU) and can
# cut a kept-alive upstream connection under nginx (a 502 for a POST).


def when_ready(server):
    """With the team database (ZONEWATCH_DATABASE_URL) and preload: the master follows
    the database's revision; on a new one it loads it, warms it up and replaces the
    workers (as a HUP does), which fork from the new data and share it. Without
    preload each worker follows the database itself (on page loads)."""
    if not server.cfg.preload_app:
        return
    store = server.app.wsgi().extensions.get("zonewatch_store")
    if store is None or store.reloader is None:
        return
    from dashboard.app.warmup import warm_up

    def replace_workers():
        warm_up(store)
        os.kill(os.getpid(), signal.SIGHUP)

    store.reloader.follow(store.swap_base, replace_workers)


def pre_fork(server, worker):
    """Before each fork: let a prepared-data write still running in the master finish (a
    fork copies a thread's held locks, not the thread), then freeze the master's objects
    out of the garbage collector's reach: a collection in a worker would otherwise write
    to every object's header and copy the pages it shares with the master."""
    for thread in threading.enumerate():
        if thread.name == "zonewatch-prepare":  # dashboard.server.datastore.load_base_view
            thread.join()
    gc.freeze()


def post_worker_init(worker):
    """Each worker starts its upload checker's fork server and waits (at most 30 s) for
    it to be ready before it takes requests, so its first upload does not load the data
    libraries while other users wait (dashboard.server.upload_check.start_checker)."""
    from dashboard.server.upload_check import start_checker

    if not start_checker(wait_s=30.0):
        worker.log.warning("upload checker not ready; the first upload will start it")
