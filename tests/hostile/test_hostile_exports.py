"""Expensive requests: an export flood is bounded and runs outside the web worker; big
downloads are streamed a chunk at a time, complete, with CSV formulas still inert."""

from __future__ import annotations

import csv
import io
import json
import os
import threading
import time

import pandas as pd
import pytest

from dashboard.app.callbacks import export_panel, table
from dashboard.core.errors import ZoneWatchError
from dashboard.core.settings import Settings
from dashboard.export import render as render_module
from dashboard.export.queue import ExportBusy, ExportQueue, ExportSlots
from dashboard.server.datastore import DataStore
from tests.conftest import make_incidents

EXPORTERS = 6
SLOTS = 2
RENDER_S = 0.6


def slow_render(spec, fmt, width, height, scale) -> bytes:
    """Stands in for Chromium: takes a second, and says which process it ran in."""
    time.sleep(RENDER_S)
    return f"{fmt} {width}x{height} pid {os.getpid()}".encode()


class FakeRenderQueue(ExportQueue):
    def render(self, fig, fmt, width, height, scale=2) -> bytes:
        return self.call(slow_render, None, fmt, width, height, scale)


@pytest.fixture
def store(tiny_dataset, tmp_path) -> DataStore:
    return DataStore.from_dataset(tiny_dataset, Settings(session_dir=tmp_path / "sessions"), "test")


@pytest.fixture
def queue(tmp_path):
    queue = FakeRenderQueue(ExportSlots(tmp_path / "slots", SLOTS, wait_s=0.2))
    yield queue
    queue.close()


