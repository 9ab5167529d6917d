"""Per-browser-session uploads, kept on disk so every server worker sees them.

A session is a random id held by the browser; the id is the only credential, so
the folder that holds them is private to the server's user (0700, files 0600) and
a folder planted in advance by someone else is never used. A session's files live
in ``session_dir/<id>/`` and nowhere else; nothing is global.

Disk use is bounded twice: each session may keep at most ``quota_mb``, and all of
them together ``max_mb``. Sessions idle longer than the TTL are deleted; to make
room for a new upload, sessions idle for ``PROTECT_MINUTES`` may go too (least
recently used first), but an active session never loses its data to someone
else's upload: that upload is refused instead. Whoever loses their data is told
once: a small tombstone records why (see ``notice``).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import shutil
import stat
import time
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from dashboard.core.errors import ConfigError, ZoneWatchError

log = logging.getLogger("zonewatch")

_SESSION_ID = re.compile(r"^[0-9a-f]{32}$")
ROLES = ("zones", "incidents", "terms")
# Suffixes by content kind; uploaded names are never used as paths.
_SUFFIX = {"text": ".csv", "gzip": ".csv.gz", "json": ".geojson", "gpkg": ".gpkg",
           "parquet": ".parquet", "xlsx": ".xlsx", "zip": ".zip"}
PRIVATE_DIR, PRIVATE_FILE = 0o700, 0o600
PROTECT_MINUTES = 15        # a session used more recently is never removed to make room
TOMBSTONES = ".removed"     # root/.removed/<id>: why a session's data was deleted
TOMBSTONE_DAYS = 7
MAX_TOMBSTONES = 10_000
STALE_STAGING_S = 3600      # a staged file this old was left by a killed worker
MB = 1024 * 1024


class QuotaError(ZoneWatchError):
    """An upload that would take a session, or the server, over its disk limit."""


def new_session_id() -> str:
    return uuid.uuid4().hex


def valid_session_id(value: object) -> bool:
    return isinstance(value, str) and bool(_SESSION_ID.fullmatch(value))  # '$' allows a '\n'


SOURCE = "source"           # source-<slot>.<suffix>: an incident file added as a source
DECISIONS = "decisions.json"  # the analyst's confirmed and rejected links
DECISION_VALUES = ("confirmed", "rejected")
MAX_DECISIONS = 10_000
#: How an incident upload lands: beside the data shown, instead of one source of it
#: ("replace:<name>"), or instead of every incident (the server's too).
ADD, REPLACE_ALL, REPLACE = "add", "all", "replace:"


def mode_problem(mode: str, sources: Collection[str]) -> str | None:
    """Why an incident upload cannot land by ``mode`` (None: it can). "replace:<name>"
    must name one of ``sources``, the sources of the data the session shows: the menu
    offers no other, so another name is a tampered request, refused rather than taken
    for a new source (which would also hide a server source of that name)."""
    if not mode.startswith(REPLACE):
        return None
    name = mode.removeprefix(REPLACE)
    if name in sources:
        return None
    shown = ", ".join(f"'{s}'" for s in sources) or "none"
    return (f"there is no source '{name[:80]}' to replace (the sources shown: {shown}); "
            "nothing was loaded and your previous data is still shown. Fix: choose a "
            "source the menu lists, or 'Add as a new source'")


@dataclass(frozen=True)
class SessionSource:
    """An incident file a session added as a source, shown under ``name``."""

    path: Path
    name: str              # the source's name (its ``dataset``)
    file: str              # the uploaded file's original name
    valid_only: bool = False


@dataclass(frozen=True)
class SessionFiles:
    zones: Path | None
    incidents: Path | None
    names: dict[str, str]  # role -> the uploaded file's original name (for display only)
    version: str           # changes whenever an upload lands
    valid_only: frozenset[str] = frozenset()  # roles whose file is read for its valid rows only
    terms: Path | None = None  # agreement terms (JSON) the session's incidents are classified by
    sources: tuple[SessionSource, ...] = ()  # incident files added beside the data shown
    hidden: tuple[str, ...] = ()  # the server's sources an added one replaces
    #: (dataset_a, id_a, dataset_b, id_b, "confirmed" | "rejected") per decided link
    decisions: tuple[tuple[str, str, str, str, str], ...] = ()

    @property
    def uploads(self) -> bool:
        """Whether the session brought files (else: decisions on the server's data only)."""
        return bool(self.zones or self.incidents or self.terms or self.sources)


def _claim(folder: Path) -> str | None:
    """Make ``folder`` ours and private, or say why it cannot be trusted."""
    try:
        folder.mkdir(mode=PRIVATE_DIR, parents=True)
    except FileExistsError:
        pass
    except OSError as err:
        return f"it cannot be created ({err.strerror})"
    info = os.lstat(folder)
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
        return "it is a symbolic link or not a folder"
    if not hasattr(os, "getuid"):  # no owners to check (Windows)
        return None
    if info.st_uid != os.getuid():
        return f"it belongs to another user (uid {info.st_uid})"
    if info.st_mode & 0o022:
        return "other users may write in it (group or world writable)"
    if info.st_mode & 0o077:  # ours, readable by others (an older ZoneWatch made it 0755)
        os.chmod(folder, PRIVATE_DIR)
        log.info("session folder %s made private (0700)", folder)
    return None


def private_root(root: Path) -> Path:
    """``root``, or ``root-<uid>`` beside it when ``root`` is another user's or writable
    by others (a predictable temp path someone could have made first)."""
    root = Path(root)
    uid = os.getuid() if hasattr(os, "getuid") else "user"
    problem = ""
    for candidate in (root, root.with_name(f"{root.name}-{uid}")):
        problem = _claim(candidate)
        if problem is None:
            return candidate
        log.warning("session folder %s not used: %s; trying another", candidate, problem)
    raise ConfigError(f"ZONEWATCH_SESSION_DIR {root}: {problem}. Fix: point "
                      "ZONEWATCH_SESSION_DIR at a folder only the server's user can write.")


def _mb(nbytes: float) -> str:
    return f"{nbytes / MB:,.1f}".removesuffix(".0")


def _write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` (mode 0600) by atomic rename."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)
    tmp.replace(path)


def _size(folder: Path, skip: str | None = None) -> int:
    """Bytes a session keeps: its files, leaving out the ``skip`` role's file and the
    uploads still being checked in ``staging/`` (bounded by the upload limit)."""
    total = 0
    try:
        entries = list(folder.iterdir())
    except OSError:  # removed meanwhile by another worker
        return 0
    for path in entries:
        if skip and path.name.startswith(f"{skip}."):
            continue
        try:
            if path.is_file():
                total += path.stat().st_size
        except OSError:  # removed meanwhile by another worker
            pass
    return total


class SessionStore:
    def __init__(self, root: Path, ttl_minutes: int = 120, max_mb: int = 2000,
                 quota_mb: int | None = None):
        self.root = private_root(Path(root))
        self.ttl, self.max_bytes = ttl_minutes * 60, max_mb * MB
        self.quota_bytes = (quota_mb if quota_mb is not None else max_mb) * MB

    def _dir(self, session_id: str) -> Path:
        if not valid_session_id(session_id):
            raise ZoneWatchError("invalid session id. Fix: reload the page.")
        return self.root / session_id

    def staging_path(self, session_id: str, fmt: str) -> Path:
        """A fresh, empty, private file (0600) to receive an upload before it is validated."""
        folder = self._dir(session_id) / "staging"
        path = folder / f"{uuid.uuid4().hex}{_SUFFIX.get(fmt, '.bin')}"
        for attempt in range(3):  # a sweep in another worker may remove an empty folder
            folder.parent.mkdir(mode=PRIVATE_DIR, exist_ok=True)
            folder.mkdir(mode=PRIVATE_DIR, exist_ok=True)
            try:
                os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
                return path
            except FileNotFoundError:
                if attempt == 2:
                    raise
        return path  # not reached

    def check_room(self, session_id: str, role: str, nbytes: int, now: float | None = None
                   ) -> None:
        """Raise ``QuotaError`` unless ``nbytes`` more for ``role`` fit the session's quota
        and the server's cap. Sessions idle for ``PROTECT_MINUTES`` may be removed (and
        told) to make room; active ones never are."""
        folder = self._dir(session_id)
        mine = _size(folder, skip=role) if folder.is_dir() else 0
        if mine + nbytes > self.quota_bytes:
            raise QuotaError(
                f"this upload ({_mb(nbytes)} MB) would take your session to "
                f"{_mb(mine + nbytes)} MB, over the {_mb(self.quota_bytes)} MB each "
                "browser session may keep on this server. Fix: upload a smaller file (only the "
                "area and dates you need), press 'Back to the server's data' first, or ask the "
                "server's operator to raise ZONEWATCH_SESSION_QUOTA_MB")
        self.sweep(now, room_for=(session_id, role, nbytes))

    def staging_dir(self, session_id: str) -> Path:
        """The session's folder for files not yet kept (swept after ``STALE_STAGING_S``)."""
        return self._dir(session_id) / "staging"

    def commit(self, session_id: str, role: str, staged: Path, original_name: str,
               valid_only: bool = False, mode: str = REPLACE_ALL) -> str:
        """Make a validated upload the session's file for ``role`` (atomic rename), if it
        fits the quota and the cap (else ``QuotaError``, and the old file stays).
        ``valid_only``: the file has rows with errors, to be left out when it is read.
        Incidents land by ``mode``: ``REPLACE_ALL`` (instead of every incident), ``ADD``
        (a new source beside them) or ``REPLACE + name`` (instead of that source). Returns
        the name the incidents are shown under ("" for other roles)."""
        if role not in ROLES:
            raise ZoneWatchError(f"unknown upload role {role!r}")
        folder = self._dir(session_id)
        self.check_room(session_id, role, staged.stat().st_size)
        meta = self._meta(folder)
        shown = ""
        if role == "incidents" and mode != REPLACE_ALL:
            slot, shown = self._source_slot(meta, original_name, mode)
            stem = f"{SOURCE}-{slot}"
        else:
            stem = role
            if role == "incidents":  # everything replaced: added sources go too
                meta["sources"], meta["hidden"] = [], []
                for old in folder.glob(f"{SOURCE}-*"):
                    old.unlink()
        for old in folder.glob(f"{stem}.*"):
            old.unlink()
        target = folder / f"{stem}{''.join(staged.suffixes)}"
        os.chmod(staged, PRIVATE_FILE)
        staged.replace(target)
        if stem == role:
            meta[role] = original_name[:200]
            meta[f"{role}_valid_only"] = valid_only
        else:
            meta["sources"] = [s for s in meta.get("sources", []) if s["slot"] != slot] + [
                {"slot": slot, "name": shown, "file": original_name[:200],
                 "valid_only": valid_only}]
        meta["version"] = uuid.uuid4().hex[:12]
        _write_private(folder / "meta.json", json.dumps(meta))
        self._tombstone(session_id).unlink(missing_ok=True)  # new data: old news is moot
        self.touch(session_id)
        return shown

    @staticmethod
    def _source_slot(meta: dict, original_name: str, mode: str) -> tuple[str, str]:
        """(slot, name) of an added source: a new slot named after the file (made unique
        among the session's), or, replacing a source, its slot (one of the session's) or a
        new one under its name with the server's source hidden."""
        sources = meta.setdefault("sources", [])
        if mode.startswith(REPLACE):
            name = mode.removeprefix(REPLACE)[:80]
            mine = next((s for s in sources if s["name"] == name), None)
            if mine is not None:
                return mine["slot"], name
            meta["hidden"] = sorted({*meta.get("hidden", []), name})
            return uuid.uuid4().hex[:8], name
        taken = {s["name"] for s in sources}
        base = Path(original_name).name[:80] or "upload"
        name = next(n for i in range(1, 10_000) if (n := base if i == 1 else f"{base} ({i})")
                    not in taken)
        return uuid.uuid4().hex[:8], name

    def decide(self, session_id: str, key: tuple[str, str, str, str], decision: str | None
               ) -> None:
        """Keep an analyst's decision on a link (``key``: dataset_a, id_a, dataset_b, id_b):
        "confirmed", "rejected", or None to take it back. Kept with the session's uploads
        (same folder, same lifetime), and a new data version, so every view recounts."""
        if decision is not None and decision not in DECISION_VALUES:
            raise ZoneWatchError(f"unknown decision {decision!r}. Fix: confirmed or rejected.")
        key = tuple(str(k)[:200] for k in key)
        folder = self._dir(session_id)
        folder.mkdir(mode=PRIVATE_DIR, exist_ok=True)
        kept = [d for d in self._decisions(folder) if tuple(d[:4]) != key]
        if decision is not None:
            kept.append([*key, decision])
        if len(kept) > MAX_DECISIONS:
            raise QuotaError(f"a session keeps at most {MAX_DECISIONS:,} decisions. Fix: "
                             "export them and start a new session.")
        _write_private(folder / DECISIONS, json.dumps(kept))
        meta = self._meta(folder)
        meta["version"] = uuid.uuid4().hex[:12]
        _write_private(folder / "meta.json", json.dumps(meta))
        self.touch(session_id)

    @staticmethod
    def _decisions(folder: Path) -> list[list[str]]:
        try:
            rows = json.loads((folder / DECISIONS).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return []
        return [[str(v) for v in row] for row in rows if isinstance(row, list) and len(row) == 5
                and row[4] in DECISION_VALUES][:MAX_DECISIONS]

    def reset(self, session_id: str) -> None:
        """Forget the session's uploads: back to the server's data."""
        if valid_session_id(session_id):
            shutil.rmtree(self.root / session_id, ignore_errors=True)
            self._tombstone(session_id).unlink(missing_ok=True)

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
        meta = self._meta(folder)
        sources = tuple(SessionSource(path, s["name"], s.get("file", ""), bool(s.get("valid_only")))
                        for s in meta.get("sources", [])
                        if (path := next(iter(sorted(folder.glob(f"{SOURCE}-{s['slot']}.*"))),
                                         None)) is not None)
        decisions = tuple(tuple(d) for d in self._decisions(folder))
        if not any(found.values()) and not sources and not decisions:
            return None
        self.touch(session_id)
        return SessionFiles(found["zones"], found["incidents"],
                            {r: meta.get(r, "") for r in ROLES if r != "terms" or meta.get(r)},
                            meta.get("version", "0"),
                            frozenset(r for r in ROLES if meta.get(f"{r}_valid_only")),
                            found["terms"], sources, tuple(meta.get("hidden", [])), decisions)

    def touch(self, session_id: str) -> None:
        folder = self.root / session_id
        if folder.is_dir():
            (folder / ".last_used").touch(mode=PRIVATE_FILE)

    # Telling a user their data was removed --------------------------------------------
    def _tombstone(self, session_id: str) -> Path:
        return self.root / TOMBSTONES / session_id

    def _remove(self, folder: Path, reason: str, now: float) -> None:
        shutil.rmtree(folder, ignore_errors=True)
        (self.root / TOMBSTONES).mkdir(mode=PRIVATE_DIR, exist_ok=True)
        stone = self._tombstone(folder.name)
        _write_private(stone, json.dumps({"reason": reason, "at": now}))
        os.utime(stone, (now, now))  # pruned by age like the sessions
        log.info("session %s… removed: %s", folder.name[:8], reason)

    def notice(self, session_id: str | None, *, consume: bool = True) -> str | None:
        """Why the session's uploads were deleted, once (``consume``), else None."""
        if not valid_session_id(session_id):
            return None
        path = self._tombstone(session_id)
        try:
            reason = json.loads(path.read_text(encoding="utf-8"))["reason"]
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if consume:
            path.unlink(missing_ok=True)
        why = {"idle": f"after {self.ttl // 60} minutes without use",
               "room": "to make room for other people's uploads (the server keeps "
                       f"{_mb(self.max_bytes)} MB of uploads in all)"}.get(reason, reason)
        return (f"Your uploaded data was deleted from the server {why}, so the server's data "
                "is shown again. Fix: upload your files again.")

    # Sweeping ------------------------------------------------------------------------
    def maybe_sweep(self, every_s: float = 60.0) -> list[str]:
        """Sweep at most once a minute (per worker): cheap enough to call on every request."""
        now = time.time()
        if now - getattr(self, "_last_sweep", 0.0) < every_s:
            return []
        self._last_sweep = now
        return self.sweep(now)

    def sweep(self, now: float | None = None,
              room_for: tuple[str, str, int] | None = None) -> list[str]:
        """Delete sessions idle past the TTL and empty folders left by failed uploads;
        then, while over the disk cap (with ``room_for``'s (id, role, bytes) to come),
        the least recently used sessions idle for ``PROTECT_MINUTES``. Raises
        ``QuotaError`` if ``room_for`` still does not fit."""
        now = now or time.time()
        removed: list[str] = []
        sessions = []
        for folder in self.root.iterdir() if self.root.is_dir() else []:
            if not folder.is_dir() or folder.is_symlink() or not valid_session_id(folder.name):
                continue
            stamp = folder / ".last_used"
            try:
                used = stamp.stat().st_mtime if stamp.exists() else folder.stat().st_mtime
            except OSError:  # removed meanwhile
                continue
            if now - used > self.ttl:
                self._remove(folder, "idle", now) if stamp.exists() else shutil.rmtree(
                    folder, ignore_errors=True)  # never held data: nothing to tell
                removed.append(folder.name)
            elif self._drop_if_empty(folder, now):
                removed.append(folder.name)
            else:
                skip = room_for[1] if room_for and folder.name == room_for[0] else None
                sessions.append((used, folder, _size(folder, skip)))
        self._prune_tombstones(now)
        incoming = room_for[2] if room_for else 0
        total = sum(s for _, _, s in sessions) + incoming
        for used, folder, size in sorted(sessions):
            if total <= self.max_bytes:
                break
            if now - used < PROTECT_MINUTES * 60 or (room_for and folder.name == room_for[0]):
                continue
            self._remove(folder, "room", now)
            removed.append(folder.name)
            total -= size
        if room_for and total > self.max_bytes:
            raise QuotaError(
                f"the server's space for uploaded data is full ({_mb(self.max_bytes)} MB "
                "for everyone, all in recent use). Fix: try again later, upload a smaller file, "
                "or ask the server's operator to raise ZONEWATCH_SESSION_DISK_MB.")
        return removed

    @staticmethod
    def _drop_if_empty(folder: Path, now: float) -> bool:
        """Remove a session folder holding no upload (a failed upload leaves one), and
        staged files left by a killed worker. ``rmdir`` only removes empty folders, so an
        upload in progress in another worker is never touched."""
        staging = folder / "staging"
        for path in staging.glob("*") if staging.is_dir() else []:
            try:
                if now - path.stat().st_mtime > STALE_STAGING_S:
                    path.unlink()
            except OSError:
                pass
        if any(next(folder.glob(f"{role}.*"), None) for role in (*ROLES, f"{SOURCE}-*")) \
                or (folder / DECISIONS).exists():
            return False
        for path in (staging, folder):
            with contextlib.suppress(OSError):  # missing, or not empty: in use
                path.rmdir()
        return not folder.exists()

    def _prune_tombstones(self, now: float) -> None:
        folder = self.root / TOMBSTONES
        if not folder.is_dir():
            return
        stones = sorted(((p.stat().st_mtime, p) for p in folder.iterdir()), reverse=True)
        for i, (mtime, path) in enumerate(stones):
            if i >= MAX_TOMBSTONES or now - mtime > TOMBSTONE_DAYS * 86400:
                path.unlink(missing_ok=True)
