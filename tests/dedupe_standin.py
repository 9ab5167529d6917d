"""A tiny stand-in for ``dashboard.analysis.dedupe`` (same API), used by the sources
tests only while the real module is not in the tree: same day, within 5 km, different
sources -> one link; clusters by union-find; the first selected row of a cluster kept."""

from __future__ import annotations

import sys
import types

import numpy as np
import pandas as pd


def find_links(incidents: pd.DataFrame) -> pd.DataFrame:
    rows = []
    frame = incidents.reset_index(drop=True)
    for a in range(len(frame)):
        for b in range(a + 1, len(frame)):
            x, y = frame.iloc[a], frame.iloc[b]
            if str(x["dataset"]) == str(y["dataset"]) or x["date"] != y["date"]:
                continue
            km = 111 * float(np.hypot(x["lon"] - y["lon"], x["lat"] - y["lat"]))
            if km <= 5:
                rows.append({"a": a, "b": b, "dataset_a": str(x["dataset"]),
                             "id_a": str(x["incident_id"]), "dataset_b": str(y["dataset"]),
                             "id_b": str(y["incident_id"]), "score": round(1 - km / 10, 2),
                             "reasons": f"same day; {km:.1f} km apart"})
    links = pd.DataFrame(rows, columns=["a", "b", "dataset_a", "id_a", "dataset_b", "id_b",
                                        "score", "reasons"])
    return links.assign(cluster=cluster_ids(len(frame), links)[links["a"].to_numpy(int)]
                        if len(links) else pd.Series(dtype="int64"))


def _key(row) -> tuple[str, str, str, str]:
    return (row["dataset_a"], row["id_a"], row["dataset_b"], row["id_b"])


def cluster_ids(n, links, *, confirmed=(), rejected=()) -> np.ndarray:
    parent = np.arange(n)

    def root(i):
        while parent[i] != i:
            i = parent[i]
        return i

    rejected = set(map(tuple, rejected))
    for _, row in links.iterrows():
        if _key(row) not in rejected:
            parent[root(int(row["a"]))] = root(int(row["b"]))
    roots = np.array([root(i) for i in range(n)], dtype=np.int64)
    return pd.factorize(roots)[0].astype(np.int64)


def count_once(selected, clusters, preference=None) -> np.ndarray:
    keep = np.zeros(len(selected), dtype=bool)
    rows = np.flatnonzero(selected)
    _, first = np.unique(np.asarray(clusters)[rows], return_index=True)
    keep[rows[first]] = True
    return keep


def install() -> bool:
    """Put this module in as ``dashboard.analysis.dedupe`` unless the real one exists;
    True when the stand-in is in use."""
    try:
        import dashboard.analysis.dedupe  # noqa: F401
        return False
    except ImportError:
        module = types.ModuleType("dashboard.analysis.dedupe")
        module.find_links, module.cluster_ids, module.count_once = find_links, cluster_ids, \
            count_once
        sys.modules["dashboard.analysis.dedupe"] = module
        return True
