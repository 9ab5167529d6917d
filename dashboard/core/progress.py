"""Progress bars for the command line, shown only when a step is slow."""

from __future__ import annotations

import sys


class Steps:
    """A progress bar over the loading steps, shown only if loading takes over 2 s."""

    def __init__(self, enabled: bool, total: int):
        self.bar = None
        if enabled and sys.stderr.isatty():  # no bars in logs, pipes or tests
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc="loading", unit="step", delay=2, leave=False)

    def done(self, what: str) -> None:
        if self.bar is not None:
            self.bar.set_postfix_str(what, refresh=False)
            self.bar.update()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
