"""The prepared cache: a cached start gives the very view a fresh one does; a changed file
makes a new entry; a damaged entry is logged, removed and rebuilt; the folder stays small."""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dashboard.analysis.dataset import dataset_files
from dashboard.analysis.viewdata import ViewData
from dashboard.core.settings import Settings
from dashboard.io.synth import synthetic_incidents
from dashboard.io.writers import write_incidents
from dashboard.server import prepared
from dashboard.server.datastore import DataStore, load_base_view


def assert_same_view(got: ViewData, want: ViewData) -> None:
    for a, b in ((got.index.frame, want.index.frame), (got.dataset.incidents, want.dataset.incidents),
                 (got.dataset.zones, want.dataset.zones), (got.zones, want.zones),
                 (got.dataset.milestones, want.dataset.milestones)):
        assert type(a) is type(b)
        pd.testing.assert_frame_equal(a, b, check_exact=True)
        assert list(a.dtypes.astype(str)) == list(b.dtypes.astype(str))
    assert got.dataset.zones.crs == want.dataset.zones.crs
    assert got.dataset.incidents["zone_id"].tolist() == want.dataset.incidents["zone_id"].tolist()
    assert list(got.index.zone_masks) == list(want.index.zone_masks)
    for zone, mask in want.index.zone_masks.items():
        assert np.array_equal(got.index.zone_masks[zone], mask)
    assert [r.to_dict() for r in got.dataset.reports] == [r.to_dict() for r in want.dataset.reports]
    assert [r.path for r in got.dataset.reports] == [r.path for r in want.dataset.reports]
    for name in ("days", "lon", "lat", "fatalities", "inside"):
        assert np.array_equal(getattr(got.index, name), getattr(want.index, name))
    assert got.index.codes.keys() == want.index.codes.keys()
    for col, codes in want.index.codes.items():
        assert np.array_equal(got.index.codes[col], codes)
    assert got.index.categories == want.index.categories
    assert (got.type_order, got.span, got.default, got.center, got.zoom, got.label) == (
        want.type_order, want.span, want.default, want.center, want.zoom, want.label)
    assert got.zone_names() == want.zone_names()
    assert got.synthetic == want.synthetic
    assert got.dataset.zone_index.zone_ids == want.dataset.zone_index.zone_ids


@pytest.fixture
def synthetic_file(tmp_path) -> Path:
    return write_incidents(synthetic_incidents(3000, seed=3), tmp_path / "SYNTHETIC-3000.parquet")


def settings_for(tmp_path: Path, incidents: Path | None = None, cache: bool = True) -> Settings:
    return Settings(incidents=incidents, session_dir=tmp_path / "sessions", terms="none",
                    cache_dir=tmp_path / "cache" if cache else None)


def entries(tmp_path: Path) -> list[Path]:
    folder = tmp_path / "cache"
    return sorted(p for p in folder.iterdir() if not p.name.startswith(".")) if folder.exists() else []


@pytest.mark.parametrize("which", ["bundled", "synthetic"])
def test_pre001_cached_view_is_the_fresh_view(tmp_path, synthetic_file, which):
    incidents = synthetic_file if which == "synthetic" else None
    fresh = load_base_view(settings_for(tmp_path, incidents, cache=False))
    first = load_base_view(settings_for(tmp_path, incidents))  # builds and stores
    assert len(entries(tmp_path)) == 1
    cached = load_base_view(settings_for(tmp_path, incidents))  # reads
    assert_same_view(first, fresh)
    assert_same_view(cached, fresh)
    assert cached.synthetic is (which == "synthetic")
    # Filtering works the same on both.
    state = fresh.default
    assert np.array_equal(cached.index.select(state), fresh.index.select(state))
    assert cached.index.actors.keys() == fresh.index.actors.keys()


def test_pre002_a_changed_file_is_not_served_from_the_cache(tmp_path, synthetic_file):
    settings = settings_for(tmp_path, synthetic_file)
    load_base_view(settings)
    files = dataset_files(incidents=synthetic_file)
    old_key = prepared.cache_key(files)
    write_incidents(synthetic_incidents(2000, seed=4), synthetic_file)  # new content
    stat = synthetic_file.stat()
    os.utime(synthetic_file, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert prepared.cache_key(files) != old_key
    view = load_base_view(settings)
    assert len(view.index) == 2000
    assert len(entries(tmp_path)) == 2


def test_pre003_touching_a_file_makes_a_new_key(tmp_path, synthetic_file):
    files = dataset_files(incidents=synthetic_file)
    before = prepared.cache_key(files)
    stat = synthetic_file.stat()
    os.utime(synthetic_file, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1))
    assert prepared.cache_key(files) != before


def test_pre004_changed_code_makes_a_new_key(monkeypatch, synthetic_file):
    files = dataset_files(incidents=synthetic_file)
    before = prepared.cache_key(files)
    monkeypatch.setattr(prepared, "SCHEMA", prepared.SCHEMA + 1)
    assert prepared.cache_key(files) != before
    monkeypatch.setattr(prepared, "SCHEMA", prepared.SCHEMA - 1)
    monkeypatch.setattr(prepared, "code_digest", lambda: "another")
    assert prepared.cache_key(files) != before


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _garbage(path: Path) -> None:
    raw = bytearray(path.read_bytes())
    middle = len(raw) // 2
    raw[middle:middle + 16] = b"\xde\xad\xbe\xef" * 4  # same size, altered data
    path.write_bytes(bytes(raw))


