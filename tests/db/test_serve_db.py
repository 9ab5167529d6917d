"""Serving from the team store: the dashboard reads the database at start, with the
read-only role, sees an edit at the next page load without a restart, and keeps its data
when a reload fails."""

from __future__ import annotations

import logging
import os
from dataclasses import replace
from pathlib import Path

import pytest
import shapely
from shapely.geometry import box
from sqlalchemy import text

from dashboard.analysis.dataset import bundled_files
from dashboard.core.errors import ConfigError
from dashboard.core.settings import Settings
from dashboard.db.schema import READER_ROLE, create_roles
from dashboard.db.write import import_plan, plan_import
from dashboard.server import dbview
from dashboard.server.datastore import DataStore
from tests.processes import children, stop_group

ZONE = "homs-north"
NEW_SHAPE = box(36.60, 34.80, 36.90, 35.05)


@pytest.fixture
def store_url(db_url: str, db_engine) -> str:
    """A store holding the bundled zones, milestones and reported events; the URL of its
    read-only role (the web process's)."""
    files = bundled_files()
    import_plan(db_engine, plan_import(zones=files["zones"][0], incidents=files["incidents"][1:],
                                       milestones=files["milestones"][0]))
    create_roles(db_engine)
    return db_url.replace("postgresql://postgres@", f"postgresql://{READER_ROLE}@", 1)


@pytest.fixture
def now(monkeypatch):
    """Every access to the store's data checks the revision, and waits for its reload."""
    monkeypatch.setattr(dbview, "REVISION_CHECK_S", 0.0)
    monkeypatch.setattr(dbview, "RELOAD_WAIT_S", 60.0)


def settings(tmp_path: Path, url: str, cache: bool = True) -> Settings:
    return Settings(database_url=url, session_dir=tmp_path / "sessions",
                    cache_dir=tmp_path / "cache" if cache else None)


def zone_shape(store: DataStore):
    zones = store.base.zones
    return zones.loc[zones["zone_id"] == ZONE].geometry.iloc[-1]


def edit_zone(engine, shape=NEW_SHAPE) -> None:
    """What QGIS does on save: an UPDATE of one version's geometry (as the writer)."""
    with engine.begin() as conn:
        conn.execute(text(
            "UPDATE zone_versions SET geom = ST_Multi(ST_GeomFromText(:wkt, 4326)) WHERE id = "
            "(SELECT max(id) FROM zone_versions WHERE zone_id = :z)"),
            {"wkt": shape.wkt, "z": ZONE})


@pytest.mark.parametrize("cache", [True, False], ids=["prepared-cache", "no-cache"])
def test_sdb001_an_edited_zone_shows_at_the_next_page_load(tmp_path, store_url, db_engine, now,
                                                          cache):
    store = DataStore.load(settings(tmp_path, store_url, cache))
    before = store.base
    assert before.label.startswith("Team database ")
    assert len(before.index) > 0 and not shapely.equals(zone_shape(store), NEW_SHAPE)
    edit_zone(db_engine)
    assert shapely.equals(zone_shape(store), NEW_SHAPE)  # no restart
    assert store.base is not before and store.reloader.failure is None
    again = store.base
    assert store.base is again  # the same revision: no reload
    if cache:  # one entry per revision: workers that see it map the same files
        assert len([p for p in (tmp_path / "cache").iterdir() if not p.name.startswith(".")]) == 2


def test_sdb002_a_broken_database_at_reload_keeps_the_old_data(tmp_path, store_url, db_engine,
                                                              now, caplog):
    store = DataStore.load(settings(tmp_path, store_url))
    before = store.base
    with db_engine.begin() as conn:
        conn.execute(text("ALTER TABLE incidents RENAME TO incidents_away"))
    edit_zone(db_engine)  # a new revision, which cannot be read
    with caplog.at_level(logging.ERROR, logger="zonewatch"):
        assert store.base is before
    assert "reload failed, still serving revision" in caplog.text
    assert "incidents" in store.reloader.failure
    with db_engine.begin() as conn:
        conn.execute(text("ALTER TABLE incidents_away RENAME TO incidents"))
    assert store.base is before  # mended: the next check reloads, in the background (it failed)
    store.reloader.wait(60)
    assert shapely.equals(zone_shape(store), NEW_SHAPE)


def test_sdb003_an_unreachable_database_keeps_the_old_data(tmp_path, store_url, now, caplog):
    store = DataStore.load(settings(tmp_path, store_url))
    before = store.base
    gone = "postgresql://nobody@127.0.0.1:9/none"  # port 9 (discard): refused at once
    store.reloader.settings = replace(store.reloader.settings, database_url=gone)
    store.reloader._pid = None  # connect again, to the dead address
    with caplog.at_level(logging.ERROR, logger="zonewatch"):
        assert store.base is before
        assert store.base is before  # failing: logged once, and pages do not wait for it
    assert caplog.text.count("reload failed") == 1
    assert store.reloader.failure


def test_sdb004_the_web_role_cannot_write(store_url):
    engine = dbview.connect(store_url)
    try:
        with pytest.raises(Exception, match="permission denied"), engine.begin() as conn:
            conn.execute(text("UPDATE zone_versions SET name = 'x'"))
    finally:
        engine.dispose()


def test_sdb005_a_forked_worker_opens_its_own_connections(tmp_path, store_url):
    reloader = dbview.Reloader(settings(tmp_path, store_url), revision=0)
    first = reloader.engine()
    assert reloader.engine() is first
    reloader._pid = os.getpid() + 1  # as after a fork
    assert reloader.engine() is not first


