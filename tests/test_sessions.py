"""SessionStore: files live under session_dir/<id>/ only, ids are checked, sessions never
see each other's files, and idle or oversized sessions are swept."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dashboard.errors import ZoneWatchError
from dashboard.sessions import ROLES, SessionStore, new_session_id, valid_session_id

NOW = 1_800_000_000.0  # a fixed "now" for sweeps (2027)


@pytest.fixture
def sessions(tmp_path) -> SessionStore:
    return SessionStore(tmp_path / "sessions", ttl_minutes=60, max_mb=1)


def upload(sessions: SessionStore, sid: str, role: str = "incidents", data: bytes = b"a,b\n",
           fmt: str = "text", name: str = "mine.csv") -> Path:
    staged = sessions.staging_path(sid, fmt)
    staged.write_bytes(data)
    sessions.commit(sid, role, staged, name)
    return sessions.root / sid


def last_used(sessions: SessionStore, sid: str, when: float) -> None:
    os.utime(sessions.root / sid / ".last_used", (when, when))


def test_new_ids_are_valid_and_different():
    ids = {new_session_id() for _ in range(50)}
    assert len(ids) == 50
    assert all(valid_session_id(i) for i in ids)


@pytest.mark.parametrize("value", [
    None, "", "abc", "0" * 31, "0" * 33, "A" * 32, "g" * 32, "../" + "0" * 29, "0" * 31 + "/",
    "0" * 32 + "\n", " " + "0" * 32, 12345, ["0" * 32],
])
def test_invalid_ids(value):
    assert not valid_session_id(value)


@pytest.mark.parametrize("bad", ["../../etc", "", "0" * 31 + "/", "0" * 32 + "\n"])
def test_files_are_never_written_for_an_invalid_id(sessions, bad):
    with pytest.raises(ZoneWatchError, match=r"^invalid session id\. Fix: reload the page\.$"):
        sessions.staging_path(bad, "text")
    with pytest.raises(ZoneWatchError, match="invalid session id"):
        sessions.commit(bad, "incidents", sessions.root / "x.csv", "x.csv")
    assert sessions.files(bad) is None
    sessions.reset(bad)  # ignored, not an error
    assert list(sessions.root.iterdir()) == []


def test_nothing_uploaded_means_no_files(sessions):
    sid = new_session_id()
    assert sessions.files(sid) is None
    assert sessions.files(None) is None
    sessions.staging_path(sid, "text")  # a staging folder alone is not an upload
    assert sessions.files(sid) is None


def test_commit_makes_the_upload_the_sessions_file(sessions):
    sid = new_session_id()
    folder = upload(sessions, sid, data=b"first", name="../../evil name.csv")
    files = sessions.files(sid)
    assert files.incidents == folder / "incidents.csv"
    assert files.incidents.read_bytes() == b"first"
    assert files.zones is None
    assert files.names == {"zones": "", "incidents": "../../evil name.csv"}  # display only
    assert list((folder / "staging").iterdir()) == []


def test_commit_replaces_the_previous_file_of_that_role_only(sessions):
    sid = new_session_id()
    upload(sessions, sid, "zones", b"{}", "json", "z.geojson")
    upload(sessions, sid, data=b"first", name="one.csv")
    version = sessions.files(sid).version
    upload(sessions, sid, data=b"second", fmt="gzip", name="two.csv.gz")
    files = sessions.files(sid)
    assert files.incidents.name == "incidents.csv.gz"
    assert files.incidents.read_bytes() == b"second"
    assert not (sessions.root / sid / "incidents.csv").exists()
    assert files.zones.name == "zones.geojson"
    assert files.names == {"zones": "z.geojson", "incidents": "two.csv.gz"}
    assert files.version != version


def test_commit_refuses_an_unknown_role(sessions):
    sid = new_session_id()
    staged = sessions.staging_path(sid, "text")
    with pytest.raises(ZoneWatchError, match=r"unknown upload role 'milestones'"):
        sessions.commit(sid, "milestones", staged, "m.csv")
    assert ROLES == ("zones", "incidents")


def test_two_sessions_never_see_each_others_files(sessions):
    one, two = new_session_id(), new_session_id()
    upload(sessions, one, data=b"one's")
    assert sessions.files(two) is None
    upload(sessions, two, "zones", b"{}", "json")
    assert sessions.files(one).zones is None
    assert sessions.files(two).incidents is None
    assert sessions.files(one).incidents.read_bytes() == b"one's"
    sessions.reset(one)
    assert sessions.files(one) is None
    assert sessions.files(two).zones is not None


def test_staging_files_have_fresh_names_by_kind(sessions):
    sid = new_session_id()
    paths = [sessions.staging_path(sid, fmt) for fmt in ("text", "zip", "parquet", "weird")]
    assert [p.suffix for p in paths] == [".csv", ".zip", ".parquet", ".bin"]
    assert len({p.name for p in paths}) == 4
    assert all(p.parent == sessions.root / sid / "staging" for p in paths)


def test_sweep_removes_sessions_idle_past_the_ttl(sessions):
    idle, fresh, edge = new_session_id(), new_session_id(), new_session_id()
    for sid in (idle, fresh, edge):
        upload(sessions, sid)
    last_used(sessions, idle, NOW - 61 * 60)
    last_used(sessions, fresh, NOW - 5 * 60)
    last_used(sessions, edge, NOW - 60 * 60)  # exactly the TTL: kept
    assert sessions.sweep(now=NOW) == [idle]
    assert sorted(p.name for p in sessions.root.iterdir()) == sorted([fresh, edge])


def test_using_a_session_keeps_it_alive(sessions):
    sid = new_session_id()
    upload(sessions, sid)
    last_used(sessions, sid, NOW - 2 * 3600)
    sessions.files(sid)  # touches it: last used now
    assert sessions.sweep(now=(sessions.root / sid / ".last_used").stat().st_mtime + 60) == []


def test_sweep_removes_the_oldest_sessions_while_over_the_disk_cap(sessions):
    oldest, middle, newest = new_session_id(), new_session_id(), new_session_id()
    for sid, age in ((oldest, 30), (middle, 20), (newest, 10)):
        upload(sessions, sid, data=b"x" * 450_000)  # 3 x 450 kB against a 1 MiB cap
        last_used(sessions, sid, NOW - age * 60)
    assert sessions.sweep(now=NOW) == [oldest]
    assert sorted(p.name for p in sessions.root.iterdir()) == sorted([middle, newest])
    assert sessions.sweep(now=NOW) == []


def test_sweep_leaves_other_folders_alone(sessions):
    (sessions.root / "not-a-session").mkdir()
    (sessions.root / "notes.txt").write_text("keep")
    sid = new_session_id()
    upload(sessions, sid)
    last_used(sessions, sid, NOW - 10 * 3600)
    assert sessions.sweep(now=NOW) == [sid]
    assert sorted(p.name for p in sessions.root.iterdir()) == ["not-a-session", "notes.txt"]


def test_a_session_without_a_stamp_ages_by_its_folder(sessions):
    sid = new_session_id()
    folder = sessions.root / sid
    folder.mkdir()
    os.utime(folder, (NOW - 3 * 3600, NOW - 3 * 3600))
    assert sessions.sweep(now=NOW) == [sid]


def test_maybe_sweep_runs_at_most_once_a_minute(tmp_path):
    import time as _time

    from dashboard.sessions import SessionStore

    store = SessionStore(tmp_path, ttl_minutes=0)
    folder = tmp_path / ("cd" * 16)
    folder.mkdir()
    (folder / "incidents.csv").write_text("x", encoding="utf-8")
    old = _time.time() - 3600
    import os

    os.utime(folder, (old, old))
    assert store.maybe_sweep() == ["cd" * 16]
    (tmp_path / ("ef" * 16)).mkdir()
    assert store.maybe_sweep() == []  # too soon for another sweep
