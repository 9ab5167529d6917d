"""What the Sources tab shows, as numbers: each source's weekly counts, the events only
one source has, and the likely duplicates to review with the analyst's decisions.

Pure functions over an ``IncidentIndex`` and the view's links (``viewdata.view_links``):
the tab, the CSV export and the tests use them alike.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import date

import numpy as np
import pandas as pd

from dashboard.analysis.aggregate import weekly_counts
from dashboard.analysis.index import IncidentIndex

#: The CSV of links: the columns of ``zonewatch dedupe`` (``cli_dedupe.OUTPUT_COLUMNS``),
#: then the analyst's decision. ``cluster`` is ``cluster_numbers``'s.
EXPORT_COLUMNS = ["cluster", "dataset_a", "id_a", "dataset_b", "id_b", "score", "clustered",
                  "reasons", "decision"]
#: What the tables show of each side of a link and of an event only one source has.
ROW_COLUMNS = ("dataset", "incident_id", "date", "place", "event_type", "fatalities")
LinkKey = tuple[str, str, str, str]


def cluster_numbers(clusters: np.ndarray, frame: pd.DataFrame) -> np.ndarray:
    """The cluster id written out (``zonewatch join``'s ``cluster`` column, ``zonewatch
    dedupe``'s and the Sources tab export's): 1, 2, ... one per cluster of ``clusters``
    (any labels, one per row of ``frame``, e.g. ``cluster_ids``'), in the order of each
    cluster's earliest report: by ``date``, then ``dataset``, then ``incident_id`` (as
    text). A row alone is a cluster of its own and has its number too.

    Why not the labels themselves: ``cluster_ids`` labels by row position, and the rows
    stand in another order in each place (the files' order in the CLI, date order in
    the dashboard). These numbers depend on the rows and their clusters only, so the
    same data and options give the same ids everywhere: links.csv joins the joined
    incidents on ``cluster``."""
    clusters = np.asarray(clusters)
    if not len(clusters):
        return np.zeros(0, dtype=np.int64)
    days = frame["date"].to_numpy(dtype="datetime64[ns]").view(np.int64)
    names = pd.factorize(frame["dataset"].astype(str).to_numpy(), sort=True)[0]
    ids = pd.factorize(frame["incident_id"].astype(str).to_numpy(), sort=True)[0]
    order = np.lexsort((ids, names, days))  # the last key sorts first
    first_seen = pd.factorize(clusters[order])[0]  # numbered as they first appear
    out = np.empty(len(clusters), dtype=np.int64)
    out[order] = first_seen + 1
    return out


def with_cluster_numbers(incidents: pd.DataFrame) -> pd.DataFrame:
    """``incidents`` with their ``cluster`` column as ``cluster_numbers`` (as they are
    without one: a single source has no clusters)."""
    if "cluster" not in incidents:
        return incidents
    return incidents.assign(cluster=cluster_numbers(incidents["cluster"].to_numpy(), incidents))


def weekly_by_source(index: IncidentIndex, positions: np.ndarray,
                     span: tuple[date, date] | None = None) -> pd.DataFrame:
    """Incidents per week (rows: Monday dates) and source (columns: ``dataset``), each
    source's own reports (the caller selects without counting once)."""
    index.options("dataset")  # codes the column on first use
    return weekly_counts(index, positions, by="dataset", span=span)


def cluster_sizes(index: IncidentIndex, positions: np.ndarray) -> np.ndarray:
    """For each of ``positions``: how many of ``positions`` share its cluster (1: no
    other source among them tells it)."""
    if index.clusters is None:
        return np.ones(len(positions), dtype=np.int64)
    clusters = index.clusters[positions]
    _, inverse, counts = np.unique(clusters, return_inverse=True, return_counts=True)
    return counts[inverse]


def only_one_source(index: IncidentIndex, positions: np.ndarray) -> pd.DataFrame:
    """The events among ``positions`` that only one of their sources reports (their
    cluster has no other row among them), as ``ROW_COLUMNS``, newest first."""
    alone = positions[cluster_sizes(index, positions) == 1]
    frame = index.frame.iloc[alone]
    return frame.loc[:, [c for c in ROW_COLUMNS if c in frame]].iloc[::-1].reset_index(drop=True)


