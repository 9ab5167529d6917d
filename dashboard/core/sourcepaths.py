"""Incident files as sources: ``NAME=FILE`` names the source a file's incidents are
shown under. Read alike from ``--incidents`` (the CLI) and ``ZONEWATCH_INCIDENTS``
(settings), so both say a missing file in the same words."""

from __future__ import annotations

from pathlib import Path


class SourcePath(type(Path())):  # type: ignore[misc]  # PosixPath or WindowsPath
    """An incident file's path with the name its incidents are shown under (its
    ``dataset``), as ``--incidents NAME=path`` gives it; None: the reader's name."""

    dataset_name: str | None = None


def source_path(text: str | Path) -> Path:
    """``NAME=path`` -> a ``SourcePath`` named NAME; anything else (an existing file
    whose name holds "=", a name with a slash) -> the path as given."""
    raw = str(text)
    name, sep, rest = raw.partition("=")
    if not sep or not name.strip() or not rest or "/" in name or "\\" in name \
            or Path(raw).exists():
        return Path(raw)
    path = SourcePath(rest)
    path.dataset_name = name.strip()[:80]
    return path


def missing_source(path: Path) -> str | None:
    """What is wrong with ``path`` as an incident source, with the fix (None: a file)."""
    if Path(path).is_file():
        return None
    return f"no file {str(path)!r}. Fix: give an incident file, or NAME=FILE to name its source"