def test_sdb006_files_and_a_database_at_once_are_refused(tmp_path):
    both = replace(settings(tmp_path, "postgresql://nobody@127.0.0.1:9/none"),
                   zones=tmp_path / "zones.geojson")
    with pytest.raises(ConfigError, match=r"both data files and a database.*Fix: "):
        DataStore.load(both)


def test_sdb008_an_unreachable_database_at_start_is_named_with_the_fix(tmp_path):
    gone = settings(tmp_path, "postgresql://reader:secret@127.0.0.1:9/zonewatch")
    with pytest.raises(ConfigError, match=r"team database zonewatch on 127\.0\.0\.1 could "
                                          r"not be read .*Fix: check that PostgreSQL") as caught:
        DataStore.load(gone)
    assert "secret" not in str(caught.value)


def test_sdb009_the_dashboard_page_shows_an_edit_at_its_next_load(tmp_path, store_url,
                                                                  db_engine, now):
    from dashboard.app import create_app

    client = create_app(settings(tmp_path, store_url)).server.test_client()
    first = client.get("/_dash-layout").get_data(as_text=True)
    assert "Homs countryside" in first and "Homs countryside EDITED" not in first
    with db_engine.begin() as conn:  # a zone renamed in QGIS
        conn.execute(text("UPDATE zone_versions SET name = 'Homs countryside EDITED' "
                          "WHERE zone_id = :z"), {"z": ZONE})
    assert "Homs countryside EDITED" in client.get("/_dash-layout").get_data(as_text=True)


def test_sdb010_gunicorns_master_reloads_and_replaces_its_workers(tmp_path, store_url,
                                                                  db_engine):
    """With preload, the master follows the store: after an edit, new workers forked from
    the new data serve it, and they share its mapped entry."""
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    pytest.importorskip("gunicorn")
    root = Path(__file__).resolve().parents[2]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "ZONEWATCH_DATABASE_URL": store_url,
           "ZONEWATCH_CACHE_DIR": str(tmp_path / "cache"),
           "ZONEWATCH_SESSION_DIR": str(tmp_path / "sessions")}
    env.pop("ZONEWATCH_GUNICORN_PRELOAD", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(root / "deploy" / "gunicorn.conf.py"),
         "-b", f"127.0.0.1:{port}", "-w", "2", "dashboard.wsgi:server"], cwd=root, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True)

    def page() -> str:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_dash-layout", timeout=10) as r:
                return r.read().decode()
        except OSError:
            return ""

    def wait_for(text: str) -> None:
        deadline = time.monotonic() + 90
        while not all(text in page() for _ in range(4)):
            assert server.poll() is None, server.stderr.read()[-3000:]
            assert time.monotonic() < deadline, f"no page showed {text!r}"
            time.sleep(0.3)

    try:
        wait_for("Homs countryside")
        before = set(children(server.pid))
        with db_engine.begin() as conn:
            conn.execute(text("UPDATE zone_versions SET name = 'Homs countryside EDITED' "
                              "WHERE zone_id = :z"), {"z": ZONE})
        wait_for("Homs countryside EDITED")
        deadline = time.monotonic() + 60
        while len(set(children(server.pid)) - before) < 2 or len(children(server.pid)) != 2:
            assert time.monotonic() < deadline, "the old workers were not replaced"
            time.sleep(0.3)
        entries = sorted((tmp_path / "cache").glob("*/incidents.arrow"),
                         key=lambda p: p.stat().st_mtime)
        assert len(entries) == 2
        for pid in children(server.pid):  # the new revision's files, shared by both
            assert str(entries[-1]) in Path(f"/proc/{pid}/maps").read_text()
    finally:
        stop_group(server)


def test_sdb007_the_url_comes_from_the_environment_and_names_no_password():
    url = "postgresql://reader:secret@dbhost/zonewatch"
    assert Settings.from_env({"ZONEWATCH_DATABASE_URL": url}).database_url == url
    assert dbview.store_name(url) == "zonewatch on dbhost"
    assert dbview.store_name("postgresql://r@/zw?host=/run/postgresql") == "zw on this server"
    assert "secret" not in dbview._identity(url)


def test_sdb011_a_store_made_again_at_the_same_url_is_not_served_from_the_old_cache(
        tmp_path, db_url, pg_cluster, monkeypatch):
    """A database dropped and made again restarts its revision: the prepared cache must
    not take it for the old store (same URL, same revision number)."""
    from dashboard.db import read
    from dashboard.db.engine import make_engine
    from dashboard.db.schema import upgrade

    monkeypatch.setattr(read, "data_revision", lambda url=None: 1)  # both stores at 1
    files = bundled_files()
    name = db_url.split("/")[3].split("?")[0]

    def fresh_store(zone_name: str) -> None:
        engine = make_engine(db_url)
        upgrade(engine)
        import_plan(engine, plan_import(zones=files["zones"][0],
                                        incidents=files["incidents"][1:]))
        with engine.begin() as conn:
            conn.execute(text("UPDATE zone_versions SET name = :n WHERE zone_id = :z"),
                         {"n": zone_name, "z": ZONE})
        engine.dispose()

    fresh_store("First store")
    first = DataStore.load(settings(tmp_path, db_url))
    assert first.base.zone_names()[ZONE] == "First store"
    pg_cluster.psql(f"DROP DATABASE {name} WITH (FORCE)")
    pg_cluster.psql(f"CREATE DATABASE {name}")
    fresh_store("Second store")
    second = DataStore.load(settings(tmp_path, db_url))
    assert second.base.zone_names()[ZONE] == "Second store"
