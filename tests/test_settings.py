"""Settings: default < ZONEWATCH_* environment < explicit argument; a bad value names
its variable and the type it wants."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

from dashboard.core.errors import ConfigError
from dashboard.core.settings import Settings


def test_defaults():
    settings = Settings.from_env({})
    assert settings == Settings()
    assert (settings.port, settings.max_map_points, settings.debug, settings.zones) == (
        8050, 20_000, False, None)


@pytest.mark.parametrize(("key", "raw", "field", "value"), [
    ("ZONEWATCH_PORT", "9000", "port", 9000),
    ("ZONEWATCH_HOST", "0.0.0.0", "host", "0.0.0.0"),
    ("ZONEWATCH_DEBUG", "true", "debug", True),
    ("ZONEWATCH_DEBUG", "1", "debug", True),
    ("ZONEWATCH_DEBUG", "Yes", "debug", True),
    ("ZONEWATCH_DEBUG", "on", "debug", True),
    ("ZONEWATCH_DEBUG", "off", "debug", False),
    ("ZONEWATCH_DEBUG", "FALSE", "debug", False),
    ("ZONEWATCH_ONLINE_TILES", "no", "online_tiles", False),
    ("ZONEWATCH_MAX_MAP_POINTS", "500", "max_map_points", 500),
    ("ZONEWATCH_UPLOAD_MAX_MB", "10", "upload_max_mb", 10),
    ("ZONEWATCH_ZONES", "/data/zones.geojson", "zones", Path("/data/zones.geojson")),
    ("ZONEWATCH_SESSION_DIR", "/srv/zw", "session_dir", Path("/srv/zw")),
    ("ZONEWATCH_CACHE_DIR", "/srv/zw-cache", "cache_dir", Path("/srv/zw-cache")),
    ("ZONEWATCH_CACHE_DIR", "off", "cache_dir", None),
    ("ZONEWATCH_CACHE_DIR", "None", "cache_dir", None),
])
def test_environment_overrides_the_default(key, raw, field, value):
    assert getattr(Settings.from_env({key: raw}), field) == value


def test_explicit_overrides_the_environment():
    env = {"ZONEWATCH_PORT": "9000", "ZONEWATCH_DEBUG": "1"}
    settings = Settings.from_env(env, port=7000, debug=False)
    assert (settings.port, settings.debug) == (7000, False)


def test_explicit_none_is_skipped_so_the_cli_can_pass_options_straight_in():
    settings = Settings.from_env({"ZONEWATCH_PORT": "9000"}, port=None, zones=None)
    assert (settings.port, settings.zones) == (9000, None)


def test_an_empty_variable_is_unset():
    assert Settings.from_env({"ZONEWATCH_PORT": "", "ZONEWATCH_DEBUG": ""}) == Settings()


def test_other_variables_are_ignored():
    assert Settings.from_env({"PORT": "1", "ZONEWATCH_COLOUR": "red", "zonewatch_port": "2"}) == (
        Settings())


def test_reads_os_environ_by_default(monkeypatch):
    monkeypatch.setenv("ZONEWATCH_TABLE_PAGE_SIZE", "25")
    assert Settings.from_env().table_page_size == 25


@pytest.mark.parametrize(("key", "raw", "message"), [
    ("ZONEWATCH_PORT", "eighty", r"^ZONEWATCH_PORT='eighty' is not a valid int\. Fix: .* or unset it\.$"),
    ("ZONEWATCH_PORT", "80.5", r"^ZONEWATCH_PORT='80.5' is not a valid int"),
    ("ZONEWATCH_MAX_MAP_POINTS", "20k", r"^ZONEWATCH_MAX_MAP_POINTS='20k' is not a valid int"),
    ("ZONEWATCH_DEBUG", "maybe", r"^ZONEWATCH_DEBUG='maybe' is not a valid bool\. Fix: "),
    ("ZONEWATCH_ONLINE_TILES", "2", r"^ZONEWATCH_ONLINE_TILES='2' is not a valid bool"),
])
def test_a_bad_value_names_the_variable(key, raw, message):
    with pytest.raises(ConfigError, match=message):
        Settings.from_env({key: raw})


def test_cache_dir_default_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert Settings().cache_dir == tmp_path / "zonewatch"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert Settings().cache_dir == Path.home() / ".cache" / "zonewatch"




def test_every_field_has_a_variable(tmp_path):
    names = {f"ZONEWATCH_{f.name.upper()}" for f in dataclasses.fields(Settings)}
    assert {"ZONEWATCH_PORT", "ZONEWATCH_SESSION_DIR", "ZONEWATCH_UPLOAD_MAX_MB"} <= names
    (tmp_path / "i.csv").write_text("x\n", encoding="utf-8")
    env = {"ZONEWATCH_SESSION_TTL_MINUTES": "5", "ZONEWATCH_SESSION_DISK_MB": "7",
           "ZONEWATCH_MILESTONES": "m.csv", "ZONEWATCH_INCIDENTS": str(tmp_path / "i.csv")}
    settings = Settings.from_env(env)
    assert (settings.session_ttl_minutes, settings.session_disk_mb, settings.milestones,
            settings.incidents) == (5, 7, Path("m.csv"), (tmp_path / "i.csv",))


def test_incidents_take_several_sources_as_the_cli_does(tmp_path, zone_file):
    """ZONEWATCH_INCIDENTS: os.pathsep-separated, each FILE or NAME=FILE, like
    --incidents repeated: the server shows each file as its source."""
    from dashboard.server.datastore import load_base_view
    from tests.conftest import write_incident_csv

    header = ["incident_id", "date", "lon", "lat", "event_type"]
    a = write_incident_csv(tmp_path / "a.csv", [["a1", "2017-08-03", 36.7, 34.9, "Shelling"]],
                           header)
    b = write_incident_csv(tmp_path / "b.csv", [["b1", "2017-09-03", 36.7, 34.9, "Shelling"]],
                           header)
    raw = f"{a}{os.pathsep}Field reports={b}{os.pathsep}"  # a trailing separator: no file
    settings = Settings.from_env({"ZONEWATCH_INCIDENTS": raw, "ZONEWATCH_ZONES": str(zone_file),
                                  "ZONEWATCH_CACHE_DIR": "off"})
    assert settings.incidents == (a, b)
    assert getattr(settings.incidents[1], "dataset_name", None) == "Field reports"
    assert load_base_view(settings).index.options("dataset") == ["Field reports", "a.csv"]
    explicit = Settings.from_env({"ZONEWATCH_INCIDENTS": raw}, incidents=[a])
    assert explicit.incidents == [a]  # --incidents wins


def test_a_missing_incident_file_is_said_as_the_cli_says_it(tmp_path):
    from click.testing import CliRunner

    from dashboard.cli import cli

    (tmp_path / "a.csv").write_text("x\n", encoding="utf-8")
    missing = f"ACLED={tmp_path / 'nope.csv'}"
    with pytest.raises(ConfigError) as err:
        Settings.from_env({"ZONEWATCH_INCIDENTS": f"{tmp_path / 'a.csv'}{os.pathsep}{missing}"})
    said = CliRunner().invoke(cli, ["info", "--incidents", missing]).output
    problem = f"no file '{tmp_path / 'nope.csv'}'. Fix: give an incident file, or NAME=FILE"
    assert problem in said
    assert str(err.value).startswith(f"ZONEWATCH_INCIDENTS: {problem} to name its source")


def test_the_wsgi_entry_says_a_bad_setting_without_a_traceback(tmp_path):
    import subprocess
    import sys

    env = {**os.environ, "ZONEWATCH_INCIDENTS": str(tmp_path / "nope.csv"),
           "ZONEWATCH_CACHE_DIR": "off", "ZONEWATCH_SESSION_DIR": str(tmp_path / "s")}
    done = subprocess.run([sys.executable, "-c", "import dashboard.wsgi"], env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 1
    assert "ZoneWatch cannot start: ZONEWATCH_INCIDENTS: no file" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(("cores", "slots"), [(1, 1), (2, 1), (4, 2), (16, 2)])
def test_export_slots_default_to_one_on_two_cores(monkeypatch, cores, slots):
    """A render takes a core for seconds: on two cores one at a time leaves one for the
    analysts' requests. ZONEWATCH_EXPORT_SLOTS still decides when set."""
    import os

    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(cores)), raising=False)
    assert Settings().export_slots == slots
    assert Settings.from_env({"ZONEWATCH_EXPORT_SLOTS": "3"}).export_slots == 3
