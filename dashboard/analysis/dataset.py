"""The data a view works on: zones, milestones and joined incidents, loaded together.

With no files given this is the bundled Syria 2017–18 dataset: the four Astana
zones (approximate), their milestones, UCDP GED events and the events reported
in the sources of the zone facts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from dashboard.analysis.spatial import ZoneIndex, import_in_background, join_with_masks
from dashboard.core.paths import geodata_dir
from dashboard.core.progress import Steps
from dashboard.core.sourcepaths import SourcePath, source_path  # noqa: F401 (kept here too)
from dashboard.io import ValidationReport, load_incidents, load_milestones, load_zones
from dashboard.io.incidents import empty_incidents
from dashboard.io.milestones import empty_milestones
from dashboard.io.synth import is_synthetic

BUNDLED_ZONES = "syria-2017-zones.geojson"
BUNDLED_MILESTONES = "syria-2017-milestones.csv"
BUNDLED_INCIDENTS = ("ucdp-ged-syria-2017-2018.csv.gz", "syria-2017-reported-events.csv")
#: The bundled incident files' source names, where the file does not name its own.
BUNDLED_NAMES = {"syria-2017-reported-events.csv": "Reported events"}
#: The columns that name an incident across sources: its source and its id there.
KEY_COLUMNS = ("dataset", "incident_id")


def source_name(path: Path) -> str | None:
    """The name ``path`` gives its incidents (``SourcePath``, the bundled names), or None."""
    bundled = Path(path).parent.resolve() == geodata_dir().resolve()  # however it is typed
    return getattr(path, "dataset_name", None) or (
        BUNDLED_NAMES.get(path.name) if bundled else None)


@dataclass(frozen=True)
class Dataset:
    """Read-only frames for one view of the world; ``incidents`` carry the join columns."""

    zones: pd.DataFrame
    milestones: pd.DataFrame
    incidents: pd.DataFrame
    reports: list[ValidationReport] = field(default_factory=list)
    zone_index: ZoneIndex | None = None
    #: ``membership_masks(incidents, zone_index)`` over the rows as they stand here,
    #: when the join computed them on the way (None: not known). A ``replace`` of
    #: ``incidents`` must replace or drop them.
    zone_masks: dict[str, np.ndarray] | None = field(default=None, repr=False, compare=False)
    #: Likely duplicates across sources (``dedupe.find_links``), keyed by
    #: ``KEY_COLUMNS`` on both sides; None: one source, or not computed here (a
    #: prepared cache keeps the ``cluster`` column only: ``links_of`` computes them).
    links: pd.DataFrame | None = field(default=None, repr=False, compare=False)

    @property
    def synthetic(self) -> bool:
        return is_synthetic(self.incidents)

    @property
    def sources(self) -> list[str]:
        """The files this dataset came from, for attribution lines."""
        return [r.path.name for r in self.reports]


def bundled_files() -> dict[str, list[Path]]:
    """The bundled files by role."""
    root = geodata_dir()
    return {"zones": [root / BUNDLED_ZONES], "milestones": [root / BUNDLED_MILESTONES],
            "incidents": [root / name for name in BUNDLED_INCIDENTS]}


def dataset_files(
    zones: str | Path | None = None,
    incidents: str | Path | list[str | Path] | tuple[Path, ...] | None = None,
    milestones: str | Path | None = None,
) -> dict[str, list[Path]]:
    """The files ``load_dataset`` reads for these arguments, by role: the bundled ones
    fill the gaps (the bundled milestones only go with the bundled zones)."""
    bundled = bundled_files()
    return {
        "zones": [Path(zones)] if zones else bundled["zones"],
        "incidents": ([p if isinstance(p, Path) else Path(p) for p in incidents]
                      if isinstance(incidents, list | tuple)
                      else [Path(incidents)] if incidents else bundled["incidents"]),
        "milestones": ([Path(milestones)] if milestones
                       else bundled["milestones"] if zones is None else []),
    }


def load_dataset(
    zones: str | Path | None = None,
    incidents: str | Path | list[str | Path] | None = None,
    milestones: str | Path | None = None,
    *,
    valid_only: bool = False,
    progress: bool = False,
    encoding: str | None = None,
) -> Dataset:
    """Load, validate and join. Files not given fall back to the bundled ones (the
    bundled milestones only go with the bundled zones). Raises the first error of a
    file with errors unless ``valid_only``. ``encoding`` is that of the zone and incident
    files given (default: detected); the bundled files are UTF-8. Each incident file is
    a source: its rows keep their ``dataset`` (a ``SourcePath``'s name, else the
    reader's) and ``incident_id``; with several sources they gain a ``cluster`` column
    (``link_sources``)."""
    import_in_background()  # the join's KD-tree library loads while the files are read
    files = dataset_files(zones, incidents, milestones)
    zone_path, incident_paths = files["zones"][0], files["incidents"]
    milestone_path = files["milestones"][0] if files["milestones"] else None
    steps = Steps(progress, 2 + len(incident_paths) + (milestone_path is not None))
    reports = []
    zone_frame, report = load_zones(zone_path, valid_only=valid_only,
                                    encoding=encoding if zones is not None else None)
    reports.append(report)
    steps.done(f"zones: {zone_path.name}")
    frames = []
    for path in incident_paths:
        frame, report = load_incidents(path, valid_only=valid_only,
                                       encoding=encoding if incidents is not None else None)
        if (name := source_name(path)) is not None:
            frame = frame.assign(dataset=pd.Categorical([name] * len(frame)))
        frames.append(frame)
        reports.append(report)
        steps.done(f"incidents: {path.name}")
    incident_frame = (concat_sources(frames) if len(frames) > 1
                      else frames[0] if frames else empty_incidents())
    if milestone_path is not None:
        milestone_frame, report = load_milestones(milestone_path, valid_only=valid_only)
        reports.append(report)
        steps.done(f"milestones: {milestone_path.name}")
    else:
        milestone_frame = empty_milestones()
    index = ZoneIndex(zone_frame)
    joined, masks = join_with_masks(incident_frame, zone_frame, index=index)
    steps.done("joined incidents to zones")
    joined, links = link_sources(joined)
    steps.close()
    return Dataset(zone_frame, milestone_frame, joined, reports, index, masks, links)


def concat_sources(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Several sources' incidents in one frame, ``dataset`` categorical over all of them
    (a plain concat of categoricals with other categories turns them into text)."""
    out = pd.concat(frames, ignore_index=True)
    if "dataset" in out and not isinstance(out["dataset"].dtype, pd.CategoricalDtype):
        out["dataset"] = out["dataset"].astype("category")
    return out


def link_sources(incidents: pd.DataFrame, *, confirmed=(), rejected=()
                 ) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """``incidents`` with a ``cluster`` column (rows of one event told by several sources
    share it; ``dedupe.cluster_ids`` with the analyst's ``confirmed`` and ``rejected``
    link keys) and their links, when they come from more than one source; as they are,
    without links, from one (or none)."""
    if incidents["dataset"].nunique() < 2:
        return incidents.drop(columns=["cluster"], errors="ignore"), None
    from dashboard.analysis.dedupe import cluster_ids, find_links

    links = find_links(incidents)
    clusters = cluster_ids(len(incidents), links, confirmed=confirmed, rejected=rejected)
    return incidents.assign(cluster=np.asarray(clusters, dtype=np.int64)), links


def aligned_links(links: pd.DataFrame, frame: pd.DataFrame) -> pd.DataFrame:
    """``links`` with ``a`` and ``b`` pointing at ``frame``'s rows (found by
    ``KEY_COLUMNS``): the index sorts rows by date, so positions move, keys do not.
    Links whose rows are not in ``frame`` are left out."""
    keys = pd.Series(np.arange(len(frame)), index=pd.MultiIndex.from_arrays(
        [frame[c].astype(str).to_numpy() for c in KEY_COLUMNS]))
    keys = keys[~keys.index.duplicated()]

    def rows(side: str) -> np.ndarray:
        wanted = pd.MultiIndex.from_arrays([links[f"dataset_{side}"].astype(str).to_numpy(),
                                            links[f"id_{side}"].astype(str).to_numpy()])
        return keys.reindex(wanted).to_numpy(dtype=float)

    a, b = rows("a"), rows("b")
    found = ~(np.isnan(a) | np.isnan(b))
    return links.loc[found].assign(a=a[found].astype(np.int64),
                                   b=b[found].astype(np.int64)).reset_index(drop=True)


def assemble_dataset(zones: pd.DataFrame, incidents: pd.DataFrame, milestones: pd.DataFrame,
                     reports: list[ValidationReport]) -> Dataset:
    """A dataset from frames already loaded (join columns, if any, are recomputed)."""
    from dashboard.analysis.spatial import JOIN_COLUMNS

    index = ZoneIndex(zones)
    plain = incidents.drop(columns=[c for c in (*JOIN_COLUMNS, "cluster")
                                    if c in incidents.columns])
    joined, masks = join_with_masks(plain, zones, index=index)
    joined, links = link_sources(joined)
    return Dataset(zones, milestones, joined, reports, index, masks, links)
