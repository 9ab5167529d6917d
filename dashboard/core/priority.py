"""Background work (upload checks, image renders) runs at the lowest CPU priority.

On a busy server the analysts' own requests come first: a child process that reads a
hostile upload or renders a briefing gets only the CPU that nobody else wants. Its
children (Chromium for a render) inherit the priority.
"""

from __future__ import annotations

import os
import threading
from contextlib import suppress

#: ``nice`` for background processes: 19 is the lowest priority (a CPU-bound process at
#: 19 gets about 1.5% of a core that a process at 0 also wants, against ~10% at 10).
BACKGROUND_NICE = 19


def lower_priority() -> None:
    """Move this process to ``BACKGROUND_NICE`` (no-op where ``os.nice`` is missing)."""
    with suppress(AttributeError, OSError):
        os.nice(max(0, BACKGROUND_NICE - os.nice(0)))


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
