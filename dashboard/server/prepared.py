"""Prepared data: what ``DataStore.load`` builds from the server's own files, kept on disk.

A start that finds a matching entry reads the validated, joined, date-sorted
incidents and the zone masks (Arrow IPC and numpy, no pickle) instead of reading,
validating and joining the files again: at a million incidents about 1 s instead of
about 5 s.

* **Key.** Each input file's resolved path, size and mtime_ns; the package version, a
  digest of the modules that shape the data (``SHAPING_MODULES``) and ``SCHEMA``;
  the versions of the libraries that write the formats. A changed file or changed
  code makes a new key, so stale data is never found.
* **Writes** go to a temporary folder renamed into place, so several workers starting
  at once each find a whole entry or none; when two write, the first rename wins.
* **Bound.** The ``KEEP`` entries used most recently stay; older ones are removed.
* **Damage.** Each file's size and CRC-32 are in the entry's manifest, and frames
  must come back with the dtypes they had. A damaged, truncated or missing file is
  logged, its entry removed and the data rebuilt from the files; it never stops the
  app nor serves other data.
* **Shared, not copied.** An entry is opened memory-mapped: numbers, dates and text
  (Arrow strings) are views of the files' pages in the page cache, which every worker
  process mapping the same entry shares (a few columns with missing values, the
  categorical codes and two object columns are copied: about 60 MB at a million
  incidents, twice that while converting). The checksums are verified at every open,
  over the mapped pages (a read, no copy: about 0.1 s at a million). Entries are never
  changed in place (written whole, then renamed), so a mapped file cannot change under
  a running worker; an evicted entry's files stay readable until the last process
  unmaps them.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import logging
import os
import shutil
import time
import uuid
import zlib
from collections.abc import Iterator
from dataclasses import asdict
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from dashboard import __version__
from dashboard.analysis.viewdata import ViewData
from dashboard.core.agreements import Terms
from dashboard.io.validation import Issue, ValidationReport

log = logging.getLogger("zonewatch")

#: Bump when the layout of an entry changes.
SCHEMA = 1
#: Entries kept in the cache folder (a million incidents take about 200 MB).
KEEP = 3
#: Modules whose code decides what the prepared data holds (paths under dashboard/).
SHAPING_MODULES = ("io", "analysis/dataset.py", "analysis/spatial.py", "analysis/index.py",
                   "analysis/viewdata.py", "core/model.py", "analysis/validity.py",
                   "analysis/viewstate.py", "server/prepared.py", "analysis/classify.py",
                   "core/sourcepaths.py",
                   "analysis/ceasefire.py", "core/agreements.py", "core/aliases.py",
                   "analysis/dedupe.py", "analysis/clusters.py", "analysis/linkrows.py",
                   "analysis/linkindex.py", "analysis/eventkinds.py")
_FRAMES = ("incidents", "zones", "milestones")
_MANIFEST = "manifest.json"
_STALE_TMP_S = 3600
_LOCK = ".lock-"


class Uncacheable(Exception):
    """The data holds something the entry format cannot give back exactly."""


class DamagedEntry(Exception):
    """An entry's file is missing, truncated or altered."""


