"""The server's data from the team store (``dashboard.db``, PostgreSQL + PostGIS).

Loaded once at start, then kept in step with the store without a restart: every few
seconds at most, a page load asks the store for its data revision (one row), and when
it moved (an import, a zone edited in QGIS) the view is rebuilt in a background thread.
Pages keep the old view until the new one is whole, then the store swaps them in one
step; a failed reload keeps the old view and logs why.

Through the prepared cache (``server.prepared``), keyed by the database and its
revision: the first worker to see a revision builds the entry while the others wait on
its lock, then every worker maps the same files, so after a reload they still share
one copy of the data.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import time
from collections.abc import Callable
from threading import Lock, Thread
from typing import TYPE_CHECKING

from dashboard.analysis.viewdata import ViewData, build_view_data
from dashboard.core.errors import ConfigError, ZoneWatchError
from dashboard.core.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

log = logging.getLogger("zonewatch")

#: At most one revision query per process this often (seconds).
REVISION_CHECK_S = 3.0
#: How long the request that noticed a new revision waits for its reload (seconds):
#: small stores come back within the same page load, large ones on a later one.
RELOAD_WAIT_S = 2.0
#: Connecting to the store gives up after this long (seconds): a page load never hangs
#: on a database that does not answer.
CONNECT_TIMEOUT_S = 5


def connect(url: str) -> Engine:
    """An engine for the store (``dashboard.db.engine.make_engine``) that gives up
    connecting after ``CONNECT_TIMEOUT_S``."""
    from sqlalchemy import event

    from dashboard.db.engine import make_engine

    engine = make_engine(url)

    @event.listens_for(engine, "do_connect")
    def _timeout(dialect, record, cargs, cparams) -> None:
        cparams.setdefault("connect_timeout", CONNECT_TIMEOUT_S)

    return engine


def store_name(url: str) -> str:
    """"zonewatch on dbhost": the database and host (a local socket: "this server"),
    never the user or password."""
    from sqlalchemy.engine import make_url

    from dashboard.db.engine import database_url

    parsed = make_url(database_url(url))
    host = parsed.host or parsed.query.get("host") or "localhost"
    host = host if isinstance(host, str) else host[0]
    return f"{parsed.database} on {'this server' if host.startswith('/') else host}"


def open_store(settings: Settings) -> tuple[int, ViewData]:
    """(revision, view) at start (``load_db_view``), its connections closed afterwards so
    none crosses a fork. A store that cannot be read raises ``ConfigError`` naming it."""
    engine = connect(settings.database_url)
    try:
        return load_db_view(settings, engine)
    except ZoneWatchError:
        raise
    except Exception as err:  # unreachable, refused, no schema, no rights
        driver = getattr(err, "orig", None) or err  # psycopg's words, not SQLAlchemy's wrapper
        cause = str(driver).strip().splitlines()[0] if str(driver).strip() \
            else type(driver).__name__
        raise ConfigError(
            f"the team database {store_name(settings.database_url)} could not be read "
            f"({cause}). Fix: check that PostgreSQL is running and the URL, role and "
            "password in --db or ZONEWATCH_DATABASE_URL; a new database needs zonewatch db "
            "init and zonewatch db import first.") from err
    finally:
        engine.dispose()


def load_db_view(settings: Settings, engine: Engine) -> tuple[int, ViewData]:
    """(revision, view) of the store at ``settings.database_url``; through the prepared
    cache when ``settings.cache_dir`` is set. The revision is read before the data, so a
    change made while reading shows as a newer revision at the next check (and such a
    view is not cached under the older one)."""
    from dashboard.db.read import data_revision, load_db_terms, store_identity
    from dashboard.server import prepared

    if settings.zones or settings.incidents or settings.milestones:
        raise ConfigError("both data files and a database were given. Fix: serve either "
                          "the files (--zones/--incidents/--milestones) or the database "
                          "(--db, ZONEWATCH_DATABASE_URL), not both.")
    revision = data_revision(engine)
    terms = load_db_terms(engine)
    label = f"Team database {store_name(settings.database_url)}"
    cache = settings.cache_dir
    if cache is None:
        return revision, _build(engine, label, terms)
    key = prepared.cache_key({}, {"database": _identity(settings.database_url),
                                  "store": store_identity(engine), "revision": revision,
                                  "non_violent": sorted(settings.non_violent_types)})
    with prepared.building(cache, key):  # one process builds it; the others then map it
        view = prepared.load_view(cache, key, label, terms)
        if view is None:
            view = _build(engine, label, terms)
            if data_revision(engine) == revision and prepared.save_view(cache, key, view):
                view = prepared.load_view(cache, key, label, terms) or view
                give_back_memory()  # the built copy is gone: the mapped one is served
    return revision, view


def give_back_memory() -> None:
    """Return the memory a database read freed to the system. Arrow's pool and the C
    heap keep it otherwise (at a million incidents about 700 MB), and a preloading
    master would hand those pages to every worker it forks."""
    import ctypes

    import pyarrow as pa

    gc.collect()
    pa.default_memory_pool().release_unused()
    with contextlib.suppress(OSError, AttributeError):  # glibc only
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _build(engine: Engine, label: str, terms) -> ViewData:
    from dashboard.db.read import load_db_dataset

    started = time.perf_counter()
    view = build_view_data(load_db_dataset(engine), label, terms=terms)
    log.info("team database read: %s incidents in %.1f s", len(view.index),
             time.perf_counter() - started)
    return view


def _identity(url: str) -> str:
    """The store's URL without its password (the cache key names the store, not a secret)."""
    from sqlalchemy.engine import make_url

    from dashboard.db.engine import database_url

    return make_url(database_url(url)).set(password=None).render_as_string()


