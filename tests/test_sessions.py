"""SessionStore: files live under session_dir/<id>/ only, ids are checked, sessions never
see each other's files, and idle or oversized sessions are swept."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dashboard.core.errors import ZoneWatchError
from dashboard.server.sessions import (
    ROLES,
    TOMBSTONES,
    QuotaError,
    SessionStore,
    new_session_id,
    valid_session_id,
)

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


def session_names(sessions: SessionStore) -> list[str]:
    """What the root holds, tombstones left out."""
    return sorted(p.name for p in sessions.root.iterdir() if p.name != TOMBSTONES)


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
    assert ROLES == ("zones", "incidents", "terms")


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
    assert session_names(sessions) == sorted([fresh, edge])


def test_using_a_session_keeps_it_alive(sessions):
    sid = new_session_id()
    upload(sessions, sid)
    last_used(sessions, sid, NOW - 2 * 3600)
    sessions.files(sid)  # touches it: last used now
    assert sessions.sweep(now=(sessions.root / sid / ".last_used").stat().st_mtime + 60) == []


def test_sweep_removes_the_oldest_idle_sessions_while_over_the_disk_cap(sessions):
    oldest, middle, newest = new_session_id(), new_session_id(), new_session_id()
    for sid in (oldest, middle, newest):  # 3 x 450 kB against a 1 MiB cap, made smaller
        upload(sessions, sid, data=b"x" * 10)
    for sid, age in ((oldest, 30), (middle, 20), (newest, 10)):
        (sessions.root / sid / "incidents.csv").write_bytes(b"x" * 450_000)
        last_used(sessions, sid, NOW - age * 60)
    assert sessions.sweep(now=NOW) == [oldest]
    assert session_names(sessions) == sorted([middle, newest])
    assert sessions.sweep(now=NOW) == []
    assert "to make room for other people's uploads" in sessions.notice(oldest)


def test_sweep_leaves_other_folders_alone(sessions):
    (sessions.root / "not-a-session").mkdir()
    (sessions.root / "notes.txt").write_text("keep")
    sid = new_session_id()
    upload(sessions, sid)
    last_used(sessions, sid, NOW - 10 * 3600)
    assert sessions.sweep(now=NOW) == [sid]
    assert session_names(sessions) == ["not-a-session", "notes.txt"]


def test_a_session_without_a_stamp_ages_by_its_folder(sessions):
    sid = new_session_id()
    folder = sessions.root / sid
    folder.mkdir()
    os.utime(folder, (NOW - 3 * 3600, NOW - 3 * 3600))
    assert sessions.sweep(now=NOW) == [sid]


def test_maybe_sweep_runs_at_most_once_a_minute(tmp_path):
    import time as _time

    from dashboard.server.sessions import SessionStore

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


# Private folders (issue 17, item 9) -------------------------------------------------------
def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def test_folders_are_0700_and_files_0600(sessions):
    sid = new_session_id()
    staged = sessions.staging_path(sid, "text")
    assert mode(staged) == 0o600 and staged.stat().st_size == 0
    assert mode(sessions.root) == mode(sessions.root / sid) == mode(staged.parent) == 0o700
    staged.write_bytes(b"a,b\n")
    sessions.commit(sid, "incidents", staged, "mine.csv")
    for name in ("incidents.csv", "meta.json", ".last_used"):
        assert mode(sessions.root / sid / name) == 0o600, name


def test_our_own_readable_folder_is_made_private(tmp_path):
    root = tmp_path / "sessions"
    root.mkdir(mode=0o755)
    root.chmod(0o755)  # as an older ZoneWatch left it
    assert SessionStore(root).root == root and mode(root) == 0o700


def test_a_folder_others_may_write_is_not_used(tmp_path, caplog):
    planted = tmp_path / "sessions"
    planted.mkdir()
    planted.chmod(0o777)
    store = SessionStore(planted)
    assert store.root == tmp_path / f"sessions-{os.getuid()}" and mode(store.root) == 0o700
    assert "not used: other users may write in it" in caplog.text
    assert mode(planted) == 0o777  # left as it was


def test_a_symlink_is_not_used(tmp_path):
    (tmp_path / "elsewhere").mkdir(mode=0o700)
    (tmp_path / "sessions").symlink_to(tmp_path / "elsewhere")
    assert SessionStore(tmp_path / "sessions").root == tmp_path / f"sessions-{os.getuid()}"


@pytest.mark.skipif(not hasattr(os, "getuid") or os.getuid() != 0, reason="needs root to chown")
def test_a_folder_made_in_advance_by_another_user_is_not_used(tmp_path, caplog):
    planted = tmp_path / "sessions"
    planted.mkdir(mode=0o700)
    os.chown(planted, 65534, 65534)
    store = SessionStore(planted)
    assert store.root == tmp_path / "sessions-0"
    assert "belongs to another user (uid 65534)" in caplog.text


def test_no_safe_folder_refuses_to_start(tmp_path, monkeypatch):
    (tmp_path / "sessions").mkdir(mode=0o700)
    (tmp_path / "sessions-4242").mkdir(mode=0o700)
    monkeypatch.setattr("dashboard.server.sessions.os.getuid", lambda: 4242)  # both someone else's
    from dashboard.core.errors import ConfigError

    with pytest.raises(ConfigError, match=r"belongs to another user .* Fix: point "
                                          r"ZONEWATCH_SESSION_DIR at a folder only"):
        SessionStore(tmp_path / "sessions")


# Quota, room and telling the user (issue 17, item 5) --------------------------------------
@pytest.fixture
def small(tmp_path) -> SessionStore:
    """1 MiB for everyone, 0.6 MiB per session."""
    return SessionStore(tmp_path / "small", ttl_minutes=60, max_mb=1, quota_mb=0.6)


def test_an_upload_over_the_session_quota_is_refused_and_the_old_data_stays(small):
    sid = new_session_id()
    upload(small, sid, "zones", b"z" * 350_000, "json")
    staged = small.staging_path(sid, "text")
    staged.write_bytes(b"x" * 300_000)
    with pytest.raises(QuotaError, match=r"^this upload \(0\.3 MB\) would take your session to "
                                         r"0\.6 MB, over the 0\.6 MB each browser session may "
                                         r"keep on this server\. Fix: "):
        small.commit(sid, "incidents", staged, "big.csv")
    assert small.files(sid).incidents is None and small.files(sid).zones is not None


def test_replacing_a_file_counts_only_the_new_one(small):
    sid = new_session_id()
    upload(small, sid, data=b"x" * 400_000)
    upload(small, sid, data=b"y" * 400_000)  # 800 kB with the old one, but it goes
    assert small.files(sid).incidents.read_bytes()[:1] == b"y"


def test_check_room_refuses_before_anything_is_written(small):
    sid = new_session_id()
    with pytest.raises(QuotaError, match="ZONEWATCH_SESSION_QUOTA_MB"):
        small.check_room(sid, "incidents", 700_000)
    assert not (small.root / sid).exists()


def test_an_active_session_never_loses_its_data_to_another_upload(small):
    colleague, newcomer = new_session_id(), new_session_id()
    upload(small, colleague, data=b"c" * 500_000)
    upload(small, newcomer, "zones", b"n" * 450_000)
    staged = small.staging_path(newcomer, "text")
    staged.write_bytes(b"n" * 120_000)
    with pytest.raises(QuotaError, match=r"space for uploaded data is full .*Fix: try again"):
        small.commit(newcomer, "incidents", staged, "more.csv")
    assert small.files(colleague).incidents.read_bytes() == b"c" * 500_000
    assert small.notice(colleague) is None


def test_an_idle_session_removed_to_make_room_is_told_once(small):
    idle, newcomer = new_session_id(), new_session_id()
    upload(small, idle, data=b"i" * 500_000)
    last_used(small, idle, time_now() - 20 * 60)  # idle longer than PROTECT_MINUTES
    upload(small, newcomer, data=b"n" * 500_000)
    upload(small, newcomer, "zones", b"n" * 100_000, "json")
    assert small.files(idle) is None and small.files(newcomer).zones is not None
    message = small.notice(idle)
    assert message.startswith("Your uploaded data was deleted from the server to make room")
    assert message.endswith("Fix: upload your files again.")
    assert small.notice(idle) is None  # shown once


def test_a_session_expired_by_the_ttl_is_told_why(sessions):
    sid = new_session_id()
    upload(sessions, sid)
    last_used(sessions, sid, NOW - 2 * 3600)
    assert sessions.sweep(now=NOW) == [sid]
    assert "after 60 minutes without use" in sessions.notice(sid, consume=False)
    upload(sessions, sid)  # new data: the old news goes
    assert sessions.notice(sid) is None


def test_a_reset_leaves_nothing_to_tell(sessions):
    sid = new_session_id()
    upload(sessions, sid)
    last_used(sessions, sid, NOW - 2 * 3600)
    sessions.sweep(now=NOW)
    sessions.reset(sid)
    assert sessions.notice(sid) is None
    assert sessions.notice("../../etc") is None


def test_old_tombstones_are_pruned(sessions):
    sid = new_session_id()
    upload(sessions, sid)
    last_used(sessions, sid, NOW - 2 * 3600)
    sessions.sweep(now=NOW)
    sessions.sweep(now=NOW + 8 * 86400)
    assert sessions.notice(sid) is None


def test_failed_uploads_leave_no_folders_behind(sessions):
    failed, busy, kept = new_session_id(), new_session_id(), new_session_id()
    upload(sessions, kept)
    sessions.staging_path(failed, "text").unlink()  # what a refused upload leaves
    in_progress = sessions.staging_path(busy, "text")  # another worker is checking it
    assert sessions.sweep() == [failed]
    assert session_names(sessions) == sorted([busy, kept]) and in_progress.exists()
    assert sessions.notice(failed) is None  # it never held data


def test_staged_files_left_by_a_killed_worker_go(sessions):
    sid = new_session_id()
    left = sessions.staging_path(sid, "text")
    os.utime(left, (NOW - 2 * 3600, NOW - 2 * 3600))
    last_used_now = NOW - 60
    os.utime(sessions.root / sid, (last_used_now, last_used_now))
    assert sessions.sweep(now=NOW) == [sid]
    assert not (sessions.root / sid).exists()


def time_now() -> float:
    import time

    return time.time()