@lru_cache(maxsize=1)
def code_digest() -> str:
    """SHA-256 of the modules in ``SHAPING_MODULES``, in a fixed order."""
    root = Path(__file__).resolve().parents[1]  # the dashboard package
    digest = hashlib.sha256()
    for name in SHAPING_MODULES:
        path = root / name
        for file in sorted(path.rglob("*.py")) if path.is_dir() else [path]:
            digest.update(str(file.relative_to(root)).encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()


def cache_key(files: dict[str, list[Path]], extra: dict | None = None) -> str:
    """The entry name for these input files (roles as ``dataset_files`` gives them, and
    "terms": the terms file the incidents are classified by); ``extra``: other inputs
    that shape the data (the non-violent event types a classification uses)."""
    import geopandas
    import pyarrow
    import shapely

    stats = []
    for role, paths in sorted(files.items()):
        for path in paths:
            resolved = Path(path).resolve()
            st = resolved.stat()
            stats.append([role, str(resolved), st.st_size, st.st_mtime_ns])
    ident = {"schema": SCHEMA, "version": __version__, "code": code_digest(), "files": stats,
             "libs": [pd.__version__, np.__version__, pyarrow.__version__, shapely.__version__,
                      geopandas.__version__]}
    if extra:
        ident["extra"] = extra
    return hashlib.sha256(json.dumps(ident, sort_keys=True).encode()).hexdigest()[:40]


def load_view(cache_dir: Path, key: str, label: str, terms: Terms | None = None
              ) -> ViewData | None:
    """The view stored under ``key``, or None when there is none or it is damaged;
    ``terms``: those its incidents were classified by (the key names their file)."""
    entry = Path(cache_dir) / key
    if not (entry / _MANIFEST).exists():
        return None
    try:
        view = _read_entry(entry, key, label, terms)
    except Exception as err:  # any damage means "rebuild"; the reason goes to the log
        log.warning("prepared data %s is unreadable (%s: %s); rebuilding it from the files",
                    entry, type(err).__name__, err)
        shutil.rmtree(entry, ignore_errors=True)
        return None
    with contextlib.suppress(OSError):
        os.utime(entry)  # most recently used: kept longest
    log.info("prepared data read from %s", entry)
    return view


def save_view(cache_dir: Path, key: str, view: ViewData) -> Path | None:
    """Store ``view`` under ``key``; the entry's path, or None when it could not be stored
    (logged: the app runs on without a cache)."""
    cache_dir = Path(cache_dir)
    entry = cache_dir / key
    tmp = cache_dir / f".tmp-{key[:12]}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        tmp.mkdir()
        _write_entry(tmp, key, view)
        try:
            os.replace(tmp, entry)
        except OSError:
            if not (entry / _MANIFEST).exists():
                raise
            log.info("prepared data %s was written by another process first", entry)
    except Uncacheable as err:
        log.info("prepared data not stored: %s", err)
        return None
    except OSError as err:
        log.warning("prepared data could not be stored in %s (%s)", cache_dir, err)
        return None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    _evict(cache_dir, keep=entry)
    log.info("prepared data stored in %s", entry)
    return entry


@contextlib.contextmanager
def building(cache_dir: Path, key: str) -> Iterator[None]:
    """Held while this process looks for, builds and stores the entry ``key``: processes
    that need the same entry wait, then find it whole (several workers noticing one new
    database revision read the database once, not each). An advisory lock on a file;
    without ``fcntl`` (not POSIX) nobody waits."""
    try:
        import fcntl
    except ImportError:
        yield
        return
    cache_dir = Path(cache_dir)
    cache_dir.mkdir(parents=True, exist_ok=True)
    with open(cache_dir / f"{_LOCK}{key[:16]}", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _evict(cache_dir: Path, keep: Path) -> None:
    """Remove all but the ``KEEP`` most recently used entries, abandoned temp folders and
    old lock files."""
    now = time.time()
    entries = []
    for child in cache_dir.iterdir():
        try:
            if child.name.startswith(".tmp-"):
                if now - child.stat().st_mtime > _STALE_TMP_S:
                    shutil.rmtree(child, ignore_errors=True)
            elif child.name.startswith(_LOCK):  # at worst two processes build at once
                if now - child.stat().st_mtime > _STALE_TMP_S:
                    child.unlink()
            elif (child / _MANIFEST).exists() and child != keep:
                entries.append((child.stat().st_mtime, child))
        except OSError:  # removed by another process meanwhile
            continue
    for _, child in sorted(entries, reverse=True)[KEEP - 1:]:
        shutil.rmtree(child, ignore_errors=True)


# --- entry format ---------------------------------------------------------------------------

def _write_entry(folder: Path, key: str, view: ViewData) -> None:
    import pyarrow as pa

    data = view.dataset
    if any(r.rejected_table is not None for r in data.reports):
        raise Uncacheable("a report holds rejected rows")
    manifest: dict = {"schema": SCHEMA, "key": key, "files": {}, "frames": {}}
    frames = {"incidents": view.index.frame, "zones": data.zones, "milestones": data.milestones}
    for name, frame in frames.items():
        table, meta = _encode(frame)
        with _ChecksummedFile(folder / f"{name}.arrow", manifest) as out, \
                pa.ipc.new_file(pa.PythonFile(out, mode="w"), table.schema) as writer:
            writer.write_table(table)
        manifest["frames"][name] = meta
    masks = view.index.zone_masks
    manifest["zone_ids"] = list(masks)
    n = len(view.index)
    stacked = np.vstack(list(masks.values())) if masks else np.zeros((0, n), dtype=bool)
    with _ChecksummedFile(folder / "masks.npy", manifest) as out:
        np.save(out, stacked.astype(bool, copy=False), allow_pickle=False)
    manifest["reports"] = [_report_dict(r) for r in data.reports]
    (folder / _MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")


class _ChecksummedFile(io.RawIOBase):
    """A file written once, its size and CRC-32 noted in the manifest as it goes (one
    pass: nothing is read back)."""

    def __init__(self, path: Path, manifest: dict):
        self._file, self._path, self._manifest = open(path, "wb"), path, manifest  # noqa: SIM115
        self._crc, self._size = 0, 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        view = memoryview(data).cast("B")
        self._crc = zlib.crc32(view, self._crc)
        self._size += len(view)
        return self._file.write(view)

    def tell(self) -> int:
        return self._size

    def close(self) -> None:
        if not self.closed:
            self._file.close()
            self._manifest["files"][self._path.name] = {"size": self._size, "crc32": self._crc}
        super().close()


def _read_entry(entry: Path, key: str, label: str, terms: Terms | None = None) -> ViewData:
    import pyarrow as pa

    from dashboard.analysis.dataset import Dataset
    from dashboard.analysis.spatial import ZoneIndex
    from dashboard.analysis.viewdata import build_view_data

    manifest = json.loads((entry / _MANIFEST).read_text(encoding="utf-8"))
    if manifest.get("schema") != SCHEMA or manifest.get("key") != key:
        raise DamagedEntry("the manifest belongs to another entry")
    frames = {}
    for name in _FRAMES:
        table = pa.ipc.open_file(_mapped(entry, f"{name}.arrow", manifest)).read_all()
        frames[name] = _decode(table, manifest["frames"][name])
    _mapped(entry, "masks.npy", manifest)  # checked; numpy maps it again, read-only
    stacked = np.asarray(np.load(entry / "masks.npy", mmap_mode="r", allow_pickle=False))
    zone_ids = manifest["zone_ids"]
    if stacked.dtype != bool or stacked.shape != (len(zone_ids), len(frames["incidents"])):
        raise DamagedEntry(f"zone masks of shape {stacked.shape}, {stacked.dtype}")
    masks = {z: stacked[i] for i, z in enumerate(zone_ids)}
    reports = [_report_from(d) for d in manifest["reports"]]
    zones = frames["zones"]
    data = Dataset(zones, frames["milestones"], frames["incidents"], reports, ZoneIndex(zones))
    if terms is not None and "classification" not in frames["incidents"]:
        raise DamagedEntry("the entry holds no classification for the terms")
    return build_view_data(data, label, masks=masks, terms=terms)


def _mapped(entry: Path, name: str, manifest: dict):
    """The file as a read-only memory-mapped Arrow buffer (its pages shared by every
    process that maps it), once its size and CRC-32 match the manifest."""
    import pyarrow as pa

    expected = manifest["files"][name]
    raw = pa.memory_map(str(entry / name)).read_buffer()  # the buffer keeps the map alive
    if raw.size != expected["size"]:
        raise DamagedEntry(f"{name} has {raw.size} bytes, not {expected['size']}")
    if zlib.crc32(memoryview(raw)) != expected["crc32"]:
        raise DamagedEntry(f"{name} does not match its checksum")
    return raw


def _encode(frame: pd.DataFrame):
    """An Arrow table and what it takes to give ``frame`` back exactly (dtypes, the
    geometry column and CRS, object columns of text with None for missing)."""
    import geopandas as gpd
    import pyarrow as pa
    import shapely

    index = frame.index
    if not (isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1):
        raise Uncacheable("the frame's index is not 0..n-1")
    if frame.attrs or not all(isinstance(c, str) for c in frame.columns) \
            or frame.columns.has_duplicates:
        raise Uncacheable("the frame has attrs, or columns not named by distinct text")
    meta = {"columns": list(frame.columns), "dtypes": [str(t) for t in frame.dtypes],
            "geometry": None, "crs": None, "objects": []}
    plain = pd.DataFrame(frame)
    if isinstance(frame, gpd.GeoDataFrame):
        name = frame.geometry.name
        meta["geometry"] = name
        meta["crs"] = frame.crs.srs if frame.crs is not None else None
        plain[name] = shapely.to_wkb(np.asarray(frame.geometry.array, dtype=object))
    for col in plain.columns:
        if plain[col].dtype == object and col != meta["geometry"]:
            # None and NaN are distinct values here: only None comes back as None.
            if not all(v is None or isinstance(v, str) for v in pd.unique(plain[col].to_numpy())):
                raise Uncacheable(f"column {col!r} holds values other than text and None")
            meta["objects"].append(col)
    return pa.Table.from_pandas(plain, preserve_index=False), meta


def _decode(table, meta: dict) -> pd.DataFrame:
    import geopandas as gpd
    import pyarrow as pa
    import pyarrow.compute as pc
    import shapely

    frame = table.to_pandas(split_blocks=True)  # a column per block: views, not one copy
    for col in meta["objects"]:
        if pa.types.is_null(table.column(col).type):  # no text at all (an empty frame)
            frame[col] = pd.Series([None] * len(frame), index=frame.index, dtype=object)
            continue
        encoded = pc.dictionary_encode(table.column(col)).combine_chunks()
        codes = encoded.indices.fill_null(-1).to_numpy()
        values = np.array([*encoded.dictionary.to_pylist(), None], dtype=object)
        frame[col] = pd.Series(values[codes], index=frame.index, dtype=object)
    if (name := meta["geometry"]) is not None:
        geometry = shapely.from_wkb(table.column(name).to_numpy(zero_copy_only=False))
        frame[name] = gpd.GeoSeries(geometry, index=frame.index, crs=meta["crs"])
        frame = gpd.GeoDataFrame(frame, geometry=name)
    if list(frame.columns) != meta["columns"] or [str(t) for t in frame.dtypes] != meta["dtypes"]:
        raise DamagedEntry("a frame came back with other columns or dtypes")
    return frame


def _report_dict(report: ValidationReport) -> dict:
    return {"path": str(report.path), "kind": report.kind, "rows": report.rows,
            "issues": [asdict(i) for i in report.issues], "rejected_rows": report.rejected_rows,
            "encoding": report.encoding}


def _report_from(d: dict) -> ValidationReport:
    return ValidationReport(Path(d["path"]), d["kind"], d["rows"],
                            [Issue(**i) for i in d["issues"]], list(d["rejected_rows"]),
                            encoding=d.get("encoding"))
