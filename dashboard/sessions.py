"""Per-browser-session uploads, kept on disk so every server worker sees them.

A session is a random id held by the browser. Its files live in
``session_dir/<id>/`` and nowhere else; nothing is global. Sessions idle longer
than the TTL are deleted, and total disk use is capped by removing the
least recently used sessions first.
"""

from __future__ import annotations

import json
import re
import shutil
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from dashboard.errors import ZoneWatchError

_SESSION_ID = re.compile(r"^[0-9a-f]{32}$")
ROLES = ("zones", "incidents")
# Suffixes by content kind; uploaded names are never used as paths.
_SUFFIX = {"text": ".csv", "gzip": ".csv.gz", "json": ".geojson", "gpkg": ".gpkg",
           "parquet": ".parquet", "xlsx": ".xlsx", "zip": ".zip"}


def new_session_id() -> str:
    return uuid.uuid4().hex


def valid_session_id(value: object) -> bool:
    return isinstance(value, str) and bool(_SESSION_ID.fullmatch(value))  # '$' allows a '\n'


@dataclass(frozen=True)
class SessionFiles:
    zones: Path | None
    incidents: Path | None
    names: dict[str, str]  # role -> the uploaded file's original name (for display only)
    version: str           # changes whenever an upload lands


class SessionStore:
    def __init__(self, root: Path, ttl_minutes: int = 120, max_mb: int = 2000):
        self.root, self.ttl, self.max_bytes = Path(root), ttl_minutes * 60, max_mb * 1024 * 1024
        self.root.mkdir(parents=True, exist_ok=True)

    def _dir(self, session_id: str) -> Path:
        if not valid_session_id(session_id):
            raise ZoneWatchError("invalid session id. Fix: reload the page.")
        return self.root / session_id

    def staging_path(self, session_id: str, fmt: str) -> Path:
        """A fresh file to receive an upload before it is validated."""
        folder = self._dir(session_id) / "staging"
        folder.mkdir(parents=True, exist_ok=True)
        return folder / f"{uuid.uuid4().hex}{_SUFFIX.get(fmt, '.bin')}"

    def commit(self, session_id: str, role: str, staged: Path, original_name: str) -> None:
        """Make a validated upload the session's file for ``role`` (atomic rename)."""
        if role not in ROLES:
            raise ZoneWatchError(f"unknown upload role {role!r}")
        folder = self._dir(session_id)
        for old in folder.glob(f"{role}.*"):
            old.unlink()
        target = folder / f"{role}{''.join(staged.suffixes)}"
        staged.replace(target)
        meta = self._meta(folder)
        meta[role] = original_name[:200]
        meta["version"] = uuid.uuid4().hex[:12]
        (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
        self.touch(session_id)

    def reset(self, session_id: str) -> None:
        """Forget the session's uploads: back to the server's data."""
        if valid_session_id(session_id):
            shutil.rmtree(self.root / session_id, ignore_errors=True)

    @staticmethod
    def _meta(folder: Path) -> dict:
        try:
            return json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def files(self, session_id: str | None) -> SessionFiles | None:
        """The session's uploaded files, or None when it has none."""
        if not valid_session_id(session_id):
            return None
        folder = self.root / session_id
        if not folder.is_dir():
            return None
        found = {role: next(iter(sorted(folder.glob(f"{role}.*"))), None) for role in ROLES}
        if not any(found.values()):
            return None
        meta = self._meta(folder)
        self.touch(session_id)
        return SessionFiles(found["zones"], found["incidents"],
                            {r: meta.get(r, "") for r in ROLES}, meta.get("version", "0"))

    def touch(self, session_id: str) -> None:
        folder = self.root / session_id
        if folder.is_dir():
            (folder / ".last_used").touch()

    def maybe_sweep(self, every_s: float = 60.0) -> list[str]:
        """Sweep at most once a minute (per worker): cheap enough to call on every request."""
        now = time.time()
        if now - getattr(self, "_last_sweep", 0.0) < every_s:
            return []
        self._last_sweep = now
        return self.sweep(now)

    def sweep(self, now: float | None = None) -> list[str]:
        """Delete sessions idle past the TTL, then the oldest while over the disk cap."""
        now = now or time.time()
        removed = []
        sessions = []
        for folder in self.root.iterdir() if self.root.is_dir() else []:
            if not folder.is_dir() or not valid_session_id(folder.name):
                continue
            stamp = folder / ".last_used"
            used = stamp.stat().st_mtime if stamp.exists() else folder.stat().st_mtime
            if now - used > self.ttl:
                shutil.rmtree(folder, ignore_errors=True)
                removed.append(folder.name)
            else:
                size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
                sessions.append((used, folder, size))
        total = sum(s for _, _, s in sessions)
        for _used, folder, size in sorted(sessions):
            if total <= self.max_bytes:
                break
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder.name)
            total -= size
        return removed