@pytest.mark.parametrize(("name", "damage"), [
    ("incidents.arrow", _truncate),
    ("incidents.arrow", _garbage),
    ("incidents.arrow", Path.unlink),
    ("zones.arrow", _garbage),
    ("milestones.arrow", _truncate),
    ("masks.npy", _garbage),
    ("masks.npy", Path.unlink),
    ("manifest.json", lambda p: p.write_text("{not json", encoding="utf-8")),
    ("manifest.json", lambda p: p.write_bytes(b"\x00\xff" * 10)),
])
def test_pre005_a_damaged_entry_is_logged_and_rebuilt(tmp_path, synthetic_file, caplog, name,
                                                      damage):
    settings = settings_for(tmp_path, synthetic_file)
    fresh = load_base_view(settings)
    (entry,) = entries(tmp_path)
    damage(entry / name)
    with caplog.at_level(logging.WARNING, logger="zonewatch"):
        again = load_base_view(settings)
    assert_same_view(again, fresh)
    assert "unreadable" in caplog.text and entry.name in caplog.text
    assert (entry / "manifest.json").exists()  # stored again, whole
    assert_same_view(load_base_view(settings), fresh)


def test_pre006_an_unwritable_cache_folder_does_not_stop_the_app(tmp_path, synthetic_file, caplog):
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the folder should be", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="zonewatch"):
        view = load_base_view(settings_for(tmp_path, synthetic_file))
    assert len(view.index) == 3000
    assert "could not be stored" in caplog.text


def test_pre007_only_the_newest_entries_are_kept(tmp_path, synthetic_file, monkeypatch):
    monkeypatch.setattr(prepared, "KEEP", 2)
    settings = settings_for(tmp_path, synthetic_file)
    for step in range(4):
        stat = synthetic_file.stat()
        os.utime(synthetic_file, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000 * (step + 1)))
        load_base_view(settings)
    assert len(entries(tmp_path)) == 2
    assert prepared.cache_key(dataset_files(incidents=synthetic_file)) in {
        p.name for p in entries(tmp_path)}


def test_pre008_workers_starting_at_once_agree(tmp_path, synthetic_file):
    settings = settings_for(tmp_path, synthetic_file)
    views, errors = [], []

    def start() -> None:
        try:
            views.append(load_base_view(settings))
        except Exception as err:  # collected, asserted below
            errors.append(err)

    threads = [threading.Thread(target=start) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(entries(tmp_path)) == 1
    assert not [p for p in (tmp_path / "cache").iterdir() if p.name.startswith(".tmp-")]
    for view in views[1:]:
        assert_same_view(view, views[0])
    assert_same_view(load_base_view(settings), views[0])


def test_pre009_no_cache_dir_means_no_cache(tmp_path, synthetic_file):
    store = DataStore.load(settings_for(tmp_path, synthetic_file, cache=False))
    assert len(store.base.index) == 3000
    assert not (tmp_path / "cache").exists()


def test_pre009b_the_server_stores_prepared_data_without_waiting_for_it(tmp_path,
                                                                       synthetic_file):
    import threading

    store = DataStore.load(settings_for(tmp_path, synthetic_file))
    for thread in threading.enumerate():
        if thread.name == "zonewatch-prepare":
            thread.join(timeout=60)
    assert len(entries(tmp_path)) == 1
    assert_same_view(load_base_view(settings_for(tmp_path, synthetic_file)), store.base)


def test_pre010_a_missing_input_file_still_raises_the_reader_error(tmp_path):
    from dashboard.core.errors import IncidentFileError

    with pytest.raises(IncidentFileError, match="file not found"):
        load_base_view(settings_for(tmp_path, tmp_path / "missing.csv"))


def test_every_module_the_dataset_is_made_with_is_in_the_cache_key():
    """A change to any module that loads, joins, links or indexes the data makes a new
    key (the dedupe modules were once missing: a cached entry kept old clusters)."""
    import subprocess
    import sys

    code = ("import sys, pathlib, dashboard.analysis.dataset, dashboard.analysis.viewdata\n"
            "import dashboard.server.prepared as p\n"
            "root = pathlib.Path(p.__file__).parents[1]\n"
            "for name, m in sorted(sys.modules.items()):\n"
            "    f = getattr(m, '__file__', None) if name.startswith('dashboard.') else None\n"
            "    if f:\n"
            "        rel = pathlib.Path(f).relative_to(root).as_posix()\n"
            "        if not any(rel == s or rel.startswith(s + '/') for s in p.SHAPING_MODULES):\n"
            "            print(rel)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=120).stdout.split()
    shape_nothing = {"analysis/__init__.py", "core/__init__.py", "server/__init__.py",
                     "core/errors.py", "core/paths.py", "core/progress.py", "core/mercator.py",
                     "analysis/filterspec.py", "analysis/frames.py"}
    assert set(out) <= shape_nothing, sorted(set(out) - shape_nothing)


def test_pre011_your_own_zones_without_milestones_are_read_back_not_rebuilt(tmp_path, caplog):
    """Own zones come with no milestones: an empty frame whose text columns Arrow stores
    as type null. Such an entry was 'unreadable' and rebuilt at every start."""
    from dashboard.core.paths import geodata_dir

    own = Settings(zones=geodata_dir() / "syria-2017-zones.geojson", terms="none",
                   session_dir=tmp_path / "sessions", cache_dir=tmp_path / "cache")
    first = load_base_view(own)
    with caplog.at_level(logging.WARNING, logger="zonewatch"):
        cached = load_base_view(own)
    assert "unreadable" not in caplog.text
    assert len(cached.dataset.milestones) == 0
    assert list(cached.dataset.milestones.columns) == list(first.dataset.milestones.columns)
    assert_same_view(cached, first)
