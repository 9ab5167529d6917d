"""Settings: default < ``ZONEWATCH_*`` environment variable < explicit argument."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path

from dashboard.core.errors import ConfigError
from dashboard.core.priority import default_export_slots
from dashboard.core.sourcepaths import missing_source, source_path

#: Values of ZONEWATCH_CACHE_DIR that switch the prepared-data cache off.
OFF = ("off", "none", "no", "false", "0")


def default_cache_dir() -> Path:
    """Where prepared data is kept between starts: $XDG_CACHE_HOME/zonewatch, else
    ~/.cache/zonewatch, else (no home) a per-user folder in the temp dir."""
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg and Path(xdg).is_absolute():
        return Path(xdg) / "zonewatch"
    try:
        return Path.home() / ".cache" / "zonewatch"
    except RuntimeError:  # no home directory can be found
        uid = os.getuid() if hasattr(os, "getuid") else "user"
        return Path(tempfile.gettempdir()) / f"zonewatch-cache-{uid}"


@dataclass(frozen=True)
class Settings:
    """Every knob of the server. Each field ``name`` is read from ``ZONEWATCH_NAME``."""

    zones: Path | None = None             # zone file; None = bundled Syria 2017 zones
    # Incident files, each a source (a ``SourcePath`` when named); None = bundled incidents.
    # ZONEWATCH_INCIDENTS: several separated by os.pathsep, each FILE or NAME=FILE.
    incidents: Path | tuple[Path, ...] | list[Path] | None = None
    milestones: Path | None = None        # milestone file; None = bundled (with bundled zones)
    host: str = "127.0.0.1"
    port: int = 8050
    debug: bool = False
    max_map_points: int = 20_000          # above this the map shows hexagon bins
    table_page_size: int = 100
    # Image exports rendered at once, whole server: 1 on two cores or fewer, else 2.
    export_slots: int = field(default_factory=default_export_slots)
    upload_max_mb: int = 50               # per uploaded file
    session_dir: Path = Path(tempfile.gettempdir()) / "zonewatch-sessions"
    session_ttl_minutes: int = 120        # uploaded data is deleted after this idle time
    session_disk_mb: int = 2000           # all sessions' uploads together
    session_quota_mb: int = 100           # one session's uploads together
    online_tiles: bool = False            # start with online map tiles switched on
    allow_online_tiles: bool = True       # let users switch them on; off: no tile host at all
    # More event types to leave out of every count of violence, ';'-separated.
    non_violent: str = ""
    # Agreement terms (JSON) the dashboard classifies incidents by: a file, "bundled", or
    # "none". Empty: the bundled terms with the bundled zones, none with your own zones.
    terms: str = ""
    # Limits on one data file (uploads and the CLI alike): see dashboard/io/limits.py.
    max_unpacked_mb: int = 500            # text after gzip/XLSX/zip decompression
    max_cells: int = 25_000_000           # rows x columns
    max_columns: int = 1000
    check_seconds: int = 20               # an upload's check: wall-clock and CPU deadline
    check_memory_mb: int = 2048           # ... and the memory it may take
    # Prepared server data (validated, joined, sorted) for fast starts; None = no cache.
    cache_dir: Path | None = field(default_factory=default_cache_dir)
    # The team store (PostgreSQL + PostGIS) to serve instead of files, e.g.
    # postgresql://zonewatch_reader@dbhost/zonewatch (a read-only role); empty = files.
    database_url: str = ""

    @property
    def tiles_allowed(self) -> bool:
        """May the page talk to the tile server (the page's CSP lets it in)? Yes unless
        the operator forbids it: users switch tiles on themselves."""
        return self.allow_online_tiles or self.online_tiles

    @property
    def non_violent_types(self) -> frozenset[str]:
        return frozenset(t.strip() for t in self.non_violent.split(";") if t.strip())

    @property
    def terms_choice(self) -> str:
        """"bundled", "none" or a file path: what ``terms`` means with these zones (empty:
        the bundled terms go with the bundled zones only)."""
        choice = self.terms.strip()
        if choice.lower() in ("", "auto"):
            return "bundled" if self.zones is None else "none"
        if choice.lower() in OFF:
            return "none"
        return "bundled" if choice.lower() == "bundled" else choice

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **explicit) -> Settings:
        environ = os.environ if environ is None else environ
        values = {}
        for f in fields(cls):
            key = f"ZONEWATCH_{f.name.upper()}"
            if key in environ and environ[key] != "":
                off = f.name == "cache_dir" and environ[key].strip().lower() in OFF
                values[f.name] = (None if off else incident_sources(key, environ[key])
                                  if f.name == "incidents" else _parse(key, environ[key], f.type))
        values.update({k: v for k, v in explicit.items() if v is not None})
        return cls(**values)


def incident_sources(key: str, raw: str) -> tuple[Path, ...] | None:
    """``raw`` as incident files, like ``--incidents`` repeated: entries separated by
    ``os.pathsep`` (":"; ";" on Windows), each ``FILE`` or ``NAME=FILE``; empty entries
    are skipped (None: none at all, the bundled incidents). A missing file raises a
    ``ConfigError`` in the CLI's words, naming the variable."""
    paths = tuple(source_path(part.strip()) for part in raw.split(os.pathsep) if part.strip())
    for path in paths:
        if problem := missing_source(path):
            raise ConfigError(f"{key}: {problem} (several: separated by {os.pathsep!r}).")
    return paths or None


def _parse(key: str, raw: str, kind: str):
    kind = str(kind)
    try:
        if kind.startswith("bool"):
            if raw.lower() in ("1", "true", "yes", "on"):
                return True
            if raw.lower() in ("0", "false", "no", "off"):
                return False
            raise ValueError
        if kind.startswith("int"):
            return int(raw)
        if "Path" in kind:
            return Path(raw)
        return raw
    except ValueError:
        raise ConfigError(f"{key}={raw!r} is not a valid {kind.split(' ')[0]}. Fix: set it to "
                          f"a {kind.split(' ')[0]} value or unset it.") from None
