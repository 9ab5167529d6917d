"""One base error with narrow subclasses.

``str(err)`` is shown to users as is, so every message names the file, the place
in it and what to do about it.
"""

from __future__ import annotations

from pathlib import Path


class ZoneWatchError(Exception):
    """Base of every error ZoneWatch raises on purpose."""


class DataFileError(ZoneWatchError):
    """A data file that cannot be used as it is."""

    def __init__(self, path: str | Path, problem: str, fix: str, where: str | None = None):
        self.path, self.problem, self.fix, self.where = Path(path), problem, fix, where
        place = f"{self.path.name}, {where}" if where else self.path.name
        super().__init__(f"{place}: {problem}. Fix: {fix}.")


class ZoneFileError(DataFileError):
    """A zone file with errors."""


class IncidentFileError(DataFileError):
    """An incident file with errors."""


class MilestoneFileError(DataFileError):
    """A milestone file with errors."""


class TermsFileError(DataFileError):
    """An agreement terms file with errors."""


class FormatError(DataFileError):
    """A file that is not in a format ZoneWatch reads, or not the one it claims."""


class CRSMismatchError(ZoneWatchError):
    """Two frames in different coordinate reference systems."""


class FilterError(ZoneWatchError):
    """A filter or date window that selects nothing by construction."""


class ConfigError(ZoneWatchError):
    """A setting or environment variable with a value of the wrong kind."""
