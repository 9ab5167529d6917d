"""Background work (upload checks, image renders) runs at the lowest CPU priority.

On a busy server the analysts' own requests come first: a child process that reads a
hostile upload or renders a briefing gets only the CPU that nobody else wants. Its
children (Chromium for a render) inherit the priority.
"""

from __future__ import annotations

import ctypes
import os
import sys
import threading
from contextlib import suppress

#: ``nice`` for background processes: 19 is the lowest priority (a CPU-bound process at
#: 19 gets about 1.5% of a core that a process at 0 also wants, against ~10% at 10).
BACKGROUND_NICE = 19


#: Linux prctl option and capability numbers (linux/prctl.h, linux/capability.h).
_PR_CAPBSET_DROP, _CAP_SYS_NICE = 24, 23


def lower_priority() -> None:
    """Move this process to ``BACKGROUND_NICE`` (no-op where ``os.nice`` is missing), for
    good: the programs it starts cannot raise their priority again (``keep_low``)."""
    with suppress(AttributeError, OSError):
        os.nice(max(0, BACKGROUND_NICE - os.nice(0)))
    keep_low()


def keep_low() -> None:
    """Programs this process starts from now on cannot raise their CPU priority. Run as
    root, Chromium (an export's renderer) sets its threads back to nice 0 and -8: it may,
    holding CAP_SYS_NICE. Dropped from this process's capability bounding set, the
    capability is gone from every program it executes. Linux only; a process without the
    right to drop it (not root) cannot raise its priority anyway."""
    if not sys.platform.startswith("linux"):
        return
    with suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_CAPBSET_DROP, _CAP_SYS_NICE, 0, 0, 0)


def lower_priority_after(seconds: float) -> threading.Timer:
    """Move this process's main thread to ``BACKGROUND_NICE`` once ``seconds`` have
    passed: an upload's check runs at normal priority while it is quick (an ordinary
    file is checked in well under a second) and yields the CPU when it is not."""
    pid = os.getpid()  # on Linux, the main thread's own id: only it is lowered

    def lower() -> None:
        with suppress(AttributeError, OSError):
            os.setpriority(os.PRIO_PROCESS, pid, BACKGROUND_NICE)

    timer = threading.Timer(seconds, lower)
    timer.daemon = True
    timer.start()
    return timer


def default_export_slots() -> int:
    """Exports at once on the whole server: one on a machine of two cores or fewer (a
    render takes a core for seconds), else two."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    return 1 if cores <= 2 else 2
