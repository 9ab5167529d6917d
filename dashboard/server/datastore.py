"""DataStore: the server's dataset, loaded once, and each session's uploads.

Read-only after ``create_app``: callbacks ask it for the ``ViewData`` of a
session and never change it. Per-worker caches are bounded and keyed by the
session and its upload version, so workers agree without sharing memory.
"""

from __future__ import annotations

import logging
import os
from collections import OrderedDict
from dataclasses import replace
from pathlib import Path
from threading import Lock, Thread

import pandas as pd

from dashboard.analysis.dataset import (
    Dataset,
    assemble_dataset,
    concat_sources,
    dataset_files,
    load_dataset,
    source_name,
)
from dashboard.analysis.viewdata import CLASS_COLUMNS, ViewData, build_view_data, with_decisions
from dashboard.core.agreements import Terms
from dashboard.core.errors import ConfigError, ZoneWatchError
from dashboard.core.paths import geodata_dir
from dashboard.core.settings import Settings
from dashboard.io import load_incidents, load_zones
from dashboard.io.milestones import empty_milestones
from dashboard.io.terms_file import BUNDLED_TERMS, load_terms
from dashboard.server.sessions import SessionStore

log = logging.getLogger("zonewatch")
SESSION_CACHE = 4


def describe_source(settings: Settings) -> str:
    if settings.zones is None and settings.incidents is None:
        return ("Syria 2017–18: Astana de-escalation zones (approximate) · UCDP GED 19.1 events "
                "and events reported by the zone sources")
    incidents = settings.incidents
    files = incidents if isinstance(incidents, list | tuple) else [incidents] if incidents else []
    parts = [f"zones: {settings.zones.name if settings.zones else 'bundled Syria 2017'}",
             "incidents: " + (", ".join(source_name(p) or p.name for p in map(_path, files))
                              or "bundled UCDP GED")]
    return " · ".join(parts)


def _path(value) -> Path:
    """``value`` as a path, a ``SourcePath`` kept as it is (its name with it)."""
    return value if isinstance(value, Path) else Path(value)


def load_base_view(settings: Settings, *, save_in_background: bool = False) -> ViewData:
    """The view of the server's own files, through the prepared cache when one is set.

    ``save_in_background`` stores a newly prepared view from a thread, so a first start
    answers without waiting for the write (a killed process leaves only a temp folder:
    entries appear by atomic rename)."""
    from dashboard.server import prepared

    if settings.database_url:  # the team store instead of files
        from dashboard.server.dbview import open_store

        return open_store(settings)[1]
    label = describe_source(settings)
    files = dataset_files(settings.zones, settings.incidents, settings.milestones)
    terms_path = terms_file(settings)
    extra = None
    if terms_path is not None:  # the classification is part of the prepared data
        files = {**files, "terms": [terms_path]}
        extra = {"non_violent": sorted(settings.non_violent_types)}
    if names := [source_name(p) or "" for p in files["incidents"] if source_name(p)]:
        extra = {**(extra or {}), "source_names": names}  # --incidents NAME=FILE
    cache, key = settings.cache_dir, None
    terms = None
    if cache is not None:
        try:
            key = prepared.cache_key(files, extra)
        except OSError:  # a missing file: the load below says which, with the fix
            key = None
        if key and terms_path is not None:
            terms = load_terms(terms_path)
        view = prepared.load_view(cache, key, label, terms) if key else None
        if view is not None:
            return view
    data = load_dataset(settings.zones, settings.incidents, settings.milestones)
    if terms_path is not None and terms is None:
        terms = load_terms(terms_path, set(data.zones["zone_id"]))
    view = build_view_data(data, label, terms=terms)
    if key is not None and prepared.cache_key(files, extra) == key:  # unchanged while read
        if save_in_background:
            # Not a daemon: a process that ends meanwhile waits for the write to finish.
            Thread(target=prepared.save_view, args=(cache, key, view),
                   name="zonewatch-prepare").start()
        else:
            prepared.save_view(cache, key, view)
    return view