class Reloader:
    """Notices a new revision of the store and rebuilds the view in the background."""

    def __init__(self, settings: Settings, revision: int):
        self.settings, self.revision = settings, revision
        self.failure: str | None = None  # why the last check or reload failed
        self._engine: Engine | None = None
        self._pid: int | None = None
        self._checked = time.monotonic()
        self._thread: Thread | None = None
        self._lock = Lock()
        self.in_master = False  # gunicorn's master follows the store (``follow``)
        self._busy = Lock()  # held while the master reloads: no fork meanwhile

    def engine(self) -> Engine:
        """This process's engine: a forked worker never uses its parent's connections."""
        if self._pid != os.getpid():
            self._engine, self._pid = connect(self.settings.database_url), os.getpid()
        return self._engine

    def maybe_reload(self, swap: Callable[[ViewData], None]) -> None:
        """Check the revision when the last check is ``REVISION_CHECK_S`` old; on a new
        one, reload and ``swap`` the view in, waiting up to ``RELOAD_WAIT_S`` for it
        (not at all while the store is failing)."""
        if self.in_master:  # the master reloads and replaces the workers
            return
        now = time.monotonic()
        with self._lock:
            if now - self._checked < REVISION_CHECK_S or (
                    self._thread is not None and self._thread.is_alive()):
                return
            self._checked = now
            thread = self._thread = Thread(target=self.reload, args=(swap,), daemon=True,
                                           name="zonewatch-db-reload")
            thread.start()
        if self.failure is None:
            thread.join(RELOAD_WAIT_S)

    def follow(self, swap: Callable[[ViewData], None], after: Callable[[], None],
               interval: float = REVISION_CHECK_S) -> Thread:
        """Follow the store from gunicorn's master (``preload_app``): check the revision
        every ``interval`` seconds; on a new one, load it into the master (``swap``) and
        call ``after``, which replaces the workers (a HUP): they fork from the new data and
        share it, as at start. The workers then no longer check on page loads. No fork
        happens while a reload runs (it could copy a lock the reload holds), and no
        connection is kept open across one."""
        self.in_master = True

        def swap_in_master(view: ViewData) -> None:
            swap(view)
            gc.unfreeze()  # the old view was frozen at the first fork: let it be collected

        os.register_at_fork(before=self._busy.acquire, after_in_parent=self._busy.release,
                            after_in_child=self._fresh_busy)

        def loop() -> None:
            while True:
                time.sleep(interval)
                with self._busy:
                    try:
                        if self.reload(swap_in_master):
                            after()
                    finally:
                        if self._engine is not None:
                            self._engine.dispose()

        thread = Thread(target=loop, daemon=True, name="zonewatch-db-follow")
        thread.start()
        return thread

    def _fresh_busy(self) -> None:
        self._busy = Lock()  # the child's copy was held by the forking parent

    def wait(self, timeout: float | None = None) -> None:
        """Until the check or reload under way (if any) ends."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def reload(self, swap: Callable[[ViewData], None]) -> bool:
        """Reload when the revision moved; whether a new view was swapped in."""
        from dashboard.db.read import data_revision

        try:
            if data_revision(self.engine()) == self.revision:
                self.failure = None
                return False
            revision, view = load_db_view(self.settings, self.engine())
        except Exception as err:  # the old view stays; the reason goes to the log
            if self.failure is None:
                log.error("team database: reload failed, still serving revision %s: %s: %s",
                          self.revision, type(err).__name__, err)
            self.failure = f"{type(err).__name__}: {err}"
            return False
        swap(view)
        del view
        give_back_memory()  # the old view's pages and the reload's scratch
        log.info("team database: revision %s -> %s loaded", self.revision, revision)
        self.revision, self.failure = revision, None
        return True