def test_six_exports_at_once_run_two_at_a_time_out_of_the_worker(store, queue):
    queue.call(slow_render, None, "png", 1, 1, 1)  # the render process is up
    results: list = []

    def export() -> None:
        started = time.perf_counter()
        try:
            result = export_panel.export_view(store, None, "", "", "png", "16:9", None,
                                              queue=queue)
        except ExportBusy as err:
            result = err
        results.append((time.perf_counter() - started, result))

    threads = [threading.Thread(target=export) for _ in range(EXPORTERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    made = [r for _, r in results if not isinstance(r, Exception)]
    busy = [r for _, r in results if isinstance(r, ExportBusy)]
    assert (len(made), len(busy)) == (SLOTS, EXPORTERS - SLOTS)
    # The refused were told within the slot wait, before any export was made (not after
    # the others' renders): relative, so a busy test machine does not fail it.
    assert max(s for s, r in results if isinstance(r, ExportBusy)) < min(
        s for s, r in results if not isinstance(r, Exception))
    for data, name in made:
        assert data.startswith(b"png 960x540 pid ") and name.endswith("-16x9.png")
        assert int(data.split()[-1]) != os.getpid()  # rendered in the render process
    message = export_panel.export_message(busy[0]).children
    assert message.startswith("Export not started: the server is making 2 exports already")
    assert "Fix: try again in a moment" in message


def test_a_freed_slot_is_taken_by_the_next_export(tmp_path):
    slots = ExportSlots(tmp_path / "slots", 1, wait_s=2.0)
    done = threading.Event()

    def hold_briefly() -> None:
        with slots.hold():
            done.set()
            time.sleep(0.3)

    thread = threading.Thread(target=hold_briefly)
    thread.start()
    done.wait(5)
    with slots.hold() as number:  # waits the 0.3 s, well within wait_s
        assert number == 0
    thread.join()


def test_slots_are_shared_between_processes(tmp_path):
    """A lock held by another process (another gunicorn worker) counts."""
    import subprocess
    import sys

    folder = tmp_path / "slots"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from pathlib import Path; "
         "from dashboard.export.queue import ExportSlots; "
         f"s = ExportSlots(Path({str(folder)!r}), 1).hold(); s.__enter__(); "
         "print('held', flush=True); time.sleep(30)"],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(ExportBusy, match="making 1 export already"), \
                ExportSlots(folder, 1, wait_s=0.2).hold():
            pass
    finally:
        holder.kill()
        holder.wait(timeout=10)
    with ExportSlots(folder, 1, wait_s=0.2).hold() as number:  # freed when its holder died
        assert number == 0


def test_zero_slots_is_a_clear_config_error(tmp_path):
    with pytest.raises(ZoneWatchError, match=r"ZONEWATCH_EXPORT_SLOTS=0 .* Fix: set it to 1"):
        ExportSlots(tmp_path, 0)


@pytest.mark.browser
@pytest.mark.skipif(not render_module.available(), reason="no Chromium for kaleido")
def test_the_real_render_runs_in_the_render_process(store, tmp_path):
    queue = ExportQueue(ExportSlots(tmp_path / "slots", 1))
    try:
        data, name = export_panel.export_view(store, None, "", "", "svg", "16:9", "Flood",
                                              queue=queue)
    finally:
        queue.close()
    assert data.lstrip().startswith(b"<svg") and b"Flood" in data and name.endswith(".svg")


# Streamed downloads -------------------------------------------------------------------
@pytest.fixture
def client(store, tmp_path):
    from dashboard.app import create_app

    return create_app(store.settings, store).server.test_client()


def post(client, fmt: str, **form):
    return client.post(f"/zonewatch/download/{fmt}", data={"state": "", "session": "",
                                                            "selection": "null", **form})


def test_csv_download_is_streamed_complete_and_inert(client, store, monkeypatch):
    monkeypatch.setattr(table, "CHUNK_ROWS", 5)
    response = post(client, "csv")
    assert response.status_code == 200 and response.is_streamed
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="zonewatch-20170504-20180515.csv"')
    assert response.headers["Cache-Control"] == "no-store"
    chunks = list(response.response)
    assert len(chunks) >= 4  # BOM, then 12 rows five at a time
    text = b"".join(chunks).decode("utf-8")
    frame, stem = table.export_frame(store, None, "", None)
    assert text == table.csv_download(frame, stem)["content"]
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert len(rows) == len(store.base.index.frame) == 12


def test_csv_stream_keeps_formulas_inert_in_every_chunk():
    nasty = make_incidents([{"date": "2017-08-03", "lon": 36.7, "lat": 34.9,
                             "actor1": f"=cmd|' /C calc'!A{i}"} for i in range(7)])
    nasty = nasty.assign(date_end=nasty["date"])
    text = "".join(table.csv_chunks(nasty, rows=3))
    actors = [r["actor1"] for r in csv.DictReader(io.StringIO(text.removeprefix("\ufeff")))]
    assert actors == [f"'=cmd|' /C calc'!A{i}" for i in range(7)]


def test_geojson_download_follows_the_posted_view_and_selection(client):
    response = post(client, "geojson", state="?zone=homs-north#x",
                    selection=json.dumps(["i02", "i03", "i11"]))
    assert response.status_code == 200 and response.is_streamed
    doc = json.loads(response.get_data())
    assert [f["properties"]["incident_id"] for f in doc["features"]] == ["i02", "i03"]


def test_a_bad_download_request_gets_a_message_not_a_crash(client):
    response = post(client, "geojson", selection='{"a": 1}')
    assert response.status_code == 400
    assert "selection is not a list of incident ids" in response.get_data(as_text=True)
    assert client.post("/zonewatch/download/xlsx").status_code == 404
    # Never by a plain link (Dash answers other GETs with its page, never the data).
    assert "Content-Disposition" not in client.get("/zonewatch/download/csv").headers


def test_a_large_geojson_starts_at_once_and_arrives_whole(store):
    frame, _ = table.export_frame(store, None, "", None)
    big = pd.concat([frame] * 5_000, ignore_index=True)  # 60,000 rows: three chunks
    started = time.perf_counter()
    chunks = table.geojson_chunks(big)
    first = next(chunks) + next(chunks)
    first_s = time.perf_counter() - started
    doc = json.loads(first + "".join(chunks))
    assert first_s < 1.0  # the first rows leave long before any timeout
    assert len(doc["features"]) == len(big)
    assert doc["features"][-1]["properties"]["incident_id"] == frame["incident_id"].iloc[-1]


def test_renders_run_at_the_lowest_cpu_priority(queue):
    """A render (and its Chromium) gets only the CPU the analysts' requests leave."""
    from dashboard.core.priority import BACKGROUND_NICE

    assert queue.call(os.nice, 0) == BACKGROUND_NICE == 19


def child_nice_after_asking_for(nice: int) -> int:
    """Start a program (as a render starts Chromium) that sets its priority to ``nice``
    as Chromium sets its threads' (0, -8); the priority it then has."""
    import subprocess
    import sys

    code = f"import os\ntry:\n    os.setpriority(os.PRIO_PROCESS, 0, {nice})\nexcept OSError:\n" \
           "    pass\nprint(os.getpriority(os.PRIO_PROCESS, 0))"
    return int(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              check=True, timeout=60).stdout)


def test_what_a_render_starts_cannot_raise_its_priority_again(queue):
    """Run as root, Chromium set its threads back to nice 0 and -8 (it held CAP_SYS_NICE):
    the render process drops that for every program it starts."""
    for nice in (0, -8):
        assert queue.call(child_nice_after_asking_for, nice) == 19
