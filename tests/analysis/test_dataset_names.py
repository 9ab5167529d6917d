"""The name a source's incidents take (``dataset``): the bundled file's however typed."""

from __future__ import annotations

import os
from pathlib import Path

from dashboard.analysis.dataset import source_name
from dashboard.core.paths import geodata_dir
from dashboard.core.sourcepaths import source_path

BUNDLED = "syria-2017-reported-events.csv"


def test_the_bundled_reports_are_named_by_an_absolute_or_a_relative_path(monkeypatch):
    assert source_name(geodata_dir() / BUNDLED) == "Reported events"
    monkeypatch.chdir(geodata_dir().parent)
    assert source_name(Path(os.path.relpath(geodata_dir(), Path.cwd())) / BUNDLED) \
        == "Reported events"


def test_a_name_given_wins_and_other_files_have_none(tmp_path):
    assert source_name(source_path(f"Field={geodata_dir() / BUNDLED}")) == "Field"
    assert source_name(tmp_path / BUNDLED) is None