def only_counts(index: IncidentIndex, positions: np.ndarray) -> pd.Series:
    """Per source: how many of its events among ``positions`` no other source reports."""
    alone = positions[cluster_sizes(index, positions) == 1]
    names = index.frame["dataset"].astype(str).to_numpy()
    counts = pd.Series(names[alone]).value_counts()
    return counts.reindex(sorted(set(names[positions])), fill_value=0).astype(int)


def decision_map(decisions: Iterable[Sequence[str]]) -> dict[LinkKey, str]:
    """(dataset_a, id_a, dataset_b, id_b) -> "confirmed" | "rejected", either order."""
    out: dict[LinkKey, str] = {}
    for row in decisions:
        a, b = (str(row[0]), str(row[1])), (str(row[2]), str(row[3]))
        out[(*a, *b)] = out[(*b, *a)] = str(row[4])
    return out


def link_keys(links: pd.DataFrame) -> list[LinkKey]:
    """Each link's (dataset_a, id_a, dataset_b, id_b), as text."""
    return list(zip(*(links[c].astype(str) for c in ("dataset_a", "id_a", "dataset_b", "id_b")),
                    strict=True))


def _decisions_of(links: pd.DataFrame, decisions: Iterable[Sequence[str]]) -> list[str]:
    decided = decision_map(decisions)
    return [decided.get(key, "") for key in link_keys(links)] if len(links) else []


def links_to_review(index: IncidentIndex, links: pd.DataFrame | None, positions: np.ndarray,
                    decisions: Iterable[Sequence[str]] = (), limit: int = 200) -> pd.DataFrame:
    """The links with a side among ``positions``, best score first, each with both sides'
    ``ROW_COLUMNS`` (suffixed ``_a``/``_b``) and the analyst's ``decision`` ("" when
    none); at most ``limit`` (``attrs["total"]``: how many there are)."""
    sides = [f"{c}_{s}" for s in "ab" for c in ROW_COLUMNS if c not in ("dataset", "incident_id")]
    columns = ["dataset_a", "id_a", "dataset_b", "id_b", "score", "reasons", "decision", *sides]
    if links is None or not len(links) or not len(positions):
        return pd.DataFrame(columns=columns)
    shown = np.zeros(len(index), dtype=bool)
    shown[positions] = True
    a, b = links["a"].to_numpy(np.int64), links["b"].to_numpy(np.int64)
    picked = links.loc[shown[a] | shown[b]].sort_values("score", ascending=False, kind="stable")
    total = len(picked)
    picked = picked.head(limit).reset_index(drop=True)
    out = picked[["dataset_a", "id_a", "dataset_b", "id_b", "score", "reasons"]].copy()
    out["decision"] = _decisions_of(picked, decisions)
    for side in "ab":
        rows = index.frame.iloc[picked[side].to_numpy(np.int64)].reset_index(drop=True)
        for c in ROW_COLUMNS:
            if c not in ("dataset", "incident_id") and c in rows:
                out[f"{c}_{side}"] = rows[c].to_numpy()
    out.attrs["total"] = total  # links here, ``limit`` of them shown
    return out


def links_csv(index: IncidentIndex, links: pd.DataFrame | None,
              decisions: Iterable[Sequence[str]] = ()) -> str:
    """Every link as CSV (``EXPORT_COLUMNS``), as ``zonewatch dedupe`` writes it: clusters
    as the decisions make them, numbered by ``cluster_numbers`` (without decisions: the
    ids ``zonewatch dedupe`` and ``zonewatch join`` write for the same files),
    ``clustered`` "yes" when the link joins its two rows; then the decision ("" when
    none)."""
    if links is None or not len(links) or index.clusters is None:
        return ",".join(EXPORT_COLUMNS) + "\n"
    a, b = links["a"].to_numpy(np.int64), links["b"].to_numpy(np.int64)
    clusters = index.clusters
    out = links.assign(cluster=cluster_numbers(clusters, index.frame)[a],
                       clustered=np.where(clusters[a] == clusters[b], "yes", "no"),
                       decision=_decisions_of(links, decisions))
    buffer = io.StringIO()
    out[EXPORT_COLUMNS].to_csv(buffer, index=False)
    return buffer.getvalue()
