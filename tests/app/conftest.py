"""A DataStore over the tiny data, with its sessions in the test's own folder."""

from __future__ import annotations

import pytest

from dashboard.core.settings import Settings
from dashboard.server.datastore import DataStore


@pytest.fixture
def store(tiny_dataset, tmp_path) -> DataStore:
    return DataStore.from_dataset(tiny_dataset, Settings(session_dir=tmp_path / "sessions"), "test")