def terms_file(settings: Settings) -> Path | None:
    """The terms file the server's data is classified by (``Settings.terms_choice``): the
    bundled one with the bundled zones unless switched off, none with your own zones
    unless given. ``ConfigError`` for 'bundled' with other zones or a missing file."""
    choice = settings.terms_choice
    if choice == "none":
        return None
    if choice == "bundled":
        if settings.zones is not None:
            raise ConfigError("ZONEWATCH_TERMS=bundled (or --terms bundled): the bundled terms "
                              "name the bundled zones, not those in "
                              f"{settings.zones.name}. Fix: give a terms file for your zones, "
                              "or leave the setting empty.")
        return geodata_dir() / BUNDLED_TERMS
    path = Path(choice)
    if not path.is_file():
        raise ConfigError(f"terms file {choice!r} does not exist. Fix: give a JSON terms file, "
                          "'bundled', or 'none'.")
    return path


def session_store(settings: Settings) -> SessionStore:
    return SessionStore(settings.session_dir, settings.session_ttl_minutes,
                        settings.session_disk_mb, settings.session_quota_mb)


class DataStore:
    def __init__(self, base: ViewData, sessions: SessionStore, settings: Settings):
        self.base, self.sessions, self.settings = base, sessions, settings
        self._cache: OrderedDict[tuple[str, str], ViewData] = OrderedDict()
        self._lock = Lock()
        self.reloader = None  # a dbview.Reloader when the data comes from a database

    @classmethod
    def load(cls, settings: Settings) -> DataStore:
        """The server's data: from the prepared cache when it matches the files, else
        read, validated and joined (then stored there for the next start). From a
        database (``settings.database_url``): read at start, then reloaded when the
        store's revision moves (``base``)."""
        if settings.database_url:
            from dashboard.server.dbview import Reloader, open_store

            revision, base = open_store(settings)
            store = cls(base, session_store(settings), settings)
            store.reloader = Reloader(settings, revision)
            return store
        base = load_base_view(settings, save_in_background=True)
        sessions = session_store(settings)
        return cls(base, sessions, settings)

    @property
    def base(self) -> ViewData:
        """The server's data. From a database, its revision is checked every few seconds
        at most; a new one is loaded in the background and swapped in whole (until then,
        and when the reload fails, the old data is served)."""
        if self.reloader is not None:
            self.reloader.maybe_reload(self.swap_base)
        return self._base

    @base.setter
    def base(self, view: ViewData) -> None:
        self._base = view

    def swap_base(self, view: ViewData) -> None:
        """Serve ``view`` from now on (a reload of the server's data)."""
        with self._lock:
            self._base = view  # one reference: a reader gets the old view or the new one
            self._cache.clear()  # the sessions' uploads were laid over the old data

    @classmethod
    def from_dataset(cls, data: Dataset, settings: Settings, label: str = "",
                     terms: Terms | None = None) -> DataStore:
        sessions = session_store(settings)
        return cls(build_view_data(data, label or describe_source(settings), terms=terms),
                   sessions, settings)

    def data_key(self, session_id: str | None) -> str:
        """Which data the session sees now: "base", or its uploads' version."""
        files = self.sessions.files(session_id)
        return "base" if files is None else files.version

    def view_data(self, session_id: str | None) -> ViewData:
        """The session's data: its uploads over the server's, or the server's."""
        self.sessions.maybe_sweep()  # idle sessions expire even when nobody uploads
        files = self.sessions.files(session_id)
        if files is None:
            return self.base
        # A file changed on disk since it was read makes a new key, so every worker
        # notices, not only those that have never read it.
        key = (session_id, files.version, *(
            (p.stat().st_mtime_ns, p.stat().st_size)
            for p in (files.zones, files.incidents, files.terms, *(s.path for s in files.sources))
            if p is not None and p.exists()))
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        try:
            view = self._build(files)
        except Exception as err:  # a file changed, deleted or damaged on disk since upload
            log.error("session %s: uploaded data unreadable, dropped: %s", session_id, err)
            self.sessions.reset(session_id)
            raise ZoneWatchError(
                "Your uploaded data could not be read any more (it was changed or removed on "
                "the server), so the server's data is shown again. Fix: upload your file "
                "again.") from err
        with self._lock:
            self._cache[key] = view
            while len(self._cache) > SESSION_CACHE:
                self._cache.popitem(last=False)
        return view

    def _build(self, files) -> ViewData:
        """The session's uploads over the server's data: uploaded zones replace the
        server's zones and milestones, uploaded incidents its incidents (or, added as
        sources, go beside them, instead of the server's sources they replace). Each
        uploaded file is named as its uploader named it (reports, the ``dataset``
        column). The analyst's link decisions then make the clusters again."""
        if not files.uploads:  # decisions on the server's data: its arrays are shared
            return self._decided(self.base, files)
        base = self.base.dataset
        zones, milestones, incidents = base.zones, base.milestones, base.incidents
        # Classified again under the session's terms (build_view_data): not the server's.
        incidents = incidents.drop(columns=[c for c in (*CLASS_COLUMNS, "cluster")
                                            if c in incidents])
        uploaded = {role: path for role, path in (("zones", files.zones),
                                                  ("incidents", files.incidents)) if path}
        kept = [r for r in base.reports if report_role(r) not in uploaded
                and not (report_role(r) == "milestones" and "zones" in uploaded)]
        reports = []
        for role, path in uploaded.items():
            frame, report = _load_upload(role, path, role in files.valid_only)
            name = files.names.get(role) or path.name
            report.path, report.uploaded = Path(name), True
            if role == "zones":
                zones, milestones = frame, empty_milestones()
            else:
                incidents = frame.assign(dataset=_renamed(frame["dataset"], path.name, name))
            reports.append(report)
        incidents, added = self._added_sources(incidents, files)
        data = assemble_dataset(zones, incidents, milestones, reports + added + kept)
        label = " · ".join([*(f"your {role}: {name}" for role, name in files.names.items()
                              if name), *(f"your source: {s.name}" for s in files.sources)])
        log.info("session data built: %s", label)
        label += " (uploaded, this browser session only)"
        if not uploaded:  # sources added beside the server's data: still its title first
            label = f"{self.base.label} · {label}"
        view = build_view_data(data, label,
                               uploaded=frozenset(uploaded),
                               terms=self._session_terms(files, data, "zones" in uploaded))
        return self._decided(view, files)

    @staticmethod
    def _added_sources(incidents: pd.DataFrame, files) -> tuple[pd.DataFrame, list]:
        """``incidents`` without the sources the session replaced, with those it added
        (each under its name), and the added files' reports."""
        if files.hidden:
            incidents = incidents.loc[~incidents["dataset"].astype(str).isin(files.hidden)]
        frames, reports = [incidents], []
        for source in files.sources:
            frame, report = _load_upload("incidents", source.path, source.valid_only)
            report.path, report.uploaded = Path(source.file or source.name), True
            frames.append(frame.assign(dataset=pd.Categorical([source.name] * len(frame))))
            reports.append(report)
        return (concat_sources(frames) if len(frames) > 1 else incidents), reports

    @staticmethod
    def _decided(view: ViewData, files) -> ViewData:
        """``view`` with the clusters the session's link decisions make."""
        confirmed = [d[:4] for d in files.decisions if d[4] == "confirmed"]
        rejected = [d[:4] for d in files.decisions if d[4] == "rejected"]
        return with_decisions(view, confirmed, rejected)

    def _session_terms(self, files, data, own_zones: bool) -> Terms | None:
        """The session's uploaded terms; else the server's, unless the session brought
        its own zones (the server's terms name the server's zones)."""
        if files.terms is not None:
            terms = load_terms(files.terms, set(data.zones["zone_id"]))
            return replace(terms, source_file=files.names.get("terms") or terms.source_file)
        return None if own_zones else self.base.terms


def report_role(report) -> str:
    """"zones", "incidents" or "milestones": what a report's file held (from its kind)."""
    kind = str(report.kind)
    return "zones" if kind.startswith("zones") else \
        "milestones" if kind.startswith("milestones") else "incidents"


def _renamed(column: pd.Series, old: str, new: str) -> pd.Series:
    """``column`` with ``old`` read as ``new`` (a reader names a file's rows after the
    file, and the kept upload's file is not named as its uploader named it)."""
    out = column.astype(object).where(column.astype(object) != old, new)
    return out.astype(column.dtype) if not isinstance(column.dtype, pd.CategoricalDtype) \
        else out.astype("category")


def _load_upload(role: str, path: Path, valid_only: bool):
    """(frame, report) of a kept upload; ``valid_only``: its rows with errors left out
    (they were offered for download when it was refused, so none is written here)."""
    loader = load_zones if role == "zones" else load_incidents
    if not valid_only:
        return loader(path)
    frame, report = loader(path, valid_only=True, rejected_path=Path(os.devnull))
    report.issues = [i for i in report.issues if os.devnull not in i.problem]
    return frame, report
