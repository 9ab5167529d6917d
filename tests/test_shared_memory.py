"""Several workers, one copy of the data: prepared entries are opened memory-mapped (their
pages shared through the page cache), gunicorn preloads the app and forks with the
collector frozen, and one process builds an entry while the others wait for it."""

from __future__ import annotations

import gc
import os
import runpy
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from dashboard.core.settings import Settings
from dashboard.io.synth import synthetic_incidents
from dashboard.io.writers import write_incidents
from dashboard.server import prepared
from dashboard.server.datastore import load_base_view
from tests.processes import children, stop_group

ROOT = Path(__file__).resolve().parents[1]
CONF = ROOT / "deploy" / "gunicorn.conf.py"
linux_only = pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="needs /proc (Linux)")


@pytest.fixture
def settings(tmp_path) -> Settings:
    incidents = write_incidents(synthetic_incidents(2000, seed=5), tmp_path / "SYNTHETIC.parquet")
    return Settings(incidents=incidents, session_dir=tmp_path / "sessions", terms="none",
                    cache_dir=tmp_path / "cache")


def mapped_files(pid: int | str = "self") -> set[str]:
    with open(f"/proc/{pid}/maps") as f:
        return {line.split(None, 5)[5].strip() for line in f if len(line.split(None, 5)) == 6}


def entry_of(settings: Settings) -> Path:
    return next(p for p in settings.cache_dir.iterdir() if not p.name.startswith("."))


@linux_only
def test_shm001_a_prepared_entry_is_mapped_not_copied(settings):
    load_base_view(settings)  # builds and stores the entry
    view = load_base_view(settings)  # opens it
    entry = entry_of(settings)
    assert {str(entry / "incidents.arrow"), str(entry / "masks.npy")} <= mapped_files()
    lon = np.asarray(view.index.frame["lon"])
    assert not lon.flags.writeable and not lon.flags.owndata  # a view of the file's pages
    mask = next(iter(view.index.zone_masks.values()))
    assert not mask.flags.writeable


def test_shm002_a_byte_changed_in_a_mapped_file_fails_its_checksum(settings, caplog):
    fresh = load_base_view(settings)
    path = entry_of(settings) / "incidents.arrow"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF  # same size: only the checksum can tell
    path.write_bytes(bytes(data))
    again = load_base_view(settings)
    assert "does not match its checksum" in caplog.text
    assert len(again.index) == len(fresh.index)


def test_shm003_one_process_builds_an_entry_while_the_others_wait(tmp_path):
    entered = []

    def second() -> None:
        with prepared.building(tmp_path, "k" * 40):
            entered.append(time.monotonic())

    with prepared.building(tmp_path, "k" * 40):
        other = threading.Thread(target=second)
        other.start()
        other.join(0.3)
        assert other.is_alive() and not entered  # waiting on the lock
        released = time.monotonic()
    other.join(10)
    assert entered and entered[0] >= released


def test_shm004_gunicorn_preloads_and_freezes_the_collector_before_forking(monkeypatch):
    monkeypatch.delenv("ZONEWATCH_GUNICORN_PRELOAD", raising=False)
    conf = runpy.run_path(str(CONF))
    assert conf["preload_app"] is True
    writing = threading.Thread(target=time.sleep, args=(0.3,), name="zonewatch-prepare")
    writing.start()  # a prepared-data write still running in the master
    try:
        conf["pre_fork"](None, None)
        assert not writing.is_alive()  # waited for: no fork in the middle of a write
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
    monkeypatch.setenv("ZONEWATCH_GUNICORN_PRELOAD", "0")
    assert runpy.run_path(str(CONF))["preload_app"] is False


@linux_only
def test_shm005_gunicorn_workers_share_the_masters_mapping(settings, tmp_path):
    """Two workers forked from a master that mapped the entry: the same files in each."""
    pytest.importorskip("gunicorn")
    load_base_view(settings)  # the entry exists before the server starts
    env = {**os.environ, "ZONEWATCH_INCIDENTS": str(settings.incidents), "ZONEWATCH_TERMS": "none",
           "ZONEWATCH_CACHE_DIR": str(settings.cache_dir),
           "ZONEWATCH_SESSION_DIR": str(settings.session_dir)}
    env.pop("ZONEWATCH_GUNICORN_PRELOAD", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(CONF), "-b", "127.0.0.1:0", "-w", "2",
         "dashboard.wsgi:server"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, text=True, start_new_session=True)
    wanted = str(entry_of(settings) / "incidents.arrow")
    try:
        deadline = time.monotonic() + 60
        while True:
            workers = children(server.pid)
            if len(workers) == 2 and all(wanted in mapped_files(p) for p in workers):
                break
            assert server.poll() is None, server.stderr.read()[-2000:]
            assert time.monotonic() < deadline, "the workers never mapped the entry"
            time.sleep(0.2)
        assert wanted in mapped_files(server.pid)  # mapped once, by the master, then inherited
    finally:
        stop_group(server)


@linux_only
def test_shm006_memory_a_database_read_freed_goes_back_to_the_system():
    """The C heap keeps freed blocks (a preloading master would hand them to every worker)."""
    from dashboard.server.dbview import give_back_memory

    blocks = [bytes(64_000) for _ in range(1500)]  # ~96 MB in blocks malloc keeps
    keeper = bytes(64_000)  # above them: the heap cannot simply shrink
    del blocks
    before = anonymous_mb()
    give_back_memory()
    assert anonymous_mb() < before - 50
    assert keeper


def anonymous_mb() -> float:
    with open("/proc/self/smaps_rollup") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("Anonymous:")) / 1024
