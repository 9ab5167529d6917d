"""What the ``zonewatch`` commands' options share (``cli``, ``cli_db``, ``cli_dedupe``)."""

from __future__ import annotations

from pathlib import Path

import click


def incident_sources(_ctx, _param, values: tuple[str, ...]) -> list[Path]:
    """``--incidents`` values (``NAME=FILE`` names the source) as the files they name; a
    missing file is named with the fix (a click option callback)."""
    from dashboard.core.sourcepaths import missing_source, source_path

    paths = [source_path(value) for value in values]
    for path in paths:
        if problem := missing_source(path):
            raise click.BadParameter(problem, param_hint="--incidents")
    return paths
