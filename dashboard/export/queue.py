"""Image exports in a bounded queue: a few at once on the whole server, out of the web worker.

A briefing image costs seconds of CPU and a Chromium. Unbounded, six analysts
exporting at once starve everyone else, so:

* **Slots.** At most ``slots`` exports run at once across every gunicorn worker: each
  holds an exclusive ``flock`` on one of ``slot-<i>.lock`` in a shared folder (the
  kernel frees it when its holder dies, so a crash never leaks a slot). A request
  that finds no free slot within ``wait_s`` gets ``ExportBusy``: "try again in a
  moment", at once, rather than a long wait that would hold a server thread.
* **A render process.** Each server process renders in one spawned child at the lowest
  CPU priority (its Chromium inherits it), so the request thread only waits and the
  analysts' own requests come first on a busy machine.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from pathlib import Path

from dashboard.core.errors import ZoneWatchError
from dashboard.core.priority import lower_priority
from dashboard.export.render import ExportError, render

try:
    import fcntl
except ImportError:  # not POSIX: slots count within one process only (no gunicorn there)
    fcntl = None

log = logging.getLogger("zonewatch")
WAIT_S = 3.0             # how long a request waits for a free slot before "busy"
RENDER_TIMEOUT_S = 120   # a render taking longer than this is given up (and its process)


class ExportBusy(ZoneWatchError):
    """Every export slot is taken; the user is told to try again in a moment."""


def slot_folder(cache_dir: Path | None) -> Path:
    """Where the slot locks live: shared by every worker of one server (its cache folder,
    else a per-user folder in the temp dir)."""
    uid = os.getuid() if hasattr(os, "getuid") else "user"
    base = cache_dir or Path(tempfile.gettempdir()) / f"zonewatch-{uid}"
    return base / "export-slots"


class ExportSlots:
    """A counting semaphore over ``slots`` lock files, shared between processes."""

    def __init__(self, folder: Path, slots: int, wait_s: float = WAIT_S):
        if slots < 1:
            raise ZoneWatchError(f"ZONEWATCH_EXPORT_SLOTS={slots} leaves no room for an export. "
                                 "Fix: set it to 1 or more.")
        self.folder, self.slots, self.wait_s = Path(folder), slots, wait_s
        self._local = threading.BoundedSemaphore(slots)  # without fcntl

    @contextmanager
    def hold(self) -> Iterator[int]:
        """Hold a free slot (its number) for the ``with`` block, or raise ``ExportBusy``."""
        deadline = time.monotonic() + self.wait_s
        while True:
            taken = self._try_take()
            if taken is not None:
                break
            if time.monotonic() >= deadline:
                raise ExportBusy(
                    f"the server is making {self.slots} "
                    f"export{'s' if self.slots > 1 else ''} already (at most {self.slots} at "
                    "once, so that everyone's map stays quick). Fix: try again in a moment")
            time.sleep(0.1)
        number, release = taken
        try:
            yield number
        finally:
            release()

    def _try_take(self) -> tuple[int, Callable[[], None]] | None:
        if fcntl is None:
            if not self._local.acquire(blocking=False):
                return None
            return 0, self._local.release
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        for number in range(self.slots):
            fd = os.open(self.folder / f"slot-{number}.lock",
                         os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:  # held by another export
                os.close(fd)
                continue
            return number, lambda fd=fd: os.close(fd)  # closing releases the lock
        return None


class ExportQueue:
    """Slots plus this process's render child; ``render`` is ``render.render`` behind both."""

    def __init__(self, slots: ExportSlots, timeout_s: float = RENDER_TIMEOUT_S):
        self.slots, self.timeout_s = slots, timeout_s
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings) -> ExportQueue:
        return cls(ExportSlots(slot_folder(settings.cache_dir), settings.export_slots))

    def render(self, fig, fmt: str, width: int, height: int, scale: float = 2) -> bytes:
        """``render.render`` in the render process; the caller holds a slot (``slots.hold``)."""
        spec = fig.to_dict() if hasattr(fig, "to_dict") else fig
        return self.call(render, spec, fmt, width, height, scale)

    def call(self, fn: Callable, *args):
        """``fn(*args)`` in the render process (``fn`` must be importable, for spawn)."""
        pool = self._get_pool()
        future = pool.submit(fn, *args)
        try:
            return future.result(timeout=self.timeout_s)
        except FutureTimeout:
            self._discard(pool)
            raise ExportError(f"the export took longer than {self.timeout_s:.0f} s and was "
                              "stopped. Fix: try a smaller size, or SVG") from None
        except BrokenProcessPool:
            self._discard(pool)
            raise ExportError("the export's render process ended unexpectedly. Fix: try again; "
                              "if it keeps failing, check the server's memory and Chromium") \
                from None

    def _get_pool(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                # spawn: a fork of a threaded server process could copy a held lock
                self._pool = ProcessPoolExecutor(
                    max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                    initializer=lower_priority)
            return self._pool

    def _discard(self, pool: ProcessPoolExecutor) -> None:
        """Drop a stuck or broken render process; the next export starts a fresh one."""
        with self._lock:
            if self._pool is pool:
                self._pool = None
        for process in list(getattr(pool, "_processes", {}).values()):
            process.kill()
        pool.shutdown(wait=False, cancel_futures=True)
        log.warning("export render process replaced")

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
